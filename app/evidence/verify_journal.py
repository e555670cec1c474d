"""The evidence-validity rules of the journal (``app.evidence.verify_rules``): each leaf (canonical, chained,
signed by its actor, its payload present) and checkpoints (exact members, signed by their device, the Merkle root
of the journal prefix they cover)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, loads
from app.evidence.signing import SignatureError, verify_object
from app.evidence.verify_base import (
    CHECKPOINT_CONTEXT,
    CHECKPOINT_MEMBERS,
    CHECKPOINT_RECORD_MEMBERS,
    JOURNAL_CONTEXT,
    Distrust,
    Trust,
    Verification,
    outside_validity,
    parse_time,
    signature_record_problem,
)

_HEX64 = re.compile(r"[0-9a-f]{64}")


def check_leaf(v: Verification, index: int, raw: bytes, prev: bytes | None, case_id: str, trust: Trust,
               payloads: Mapping[str, bytes]) -> bytes:
    """Leaf ``index`` of the case's log (``prev``: the leaf hash before it, None for the first); returns its leaf
    hash. Canonical, of this log, ``seq`` = position, ``prev`` chains, signed by its actor with a trusted key, its
    payload present and hashing to ``payload_sha256``."""
    where = f"journal leaf #{index}"
    h = merkle.leaf_hash(raw)
    try:
        leaf = loads(raw)
        if not isinstance(leaf, dict) or set(leaf) != {"entry", "sig"}:
            raise ValueError("a leaf has exactly the members entry and sig")
        entry, sig = leaf["entry"], leaf["sig"]
        if canonical_bytes(leaf) != raw:
            v.fail(where, "not in canonical form", "bad_leaf", seq=index)
        if entry["log"] != case_id:
            v.fail(where, f"belongs to another log ({entry['log']})", "wrong_log", seq=index)
        if entry["seq"] != index:
            v.fail(where, f"out of order or a leaf is missing (its sequence number is {entry['seq']})",
                   "journal_gap", seq=index)
        expected_prev = prev.hex() if prev is not None else ""
        if entry["prev"] != expected_prev:
            v.fail(where, "does not chain to the previous leaf (a leaf was removed, inserted or swapped)",
                   "broken_chain", seq=index)
        when = parse_time(entry["time"])
        key = trust(entry["actor"], "inspector")
        bad_record = signature_record_problem(sig)
        if isinstance(key, Distrust):
            v.fail(where, key.why, key.code, seq=index)
        elif key is None:
            v.fail(where, f"signed by an unknown or untrusted inspector {entry['actor']}", "unknown_signer",
                   seq=index)
        elif bad_record is not None:
            v.fail(where, bad_record, "bad_signature", seq=index)
        elif sig.get("signer") != entry["actor"]:
            v.fail(where, "signature is not by the acting inspector", "signer_not_actor", seq=index)
        elif (why := outside_validity(key, when)) is not None:
            v.fail(where, why, "outside_validity", seq=index)
        else:
            try:
                verify_object(sig, JOURNAL_CONTEXT, entry, key.public)
            except SignatureError as exc:
                v.fail(where, f"signature invalid ({exc})", "bad_signature", seq=index)
        payload = payloads.get(entry["payload_sha256"])
        if payload is None:
            v.fail(where, "its payload is missing", "missing_payload", seq=index, sha256=entry["payload_sha256"])
        elif hashlib.sha256(payload).hexdigest() != entry["payload_sha256"]:
            v.fail(where, "its payload does not match the hash in the entry", "payload_mismatch", seq=index,
                   sha256=entry["payload_sha256"])
    except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError) as exc:
        v.fail(where, f"malformed ({exc})", "bad_leaf", seq=index)
    return h


# --- checkpoints -----------------------------------------------------------------------------------------------


def check_checkpoint_signature(v: Verification, where: str, body: Mapping[str, Any], sig: Any, case_id: str,
                               trust: Trust, **at: Any) -> None:
    """A checkpoint is about this log and signed by its device with a trusted device key.
    Raises KeyError/TypeError on a malformed checkpoint (the caller reports it)."""
    if body["log"] != case_id:
        v.fail(where, "belongs to another log", "bad_checkpoint", **at)
    key = trust(body["device"], "device")
    if isinstance(key, Distrust):
        v.fail(where, key.why, key.code, **at)
    elif key is None:
        v.fail(where, f"signed by an unknown or untrusted device {body['device']}", "bad_checkpoint_signature",
               **at)
    elif (bad_record := signature_record_problem(sig)) is not None:
        v.fail(where, bad_record, "bad_checkpoint_signature", **at)
    elif sig["signer"] != body["device"]:
        v.fail(where, "signature is not by the device the checkpoint names", "bad_checkpoint_signature", **at)
    else:
        try:
            verify_object(sig, CHECKPOINT_CONTEXT, body, key.public)
        except SignatureError as exc:
            v.fail(where, f"signature invalid ({exc})", "bad_checkpoint_signature", **at)


def parse_checkpoint(raw: bytes) -> tuple[dict[str, Any], Any, dt.datetime]:
    """A checkpoint line ``{"checkpoint", "sig"}`` with exactly the documented members: (body, sig, time).
    ValueError/CanonicalisationError on anything else (the caller reports ``bad_checkpoint``)."""
    rec = loads(raw)
    if not isinstance(rec, dict) or set(rec) != CHECKPOINT_RECORD_MEMBERS:
        raise ValueError("a checkpoint record has exactly the members checkpoint and sig")
    body = rec["checkpoint"]
    if not isinstance(body, dict) or set(body) != CHECKPOINT_MEMBERS:
        raise ValueError(f"a checkpoint has exactly the members {sorted(CHECKPOINT_MEMBERS)}")
    if body["v"] != 1 or type(body["size"]) is not int or body["size"] < 0:
        raise ValueError("version or size invalid")
    if not all(isinstance(body[k], str) for k in ("log", "device", "step")) or not isinstance(body["root"], str) \
            or not _HEX64.fullmatch(body["root"]):
        raise ValueError("log, device, step or root invalid")
    return body, rec["sig"], parse_time(body["time"])


def check_checkpoint_root(v: Verification, where: str, size: int, root: str, hashes: list[bytes],
                          roots: Mapping[int, bytes] | None = None, **at: Any) -> bool:
    """A checkpoint's root is the Merkle root of the first ``size`` leaves of the journal (looked up in ``roots``,
    :func:`app.evidence.merkle.prefix_roots`, when given). Returns whether it is."""
    if size > len(hashes):
        v.fail(where, f"covers {size} leaves but the journal has only {len(hashes)} (leaves removed)",
               "size_mismatch", **at)
        return False
    actual = roots[size] if roots is not None and size in roots else merkle.root_from_leaf_hashes(hashes[:size])
    if actual.hex() != root:
        v.fail(where, "its root does not match the journal", "root_mismatch", **at)
        return False
    return True


TEAM_EVENTS = ("case.created", "recusal.inspector_replaced")


def team_after(team: frozenset[str] | None, entry: Mapping[str, Any], payload: Any) -> frozenset[str] | None:
    """The case's inspectors after journal ``entry`` (whose payload is ``payload``): the journal's first leaf, a
    ``case.created``, states them (``inspectors``); a ``recusal.inspector_replaced`` whose actor is on the team
    swaps ``old`` for ``new``. Any other entry, a later ``case.created`` or a replacement by someone not on the
    team changes nothing. None while no team is stated (a ``case.created`` without ``inspectors``): signers are
    then not checked against one."""
    kind = entry.get("type")
    if not isinstance(payload, dict):
        return team
    if kind == "case.created":
        if entry.get("seq") != 0:
            return team
        listed = payload.get("inspectors")
        if listed is None:
            return None
        return frozenset(str(x) for x in listed) if isinstance(listed, list) else frozenset()
    if (kind == "recusal.inspector_replaced" and team is not None and entry.get("actor") in team
            and isinstance(payload.get("old"), str) and isinstance(payload.get("new"), str)):
        return (team - {payload["old"]}) | {payload["new"]}
    return team
