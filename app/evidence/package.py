"""The case package: one self-contained ZIP file a reviewer verifies without the laptop (docs/package-format.md).

    fieldaudit-package.json   format, case id, device and signer public keys (with names and 执法证号)
    journal.jsonl             the case's leaves in log order, one canonical JSON per line
    checkpoints.jsonl         every checkpoint record in the order it was made
    payloads/<sha256>.json    the canonical payload of every journal entry (signed objects among them)
    blobs/<sha256>            every original byte stream, stored uncompressed

Written atomically (temp file, fsync, rename) with mode 0600. With ``--encrypt-to`` the ZIP is sealed to the
archive's X25519 public key instead (``app.evidence.sealed``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import select

from app.errors import UserError
from app.evidence import journal
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import CanonicalisationError, loads
from app.evidence.sealed import SealedWriter, is_sealed, load_private_key, unseal
from app.evidence.signing import b64
from app.evidence.verify import Key, Verification, key_from_json, verify_case
from app.fsutil import atomic_writer
from app.models.profile import Store, utc_now
from app.models.schema import Case, CaseInspector, Checkpoint, Device, Inspector, JournalLeaf, Payload

PACKAGE_FORMAT = "fieldaudit-case-package"
PACKAGE_VERSION = 1
MANIFEST_NAME = "fieldaudit-package.json"


class PackageError(UserError):
    code = "package"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    leaves: int
    blobs: int
    size: int
    fingerprint: str


def _blob_refs(envelope: dict[str, Any]) -> set[str]:
    body = envelope.get("body") or {}
    refs = {str(s["sha256"]) for s in body.get("streams") or []}
    refs |= {str(body[k]) for k in ("strokes_sha256", "image_sha256") if body.get(k)}
    return refs


def export_case(store: Store, case_id: str, out: Path, progress: Callable[[int, int], None] | None = None,
                actor_id: str | None = None, encrypt_to: X25519PublicKey | None = None) -> ExportResult:
    """Write the package of ``case_id``; the export itself is journaled and checkpointed first."""
    bs = BlobStore(store)
    with store.transaction() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise PackageError(f"案件不存在：{case_id}", f"No such case: {case_id}")
        actor = actor_id or store.unlocked_inspectors()[0]
        journal.append(s, store, case_id, actor, "case.exported", {"case": case_id, "time": utc_now()})
        journal.checkpoint(s, store, case_id, "export")
    with store.session() as s:
        case = s.get(Case, case_id)
        leaves = list(s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id).order_by(JournalLeaf.seq)))
        checkpoints = list(s.scalars(select(Checkpoint).where(Checkpoint.log_id == case_id)
                                     .order_by(Checkpoint.size)))
        payloads = {p.sha256: p.body for p in s.scalars(
            select(Payload).where(Payload.sha256.in_({leaf.payload_sha256 for leaf in leaves})))}
        blobs: set[str] = set()
        for body in payloads.values():
            env = loads(body)
            if isinstance(env, dict) and "signatures" in env:
                blobs |= _blob_refs(env)
        actor_ids = {loads(leaf.leaf)["entry"]["actor"] for leaf in leaves}
        actor_ids |= set(s.scalars(select(CaseInspector.inspector_id).where(CaseInspector.case_id == case_id)))
        inspectors = [i for i in s.scalars(select(Inspector).where(Inspector.id.in_(actor_ids)))]
        devices = {loads(c.body)["device"] for c in checkpoints}
        device_rows = list(s.scalars(select(Device).where(Device.id.in_(devices))))
        latest = checkpoints[-1]
        manifest: dict[str, Any] = {
            "format": PACKAGE_FORMAT, "v": PACKAGE_VERSION, "case": case_id, "created": utc_now(),
            "institution": case.institution.name if case else "",
            "inspectors": [{"id": i.id, "name": i.name, "credential_no": i.credential_no,
                            "organisation": i.organisation, "suite": i.suite, "public_key": b64(i.public_key)}
                           for i in inspectors],
            "devices": [{"id": d.id, "name": d.label, "suite": "ed25519", "public_key": b64(d.public_key)}
                        for d in device_rows],
            "journal": {"size": len(leaves), "root": latest.root,
                        "fingerprint": journal.fingerprint(latest.size, latest.root)},
        }
    total = len(blobs)
    with atomic_writer(out) as fh:
        target: Any = SealedWriter(fh, encrypt_to) if encrypt_to is not None else fh
        _write_zip(target, manifest, leaves, checkpoints, payloads, blobs, bs, progress)
        if encrypt_to is not None:
            target.close()
    return ExportResult(out, len(leaves), total, out.stat().st_size, manifest["journal"]["fingerprint"])


def _write_zip(target: Any, manifest: dict[str, Any], leaves: list[JournalLeaf], checkpoints: list[Checkpoint],
               payloads: dict[str, bytes], blobs: set[str], bs: BlobStore,
               progress: Callable[[int, int], None] | None) -> None:
    total = len(blobs)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        z.writestr("journal.jsonl", b"".join(leaf.leaf + b"\n" for leaf in leaves))
        z.writestr("checkpoints.jsonl", b"".join(
            b'{"checkpoint":' + c.body + b',"sig":' + c.signature + b"}\n" for c in checkpoints))
        for sha, body in sorted(payloads.items()):
            z.writestr(f"payloads/{sha}.json", body)
        for n, sha in enumerate(sorted(blobs)):
            info = zipfile.ZipInfo(f"blobs/{sha}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with z.open(info, "w", force_zip64=True) as dst:
                bs.export_to(sha, dst)
            if progress:
                progress(n + 1, total)


# -- reading and verifying ------------------------------------------------------------------------------------------

def _hash_member(z: zipfile.ZipFile, name: str) -> str | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    digest = hashlib.sha256()
    with z.open(info) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_roster(path: Path) -> dict[str, Key]:
    """Trusted keys: a roster exported from a profile or signed by the archive ({"roster": {...}, "sig": ...})."""
    try:
        data = loads(path.read_bytes())
    except (OSError, CanonicalisationError, ValueError) as exc:
        raise PackageError(f"无法读取信任名单：{path}", f"Cannot read the trust roster: {path}") from exc
    roster = data.get("roster", data)
    keys: dict[str, Key] = {}
    try:
        for i in roster.get("inspectors", []):
            if not i.get("revoked"):
                keys[str(i["id"])] = key_from_json(i, "inspector")
        for d in roster.get("devices", []):
            if not d.get("revoked"):
                keys[str(d["id"])] = key_from_json(d, "device")
    except (KeyError, TypeError, ValueError) as exc:
        raise PackageError("信任名单格式错误。", "The trust roster is malformed.") from exc
    return keys


MAX_SEALED_IN_MEMORY = 2 << 30


def verify_package(path: Path, trusted: dict[str, Key] | None = None,
                   key_file: Path | None = None) -> tuple[Verification, dict[str, Any]]:
    """Verify a package file. Without ``trusted`` the keys listed in the package are used (internal consistency).
    A sealed package is opened in memory with ``key_file``; its plaintext is never written to disk."""
    source: Any = path
    try:
        if is_sealed(path):
            if key_file is None:
                raise PackageError("数据包已加密：请用 --key 指定档案中心的解密私钥。",
                                   "The package is sealed: give the archive's private key with --key.")
            if path.stat().st_size > MAX_SEALED_IN_MEMORY:
                raise PackageError("加密数据包过大，无法在内存中验证。", "The sealed package is too large to verify in memory.")
            source = io.BytesIO()
            with open(path, "rb") as fh:
                unseal(fh, source, load_private_key(key_file))
            source.seek(0)
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"不是有效的案件数据包：{path}", f"Not a valid case package: {path}") from exc
    with z:
        try:
            manifest = json.loads(z.read(MANIFEST_NAME))
            if manifest.get("format") != PACKAGE_FORMAT or manifest.get("v") != PACKAGE_VERSION:
                raise ValueError("format")
            case_id = str(manifest["case"])
            leaves = [line for line in z.read("journal.jsonl").split(b"\n") if line]
            checkpoints = [line for line in z.read("checkpoints.jsonl").split(b"\n") if line]
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise PackageError("数据包缺少必要内容或格式错误。", "The package is incomplete or malformed.") from exc
        payloads: dict[str, bytes] = {}
        for name in z.namelist():
            if name.startswith("payloads/") and name.endswith(".json"):
                payloads[name[len("payloads/"):-len(".json")]] = z.read(name)
        if trusted is None:
            keys: dict[str, Key] = {}
            for i in manifest.get("inspectors", []):
                keys[str(i["id"])] = key_from_json(i, "inspector")
            for d in manifest.get("devices", []):
                keys[str(d["id"])] = key_from_json(d, "device")
        else:
            keys = trusted
        result = verify_case(case_id, leaves, payloads, checkpoints, keys, lambda sha: _hash_member(z, f"blobs/{sha}"))
        if manifest.get("journal", {}).get("root") not in (None, result.root):
            result.fail("package", "the journal root in the package header does not match the journal")
    return result, manifest


def export_roster(store: Store) -> dict[str, Any]:
    """This profile's inspectors and device as a roster file (for ``verify --trust``)."""
    with store.session() as s:
        return {
            "v": 1, "type": "roster", "source": "profile", "created": utc_now(),
            "inspectors": [{"id": i.id, "name": i.name, "credential_no": i.credential_no, "organisation": i.organisation,
                            "suite": i.suite, "public_key": b64(i.public_key), "revoked": i.revoked}
                           for i in s.scalars(select(Inspector))],
            "devices": [{"id": d.id, "name": d.label, "suite": "ed25519", "public_key": b64(d.public_key)}
                        for d in s.scalars(select(Device))],
        }


__all__ = ["ExportResult", "PackageError", "export_case", "export_roster", "load_roster", "verify_package"]
