"""The case package: one self-contained ZIP file a reviewer verifies without the laptop (docs/package-format.md).

    fieldaudit-package.json   format, case id, device and signer public keys (with names and 执法证号): claims,
                              each repeated in the export statement or recomputed from the journal, and checked
    journal.jsonl             the case's leaves in log order, one canonical JSON per line; the last is the
                              ``case.exported`` statement the export signed (journaled, checkpointed)
    checkpoints.jsonl         every checkpoint record in the order it was made
    payloads/<sha256>.json    the canonical payload of every journal entry (signed objects among them)
    blobs/<sha256>            every original byte stream a signed object references, stored uncompressed

Written atomically with its journal entry (temp file, fsync, commit, rename) with mode 0600: a failed write journals
nothing. With ``--encrypt-to`` the ZIP is sealed to the archive's X25519 public key instead
(``app.evidence.sealed``). Read strictly by ``app.evidence.package_zip``.
"""

from __future__ import annotations

import errno
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.evidence import journal
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import CanonicalisationError, loads
from app.evidence.package_zip import (
    MANIFEST_NAME,
    MAX_CHECKPOINT_RECORDS,
    MAX_LEAVES,
    Malformed,
    Member,
    Reader,
    open_members,
)
from app.evidence.sealed import SealedError, SealedReader, SealedWriter, is_sealed, load_private_key
from app.evidence.signing import SignatureError, b64, public_key_fingerprint, unb64, verify_object
from app.evidence.verify import Key, Verification, key_from_json, verify_case
from app.evidence.verify_rules import (
    ROSTER_CONTEXT,
    checkpoint_fingerprint,
    parse_time,
    signature_record_problem,
)
from app.fsutil import atomic_writer
from app.models.profile import Store, utc_now
from app.models.schema import Case, CaseInspector, Checkpoint, Device, Inspector, JournalLeaf, Payload

PACKAGE_FORMAT = "fieldaudit-case-package"
PACKAGE_VERSION = 2
EXPORT_EVENT = "case.exported"
HEADER_MEMBERS = frozenset({"format", "v", "case", "created", "institution", "inspectors", "devices", "journal"})
STATEMENT_MEMBERS = frozenset({"case", "time", "institution", "inspectors", "devices"})
INSPECTOR_MEMBERS = frozenset({"id", "name", "credential_no", "organisation", "suite", "public_key"})
DEVICE_MEMBERS = frozenset({"id", "name", "suite", "public_key"})
ROSTER_SIGNER = "archive"


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
    """Write the package of ``case_id`` together with the journal entry that records it, all or nothing.

    The signed ``case.exported`` statement and the export checkpoint are added in one store transaction; the package
    (which holds them) is written to a temporary file beside ``out`` and fsynced, and only then is the transaction
    committed and the file renamed into place. A write that fails (the folder cannot be written, the disk is full)
    rolls the transaction back, so the journal never claims an export that did not happen, and removes the partial
    file."""
    bs = BlobStore(store)
    with store.session() as s:
        try:
            manifest, leaves, checkpoints, payloads, blobs = _journal_export(s, store, case_id, actor_id)
            with atomic_writer(out, before_replace=s.commit) as fh:
                target: Any = SealedWriter(fh, encrypt_to) if encrypt_to is not None else fh
                _write_zip(target, manifest, leaves, checkpoints, payloads, blobs, bs, progress, s)
                if encrypt_to is not None:
                    target.close()
        except BaseException:
            s.rollback()  # nothing journaled unless the package is on disk (a no-op once committed)
            raise
    return ExportResult(out, len(leaves), len(blobs), out.stat().st_size, manifest["journal"]["fingerprint"])


