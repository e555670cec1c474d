"""``admin verify``: re-verify every stored blob hash and every stored signed object."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256
from app.evidence.signing import SignatureError, unb64, verify_object
from app.evidence.verify import verify_journal
from app.evidence.verify_rules import (
    OBJECT_EVENTS,
    Distrust,
    Key,
    Trust,
    Verification,
    check_checkpoint_root,
    check_checkpoint_signature,
)
from app.sync.protocol import CTX_RECEIPT
from archive.blobstore import BlobRejected
from archive.db import (
    Blob,
    Checkpoint,
    Device,
    DeviceInspector,
    Inspector,
    Leaf,
    LogHead,
    ObjectBlob,
    StoredObject,
)
from archive.push_checks import (
    TeamIds,
    blobs_required,
    body_sha256,
    case_team,
    check_co_issuers,
    check_embedded_signature,
    check_known_references,
    check_payload_object,
    common_team,
    embedded_signatures,
    is_object_payload,
    journal_teams,
    stream_size_reasons,
)
from archive.service import Archive
from archive.teams import load_team

MAX_FAILURES = 1000

# (case, payload sha) -> the team each journal recording it in an object event states at that entry
ObjectTeams = dict[tuple[str, str], list[TeamIds]]


def _trust(keys: dict[str, Key], device_id: str | None = None) -> Trust:
    """Stored evidence is re-verified against the roster's keys, revoked ones included (a revocation does not
    undo what was signed before it); a journal's checkpoints only against its own device's key."""

    def trust(key_id: str, role: str) -> Key | Distrust | None:
        key = keys.get(key_id)
        if key is None or key.role != role:
            return None
        if role == "device" and key_id != device_id:
            return Distrust("bad_checkpoint", "checkpoint is not about this journal's device")
        return key

    return trust


def verify_archive(archive: Archive) -> dict[str, Any]:
    """Everything stored, by the rules a push was accepted under (the verifier's, ``app.evidence.verify_rules``)
    plus the archive's own: blob bytes, stored hashes, log heads and receipts."""
    failures: list[str] = []
    counts = {"blobs": 0, "bytes": 0, "leaves": 0, "logs": 0, "checkpoints": 0, "objects": 0}

    def fail(msg: str) -> None:
        if len(failures) < MAX_FAILURES:
            failures.append(msg)

    with archive.db.read() as s:
        keys = {i.id: Key(i.id, unb64(i.public_key), i.suite, "inspector", i.name)
                for i in s.execute(select(Inspector)).scalars()}
        keys.update({d.id: Key(d.id, unb64(d.public_key), d.suite, "device", d.name)
                     for d in s.execute(select(Device)).scalars()})
        # blobs
        for b in s.execute(select(Blob).order_by(Blob.sha256)).scalars():
            counts["blobs"] += 1
            try:
                h = hashlib.sha256()
                n = 0
                with archive.store.open(b.sha256) as fh:
                    while chunk := fh.read(1024 * 1024):
                        h.update(chunk)
                        n += len(chunk)
            except (OSError, BlobRejected):
                fail(f"blob {b.sha256}: missing from the blob store")
                continue
            counts["bytes"] += n
            if h.hexdigest() != b.sha256 or n != b.size:
                fail(f"blob {b.sha256}: content does not match its hash or size")
        # journals
        heads = {(h.case_id, h.device_id): h for h in s.execute(select(LogHead)).scalars()}
        object_leaves: dict[str, int] = {}  # payload sha -> a leaf of an object event pointing at it
        object_teams: ObjectTeams = {}
        for (case_id, device_id), head in sorted(heads.items()):
            _verify_log(archive, s, case_id, device_id, head, keys, counts, fail, object_leaves, object_teams)
        # payload objects
        _verify_objects(s, keys, counts, fail, object_leaves, object_teams)
        _verify_office(archive, s, fail)
    return {"ok": not failures, **counts, "failures": failures}


def _verify_office(archive: Archive, s: Session, fail: Callable[[str], None]) -> None:
    """The office's records: its log's chain, the archive's signature on every step and every draw, and the
    signature of the user who took each step with their own key (a step of schema 3 has only the archive's)."""
    from archive.office.auth import verify_log  # here: archive.office.cases imports this module
    from archive.office.draw import record_checks
    from archive.office.models import DrawRecord, OfficeStep
    from archive.office.password import user_keys
    from archive.office.procedure import CTX_OFFICE_STEP, user_signature

    for failure in verify_log(s):
        fail(failure)
    public = archive.key.public_raw()
    users = user_keys(s)
    for step in s.execute(select(OfficeStep).order_by(OfficeStep.id)).scalars():
        try:
            stored = json.loads(step.statement)
            verify_object(stored["sig"], CTX_OFFICE_STEP, stored["statement"], public)
        except (ValueError, KeyError, TypeError, SignatureError):
            fail(f"office step #{step.id} ({step.case_id}): not as the archive signed it")
            continue
        if user_signature(stored, users)["by"] == "bad":
            fail(f"office step #{step.id} ({step.case_id}): not signed by the key of the user it names")
    for rec in s.execute(select(DrawRecord).order_by(DrawRecord.id)).scalars():
        try:
            ok = record_checks(json.loads(rec.record), public)
        except ValueError:
            ok = False
        if not ok:
            fail(f"office draw #{rec.id}: not as the archive signed it, or it does not re-run to its result")


def _verify_log(archive: Archive, s: Session, case_id: str, device_id: str, head: LogHead, keys: dict[str, Key],
                counts: dict[str, int], fail: Callable[[str], None], object_leaves: dict[str, int],
                object_teams: ObjectTeams | None = None) -> None:
    counts["logs"] += 1
    where = f"journal {case_id}/{device_id}"
    rows = list(s.execute(
        select(Leaf).where(Leaf.case_id == case_id, Leaf.device_id == device_id).order_by(Leaf.seq)
    ).scalars())
    counts["leaves"] += len(rows)
    raws = [row.leaf.encode() for row in rows]
    for row, raw in zip(rows, raws, strict=True):
        if merkle.leaf_hash(raw).hex() != row.leaf_hash:
            fail(f"{where} #{row.seq}: leaf hash does not match its bytes")
        try:
            if json.loads(raw)["entry"]["device"] != device_id:
                fail(f"{where} #{row.seq}: belongs to another device's journal")
        except (ValueError, KeyError, TypeError):
            pass  # reported by the journal rule below
    wanted = set()
    entries: list[tuple[int, dict[str, Any]]] = []
    for raw in raws:
        try:
            entry = json.loads(raw)["entry"]
            wanted.add(str(entry["payload_sha256"]))
            entries.append((int(entry["seq"]), entry))
            if entry["type"] in OBJECT_EVENTS:
                object_leaves.setdefault(str(entry["payload_sha256"]), int(entry["seq"]))
        except (ValueError, KeyError, TypeError):
            continue
    payloads = {sha: body.encode() for sha, body in s.execute(
        select(StoredObject.sha256, StoredObject.body).where(StoredObject.sha256.in_(sorted(wanted)))).all()}
    v = Verification()
    hashes = verify_journal(v, case_id, raws, payloads, _trust(keys))
    # the case's team as a push checks it: the one the archive holds (none recorded: the device's inspectors), as
    # far as this journal states it before each entry
    team = load_team(s, case_id)
    inspectors = team.inspectors if team is not None else frozenset()
    if not inspectors:
        inspectors = frozenset(s.execute(
            select(DeviceInspector.inspector_id).where(DeviceInspector.device_id == device_id)).scalars())
    stated = journal_teams(entries, payloads)
    for seq, entry in entries:
        if object_teams is not None and entry.get("type") in OBJECT_EVENTS:
            object_teams.setdefault((case_id, str(entry.get("payload_sha256"))), []).append(stated.get(seq))
    check_co_issuers(v, entries, payloads, _trust(keys), lambda seq: case_team(inspectors, stated.get(seq)))
    if len(hashes) != head.size or merkle.root_from_leaf_hashes(hashes).hex() != head.root:
        fail(f"{where}: leaves do not hash to the head checkpoint")
    archive_pub = archive.key.public_raw()
    for cp in s.execute(
        select(Checkpoint).where(Checkpoint.case_id == case_id, Checkpoint.device_id == device_id)
        .order_by(Checkpoint.size)
    ).scalars():
        counts["checkpoints"] += 1
        cp_where = f"checkpoint (size {cp.size})"
        try:
            rec = json.loads(cp.checkpoint)
            check_checkpoint_signature(v, cp_where, rec["checkpoint"], rec["sig"], case_id,
                                       _trust(keys, device_id))
            check_checkpoint_root(v, cp_where, cp.size, cp.root, hashes)
            if rec["checkpoint"]["root"] != cp.root or int(rec["checkpoint"]["size"]) != cp.size:
                v.fail(cp_where, "the stored checkpoint differs from its row", "bad_checkpoint")
            receipt = json.loads(cp.receipt)
            verify_object(receipt["sig"], CTX_RECEIPT, receipt["payload"], archive_pub)
            if receipt["payload"]["root"] != cp.root or receipt["payload"]["size"] != cp.size:
                v.fail(cp_where, "its receipt names another root or size", "bad_receipt")
        except (ValueError, KeyError, TypeError, SignatureError, CanonicalisationError) as exc:
            v.fail(cp_where, f"checkpoint or receipt does not verify ({exc})", "bad_checkpoint")
    for line in v.failures:
        fail(f"{where}: {line}")


def _verify_objects(s: Session, keys: dict[str, Key], counts: dict[str, int], fail: Callable[[str], None],
                    object_leaves: dict[str, int], object_teams: ObjectTeams) -> None:
    blob_links: dict[str, set[str]] = {}
    for link in s.execute(select(ObjectBlob)).scalars():
        blob_links.setdefault(link.object_sha256, set()).add(link.blob_sha256)
    blob_sizes = {str(h): int(n) for h, n in s.execute(select(Blob.sha256, Blob.size))}
    have_blobs = set(blob_sizes)
    teams: dict[str, frozenset[str]] = {}  # case -> its inspectors as the archive holds them
    signer_keys = {k: key.public for k, key in keys.items()}
    trust = _trust(keys)
    known: dict[str, dict[str, str]] = {}  # case -> object id -> body sha
    pointing: list[tuple[str, str, dict[str, Any]]] = []
    for o in s.execute(select(StoredObject).order_by(StoredObject.sha256)).scalars():
        counts["objects"] += 1
        try:
            value = json.loads(o.body)
            if canonical_sha256(value) != o.sha256 or canonical_bytes(value).decode() != o.body:
                fail(f"object {o.sha256}: content does not match its hash")
                continue
        except (ValueError, CanonicalisationError):
            fail(f"object {o.sha256}: not canonical JSON")
            continue
        if o.sha256 in object_leaves or is_object_payload(value, o.kind):
            v = Verification()
            if o.case_id not in teams:
                team = load_team(s, o.case_id)
                teams[o.case_id] = team.inspectors if team is not None else frozenset()
            held = teams[o.case_id]
            recorded = object_teams.get((o.case_id, o.sha256))
            inspectors = (common_team(case_team(held, stated) for stated in recorded) if recorded is not None
                          else held or None)
            env = check_payload_object(v, value, o.case_id, trust, o.sha256, object_leaves.get(o.sha256, -1),
                                       inspectors)
            for line in v.failures:
                fail(f"object {o.sha256}: {line}")
            if env is not None:
                for r in stream_size_reasons({o.sha256: env}, blob_sizes):
                    fail(f"object {o.sha256}: {r['message_en']}")
                if (h := body_sha256(env)) is not None:
                    known.setdefault(o.case_id, {}).setdefault(str(env.get("id")), h)
                pointing.append((o.sha256, o.case_id, env))
        else:
            for sig, candidates in embedded_signatures(value):
                if not check_embedded_signature(signer_keys, sig, candidates):
                    fail(f"object {o.sha256}: signature by {sig.get('signer')} does not verify")
        for missing in (blob_links.get(o.sha256, set()) | blobs_required(value)) - have_blobs:
            fail(f"object {o.sha256}: refers to missing blob {missing}")
    for sha, case_id, env in pointing:  # references to objects of the same case the archive holds
        v = Verification()
        check_known_references(v, {sha: env}, known.get(case_id, {}))
        for line in v.failures:
            fail(f"object {sha}: {line}")
