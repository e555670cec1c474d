"""The verification rules as pure functions: codes beside the printed lines, trust supplied by the caller."""

from __future__ import annotations

from typing import Any

from app.evidence import merkle
from app.evidence.canonical import canonical_bytes, canonical_sha256, loads
from app.evidence.signing import SigningKey, sign_object
from app.evidence.verify import verify_checkpoints, verify_journal
from app.evidence.verify_rules import (
    CHECKPOINT_CONTEXT,
    JOURNAL_CONTEXT,
    Distrust,
    Key,
    Verification,
    check_object,
    parse_time,
    required_blobs,
)

A, B, DEV = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
KEYS = {"a": Key("a", A.public_raw()), "b": Key("b", B.public_raw()),
        "dev": Key("dev", DEV.public_raw(), role="device")}


def journal(n: int = 3) -> tuple[list[bytes], dict[str, bytes]]:
    leaves: list[bytes] = []
    payloads: dict[str, bytes] = {}
    for seq in range(n):
        payload = {"n": seq}
        payloads[canonical_sha256(payload)] = canonical_bytes(payload)
        prev = merkle.leaf_hash(leaves[-1]).hex() if leaves else ""
        entry = {"v": 1, "log": "case", "seq": seq, "device": "dev", "actor": "a", "type": "note", "time": "2026-11-23T09:30:00.000Z",
                 "mono_ns": seq, "boot": "b", "payload_sha256": canonical_sha256(payload), "prev": prev}
        leaves.append(canonical_bytes({"entry": entry, "sig": sign_object(A, "a", JOURNAL_CONTEXT, entry)}))
    return leaves, payloads


def checkpoint(leaves: list[bytes], signer: str = "dev") -> bytes:
    body = {"v": 1, "log": "case", "device": "dev", "size": len(leaves), "time": "2026-11-23T09:30:00.000Z", "step": "s",
            "root": merkle.root_from_leaf_hashes([merkle.leaf_hash(x) for x in leaves]).hex()}
    return canonical_bytes({"checkpoint": body, "sig": sign_object(DEV, signer, CHECKPOINT_CONTEXT, body)})


def test_each_failure_has_a_code_beside_its_line() -> None:
    leaves, payloads = journal()
    leaves[1], leaves[2] = leaves[2], leaves[1]
    v = Verification()
    verify_journal(v, "case", leaves, payloads, KEYS)
    assert v.failures == [p.line for p in v.problems]
    assert set(v.codes) == {"journal_gap", "broken_chain"}
    assert all(p.where["seq"] in (1, 2) for p in v.problems)


def test_trust_is_the_callers() -> None:
    leaves, payloads = journal()

    def revoked(key_id: str, role: str) -> Key | Distrust | None:
        return Distrust("actor_revoked", f"{key_id} is revoked") if key_id == "a" else KEYS.get(key_id)

    v = Verification()
    hashes = verify_journal(v, "case", leaves, payloads, revoked)
    assert v.codes == ["actor_revoked"] * 3
    v = Verification()
    verify_checkpoints(v, "case", [checkpoint(leaves)], hashes, KEYS)
    assert v.ok, v.failures


def test_a_checkpoint_signature_must_name_its_device() -> None:
    leaves, payloads = journal()
    v = Verification()
    hashes = verify_journal(v, "case", leaves, payloads, KEYS)
    verify_checkpoints(v, "case", [checkpoint(leaves, signer="someone-else")], hashes, KEYS)
    assert v.codes == ["bad_checkpoint_signature"]


def test_malformed_objects_are_failures_not_crashes() -> None:
    body: dict[str, Any] = {"v": 1, "type": "record", "case": "case", "record": "r", "inspectors": ["a", "b"]}
    env: dict[str, Any] = {"type": "record", "id": "r", "body": body, "signatures": ["not a record"]}
    v = Verification()
    check_object(v, env, "case", lambda k, r: KEYS.get(k))
    assert v.codes == ["bad_signature", "missing_inspector_signature", "needs_two_inspectors"]
    v = Verification()
    check_object(v, {**env, "body": "text"}, "case", lambda k, r: KEYS.get(k))
    assert "bad_object" in v.codes
    assert required_blobs({"type": "evidence", "body": {"streams": [{"size": "big"}, "x"]}}) == ["", ""]


def _checkpoint_at(leaves: list[bytes], when: str) -> bytes:
    body = {"v": 1, "log": "case", "device": "dev", "size": len(leaves), "time": when, "step": "s",
            "root": merkle.root_from_leaf_hashes([merkle.leaf_hash(x) for x in leaves]).hex()}
    return canonical_bytes({"checkpoint": body, "sig": sign_object(DEV, "dev", CHECKPOINT_CONTEXT, body)})


