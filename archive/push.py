"""Push: verify a batch for one (case, device) journal completely, then store it in one transaction and answer
with a signed receipt. A batch that fails any check is refused whole with the list of reasons.

The rules about evidence (journal entries, checkpoint, signed objects, the blobs they require) are the package
verifier's own functions (``app.evidence.verify_rules``), applied to what the batch carries with the archive's trust
(``archive.push_checks``); what is the archive's alone is here: a push extends the journal the archive holds for
this (case, device) — replays, forks, rollbacks, the consistency proof — and payloads are content-addressed, stored
once, and immutable by id."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256
from app.evidence.verify_rules import (
    OBJECT_EVENTS,
    TEAM_EVENTS,
    Verification,
    check_checkpoint_root,
    check_checkpoint_signature,
    check_leaf,
    object_label,
    references,
)
from app.sync.protocol import PushRequest, is_signed_envelope, payload_blob_refs
from archive.alerts import alert
from archive.db import Blob, Checkpoint, Leaf, LogHead, ObjectBlob, StoredObject
from archive.errors import ApiError, reason
from archive.logs import log
from archive.push_checks import (
    Refused,
    RosterView,
    actor_trust,
    blobs_required,
    body_sha256,
    case_team,
    check_co_issuers,
    check_known_references,
    check_payload_object,
    check_plain_payload,
    common_team,
    device_trust,
    journal_teams,
    load_roster,
    reasons_of,
    refuse_if,
    signer_trust,
    stream_size_reasons,
)
from archive.push_store import Verified, object_key, store
from archive.requestauth import AuthedDevice
from archive.service import Archive
from archive.teams import ForeignCase, flag_foreign, load_team, refuse_foreign, require_member
from archive.uploads import held_by_device

_HEX64 = re.compile(r"^[0-9a-f]{64}$")

__all__ = ["Refused", "push"]


def _checkpoint(dev: AuthedDevice, roster: RosterView, req: PushRequest) -> tuple[int, str, str]:
    """The batch's checkpoint: well-formed, about this case and device, signed by the device key."""
    cp = req.checkpoint.checkpoint
    try:
        size, root, cp_time = int(cp["size"]), str(cp["root"]), str(cp.get("time", ""))
        if cp.get("log") != req.case_id or cp.get("device") != dev.id or not _HEX64.match(root) or size < 0:
            raise ValueError
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused(
            [reason("bad_checkpoint", "checkpoint is malformed or not about this case and device")]
        ) from exc
    v = Verification()
    check_checkpoint_signature(v, f"checkpoint (size {size})", cp, req.checkpoint.sig.model_dump(), req.case_id,
                               device_trust(dev, roster))
    refuse_if(v)
    return size, root, cp_time


