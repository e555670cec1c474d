"""Push, the storing half: one database transaction writes a verified batch (leaves, payloads, blob links, folded
field changes, the checkpoint and the signed receipt); an alert that goes with a stored batch in the same transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.signing import sign_object
from app.sync.protocol import CTX_RECEIPT, FIELD_CHANGE_TYPE, PROTOCOL_VERSION
from archive.alerts import add_alert
from archive.crash import crashpoint
from archive.db import (
    CaseField,
    Checkpoint,
    FieldConflict,
    Leaf,
    LogHead,
    ObjectBlob,
    StoredObject,
    iso,
    utcnow,
)
from archive.errors import ApiError
from archive.keys import ARCHIVE_SIGNER
from archive.logs import log
from archive.service import Archive
from archive.teams import admit_in_transaction


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
    device_inspectors: frozenset[str] = frozenset()  # the pushing device's enrolled inspectors
    held_team: frozenset[str] = frozenset()  # the case's inspectors as the archive holds them (new case: the device's)
    journal_teams: dict[int, frozenset[str] | None] = field(default_factory=dict)  # seq -> team the journal states


def object_key(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("id"), str):
        version = payload.get("version")
        return payload["id"] if version is None else f"{payload['id']}@{version}"
    return None


def _fold_field_change(s: Session, v: Verified, payload: Any, sha: str, seq: int) -> bool:
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
            leaf_b=seq,
            created_at=utcnow(),
        )
    )
    return True


def store(archive: Archive, v: Verified) -> dict[str, Any]:
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
        team = admit_in_transaction(s, v.case_id, v.device_id, v.device_inspectors)
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
                    object_key=object_key(payload),
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
        for seq, _, _, entry in v.new_leaves:
            if entry.get("type") == FIELD_CHANGE_TYPE:
                sha = str(entry["payload_sha256"])
                payload = v.new_payloads.get(sha, (None, ""))[0]
                if payload is None:
                    row = s.get(StoredObject, sha)
                    payload = json.loads(row.body) if row else None
                actor = str(entry.get("actor", ""))
                if actor not in team.inspectors:  # folded only from the case's own inspectors
                    add_alert(s, "field_change_not_folded", v.device_id, v.case_id, sha,
                              f"journal leaf #{seq}: signer {actor} is not one of the case's inspectors; "
                              "kept in the journal, not applied")
                    continue
                conflicts += int(_fold_field_change(s, v, payload, sha, seq))
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