def test_a_clock_set_back_between_checkpoints_is_noted_and_a_smaller_size_is_a_rollback() -> None:
    leaves, payloads = journal(4)
    v = Verification()
    hashes = verify_journal(v, "case", leaves, payloads, KEYS)
    # the laptop's clock was corrected backwards between the two checkpoints; nothing was rolled back
    verify_checkpoints(v, "case", [_checkpoint_at(leaves[:2], "2026-11-23T10:00:00Z"),
                                   _checkpoint_at(leaves, "2026-11-23T09:00:00Z")], hashes, KEYS)
    assert v.ok, v.failures
    assert len(v.notes) == 1 and "set back" in v.notes[0]
    # an older, smaller checkpoint after a larger one is a replay, whatever its date
    v = Verification()
    verify_checkpoints(v, "case", [_checkpoint_at(leaves, "2026-11-23T09:00:00Z"),
                                   _checkpoint_at(leaves[:2], "2026-11-23T10:00:00Z")], hashes, KEYS)
    assert "journal_rollback" in v.codes


def test_checkpoint_times_are_rfc3339_utc_compared_as_instants() -> None:
    leaves, payloads = journal(4)
    v = Verification()
    hashes = verify_journal(v, "case", leaves, payloads, KEYS)
    # half a second later, written with a fraction: as strings "…00.500Z" < "…00Z", as times it is later
    verify_checkpoints(v, "case", [_checkpoint_at(leaves[:2], "2026-11-23T10:00:00Z"),
                                   _checkpoint_at(leaves, "2026-11-23T10:00:00.500Z")], hashes, KEYS)
    assert v.ok and not v.notes, (v.failures, v.notes)
    for when in ("yesterday", "2026-11-23T18:00:00+08:00", "2026-11-23 10:00:00Z", "2026-02-30T10:00:00Z"):
        v = Verification()
        verify_checkpoints(v, "case", [_checkpoint_at(leaves, when)], hashes, KEYS)
        assert v.codes == ["bad_checkpoint"], (when, v.failures)


def test_checkpoint_and_signature_records_have_exactly_the_documented_members() -> None:
    leaves, payloads = journal(2)
    root = merkle.root_from_leaf_hashes([merkle.leaf_hash(x) for x in leaves]).hex()
    body = {"v": 1, "log": "case", "device": "dev", "size": 2, "time": "2026-11-23T10:00:00Z", "step": "s",
            "root": root, "extra": "x"}
    signed = canonical_bytes({"checkpoint": body, "sig": sign_object(DEV, "dev", CHECKPOINT_CONTEXT, body)})
    v = Verification()
    hashes = verify_journal(v, "case", leaves, payloads, KEYS)
    verify_checkpoints(v, "case", [signed], hashes, KEYS)
    assert "bad_checkpoint" in v.codes, v.failures
    del body["extra"]
    sig = {**sign_object(DEV, "dev", CHECKPOINT_CONTEXT, body), "comment": "x"}
    v = Verification()
    verify_checkpoints(v, "case", [canonical_bytes({"checkpoint": body, "sig": sig})], hashes, KEYS)
    assert v.codes == ["bad_checkpoint_signature"], v.failures
    leaf = loads(leaves[1])
    leaf["sig"]["note"] = "x"
    v = Verification()
    verify_journal(v, "case", [leaves[0], canonical_bytes(leaf)], payloads, KEYS)
    assert "bad_signature" in v.codes, v.failures


def test_a_signature_outside_the_credential_validity_fails() -> None:
    leaves, payloads = journal(2)  # entries at 2026-11-23T09:30
    expired = {**KEYS, "a": Key("a", A.public_raw(), valid_until=parse_time("2026-11-23T09:00:00Z"))}
    v = Verification()
    verify_journal(v, "case", leaves, payloads, expired)
    assert set(v.codes) == {"outside_validity"}, v.failures
    future = {**KEYS, "a": Key("a", A.public_raw(), valid_from=parse_time("2026-12-01T00:00:00Z"))}
    v = Verification()
    verify_journal(v, "case", leaves, payloads, future)
    assert set(v.codes) == {"outside_validity"}, v.failures
    current = {**KEYS, "a": Key("a", A.public_raw(), valid_from=parse_time("2026-01-01T00:00:00Z"),
                                valid_until=parse_time("2027-01-01T00:00:00Z"))}
    v = Verification()
    verify_journal(v, "case", leaves, payloads, current)
    assert v.ok, v.failures


def test_prefix_roots_are_the_roots_of_the_prefixes() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(70)]
    roots = merkle.prefix_roots(hashes, set(range(1, 71)))
    assert all(roots[n] == merkle.root_from_leaf_hashes(hashes[:n]) for n in range(1, 71))