def _verify(archive: Archive, dev: AuthedDevice, req: PushRequest) -> Verified | dict[str, Any]:
    """Returns the stored receipt for a replay, else the verified batch; raises Refused."""
    case_id, device_id = req.case_id, dev.id
    with archive.db.read() as s:
        roster = load_roster(s, device_id)
        head = s.get(LogHead, (case_id, device_id))
        old_size, old_root = (head.size, head.root) if head else (0, merkle.EMPTY_ROOT.hex())
        size, root, cp_time = _checkpoint(dev, roster, req)
        # a replay (or an older checkpoint we already hold): answer with the receipt made then
        if size <= old_size:
            stored = s.get(Checkpoint, (case_id, device_id, size))
            if stored is not None and stored.root == root:
                return dict(json.loads(stored.receipt))
            if size == old_size and head is not None:
                alert(archive, "journal_fork", device_id, case_id, None, f"size {size}: root differs from the archive's")
                raise Refused(
                    [reason("journal_fork", "the journal differs from the one the archive holds at this size")]
                )
            if size < old_size:
                raise Refused(
                    [reason("journal_rollback", f"checkpoint size {size} is behind the archive's {old_size}")]
                )
        stored_hashes = [
            bytes.fromhex(h)
            for h in s.execute(
                select(Leaf.leaf_hash)
                .where(Leaf.case_id == case_id, Leaf.device_id == device_id)
                .order_by(Leaf.seq)
            ).scalars()
        ]
    if len(stored_hashes) != old_size:
        raise Refused([reason("archive_inconsistent", "archive holds an incomplete journal; contact the office")])
    if req.first_seq > old_size:
        raise Refused(
            [reason("journal_gap", f"leaves {old_size}..{req.first_seq - 1} are missing", from_seq=old_size)]
        )
    if req.first_seq + len(req.leaves) != size:
        raise Refused([reason(
            "size_mismatch", f"the leaves end at {req.first_seq + len(req.leaves)} but the checkpoint covers {size}"
        )])
    verified = Verified(case_id, device_id, old_size, size, root, req.checkpoint.model_dump(), cp_time, [])
    verified.device_inspectors = dev.inspector_ids
    batch = _batch_payloads(req)
    hashes = _verify_leaves(archive, dev, roster, req, stored_hashes, batch, verified)
    v = Verification()
    check_checkpoint_root(v, f"checkpoint (size {size})", size, root, hashes)
    refuse_if(v)
    if old_size > 0 and req.consistency_proof is not None:
        try:
            proof = [bytes.fromhex(p) for p in req.consistency_proof]
        except ValueError as exc:
            raise Refused([reason("bad_consistency_proof", "consistency proof is not hex")]) from exc
        if not merkle.verify_consistency(old_size, size, bytes.fromhex(old_root), bytes.fromhex(root), proof):
            raise Refused([reason("bad_consistency_proof", "the consistency proof from the archive's size fails")])
    _verify_payloads(archive, dev, roster, req, verified, batch)
    return verified


def _batch_payloads(req: PushRequest) -> dict[str, tuple[Any, bytes]]:
    """The batch's payloads by canonical SHA-256, with their canonical bytes."""
    reasons: list[dict[str, Any]] = []
    batch: dict[str, tuple[Any, bytes]] = {}
    for i, p in enumerate(req.payloads):
        try:
            raw = canonical_bytes(p)
            batch[canonical_sha256(p)] = (p, raw)
        except CanonicalisationError as exc:
            reasons.append(reason("bad_payload", f"payload is not canonical JSON: {exc}", index=i))
    if reasons:
        raise Refused(reasons)
    return batch


