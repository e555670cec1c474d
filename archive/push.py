"""Push: verify a batch for one (case, device) journal completely, then store it in one transaction and answer
with a signed receipt. A batch that fails any check is refused whole with the list of reasons."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256
from app.evidence.signing import SignatureError, sign_object, unb64, verify_object
from app.sync.protocol import (
    CTX_CHECKPOINT,
    CTX_JOURNAL,
    CTX_RECEIPT,
    EVIDENCE_CONTEXTS,
    FIELD_CHANGE_TYPE,
    OBJECT_CONTEXTS,
    PROTOCOL_VERSION,
    PushRequest,
    is_signed_envelope,
    payload_blob_refs,
)
from archive.crash import crashpoint
from archive.db import (
    Alert,
    Blob,
    Case,
    CaseField,
    Checkpoint,
    Device,
    FieldConflict,
    Inspector,
    Leaf,
    LogHead,
    ObjectBlob,
    StoredObject,
    iso,
    utcnow,
)
from archive.errors import ApiError, reason
from archive.keys import ARCHIVE_SIGNER
from archive.logs import log
from archive.requestauth import AuthedDevice
from archive.service import Archive

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SIG_KEYS = {"signer", "suite", "public_key", "context", "signature"}
_SIG_MEMBERS = ("sig", "sigs", "signatures")


class Refused(Exception):
    def __init__(self, reasons: list[dict[str, Any]], missing: list[str] | None = None) -> None:
        super().__init__("batch refused")
        self.reasons = reasons
        self.missing = missing


@dataclass
class Verified:
    case_id: str
    device_id: str
    old_size: int
    size: int
    root: str
    checkpoint: dict[str, Any]
    checkpoint_time: str
    new_leaves: list[tuple[int, str, bytes, dict[str, Any]]]  # seq, leaf hash hex, canonical leaf, entry
    new_payloads: dict[str, tuple[Any, str]] = field(default_factory=dict)  # sha -> (payload, entry type)
    blob_refs: dict[str, set[str]] = field(default_factory=dict)  # payload sha -> blob hashes


# --- helpers ---------------------------------------------------------------------------------------------------


def _signature_records(value: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    """Signature records inside a payload that is not a signed-object envelope, with the candidate values each may
    have been made over: the enclosing object without its ``sig``/``sigs``/``signatures`` members, and each
    remaining member that is an object."""
    out: list[tuple[dict[str, Any], list[Any]]] = []
    if isinstance(value, dict):
        sigs: list[Any] = []
        if isinstance(value.get("sig"), dict):
            sigs.append(value["sig"])
        for k in ("sigs", "signatures"):
            if isinstance(value.get(k), list):
                sigs.extend(value[k])
        rest = {k: v for k, v in value.items() if k not in _SIG_MEMBERS}
        candidates: list[Any] = [rest, *(v for v in rest.values() if isinstance(v, dict))]
        for s in sigs:
            if isinstance(s, dict) and set(s) == _SIG_KEYS:
                out.append((s, candidates))
        for k, v in value.items():
            if k not in _SIG_MEMBERS:
                out.extend(_signature_records(v))
    elif isinstance(value, list):
        for v in value:
            out.extend(_signature_records(v))
    return out


def signature_checks(payload: Any) -> list[tuple[Any, list[Any], str | None]]:
    """(signature record, values it may be over, required context or None for any evidence context)."""
    if is_signed_envelope(payload):
        ctx = OBJECT_CONTEXTS[payload["type"]]
        return [(sig, [payload["body"]], ctx) for sig in payload["signatures"]]
    return [(sig, cands, None) for sig, cands in _signature_records(payload)]


def _object_key(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("id"), str):
        version = payload.get("version")
        return payload["id"] if version is None else f"{payload['id']}@{version}"
    return None


@dataclass(frozen=True)
class RosterView:
    device_key: bytes
    inspectors: dict[str, tuple[bytes, bool]]  # id -> (public key, revoked)


def _roster(s: Session, device_id: str) -> RosterView:
    device = s.get(Device, device_id)
    assert device is not None
    keys = {
        i.id: (unb64(i.public_key), i.revoked_at is not None) for i in s.execute(select(Inspector)).scalars()
    }
    return RosterView(unb64(device.public_key), keys)


def _check_signature(
    dev: AuthedDevice, roster: RosterView, sig: Any, candidates: list[Any], required_ctx: str | None
) -> tuple[str, str] | None:
    """None when ``sig`` is a genuine signature by the device or one of its inspectors, else (code, message)."""
    if not isinstance(sig, dict) or set(sig) != _SIG_KEYS:
        return ("bad_signature", "malformed signature record")
    signer, ctx = sig.get("signer"), sig.get("context")
    if (required_ctx is not None and ctx != required_ctx) or ctx not in EVIDENCE_CONTEXTS:
        return ("bad_signature", f"signature context {ctx!r} not allowed here")
    if signer == dev.id:
        key = roster.device_key
    elif isinstance(signer, str) and signer in roster.inspectors:
        key, revoked = roster.inspectors[signer]
        if revoked:
            return ("signer_revoked", f"signer {signer} is revoked")
        if signer not in dev.inspector_ids:
            return ("signer_not_device_inspector", f"signed by {signer}, who is not an inspector of this device")
    else:
        return ("unknown_signer", f"signer {signer!r} is not on the roster")
    for cand in candidates:
        try:
            verify_object(sig, str(ctx), cand, key)
            return None
        except (SignatureError, CanonicalisationError):
            continue
    return ("bad_signature", f"signature by {signer} does not verify")


# --- verification ----------------------------------------------------------------------------------------------


def _verify(archive: Archive, dev: AuthedDevice, req: PushRequest) -> Verified | dict[str, Any]:
    """Returns the stored receipt for a replay, else the verified batch; raises Refused."""
    reasons: list[dict[str, Any]] = []
    case_id, device_id = req.case_id, dev.id
    cp = req.checkpoint.checkpoint
    with archive.db.read() as s:
        roster = _roster(s, device_id)
        head = s.get(LogHead, (case_id, device_id))
        old_size, old_root = (head.size, head.root) if head else (0, merkle.EMPTY_ROOT.hex())
        # checkpoint: signed by this device, about this case
        try:
            size, root, cp_time = int(cp["size"]), str(cp["root"]), str(cp.get("time", ""))
            if (
                cp.get("log") != case_id
                or cp.get("device") != device_id
                or not _HEX64.match(root)
                or size < 0
            ):
                raise ValueError
        except (KeyError, TypeError, ValueError) as exc:
            raise Refused(
                [reason("bad_checkpoint", "checkpoint is malformed or not about this case and device")]
            ) from exc
        if req.checkpoint.sig.signer != device_id:
            raise Refused([reason("bad_checkpoint_signature", "checkpoint is not signed by this device")])
        try:
            verify_object(req.checkpoint.sig.model_dump(), CTX_CHECKPOINT, cp, roster.device_key)
        except (SignatureError, CanonicalisationError) as exc:
            raise Refused(
                [reason("bad_checkpoint_signature", "the checkpoint signature does not verify")]
            ) from exc
        # a replay (or an older checkpoint we already hold): answer with the receipt made then
        if size <= old_size:
            stored = s.get(Checkpoint, (case_id, device_id, size))
            if stored is not None and stored.root == root:
                return dict(json.loads(stored.receipt))
            if size == old_size and head is not None:
                _alert(
                    archive,
                    "journal_fork",
                    device_id,
                    case_id,
                    None,
                    f"size {size}: root differs from the archive's",
                )
                raise Refused(
                    [
                        reason(
                            "journal_fork", "the journal differs from the one the archive holds at this size"
                        )
                    ]
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
        raise Refused(
            [reason("archive_inconsistent", "archive holds an incomplete journal; contact the office")]
        )
    if req.first_seq > old_size:
        raise Refused(
            [reason("journal_gap", f"leaves {old_size}..{req.first_seq - 1} are missing", from_seq=old_size)]
        )
    if req.first_seq + len(req.leaves) != size:
        raise Refused(
            [
                reason(
                    "size_mismatch",
                    f"the leaves end at {req.first_seq + len(req.leaves)} but the checkpoint covers {size}",
                )
            ]
        )
    hashes = list(stored_hashes[: req.first_seq])
    new_leaves: list[tuple[int, str, bytes, dict[str, Any]]] = []
    for i, leaf in enumerate(req.leaves):
        seq = req.first_seq + i
        entry = leaf.entry
        try:
            leaf_bytes = canonical_bytes({"entry": entry, "sig": leaf.sig.model_dump()})
        except CanonicalisationError as exc:
            raise Refused([reason("bad_leaf", f"leaf is not canonical JSON: {exc}", seq=seq)]) from exc
        lh = merkle.leaf_hash(leaf_bytes)
        if seq < old_size:
            if lh != stored_hashes[seq]:
                reasons.append(reason("journal_fork", "leaf differs from the one the archive holds", seq=seq))
            hashes.append(lh)
            continue
        where = {"seq": seq}
        if entry.get("seq") != seq:
            reasons.append(
                reason("journal_gap", f"leaf carries seq {entry.get('seq')!r}, expected {seq}", **where)
            )
        if entry.get("log") != case_id or entry.get("device") != device_id:
            reasons.append(reason("wrong_log", "leaf belongs to another case or device", **where))
        expected_prev = hashes[-1].hex() if hashes else ""
        if entry.get("prev") != expected_prev:
            reasons.append(reason("broken_chain", "prev does not match the previous leaf hash", **where))
        actor = entry.get("actor")
        if not isinstance(actor, str) or actor not in dev.inspector_ids:
            reasons.append(
                reason(
                    "actor_not_device_inspector",
                    f"actor {actor!r} is not an inspector of this device",
                    **where,
                )
            )
        elif actor not in roster.inspectors or roster.inspectors[actor][1]:
            reasons.append(reason("actor_revoked", f"actor {actor} is not on the roster or revoked", **where))
        elif leaf.sig.signer != actor:
            reasons.append(
                reason("signer_not_actor", "the leaf is signed by someone other than its actor", **where)
            )
        else:
            try:
                verify_object(leaf.sig.model_dump(), CTX_JOURNAL, entry, roster.inspectors[actor][0])
            except (SignatureError, CanonicalisationError):
                reasons.append(
                    reason("bad_signature", "the journal entry signature does not verify", **where)
                )
        if not isinstance(entry.get("payload_sha256"), str):
            reasons.append(reason("bad_leaf", "entry has no payload_sha256", **where))
        hashes.append(lh)
        new_leaves.append((seq, lh.hex(), leaf_bytes, entry))
    if reasons:
        raise Refused(reasons)
    if merkle.root_from_leaf_hashes(hashes).hex() != root:
        raise Refused([reason("root_mismatch", "the leaves do not hash to the checkpoint root")])
    if old_size > 0 and req.consistency_proof is not None:
        try:
            proof = [bytes.fromhex(p) for p in req.consistency_proof]
        except ValueError as exc:
            raise Refused([reason("bad_consistency_proof", "consistency proof is not hex")]) from exc
        if not merkle.verify_consistency(old_size, size, bytes.fromhex(old_root), bytes.fromhex(root), proof):
            raise Refused(
                [reason("bad_consistency_proof", "the consistency proof from the archive's size fails")]
            )

    verified = Verified(
        case_id, device_id, old_size, size, root, req.checkpoint.model_dump(), cp_time, new_leaves
    )
    _verify_payloads(archive, dev, req, roster, verified)
    return verified


def _verify_payloads(
    archive: Archive, dev: AuthedDevice, req: PushRequest, roster: RosterView, v: Verified
) -> None:
    reasons: list[dict[str, Any]] = []
    batch: dict[str, Any] = {}
    for i, p in enumerate(req.payloads):
        try:
            batch[canonical_sha256(p)] = p
        except CanonicalisationError as exc:
            reasons.append(reason("bad_payload", f"payload is not canonical JSON: {exc}", index=i))
    if reasons:
        raise Refused(reasons)
    needed: dict[str, str] = {}
    for seq, _, _, entry in v.new_leaves:
        needed.setdefault(str(entry["payload_sha256"]), str(entry.get("type", "")))
        del seq
    with archive.db.read() as s:
        stored = set(
            s.execute(
                select(StoredObject.sha256).where(StoredObject.sha256.in_(list(needed | batch)))
            ).scalars()
        )
        for sha in batch:
            if sha not in needed and sha not in stored:
                reasons.append(
                    reason("unreferenced_payload", "payload is not referenced by a new leaf", sha256=sha)
                )
        for sha, etype in needed.items():
            if sha in stored:
                continue
            if sha not in batch:
                reasons.append(reason("missing_payload", "a leaf points at a payload not sent", sha256=sha))
                continue
            v.new_payloads[sha] = (batch[sha], etype)
        # signatures inside payloads: genuine, by roster keys, and by this device's inspectors (or the device)
        for sha, (payload, _) in v.new_payloads.items():
            good: set[str] = set()
            for sig, candidates, required_ctx in signature_checks(payload):
                problem = _check_signature(dev, roster, sig, candidates, required_ctx)
                if problem is not None:
                    reasons.append(reason(problem[0], problem[1], sha256=sha))
                elif sig["signer"] != dev.id:
                    good.add(sig["signer"])
            if is_signed_envelope(payload):
                body = payload["body"]
                if body.get("case") not in (None, v.case_id):
                    reasons.append(reason("wrong_case", "the signed object belongs to another case", sha256=sha))
                if len(good) < 2:
                    reasons.append(
                        reason(
                            "needs_two_inspectors",
                            f"a signed {payload['type']} needs two inspectors' valid signatures, has {len(good)}",
                            sha256=sha,
                        )
                    )
        # immutable ids: the same id with other bytes is refused (and raises an alert)
        conflicts: list[tuple[str, str]] = []
        for sha, (payload, _) in v.new_payloads.items():
            key_ = _object_key(payload)
            if key_ is None:
                continue
            other = s.execute(
                select(StoredObject.sha256).where(StoredObject.object_key == key_)
            ).scalar_one_or_none()
            if other is not None and other != sha:
                conflicts.append((key_, sha))
        # blobs: each referenced hash must be held by the archive
        all_refs: set[str] = set()
        for sha, (payload, _) in v.new_payloads.items():
            refs = payload_blob_refs(payload)
            v.blob_refs[sha] = refs
            all_refs |= refs
        declared = {h for h in req.blobs if _HEX64.match(h)}
        if len(declared) != len(set(req.blobs)):
            reasons.append(reason("bad_blob_hash", "a declared blob hash is not lower-case hex SHA-256"))
        all_refs |= declared
        have = set(s.execute(select(Blob.sha256).where(Blob.sha256.in_(sorted(all_refs)))).scalars())
    if conflicts:
        for key_, sha in conflicts:
            _alert(archive, "id_conflict", dev.id, v.case_id, key_, f"same id, other bytes (sha256 {sha})")
        raise ApiError(
            409,
            "id_conflict",
            "同一编号的对象内容不同，已拒收并告警",
            "an object with the same id and different bytes is already archived; refused and flagged",
            reasons=[
                reason("id_conflict", "same id, different bytes", object=k, sha256=h) for k, h in conflicts
            ],
        )
    missing = sorted(all_refs - have)
    if missing:
        reasons.append(reason("missing_blobs", f"{len(missing)} referenced blob(s) are not at the archive"))
    if reasons:
        raise Refused(reasons, missing or None)
    # declared-but-unowned blobs count toward the first payload so the link is kept
    if declared and v.new_payloads:
        first = next(iter(v.new_payloads))
        v.blob_refs[first] = v.blob_refs[first] | declared


def _alert(
    archive: Archive, kind: str, device_id: str, case_id: str, object_id: str | None, detail: str
) -> None:
    with archive.db.write() as s:
        s.add(
            Alert(
                kind=kind,
                device_id=device_id,
                case_id=case_id,
                object_id=object_id,
                detail=detail,
                created_at=utcnow(),
            )
        )
    log("alert", kind=kind, device=device_id, case=case_id)


# --- storage ---------------------------------------------------------------------------------------------------


def _fold_field_change(s: Session, v: Verified, payload: Any, sha: str) -> bool:
    """Apply one field change; returns True when it conflicts with another device's edit."""
    if not isinstance(payload, dict) or not isinstance(payload.get("field"), str):
        return False
    name = payload["field"][:128]
    new = canonical_bytes(payload.get("new")).decode()
    old = canonical_bytes(payload.get("old")).decode()
    cur = s.get(CaseField, (v.case_id, name))
    if cur is not None and new == old:
        return False  # an edit that changed nothing cannot conflict
    if cur is None:
        s.add(CaseField(case_id=v.case_id, field=name, value=new, device_id=v.device_id, object_sha256=sha))
        return False
    if cur.value == new:
        return False
    if cur.device_id == v.device_id or cur.value == old:
        cur.value, cur.device_id, cur.object_sha256 = new, v.device_id, sha
        return False
    s.add(
        FieldConflict(
            case_id=v.case_id,
            field=name,
            base=old,
            value_a=cur.value,
            device_a=cur.device_id,
            value_b=new,
            device_b=v.device_id,
            object_b=sha,
            created_at=utcnow(),
        )
    )
    return True