def _journal_export(s: Session, store: Store, case_id: str, actor_id: str | None
                    ) -> tuple[dict[str, Any], list[JournalLeaf], list[Checkpoint], dict[str, bytes], set[str]]:
    """Journal (uncommitted, in ``s``) the export statement and checkpoint; return what the package holds."""
    case = s.get(Case, case_id)
    if case is None:
        raise PackageError(f"案件不存在：{case_id}", f"No such case: {case_id}")
    actor = actor_id or store.unlocked_inspectors()[0]
    statement = _export_statement(s, store, case, actor)
    journal.append(s, store, case_id, actor, EXPORT_EVENT, statement)
    size = journal.size(s, case_id)
    journal.checkpoint(s, store, case_id, "export")
    leaves = list(s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id, JournalLeaf.seq < size)
                            .order_by(JournalLeaf.seq)))
    checkpoints = list(s.scalars(select(Checkpoint).where(Checkpoint.log_id == case_id, Checkpoint.size <= size)
                                 .order_by(Checkpoint.size)))
    payloads = {p.sha256: p.body for p in s.scalars(
        select(Payload).where(Payload.sha256.in_({leaf.payload_sha256 for leaf in leaves})))}
    blobs: set[str] = set()
    for body in payloads.values():
        env = loads(body)
        if isinstance(env, dict) and "signatures" in env:
            blobs |= _blob_refs(env)
    latest = checkpoints[-1]
    manifest: dict[str, Any] = {
        "format": PACKAGE_FORMAT, "v": PACKAGE_VERSION, "case": case_id, "created": statement["time"],
        "institution": statement["institution"], "inspectors": statement["inspectors"],
        "devices": statement["devices"],
        "journal": {"size": len(leaves), "root": latest.root,
                    "fingerprint": journal.fingerprint(latest.size, latest.root)},
    }
    return manifest, leaves, checkpoints, payloads, blobs


def _export_statement(s: Any, store: Store, case: Case, actor: str) -> dict[str, Any]:
    """What the package header claims, signed by the exporting inspector as the payload of the journal entry
    ``case.exported`` and covered by the device's export checkpoint."""
    leaves = s.scalars(select(JournalLeaf.leaf).where(JournalLeaf.log_id == case.id))
    actor_ids = {loads(leaf)["entry"]["actor"] for leaf in leaves} | {actor}
    actor_ids |= set(s.scalars(select(CaseInspector.inspector_id).where(CaseInspector.case_id == case.id)))
    devices = {loads(body)["device"] for body in s.scalars(select(Checkpoint.body).where(Checkpoint.log_id == case.id))}
    devices.add(store.device_id)
    inspectors = s.scalars(select(Inspector).where(Inspector.id.in_(actor_ids)).order_by(Inspector.id))
    return {
        "case": case.id, "time": utc_now(), "institution": case.institution.name if case.institution else "",
        "inspectors": [{"id": i.id, "name": i.name, "credential_no": i.credential_no, "organisation": i.organisation,
                        "suite": i.suite, "public_key": b64(i.public_key)} for i in inspectors],
        "devices": [{"id": d.id, "name": d.label, "suite": "ed25519", "public_key": b64(d.public_key)}
                    for d in s.scalars(select(Device).where(Device.id.in_(devices)).order_by(Device.id))],
    }


def _write_zip(target: Any, manifest: dict[str, Any], leaves: list[JournalLeaf], checkpoints: list[Checkpoint],
               payloads: dict[str, bytes], blobs: set[str], bs: BlobStore,
               progress: Callable[[int, int], None] | None, session: Session) -> None:
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
                bs.export_to(sha, dst, session)
            if progress:
                progress(n + 1, total)


# -- reading and verifying ------------------------------------------------------------------------------------------


class RosterRefused(Exception):
    """The roster given with ``--trust`` cannot be trusted (its signature or key); printed as a failure line."""

    def __init__(self, code: str, why: str):
        super().__init__(why)
        self.code, self.why = code, why


def _normal_fingerprint(text: str) -> str:
    return "".join(text.split()).lower()