def _verify_leaves(archive: Archive, dev: AuthedDevice, roster: RosterView, req: PushRequest,
                   stored_hashes: list[bytes], batch: dict[str, tuple[Any, bytes]], out: Verified) -> list[bytes]:
    """Held leaves must be identical (else a fork); each new leaf by the verifier's leaf rule (``check_leaf``) with
    this device's inspectors as the trusted actors, and a ``document.issued`` one by its rule for the second issuer
    (``check_co_issuers``) with the case's team, plus the archive's: the leaf belongs to this device. Every
    payload a new leaf points at is in the batch or held; every payload in the batch is pointed at. Records in
    ``out`` the team the archive holds and the team this journal states before each leaf (held leaves and new)."""
    reasons: list[dict[str, Any]] = []
    needed: dict[str, str] = {}  # payload sha -> the type it is stored under (an object event's, if any)
    for i, leaf in enumerate(req.leaves):
        if req.first_seq + i >= out.old_size:
            sha, etype = str(leaf.entry.get("payload_sha256")), str(leaf.entry.get("type", ""))
            if needed.get(sha) not in OBJECT_EVENTS:
                needed[sha] = etype
    with archive.db.read() as s:
        rows = s.execute(
            select(StoredObject.sha256, StoredObject.body, StoredObject.case_id)
            .where(StoredObject.sha256.in_(sorted(set(needed) | set(batch))))
        ).all()
        team = load_team(s, req.case_id)
        stored_team_events, team_payloads = _stored_team_events(s, req.case_id, dev.id)
    held = {sha: body.encode() for sha, body, _ in rows}
    # a leaf may point at a payload the batch carries or one held for this case: naming the hash of another case's
    # payload proves nothing (it is missing_payload, as if absent)
    payloads: dict[str, bytes] = {sha: str(body).encode() for sha, body, case in rows if case == req.case_id}
    payloads.update({sha: raw for sha, (_, raw) in batch.items()})
    v = Verification()
    trust = actor_trust(dev, roster)
    hashes = list(stored_hashes[: req.first_seq])
    for i, leaf in enumerate(req.leaves):
        seq = req.first_seq + i
        entry = leaf.entry
        try:
            leaf_bytes = canonical_bytes({"entry": entry, "sig": leaf.sig.model_dump()})
        except CanonicalisationError as exc:
            raise Refused([reason("bad_leaf", f"leaf is not canonical JSON: {exc}", seq=seq)]) from exc
        if seq < out.old_size:
            lh = merkle.leaf_hash(leaf_bytes)
            if lh != stored_hashes[seq]:
                reasons.append(reason("journal_fork", "leaf differs from the one the archive holds", seq=seq))
            hashes.append(lh)
            continue
        if entry.get("device") != dev.id:
            reasons.append(reason("wrong_log", "leaf belongs to another device's journal", seq=seq))
        lh = check_leaf(v, seq, leaf_bytes, hashes[-1] if hashes else None, req.case_id, trust, payloads)
        hashes.append(lh)
        out.new_leaves.append((seq, lh.hex(), leaf_bytes, entry))
    # the case's team: as the archive holds it (a case it does not know yet: this device's inspectors, whom it will
    # record as the team), as far as this journal states it before each leaf (the verifier knows only the latter)
    out.held_team = (team.inspectors if team is not None else frozenset()) or dev.inspector_ids
    out.journal_teams = journal_teams(
        [*stored_team_events, *((seq, entry) for seq, _, _, entry in out.new_leaves)], {**team_payloads, **payloads})
    # a document's second issuer: the verifier's rule, with that team at the entry
    check_co_issuers(v, [(seq, entry) for seq, _, _, entry in out.new_leaves], payloads, trust,
                     lambda seq: case_team(out.held_team, out.journal_teams.get(seq)))
    for sha in batch:
        if sha not in needed and sha not in held:
            reasons.append(reason("unreferenced_payload", "payload is not referenced by a new leaf", sha256=sha))
    for sha, etype in needed.items():
        if sha in batch and sha not in held:
            out.new_payloads[sha] = (batch[sha][0], etype)
    reasons = reasons + reasons_of(v.problems)
    if reasons:
        raise Refused(reasons)
    return hashes


