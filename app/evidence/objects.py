"""Signed objects: the immutable, signed things of a case, and their journal events.

An *envelope* is ``{"type", "body", "signatures"}``: ``body`` is canonical JSON (its SHA-256 is the object's
content address), ``signatures`` are records made by :func:`app.evidence.signing.sign_object` in the context that
belongs to the type. Every envelope is written once, as a ``signed_objects`` row and as the payload of a journal
event in the case's log, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import PermissionRefused
from app.evidence import journal
from app.evidence.canonical import JSONValue, canonical_bytes, canonical_sha256, loads
from app.evidence.signing import sign_object
from app.evidence.verify import OBJECT_CONTEXTS
from app.models.profile import Store, utc_now
from app.models.schema import Case, CaseInspector, SignedObject

CONTEXTS = OBJECT_CONTEXTS
EVENT_TYPES = {
    "evidence": "evidence.captured",
    "provider-signature": "provider.signed",
    "provider-refusal": "provider.refused",
    "record": "record.signed",
    "provider-batch-signature": "provider.batch_signed",
}


def case_inspectors(session: Session, case_id: str) -> list[str]:
    return list(session.scalars(select(CaseInspector.inspector_id).where(CaseInspector.case_id == case_id)
                                .order_by(CaseInspector.position)))


def signing_pair(session: Session, store: Store, case_id: str) -> list[str]:
    """The case's inspectors who are unlocked now; at least two, or the action is refused (rule 3)."""
    assigned = case_inspectors(session, case_id)
    present = [i for i in assigned if i in store.unlocked_inspectors()]
    if len(present) < 2:
        raise PermissionRefused(
            "此操作须由两名稽核人员各自输入本人口令后共同签名（《医疗保障基金使用监督管理条例》第二十九条）。",
            "This needs two inspectors of the case, each unlocked with their own passphrase (Regulations on the "
            "Supervision and Administration of the Use of Medical Security Funds, Art. 29).",
        )
    return present


def require_open(session: Session, case_id: str, *, correction: bool = False) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise PermissionRefused("案件不存在。", "No such case.")
    if case.status == "closed" and not correction:
        raise PermissionRefused(
            "已结案，只能以更正方式补充。",
            "The case is closed; further entries must be signed corrections.",
        )
    return case


def sign_and_store(session: Session, store: Store, case_id: str, type_: str, body: dict[str, Any],
                   signers: Sequence[str], *, object_id: str, target_id: str | None = None) -> SignedObject:
    context = CONTEXTS[type_]
    signatures = [sign_object(store.signing_key(s), s, context, body) for s in signers]
    row = SignedObject(id=object_id, case_id=case_id, type=type_, target_id=target_id,
                       sha256=canonical_sha256(body), body=canonical_bytes(body),
                       signatures=canonical_bytes(signatures), created=utc_now())
    session.add(row)
    session.flush()
    journal.append(session, store, case_id, signers[0], EVENT_TYPES[type_], envelope(row))
    return row


def envelope(row: SignedObject) -> dict[str, JSONValue]:
    return {"type": row.type, "id": row.id, "body": loads(row.body), "signatures": loads(row.signatures)}


def objects_of_case(session: Session, case_id: str) -> list[SignedObject]:
    return list(session.scalars(select(SignedObject).where(SignedObject.case_id == case_id)
                                .order_by(SignedObject.created, SignedObject.id)))
