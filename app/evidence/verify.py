"""The independent verifier: checks a case's journal, checkpoints, signed objects and blobs without trusting the
laptop. Pure functions over plain data, shared by ``app.cli verify`` and the archive. Imports nothing of the UI or
the store.

Every failure is a line ``<what>: <why>`` naming the item, record, leaf or checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256, loads
from app.evidence.signing import SignatureError, unb64, verify_object

JOURNAL_CONTEXT = "fieldaudit/journal/v1"
CHECKPOINT_CONTEXT = "fieldaudit/checkpoint/v1"
OBJECT_CONTEXTS = {
    "evidence": "fieldaudit/manifest/v1",
    "provider-signature": "fieldaudit/provider-signature/v1",
    "provider-refusal": "fieldaudit/provider-refusal/v1",
    "record": "fieldaudit/record/v1",
}
OBJECT_EVENTS = {"evidence.captured", "provider.signed", "provider.refused", "record.signed"}


@dataclass(frozen=True)
class Key:
    id: str
    public: bytes
    suite: str = "ed25519"
    role: str = "inspector"  # inspector | device
    name: str = ""


@dataclass
class Verification:
    failures: list[str] = field(default_factory=list)
    leaves: int = 0
    objects: int = 0
    blobs: int = 0
    checkpoints: int = 0
    root: str = ""
    keys_used: dict[str, Key] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, what: str, why: str) -> None:
        self.failures.append(f"{what}: {why}")


BlobHasher = Callable[[str], str | None]  # sha256 -> sha256 of the bytes actually present, or None if absent


def verify_case(case_id: str, leaves: Sequence[bytes], payloads: Mapping[str, bytes], checkpoints: Sequence[bytes],
                keys: Mapping[str, Key], blob_hash: BlobHasher) -> Verification:
    """Verify one case: ``leaves`` in log order, ``payloads`` by hash, ``checkpoints`` in the order they were made."""
    v = Verification()
    hashes = verify_journal(v, case_id, leaves, payloads, keys)
    verify_checkpoints(v, case_id, checkpoints, hashes, keys)
    envelopes = _collect_envelopes(v, leaves, payloads)
    _verify_objects(v, case_id, envelopes, keys, blob_hash)
    return v


def _use(v: Verification, keys: Mapping[str, Key], key_id: str, role: str | None = None) -> Key | None:
    key = keys.get(key_id)
    if key is not None and (role is None or key.role == role):
        v.keys_used[key_id] = key
        return key
    return None


def verify_journal(v: Verification, case_id: str, leaves: Sequence[bytes], payloads: Mapping[str, bytes],
                    keys: Mapping[str, Key]) -> list[bytes]:
    hashes: list[bytes] = []
    for i, raw in enumerate(leaves):
        where = f"journal leaf #{i}"
        h = merkle.leaf_hash(raw)
        try:
            leaf = loads(raw)
            entry, sig = leaf["entry"], leaf["sig"]
            if canonical_bytes(leaf) != raw:
                v.fail(where, "not in canonical form")
            if entry["log"] != case_id:
                v.fail(where, f"belongs to another log ({entry['log']})")
            if entry["seq"] != i:
                v.fail(where, f"out of order or a leaf is missing (its sequence number is {entry['seq']})")
            expected_prev = hashes[-1].hex() if hashes else ""
            if entry["prev"] != expected_prev:
                v.fail(where, "does not chain to the previous leaf (a leaf was removed, inserted or swapped)")
            key = _use(v, keys, entry["actor"], "inspector")
            if key is None:
                v.fail(where, f"signed by an unknown or untrusted inspector {entry['actor']}")
            elif sig.get("signer") != entry["actor"]:
                v.fail(where, "signature is not by the acting inspector")
            else:
                try:
                    verify_object(sig, JOURNAL_CONTEXT, entry, key.public)
                except SignatureError as exc:
                    v.fail(where, f"signature invalid ({exc})")
            payload = payloads.get(entry["payload_sha256"])
            if payload is None:
                v.fail(where, "its payload is missing")
            elif hashlib.sha256(payload).hexdigest() != entry["payload_sha256"]:
                v.fail(where, "its payload does not match the hash in the entry")
        except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError) as exc:
            v.fail(where, f"malformed ({exc})")
        hashes.append(h)
    v.leaves = len(hashes)
    v.root = merkle.root_from_leaf_hashes(hashes).hex()
    return hashes


def verify_checkpoints(v: Verification, case_id: str, checkpoints: Sequence[bytes], hashes: list[bytes],
                       keys: Mapping[str, Key], *, complete: bool = True) -> None:
    """``complete``: a package must have checkpoints and the last must cover every leaf; a live store may have
    leaves written since its last checkpoint."""
    prev: tuple[int, str, str] | None = None  # size, root, time
    if not checkpoints:
        if complete:
            v.fail("checkpoints", "the package has no checkpoint")
        return
    for i, raw in enumerate(checkpoints):
        where = f"checkpoint #{i}"
        try:
            rec = loads(raw)
            body, sig = rec["checkpoint"], rec["sig"]
            size, root, when = int(body["size"]), str(body["root"]), str(body["time"])
            where = f"checkpoint #{i} (size {size})"
            if body["log"] != case_id:
                v.fail(where, "belongs to another log")
            key = _use(v, keys, body["device"], "device")
            if key is None:
                v.fail(where, f"signed by an unknown or untrusted device {body['device']}")
            else:
                try:
                    verify_object(sig, CHECKPOINT_CONTEXT, body, key.public)
                except SignatureError as exc:
                    v.fail(where, f"signature invalid ({exc})")
            if size > len(hashes):
                v.fail(where, f"covers {size} leaves but the journal has only {len(hashes)} (leaves removed)")
            elif merkle.root_from_leaf_hashes(hashes[:size]).hex() != root:
                v.fail(where, "its root does not match the journal")
            if prev is not None:
                if size < prev[0] or when < prev[2]:
                    v.fail(where, "is older than the checkpoint before it (an old checkpoint replayed)")
                elif size >= prev[0] and size <= len(hashes):
                    proof = merkle.consistency_proof(prev[0], hashes[:size]) if prev[0] > 0 else []
                    if prev[0] > 0 and not merkle.verify_consistency(prev[0], size, bytes.fromhex(prev[1]),
                                                                     bytes.fromhex(root), proof):
                        v.fail(where, "is not consistent with the previous checkpoint")
            prev = (size, root, when)
        except (CanonicalisationError, KeyError, TypeError, ValueError) as exc:
            v.fail(where, f"malformed ({exc})")
    v.checkpoints = len(checkpoints)
    if complete and prev is not None and prev[0] != len(hashes):
        v.fail("journal", f"{len(hashes) - prev[0]} leaves are not covered by the latest checkpoint")


def _collect_envelopes(v: Verification, leaves: Sequence[bytes], payloads: Mapping[str, bytes]) -> list[dict[str, Any]]:
    out = []
    for i, raw in enumerate(leaves):
        try:
            entry = loads(raw)["entry"]
            if entry["type"] not in OBJECT_EVENTS:
                continue
            payload = payloads.get(entry["payload_sha256"])
            if payload is None:
                continue
            env = loads(payload)
            env["_leaf"] = i
            env["_actor"] = entry["actor"]
            out.append(env)
        except (CanonicalisationError, KeyError, TypeError, ValueError):
            v.fail(f"journal leaf #{i}", "its payload is not a signed object")
    return out


def _verify_signatures(v: Verification, what: str, env: dict[str, Any], keys: Mapping[str, Key],
                       case_inspectors: set[str]) -> set[str]:
    """Returns the set of inspectors whose signatures verified."""
    context = OBJECT_CONTEXTS.get(env.get("type", ""))
    body = env.get("body")
    good: set[str] = set()
    if context is None or not isinstance(body, dict):
        v.fail(what, "unknown object type")
        return good
    for sig in env.get("signatures") or []:
        signer = str(sig.get("signer", ""))
        key = _use(v, keys, signer, "inspector")
        if key is None:
            v.fail(what, f"signed by an unknown or untrusted inspector {signer}")
            continue
        if case_inspectors and signer not in case_inspectors:
            v.fail(what, f"signed by {signer}, who is not an inspector of this case")
            continue
        try:
            verify_object(sig, context, body, key.public)
        except SignatureError as exc:
            v.fail(what, f"signature of {key.name or signer} invalid ({exc})")
            continue
        good.add(signer)
    listed = set(body.get("inspectors") or [])
    if listed and not listed <= good:
        missing = ", ".join(sorted(listed - good))
        v.fail(what, f"lacks a valid signature of {missing}")
    if len(good) < 2:
        v.fail(what, f"needs the signatures of two inspectors, has {len(good)}")
    return good


def _verify_objects(v: Verification, case_id: str, envelopes: list[dict[str, Any]], keys: Mapping[str, Key],
                    blob_hash: BlobHasher) -> None:
    by_id: dict[str, dict[str, Any]] = {}
    case_inspectors: set[str] = set()
    for env in envelopes:
        by_id[str(env.get("id"))] = env
    for env in envelopes:
        body = env.get("body") or {}
        kind = env.get("type")
        what = f"{kind} {env.get('id')}"
        if isinstance(body, dict) and body.get("case") != case_id:
            v.fail(what, "belongs to another case")
        try:
            sha = canonical_sha256(body)
        except CanonicalisationError as exc:
            v.fail(what, f"not canonical ({exc})")
            continue
        env["_sha"] = sha
        own_id = body.get("item") if kind == "evidence" else body.get("record") if kind == "record" else None
        if own_id is not None and own_id != env.get("id"):
            v.fail(what, f"its manifest names another id ({own_id})")
        _verify_signatures(v, what, env, keys, case_inspectors)
        v.objects += 1
    answered: dict[str, set[str]] = {}
    superseded: set[str] = set()
    for env in envelopes:
        body, kind, what = env.get("body") or {}, env.get("type"), f"{env.get('type')} {env.get('id')}"
        if kind in ("evidence", "record"):
            if kind == "evidence":
                for stream in body.get("streams") or []:
                    _check_blob(v, what, str(stream.get("sha256", "")), blob_hash, int(stream.get("size", -1)))
            for ref_key in ("supersedes", "parent"):
                ref = body.get(ref_key)
                if ref:
                    ref_id = ref.get("item") or ref.get("record")
                    target = by_id.get(str(ref_id))
                    if target is None:
                        v.fail(what, f"{'corrects' if ref_key == 'supersedes' else 'derives from'} {ref_id}, "
                                     "which is not in the package")
                    elif target.get("_sha") != ref.get("manifest_sha256"):
                        v.fail(what, f"points at {ref_id} but its hash does not match that item")
                    elif ref_key == "supersedes":
                        superseded.add(str(ref_id))
        elif kind in ("provider-signature", "provider-refusal"):
            target_id = str(body.get("target"))
            target = by_id.get(target_id)
            if target is None:
                v.fail(what, f"refers to {target_id}, which is not in the package")
                continue
            if target.get("_sha") != body.get("target_sha256"):
                v.fail(what, f"is bound to another document than {target_id} (hash mismatch: moved or altered)")
                continue
            if kind == "provider-signature":
                for f in ("strokes_sha256", "image_sha256"):
                    _check_blob(v, what, str(body.get(f, "")), blob_hash)
            elif not str(body.get("reason", "")).strip():
                v.fail(what, "records no reason")
            answered.setdefault(target_id, set()).add(kind)
    for env in envelopes:
        body, kind = env.get("body") or {}, env.get("type")
        if kind not in ("evidence", "record") or body.get("parent") or str(env.get("id")) in superseded:
            continue
        if not answered.get(str(env.get("id"))):
            v.fail(f"{kind} {env.get('id')}", "has neither the provider's signature nor a signed refusal")


def _check_blob(v: Verification, what: str, sha: str, blob_hash: BlobHasher, size: int = -1) -> None:
    actual = blob_hash(sha)
    v.blobs += 1
    if actual is None:
        v.fail(what, f"blob {sha[:16]}… is missing")
    elif actual != sha:
        v.fail(what, f"blob {sha[:16]}… does not match its hash (altered)")


def key_from_json(obj: Mapping[str, Any], role: str) -> Key:
    return Key(str(obj["id"]), unb64(str(obj["public_key"])), str(obj.get("suite", "ed25519")), role,
               str(obj.get("name", "")))