def _stored_team_events(s: Session, case_id: str, device_id: str
                        ) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, bytes]]:
    """The team events (``TEAM_EVENTS``) of the journal the archive holds for (case, device), (seq, entry) in
    order, and their payloads: what the journal states of the case's team before a push."""
    events: list[tuple[int, dict[str, Any]]] = []
    # only the leaves naming a team event's type leave the database (canonical JSON: '"type":"…"', no spaces); each
    # is still parsed and its type checked below. A journal of thousands of captures is not read whole per push.
    named = or_(*(Leaf.leaf.contains(f'"type":"{t}"', autoescape=True) for t in sorted(TEAM_EVENTS)))
    for seq, raw in s.execute(select(Leaf.seq, Leaf.leaf).where(
            Leaf.case_id == case_id, Leaf.device_id == device_id, named).order_by(Leaf.seq)).all():
        try:
            entry = json.loads(raw)["entry"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(entry, dict) and entry.get("type") in TEAM_EVENTS:
            events.append((int(seq), entry))
    # by hash alone: a payload is stored once, under the case that first carried it, and these leaves were
    # verified against these very bytes when they were pushed
    wanted = sorted({str(entry.get("payload_sha256")) for _, entry in events})
    payloads = {sha: str(body).encode() for sha, body in s.execute(
        select(StoredObject.sha256, StoredObject.body).where(StoredObject.sha256.in_(wanted))).all()}
    return events, payloads


def _object_leaves(archive: Archive, out: Verified,
                   batch: dict[str, tuple[Any, bytes]]) -> tuple[dict[str, int], dict[str, Any]]:
    """The payloads the new object events point at (sha -> the first such leaf), and those of them already held
    (for this case) or carried by the batch but held before: the verifier checks every object event's payload as a
    signed object, held or not."""
    first: dict[str, int] = {}
    for seq, _, _, entry in out.new_leaves:
        if entry.get("type") in OBJECT_EVENTS:
            first.setdefault(str(entry.get("payload_sha256")), seq)
    wanted = sorted(set(first) - set(out.new_payloads))
    with archive.db.read() as s:
        held = {sha: json.loads(body) for sha, body in s.execute(
            select(StoredObject.sha256, StoredObject.body).where(
                StoredObject.sha256.in_(wanted), StoredObject.case_id == out.case_id)).all()}
    held.update({sha: batch[sha][0] for sha in wanted if sha in batch})
    return first, held


def _verify_payloads(archive: Archive, dev: AuthedDevice, roster: RosterView, req: PushRequest, out: Verified,
                     batch: dict[str, tuple[Any, bytes]]) -> None:
    """Each new payload, and each held one a new object event points at: what an object event carries (or any
    envelope) by the verifier's object rules with this device's inspectors as trusted signers and the case's team
    at every new object event pointing at it (``case_team``), a plain one by the archive's rule for the signatures
    inside it; ids immutable; blobs held."""
    reasons: list[dict[str, Any]] = []
    v = Verification()
    trust = signer_trust(dev, roster)
    at: dict[str, list[int]] = {}  # payload sha -> the new object events recording it
    for seq, _, _, entry in out.new_leaves:
        if entry.get("type") in OBJECT_EVENTS:
            at.setdefault(str(entry.get("payload_sha256")), []).append(seq)
    object_leaves, held = _object_leaves(archive, out, batch)
    checked = {**{sha: p for sha, (p, _) in out.new_payloads.items()}, **held}
    objects: dict[str, dict[str, Any]] = {}
    for sha, payload in checked.items():
        if sha in object_leaves or is_signed_envelope(payload):
            team = (common_team(case_team(out.held_team, out.journal_teams.get(seq)) for seq in at[sha])
                    if sha in at else out.held_team or None)
            env = check_payload_object(v, payload, out.case_id, trust, sha, object_leaves.get(sha, -1), team)
            if env is not None:
                objects[sha] = env
        else:
            reasons.extend(check_plain_payload(dev, roster, payload, sha))
    known = {str(env.get("id")): h for env in objects.values() if (h := body_sha256(env)) is not None}
    wanted_ids = sorted({ref.id for env in objects.values() for ref in references(env)} - set(known))
    with archive.db.read() as s:
        for body in s.execute(select(StoredObject.body).where(
                StoredObject.object_key.in_(wanted_ids), StoredObject.case_id == out.case_id)).scalars():
            held = json.loads(body)
            if (h := body_sha256(held)) is not None:
                known.setdefault(str(held.get("id")), h)
        # ids are global: a target the archive holds for another case can never be in this case's package
        elsewhere = {str(k) for k in s.execute(select(StoredObject.object_key).where(
            StoredObject.object_key.in_(wanted_ids), StoredObject.case_id != out.case_id)).scalars()} - set(known)
    check_known_references(v, objects, known)
    if elsewhere:
        for sha, env in objects.items():
            for ref in references(env):
                if ref.id in elsewhere:
                    v.fail(object_label(env), f"refers to {ref.id}, which is not an object of this case",
                           "missing_reference", sha256=sha)
        flag_foreign(archive, out.case_id, dev.id, f"push: refers to object(s) of another case "
                     f"({', '.join(sorted(elsewhere))}); refused", kind="foreign_reference")
    reasons.extend(reasons_of(v.problems))
    all_refs: set[str] = set()
    for sha, payload in checked.items():
        if sha in out.new_payloads:
            out.blob_refs[sha] = payload_blob_refs(payload)
        all_refs |= blobs_required(payload)
    declared = {h for h in req.blobs if _HEX64.match(h)}
    if len(declared) != len(set(req.blobs)):
        reasons.append(reason("bad_blob_hash", "a declared blob hash is not lower-case hex SHA-256"))
    all_refs |= declared
    conflicts: list[tuple[str, str]] = []
    with archive.db.read() as s:
        # immutable ids: the same id with other bytes is refused (and raises an alert)
        for sha, (payload, _) in out.new_payloads.items():
            key_ = object_key(payload)
            if key_ is None:
                continue
            other = s.execute(select(StoredObject.sha256).where(StoredObject.object_key == key_)).scalar_one_or_none()
            if other is not None and other != sha:
                conflicts.append((key_, sha))
        wanted = sorted(h for h in all_refs if _HEX64.match(h))
        sizes = {str(h): int(n) for h, n in s.execute(select(Blob.sha256, Blob.size).where(Blob.sha256.in_(wanted)))}
        stored = set(sizes)
        have = held_by_device(s, dev.id, wanted) | _held_by_case(s, out.case_id, wanted)
    reasons.extend(stream_size_reasons(objects, {h: n for h, n in sizes.items() if h in have}))
    # a blob stored for another case that this device never sent: refused exactly as an absent one (nothing tells
    # the device it exists), and flagged
    foreign = sorted(stored - have)
    if foreign:
        flag_foreign(archive, out.case_id, dev.id,
                     f"push: names {len(foreign)} blob(s) held for another case that this device never uploaded "
                     f"({', '.join(foreign)}); refused as missing", kind="foreign_blob")
    if conflicts:
        for key_, sha in conflicts:
            alert(archive, "id_conflict", dev.id, out.case_id, key_, f"same id, other bytes (sha256 {sha})")
        raise ApiError(
            409, "id_conflict", "同一编号的对象内容不同，已拒收并告警",
            "an object with the same id and different bytes is already archived; refused and flagged",
            reasons=[reason("id_conflict", "same id, different bytes", object=k, sha256=h) for k, h in conflicts],
        )
    absent = sorted(all_refs - have)
    if absent:
        # a required blob named by something other than a hash cannot be uploaded: refused, not listed
        reasons.append(reason("missing_blobs", f"{len(absent)} referenced blob(s) neither uploaded by this "
                                               "device nor held for this case: upload their bytes"))
    if reasons:
        raise Refused(reasons, [h for h in absent if _HEX64.match(h)] or None)
    # declared-but-unowned blobs count toward the first payload so the link is kept
    if declared and out.new_payloads:
        first = next(iter(out.new_payloads))
        out.blob_refs[first] = out.blob_refs[first] | declared


def _held_by_case(s: Session, case_id: str, hashes: list[str]) -> set[str]:
    """The blobs among ``hashes`` that an object archived for this case already links."""
    if not hashes:
        return set()
    return set(s.execute(
        select(ObjectBlob.blob_sha256).join(StoredObject, StoredObject.sha256 == ObjectBlob.object_sha256)
        .where(StoredObject.case_id == case_id, ObjectBlob.blob_sha256.in_(hashes))
    ).scalars())


def push(archive: Archive, dev: AuthedDevice, req: PushRequest) -> dict[str, Any]:
    # a case of another team is refused before any verification work (and again inside the storing transaction)
    require_member(archive, req.case_id, dev.id, dev.inspector_ids, "push", must_exist=False)
    try:
        verified = _verify(archive, dev, req)
    except Refused as exc:
        log("push.refused", device=dev.id, case=req.case_id, reasons=[r["code"] for r in exc.reasons])
        raise ApiError(
            422,
            "batch_refused",
            "批次未通过校验，已整体拒收",
            "the batch failed verification and was refused whole",
            reasons=exc.reasons,
            missing=exc.missing,
        ) from exc
    if isinstance(verified, dict):
        log("push.replay", device=dev.id, case=req.case_id)
        return verified
    try:
        return store(archive, verified)
    except ForeignCase as exc:
        raise refuse_foreign(archive, req.case_id, dev.id, "push") from exc
    except IntegrityError as exc:
        raise ApiError(
            409,
            "concurrent_push",
            "同一日志正在被另一批次推送，请重试",
            "another batch for this journal was stored meanwhile; retry",
        ) from exc