def load_roster(path: Path, archive_key: str | None = None, allow_unsigned: bool = False) -> dict[str, Key]:
    """Trusted keys from a roster: ``{"roster": {...}, "sig": ...}`` signed by the archive whose key has the
    fingerprint ``archive_key``, or (only with ``allow_unsigned``) a plain roster such as ``app.cli roster`` writes.
    Inspector entries may bound their credential's validity (``valid_from``, ``valid_until``); a revoked entry
    without ``valid_until`` and a revoked device are left out."""
    try:
        data = loads(path.read_bytes())
    except (OSError, CanonicalisationError, ValueError) as exc:
        raise PackageError(f"无法读取信任名单：{path}", f"Cannot read the trust roster: {path}") from exc
    if not isinstance(data, dict):
        raise PackageError("信任名单格式错误。", "The trust roster is malformed.")
    if "roster" in data or "sig" in data:
        roster = _signed_roster(data, archive_key)
    elif not allow_unsigned:
        raise PackageError("信任名单未经档案中心签名：确认可信时请加 --unsigned-roster。",
                           "The trust roster is not signed by the archive: add --unsigned-roster if you trust it.")
    else:
        roster = data
    keys: dict[str, Key] = {}
    try:
        for i in roster.get("inspectors", []):
            if not i.get("revoked") or i.get("valid_until") is not None:
                keys[str(i["id"])] = key_from_json(i, "inspector")
        for d in roster.get("devices", []):
            if not d.get("revoked"):
                keys[str(d["id"])] = key_from_json(d, "device")
    except (KeyError, TypeError, ValueError, AttributeError, SignatureError) as exc:
        raise PackageError("信任名单格式错误。", "The trust roster is malformed.") from exc
    return keys


def _signed_roster(data: dict[str, Any], archive_key: str | None) -> dict[str, Any]:
    if archive_key is None:
        raise PackageError("档案中心签名的信任名单需用 --archive-key 指定档案中心公钥指纹。",
                           "A signed roster needs the archive's key fingerprint: give --archive-key FINGERPRINT.")
    roster, sig = data.get("roster"), data.get("sig")
    sig_record: dict[str, str] = sig if isinstance(sig, dict) else {}
    if set(data) != {"roster", "sig"} or not isinstance(roster, dict):
        raise RosterRefused("roster_malformed", "a signed roster has exactly the members roster and sig")
    if (why := signature_record_problem(sig)) is not None:
        raise RosterRefused("roster_bad_signature", why)
    try:
        fingerprint = public_key_fingerprint(b64decode_key(sig_record["public_key"]), sig_record["suite"])
    except SignatureError as exc:
        raise RosterRefused("roster_bad_signature", str(exc)) from exc
    if _normal_fingerprint(fingerprint) != _normal_fingerprint(archive_key):
        raise RosterRefused("roster_wrong_key", f"signed by the key {fingerprint}, not the archive key {archive_key}")
    if sig_record["signer"] != ROSTER_SIGNER:
        raise RosterRefused("roster_bad_signature", f"signed by {sig_record['signer']!r}, not by the archive")
    try:
        verify_object(sig_record, ROSTER_CONTEXT, roster)
    except SignatureError as exc:
        raise RosterRefused("roster_bad_signature", f"the archive's signature is invalid ({exc})") from exc
    return roster


def b64decode_key(text: str) -> bytes:
    raw = unb64(text)
    if len(raw) != 32:
        raise SignatureError("a public key is 32 bytes")
    return raw


class _Lines:
    """A JSON-lines member, re-read on every iteration (bounded lines, bounded count)."""

    def __init__(self, reader: Reader, member: Member, max_lines: int):
        self.reader, self.member, self.max_lines = reader, member, max_lines

    def __iter__(self) -> Iterator[bytes]:
        return self.reader.lines(self.member, self.max_lines)


class _Payloads(Mapping[str, bytes]):
    """The payload members by SHA-256, read (bounded) when asked for; remembers which were asked for."""

    def __init__(self, reader: Reader, members: dict[str, Member]):
        self.reader, self.members = reader, members
        self.used: set[str] = set()

    def __getitem__(self, sha: str) -> bytes:
        member = self.members[sha]
        self.used.add(sha)
        return self.reader.read_json(member)

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Header:
    """The package header, its shape checked (its claims are checked against the journal later)."""

    raw: dict[str, Any]
    case: str
    keys: dict[str, Key]


