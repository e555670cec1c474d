"""The independent verifier: checks a case's journal, checkpoints, signed objects and blobs without trusting the
laptop. Pure functions over plain data, shared by ``app.cli verify`` and the archive. Imports nothing of the UI or
the store.

Every failure is a line ``<what>: <why>`` naming the item, record, leaf or checkpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, loads
from app.evidence.signing import unb64
from app.evidence.verify_pages import verify_co_issuers, verify_page_bindings
from app.evidence.verify_rules import (
    ANSWERED_KINDS,
    CHECKPOINT_CONTEXT,
    JOURNAL_CONTEXT,
    OBJECT_CONTEXTS,
    OBJECT_EVENTS,
    TEAM_EVENTS,
    BlobHasher,
    BlobSizer,
    Head,
    Key,
    Problem,
    Reference,
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
    check_stream_size,
    keyring,
    object_event_payload,
    object_label,
    parse_checkpoint,
    parse_time,
    references,
    required_blobs,
    stream_sizes,
    team_after,
)

__all__ = ["CHECKPOINT_CONTEXT", "JOURNAL_CONTEXT", "OBJECT_CONTEXTS", "OBJECT_EVENTS", "BlobHasher", "BlobSizer", "Key",
           "Problem", "Verification", "key_from_json", "verify_case", "verify_checkpoints", "verify_journal"]


def verify_case(case_id: str, leaves: Iterable[bytes], payloads: Mapping[str, bytes], checkpoints: Iterable[bytes],
                keys: Mapping[str, Key], blob_hash: BlobHasher, v: Verification | None = None,
                blob_size: BlobSizer | None = None) -> Verification:
    """Verify one case: ``leaves`` in log order (iterated twice, so a re-readable stream will do), ``payloads`` by
    hash, ``checkpoints`` in the order they were made; ``blob_size``: the length of a blob present, to check the
    sizes evidence manifests claim. Memory: the leaf hashes and a few facts per signed object; leaves and payloads
    are parsed one at a time."""
    v = v if v is not None else Verification()
    hashes = verify_journal(v, case_id, leaves, payloads, keys)
    verify_checkpoints(v, case_id, checkpoints, hashes, keys)
    _verify_objects(v, case_id, leaves, payloads, keyring(v, keys), blob_hash, blob_size)
    verify_page_bindings(v, leaves, payloads)
    verify_co_issuers(v, leaves, payloads, keyring(v, keys))
    return v


def verify_journal(v: Verification, case_id: str, leaves: Iterable[bytes], payloads: Mapping[str, bytes],
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


def verify_checkpoints(v: Verification, case_id: str, checkpoints: Iterable[bytes], hashes: list[bytes],
                       keys: Mapping[str, Key] | Trust, *, complete: bool = True) -> None:
    """``complete``: a package must have checkpoints and the last must cover every leaf; a live store may have
    leaves written since its last checkpoint. Each well-formed checkpoint is recorded in ``v.heads``.

    ``checkpoints`` is iterated twice: first for the sizes, whose roots are then computed in one pass over the leaf
    hashes, so the work does not grow with the product of checkpoints and leaves. Two checkpoints whose roots are
    both roots of prefixes of this one journal are consistent by construction; a root that is not is
    ``root_mismatch``."""
    trust = keys if callable(keys) else keyring(v, keys)
    sizes: set[int] = set()
    for raw in checkpoints:
        try:
            sizes.add(parse_checkpoint(raw)[0]["size"])
        except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError):
            continue
    roots = merkle.prefix_roots(hashes, sizes)
    prev: tuple[int, dt.datetime, str] | None = None  # size, time, time as written
    count = 0
    for i, raw in enumerate(checkpoints):
        count += 1
        where = f"checkpoint #{i}"
        try:
            body, sig, when = parse_checkpoint(raw)
            size, root = body["size"], body["root"]
            where = f"checkpoint #{i} (size {size})"
            check_checkpoint_signature(v, where, body, sig, case_id, trust, checkpoint=i)
            check_checkpoint_root(v, where, size, root, hashes, roots, checkpoint=i)
            v.heads.append(Head(size, root, body["time"], body["step"]))
            if prev is not None:
                if size < prev[0]:
                    v.fail(where, "is older than the checkpoint before it (an old checkpoint replayed)",
                           "journal_rollback", checkpoint=i)
                elif when < prev[1]:  # a clock set back (corrected) between two checkpoints: the sizes and roots
                    # decide whether anything was rolled back, not the wall clock
                    v.note(where, f"is dated {body['time']}, earlier than the checkpoint before it ({prev[2]}): "
                                  "the laptop's clock was set back")
            prev = (size, when, body["time"])
        except (CanonicalisationError, KeyError, TypeError, ValueError, AttributeError) as exc:
            v.fail(where, f"malformed ({exc})", "bad_checkpoint", checkpoint=i)
    v.checkpoints = count
    if not count:
        if complete:
            v.fail("checkpoints", "the package has no checkpoint", "no_checkpoint")
        return
    if complete and prev is not None and prev[0] != len(hashes):
        v.fail("journal", f"{len(hashes) - prev[0]} leaves are not covered by the latest checkpoint",
               "size_mismatch")


def _parsed(raw: bytes | None) -> Any:
    """A payload parsed, or None when it is absent or not JSON (reported by the journal's own rules)."""
    try:
        return None if raw is None else loads(raw)
    except (CanonicalisationError, ValueError):
        return None


def _object_events(v: Verification, leaves: Iterable[bytes], payloads: Mapping[str, bytes]
                   ) -> Iterator[tuple[dict[str, Any], dt.datetime | None, frozenset[str] | None]]:
    """The payload of every object event, parsed one at a time, with the time of its journal entry and the case's
    inspectors at that entry (as the journal's team events before it state them)."""
    team: frozenset[str] | None = None
    for i, raw in enumerate(leaves):
        try:
            entry = loads(raw)["entry"]
            if entry["type"] in TEAM_EVENTS:
                team = team_after(team, entry, _parsed(payloads.get(entry["payload_sha256"])))
                continue
            if entry["type"] not in OBJECT_EVENTS:
                continue
            payload = payloads.get(entry["payload_sha256"])
            if payload is None:
                continue
            env = object_event_payload(v, i, loads(payload))  # the archive applies the same rule
            if env is None:
                continue
        except (CanonicalisationError, KeyError, TypeError, ValueError):
            v.fail(f"journal leaf #{i}", "its payload is not a signed object", "bad_object", seq=i)
            continue
        try:
            when: dt.datetime | None = parse_time(entry["time"])
        except ValueError:
            when = None  # the leaf already failed as bad_leaf
        yield env, when, team


@dataclass(frozen=True)
class _Object:
    """What the rules of the whole case need of one signed object (the body itself is not kept)."""

    kind: str
    id: str
    sha: str | None
    refs: list[Reference]
    needs_answer: bool


def _verify_objects(v: Verification, case_id: str, leaves: Iterable[bytes], payloads: Mapping[str, bytes],
                    trust: Trust, blob_hash: BlobHasher, blob_size: BlobSizer | None = None) -> None:
    """Each object on its own (:func:`app.evidence.verify_rules.check_object`, its blobs, a refusal's reason), then
    the rules of the whole case: references between objects, and every item and record answered by the provider
    (a verified ``target`` reference of an answering kind)."""
    objects: list[_Object] = []
    for env, when, team in _object_events(v, leaves, payloads):
        at = {"object": str(env.get("id"))}
        if team is not None and not team:
            v.fail(object_label(env), "the case's journal names no inspector of the case", "signer_not_case_inspector",
                   **at)
        sha = check_object(v, env, case_id, trust, team or (), signed_at=when, **at)
        body, kind, what = env.get("body"), str(env.get("type")), object_label(env)
        if not isinstance(body, dict):
            continue
        for blob in required_blobs(env):
            check_blob(v, what, blob, blob_hash, **at)
        if kind == "evidence" and blob_size is not None:
            for blob, claimed in stream_sizes(body):
                if blob_hash(blob) == blob:  # present and intact: its length is the truth
                    check_stream_size(v, what, blob, claimed, blob_size(blob), **at)
        if kind == "provider-refusal":
            check_refusal(v, what, body, **at)
        elif kind == "provider-batch-signature":
            check_batch(v, what, body, **at)
        _note_doubtful_clock(v, what, body)
        objects.append(_Object(kind, str(env.get("id")), sha, references(env),
                               kind in ANSWERED_KINDS and not body.get("parent")))
    by_id = {o.id: o for o in objects}
    answered: set[str] = set()
    superseded: set[str] = set()
    for o in objects:
        for ref in o.refs:
            target = by_id.get(ref.id)
            if not check_reference(v, f"{o.kind} {o.id}", ref, None if target is None else target.sha,
                                    object=o.id):
                continue
            if ref.relation == "supersedes":
                superseded.add(ref.id)
            elif ref.relation == "target":
                answered.add(ref.id)
    for o in objects:
        if o.needs_answer and o.id not in superseded and o.id not in answered:
            v.fail(f"{o.kind} {o.id}", "has neither the provider's signature nor a signed refusal", "unanswered",
                   object=o.id)


def _note_doubtful_clock(v: Verification, what: str, body: Mapping[str, Any]) -> None:
    """An object whose signed clock claim says the laptop's clock disagreed with the case's previous entry (set back
    or jumped): not a failure (time on a laptop is a claim, docs/architecture.md 'Time and clocks'), but said
    where the reader sees it."""
    claim = body.get("obtained_at")
    if isinstance(claim, dict) and claim.get("clock_trusted") is False:
        v.note(what, f"was captured at {claim.get('wall')} by a laptop clock that disagreed with the case's previous "
                     "entry (set back or jumped): its capture time is doubtful")


def key_from_json(obj: Mapping[str, Any], role: str, *, claimed: bool = False) -> Key:
    """A key from a roster or package entry; ``valid_from``/``valid_until`` (RFC 3339 UTC or null) bound the
    credential's validity."""
    bounds = [None if obj.get(k) is None else parse_time(obj[k]) for k in ("valid_from", "valid_until")]
    return Key(str(obj["id"]), unb64(str(obj["public_key"])), str(obj.get("suite", "ed25519")), role,
               str(obj.get("name", "")), str(obj.get("credential_no", "")), bounds[0], bounds[1], claimed)