def _store(archive: Archive, v: Verified) -> dict[str, Any]:
    now = utcnow()
    with archive.db.write() as s:
        head = s.get(LogHead, (v.case_id, v.device_id), with_for_update=True)
        if (head.size if head else 0) != v.old_size:
            raise ApiError(
                409,
                "concurrent_push",
                "同一日志正在被另一批次推送，请重试",
                "another batch for this journal was stored meanwhile; retry",
            )
        if s.get(Case, v.case_id) is None:
            s.add(Case(id=v.case_id, source="device", created_at=now))
        for seq, lh, leaf_bytes, _ in v.new_leaves:
            s.add(
                Leaf(
                    case_id=v.case_id, device_id=v.device_id, seq=seq, leaf_hash=lh, leaf=leaf_bytes.decode()
                )
            )
        conflicts = 0
        for sha, (payload, etype) in v.new_payloads.items():
            s.add(
                StoredObject(
                    sha256=sha,
                    object_key=_object_key(payload),
                    kind=etype[:64],
                    case_id=v.case_id,
                    device_id=v.device_id,
                    body=canonical_bytes(payload).decode(),
                    created_at=now,
                )
            )
        s.flush()
        for sha, refs in v.blob_refs.items():
            for b in sorted(refs):
                s.add(ObjectBlob(object_sha256=sha, blob_sha256=b))
        # fold field changes in journal order
        for _, _, _, entry in v.new_leaves:
            if entry.get("type") == FIELD_CHANGE_TYPE:
                sha = str(entry["payload_sha256"])
                payload = v.new_payloads.get(sha, (None, ""))[0]
                if payload is None:
                    row = s.get(StoredObject, sha)
                    payload = json.loads(row.body) if row else None
                conflicts += int(_fold_field_change(s, v, payload, sha))
        receipt_payload = {
            "v": PROTOCOL_VERSION,
            "kind": "receipt",
            "device": v.device_id,
            "case": v.case_id,
            "size": v.size,
            "root": v.root,
            "checkpoint_sha256": canonical_sha256(v.checkpoint),
            "checkpoint_time": v.checkpoint_time,
            "counts": {
                "leaves_new": len(v.new_leaves),
                "leaves_total": v.size,
                "payloads_new": len(v.new_payloads),
                "blobs_referenced": len(set().union(*v.blob_refs.values())) if v.blob_refs else 0,
                "conflicts": conflicts,
            },
            "archive_time": iso(now),
        }
        receipt = {
            "payload": receipt_payload,
            "sig": sign_object(archive.key, ARCHIVE_SIGNER, CTX_RECEIPT, receipt_payload),
        }
        s.add(
            Checkpoint(
                case_id=v.case_id,
                device_id=v.device_id,
                size=v.size,
                root=v.root,
                checkpoint=canonical_bytes(v.checkpoint).decode(),
                receipt=canonical_bytes(receipt).decode(),
            )
        )
        if head is None:
            s.add(LogHead(case_id=v.case_id, device_id=v.device_id, size=v.size, root=v.root))
        else:
            head.size, head.root = v.size, v.root
        s.flush()
        crashpoint("push.before_commit")
    crashpoint("push.after_commit")
    log(
        "push.stored",
        device=v.device_id,
        case=v.case_id,
        size=v.size,
        leaves=len(v.new_leaves),
        payloads=len(v.new_payloads),
        conflicts=conflicts,
    )
    return receipt


def push(archive: Archive, dev: AuthedDevice, req: PushRequest) -> dict[str, Any]:
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
        return _store(archive, verified)
    except IntegrityError as exc:
        raise ApiError(
            409,
            "concurrent_push",
            "同一日志正在被另一批次推送，请重试",
            "another batch for this journal was stored meanwhile; retry",
        ) from exc