def _header(raw: bytes) -> Header:
    try:
        h = loads(raw)
    except (CanonicalisationError, ValueError) as exc:
        raise Malformed("bad_header", MANIFEST_NAME, f"not a JSON object ({exc})") from exc
    if not isinstance(h, dict) or h.get("format") != PACKAGE_FORMAT:
        raise Malformed("bad_header", MANIFEST_NAME, "not a FieldAudit case package header")
    if h.get("v") != PACKAGE_VERSION:
        raise Malformed("unsupported_version", MANIFEST_NAME, f"format version {h.get('v')!r}; this verifier reads "
                                                              f"version {PACKAGE_VERSION} (export the case again)")
    if set(h) != HEADER_MEMBERS:
        raise Malformed("bad_header", MANIFEST_NAME, f"has exactly the members {sorted(HEADER_MEMBERS)}")
    keys: dict[str, Key] = {}
    try:
        if not isinstance(h["case"], str) or not isinstance(h["inspectors"], list) \
                or not isinstance(h["devices"], list):
            raise TypeError("case, inspectors or devices")
        for entries, members, role in ((h["inspectors"], INSPECTOR_MEMBERS, "inspector"),
                                       (h["devices"], DEVICE_MEMBERS, "device")):
            for e in entries:
                if not isinstance(e, dict) or set(e) != members or not all(isinstance(x, str) for x in e.values()):
                    raise TypeError(f"an {role} entry has exactly the members {sorted(members)}, all strings")
                if e["id"] in keys:
                    raise ValueError(f"key id {e['id']} listed twice")
                keys[e["id"]] = key_from_json(e, role, claimed=True)
    except (TypeError, ValueError, KeyError) as exc:
        raise Malformed("bad_header", MANIFEST_NAME, str(exc)) from exc
    return Header(h, h["case"], keys)


def _journal_end(leaves: _Lines) -> tuple[dict[str, Any] | None, bool]:
    """The last leaf's entry (None if unreadable) and whether the case was closed (a ``case.closed`` entry)."""
    last: dict[str, Any] | None = None
    closed = False
    for raw in leaves:
        try:
            entry = loads(raw)["entry"]
            last = entry if isinstance(entry, dict) else None
            closed = closed or (last is not None and last.get("type") == "case.closed")
        except (CanonicalisationError, ValueError, KeyError, TypeError):
            last = None
    return last, closed


def _check_claims(v: Verification, header: Header, leaves: _Lines, payloads: _Payloads) -> bool:
    """Every claim of the header is the export statement's (the last leaf) or recomputed from the journal.
    Returns whether the case was closed."""
    last, closed = _journal_end(leaves)
    h = header.raw
    expected_journal = {"size": v.leaves, "root": v.root, "fingerprint": checkpoint_fingerprint(v.leaves, v.root)}
    if h["journal"] != expected_journal:
        v.fail(MANIFEST_NAME, "its journal size, root or fingerprint is not the journal's "
                              f"({expected_journal['fingerprint']})", "header_mismatch")
    sha = last.get("payload_sha256") if last is not None else None
    if last is None or last.get("type") != EXPORT_EVENT or not isinstance(sha, str) or sha not in payloads:
        v.fail(MANIFEST_NAME, f"the journal does not end with the signed export statement ({EXPORT_EVENT}): the "
                              "header's claims are unverified", "no_export_statement")
        return closed
    try:
        statement = loads(payloads[sha])
        if not isinstance(statement, dict) or set(statement) != STATEMENT_MEMBERS:
            raise ValueError(f"has exactly the members {sorted(STATEMENT_MEMBERS)}")
        parse_time(statement["time"])
    except (CanonicalisationError, ValueError) as exc:
        v.fail(f"journal leaf #{v.leaves - 1}", f"the export statement is malformed ({exc})", "no_export_statement")
        return closed
    for field, claim in (("case", "case"), ("created", "time"), ("institution", "institution"),
                         ("inspectors", "inspectors"), ("devices", "devices")):
        if h[field] != statement[claim]:
            v.fail(MANIFEST_NAME, f"its {field} is not what the signed export statement says", "header_mismatch")
    return closed


