"""The independent verifier: checks a case's journal, checkpoints, signed objects and blobs without trusting the
laptop. Pure functions over plain data, shared by ``app.cli verify`` and the archive. Imports nothing of the UI or
the store.

Every failure is a line ``<what>: <why>`` naming the item, record, leaf or checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, loads
from app.evidence.signing import unb64
from app.evidence.verify_rules import (
    CHECKPOINT_CONTEXT,
    JOURNAL_CONTEXT,
    OBJECT_CONTEXTS,
    OBJECT_EVENTS,
    PROVIDER_KINDS,
    BlobHasher,
    Key,
    Problem,
    Trust,
    Verification,
    check_batch,
    check_blob,
    check_checkpoint_root,
    check_checkpoint_signature,
    check_leaf,
    check_object,
    check_reference,
    check_refusal,
    evidence_blobs,
    keyring,
    object_event_payload,
    object_label,
    provider_signature_blobs,
    references,
)

__all__ = ["CHECKPOINT_CONTEXT", "JOURNAL_CONTEXT", "OBJECT_CONTEXTS", "OBJECT_EVENTS", "BlobHasher", "Key",
           "Problem", "Verification", "key_from_json", "verify_case", "verify_checkpoints", "verify_journal"]


def verify_case(case_id: str, leaves: Sequence[bytes], payloads: Mapping[str, bytes], checkpoints: Sequence[bytes],
                keys: Mapping[str, Key], blob_hash: BlobHasher) -> Verification:
    """Verify one case: ``leaves`` in log order, ``payloads`` by hash, ``checkpoints`` in the order they were made."""
    v = Verification()
    hashes = verify_journal(v, case_id, leaves, payloads, keys)
    verify_checkpoints(v, case_id, checkpoints, hashes, keys)
    envelopes = _collect_envelopes(v, leaves, payloads)
    _verify_objects(v, case_id, envelopes, keyring(v, keys), blob_hash)
    return v


def verify_journal(v: Verification, case_id: str, leaves: Sequence[bytes], payloads: Mapping[str, bytes],
                   keys: Mapping[str, Key] | Trust) -> list[bytes]:
    """Every leaf by :func:`app.evidence.verify_rules.check_leaf`; returns the leaf hashes. ``keys``: the trusted
    keys, or a :data:`Trust` deciding who may sign."""
    trust = keys if callable(keys) else keyring(v, keys)
    hashes: list[bytes] = []
    for i, raw in enumerate(leaves):
        hashes.append(check_leaf(v, i, raw, hashes[-1] if hashes else None, case_id, trust, payloads))
    v.leaves = len(hashes)
    v.root = merkle.root_from_leaf_hashes(hashes).hex()
    return hashes


def verify_checkpoints(v: Verification, case_id: str, checkpoints: Sequence[bytes], hashes: list[bytes],
                       keys: Mapping[str, Key] | Trust, *, complete: bool = True) -> None:
    """``complete``: a package must have checkpoints and the last must cover every leaf; a live store may have
    leaves written since its last checkpoint."""
    trust = keys if callable(keys) else keyring(v, keys)
    prev: tuple[int, str, str] | None = None  # size, root, time
    if not checkpoints:
        if complete:
            v.fail("checkpoints", "the package has no checkpoint", "no_checkpoint")
        return
    for i, raw in enumerate(checkpoints):
        where = f"checkpoint #{i}"
        try:
            rec = loads(raw)
            body, sig = rec["checkpoint"], rec["sig"]
            size, root, when = int(body["size"]), str(body["root"]), str(body["time"])
            where = f"checkpoint #{i} (size {size})"
            check_checkpoint_signature(v, where, body, sig, case_id, trust, checkpoint=i)
            check_checkpoint_root(v, where, size, root, hashes, checkpoint=i)
            if prev is not None:
                if size < prev[0]:
                    v.fail(where, "is older than the checkpoint before it (an old checkpoint replayed)",
                           "journal_rollback", checkpoint=i)
                elif size <= len(hashes):
                    if when < prev[2]:  # a clock set back (corrected) between two checkpoints: the size and the
                        # consistency proof below decide whether anything was rolled back, not the wall clock
                        v.note(where, f"is dated {when}, earlier than the checkpoint before it ({prev[2]}): the "
                                      "laptop's clock was set back")
                    proof = merkle.consistency_proof(prev[0], hashes[:size]) if prev[0] > 0 else []
                    if prev[0] > 0 and not merkle.verify_consistency(prev[0], size, bytes.fromhex(prev[1]),
                                                                     bytes.fromhex(root), proof):
                        v.fail(where, "is not consistent with the previous checkpoint", "bad_consistency_proof",
                               checkpoint=i)
            prev = (size, root, when)
        except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError) as exc:
            v.fail(where, f"malformed ({exc})", "bad_checkpoint", checkpoint=i)
    v.checkpoints = len(checkpoints)
    if complete and prev is not None and prev[0] != len(hashes):
        v.fail("journal", f"{len(hashes) - prev[0]} leaves are not covered by the latest checkpoint",
               "size_mismatch")


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
            env = object_event_payload(v, i, loads(payload))  # the archive applies the same rule
            if env is None:
                continue
            env["_leaf"] = i
            env["_actor"] = entry["actor"]
            out.append(env)
        except (CanonicalisationError, KeyError, TypeError, ValueError):
            v.fail(f"journal leaf #{i}", "its payload is not a signed object", "bad_object", seq=i)
    return out


def _verify_objects(v: Verification, case_id: str, envelopes: list[dict[str, Any]], trust: Trust,
                    blob_hash: BlobHasher) -> None:
    """Each object on its own (:func:`app.evidence.verify_rules.check_object`), then the rules of the whole case:
    references between objects, blobs, and every item and record answered by the provider."""
    by_id: dict[str, dict[str, Any]] = {}
    for env in envelopes:
        by_id[str(env.get("id"))] = env
    for env in envelopes:
        sha = check_object(v, env, case_id, trust, object=str(env.get("id")))
        if sha is not None:
            env["_sha"] = sha
    answered: dict[str, set[str]] = {}
    superseded: set[str] = set()
    for env in envelopes:
        body, kind, what = env.get("body") or {}, env.get("type"), object_label(env)
        if not isinstance(body, dict):
            continue
        at = {"object": str(env.get("id"))}
        if kind in ("evidence", "record"):
            if kind == "evidence":
                for sha in evidence_blobs(body):
                    check_blob(v, what, sha, blob_hash, **at)
            for ref in references(env):
                target = by_id.get(ref.id)
                if check_reference(v, what, ref, None if target is None else target.get("_sha"), **at) \
                        and ref.relation == "supersedes":
                    superseded.add(ref.id)
        elif kind in PROVIDER_KINDS:
            refs = references(env)
            good = [ref for ref in refs if check_reference(
                v, what, ref, None if by_id.get(ref.id) is None else by_id[ref.id].get("_sha"), **at)]
            if len(good) != len(refs):
                continue
            if kind == "provider-refusal":
                check_refusal(v, what, body, **at)
            else:
                for sha in provider_signature_blobs(body):
                    check_blob(v, what, sha, blob_hash, **at)
                if kind == "provider-batch-signature":
                    check_batch(v, what, body, **at)
            for ref in refs:
                answered.setdefault(ref.id, set()).add(kind)
    for env in envelopes:
        body, kind = env.get("body") or {}, env.get("type")
        if not isinstance(body, dict):
            continue
        if kind not in ("evidence", "record") or body.get("parent") or str(env.get("id")) in superseded:
            continue
        if not answered.get(str(env.get("id"))):
            v.fail(f"{kind} {env.get('id')}", "has neither the provider's signature nor a signed refusal",
                   "unanswered", object=str(env.get("id")))


def key_from_json(obj: Mapping[str, Any], role: str) -> Key:
    return Key(str(obj["id"]), unb64(str(obj["public_key"])), str(obj.get("suite", "ed25519")), role,
               str(obj.get("name", "")))