def verify_package(path: Path, trusted: dict[str, Key] | None = None, key_file: Path | None = None,
                   expect: str | None = None) -> tuple[Verification, dict[str, Any]]:
    """Verify a package file. Without ``trusted`` the keys listed in the package are used (internal consistency;
    they are marked as the package's claim). A sealed package is read chunk by chunk with ``key_file``; its
    plaintext is never written anywhere. ``expect``: a checkpoint fingerprint the package must contain.
    Every fault of the package is a failure of the returned Verification; PackageError only for the caller's
    own mistakes (no such file, no key for a sealed package)."""
    v = Verification()
    facts: dict[str, Any] = {}
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, after the sealed reader
    except OSError as exc:
        raise PackageError(f"无法读取数据包：{path}", f"Cannot read the package: {path}") from exc
    with fh:
        try:
            source: Any = fh
            if is_sealed(path):
                if key_file is None:
                    raise PackageError("数据包已加密：请用 --key 指定档案中心的解密私钥。",
                                       "The package is sealed: give the archive's private key with --key.")
                source = SealedReader(fh, load_private_key(key_file))
            reader = open_members(source)
            try:
                facts = _verify_members(v, reader, trusted, expect)
            finally:
                reader.package.close()
        except Malformed as exc:
            v.fail(exc.what, exc.why, exc.code)
        except SealedError as exc:
            if exc.message_en.startswith("Cannot read the decryption key"):
                raise
            v.fail("sealed package", exc.message_en, "sealed_damaged")
        except OSError as exc:  # the medium, not the package: an environment error (an offset no file can have is
            if exc.errno == errno.EINVAL:  # the package's)
                v.fail("ZIP", f"an offset outside the file ({exc.strerror})", "zip_malformed")
                return v, facts
            raise PackageError(f"读取数据包时出错：{path}（{exc.strerror or exc}）",
                               f"Error reading the package {path}: {exc.strerror or exc}") from exc
    return v, facts


def _verify_members(v: Verification, reader: Reader, trusted: dict[str, Key] | None,
                    expect: str | None) -> dict[str, Any]:
    pkg = reader.package
    header = _header(reader.read_json(pkg.manifest))
    facts: dict[str, Any] = dict(header.raw)
    leaves = _Lines(reader, pkg.journal, MAX_LEAVES)
    checkpoints = _Lines(reader, pkg.checkpoints, MAX_CHECKPOINT_RECORDS)
    payloads = _Payloads(reader, pkg.payloads)
    hashed: dict[str, str] = {}

    def blob_hash(sha: str) -> str | None:
        member = pkg.blobs.get(sha)
        if member is None:
            return None
        if sha not in hashed:
            hashed[sha] = reader.sha256(member)
        return hashed[sha]

    def blob_size(sha: str) -> int | None:
        member = pkg.blobs.get(sha)
        return None if member is None else member.info.file_size  # read whole, CRC and length checked, by blob_hash

    verify_case(header.case, leaves, payloads, checkpoints, header.keys if trusted is None else trusted,
                blob_hash, v, blob_size)
    for sha in sorted(set(pkg.payloads) - payloads.used):
        v.fail(f"payloads/{sha}.json", "no journal entry refers to it", "member_unreferenced")
    for sha in sorted(set(pkg.blobs) - set(hashed)):
        v.fail(f"blobs/{sha}", "no signed object refers to it", "member_unreferenced")
    facts["closed"] = _check_claims(v, header, leaves, payloads)
    facts["last"] = v.heads[-1] if v.heads else None
    if expect is not None:
        wanted = _normal_fingerprint(expect).upper()
        if not any(_normal_fingerprint(h.fingerprint).upper() == wanted for h in v.heads):
            v.fail("--expect", f"the package does not contain the checkpoint {expect} (rolled back to an earlier "
                               "state, or another case)", "expect_missing")
    return facts


def export_roster(store: Store) -> dict[str, Any]:
    """This profile's inspectors and device as a roster file (for ``verify --trust``)."""
    with store.session() as s:
        return {
            "v": 1, "type": "roster", "source": "profile", "created": utc_now(),
            "inspectors": [{"id": i.id, "name": i.name, "credential_no": i.credential_no, "organisation": i.organisation,
                            "suite": i.suite, "public_key": b64(i.public_key), "revoked": i.revoked,
                            "valid_from": None, "valid_until": None}
                           for i in s.scalars(select(Inspector))],
            "devices": [{"id": d.id, "name": d.label, "suite": "ed25519", "public_key": b64(d.public_key)}
                        for d in s.scalars(select(Device))],
        }


__all__ = ["ExportResult", "PackageError", "RosterRefused", "export_case", "export_roster", "load_roster",
           "verify_package"]
