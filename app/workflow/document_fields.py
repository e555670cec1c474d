"""The details the forms printed after the visit read, where each is entered, and what a form lacks.

The 稽核通知书 states the hour of the audit and the materials the party prepares (entered on the arrival step with
the notice); the 陈述申辩告知书, 稽核结果告知书 and 责令改正通知书 state the proposed handling, what is to be
corrected by when and, for the department, the proposed penalty (entered on the findings step); a 送达回证 needs a
recorded service of the document (entered on the closing step). The setters are ``app.workflow.printing_data``;
this module takes what the pages show (text, one entry a line; an amount in yuan) and says, before a form is laid
out, which detail it lacks as a ``MissingCaseField`` naming the field and the step where it is entered, so the UI
can offer to go there.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.profile import Store
from app.workflow.printing_data import DOCUMENTS, record_service, set_notice_details, set_outcome_details
from app.workflow.steps_base import ARRIVAL, CLOSING, FINDINGS, InvalidInput, case_data, get_case, section

NOTICE = "documents.notice"
NOTICE_MATERIALS = "documents.notice.materials"
OUTCOME = "documents.outcome"
RECTIFICATION = "documents.outcome.rectification"
PENALTY = "documents.outcome.penalty"
SERVICE = "documents.service"

#: The step whose page holds each detail (``new_audit.FIELD_STEP`` includes these).
DOCUMENT_FIELD_STEP: dict[str, str] = {
    NOTICE: ARRIVAL, NOTICE_MATERIALS: ARRIVAL, OUTCOME: FINDINGS, RECTIFICATION: FINDINGS, PENALTY: FINDINGS,
    SERVICE: CLOSING,
}

#: Forms printed after (or, for the notice, before) the visit, in the order a case needs them.
LATER_FORMS = ("notice", "defence-notice", "result-notice", "rectification", "service-receipt")
_OUTCOME_FORMS = ("defence-notice", "result-notice", "rectification")
#: Documents whose 送达 is recorded (one 送达回证 each).
SERVED_FORMS = ("notice", "preservation", "sealing", "defence-notice", "result-notice", "rectification", "correction")
_LIST_SPLIT = re.compile(r"[\n;；]+")
_NAMES_SPLIT = re.compile(r"[\n,，、;；]+")


def details(data: dict[str, Any]) -> dict[str, Any]:
    """The case's recorded details (``Case.data['documents']``): notice, outcome and the list of services."""
    return section(data, DOCUMENTS)


def service_list(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every 送达 recorded, in order, as the closing page lists it: (served form, its 文号 as recorded — '' for a
    service recorded before services were kept per 文号 without one —, served at as stored: the page shows it in
    the laptop's time zone)."""
    served = details(data).get("service")
    return [(str(s.get("form", "")), str(s.get("number") or ""), str(s.get("served_at", "")))
            for s in (served if isinstance(served, list) else []) if isinstance(s, dict)]


def lines(text: str) -> list[str]:
    """One entry a line (or separated by ；), blanks dropped."""
    return [t.strip() for t in _LIST_SPLIT.split(text) if t.strip()]


def later_forms(session: Session, case_id: str) -> list[str]:
    """The later forms this case may print: no notice for an unannounced audit, no outcome forms without a
    finding."""
    from app.models.schema import Finding

    case = get_case(session, case_id)
    findings = int(session.scalar(select(func.count()).select_from(Finding).where(Finding.case_id == case_id)) or 0)
    forms = []
    for form in LATER_FORMS:
        if form == "notice" and case.unannounced:
            continue
        if form in _OUTCOME_FORMS and not findings:
            continue
        forms.append(form)
    return forms


def missing_detail(session: Session, case_id: str, form: str) -> tuple[str, str, str] | None:
    """(field, what in Chinese, what in English) the form lacks, or ``None``."""
    docs = details(case_data(get_case(session, case_id)))
    if form == "notice":
        notice = docs.get("notice")
        if not isinstance(notice, dict):
            return NOTICE, "稽核（检查）时间和需准备的材料", "audit time and the materials to prepare"
        if not notice.get("materials"):
            return NOTICE_MATERIALS, "需被稽核单位准备的材料", "materials the party is to prepare"
    if form in _OUTCOME_FORMS:
        outcome = docs.get("outcome")
        if not isinstance(outcome, dict) or not outcome.get("handling"):
            return OUTCOME, "处理意见", "proposed handling"
        if form == "rectification" and not (outcome.get("rectification") and outcome.get("rectification_deadline")):
            return RECTIFICATION, "责令改正事项和改正期限", "items to rectify and the deadline"
    if form == "service-receipt" and not docs.get("service"):
        return SERVICE, "送达记录", "record of service"
    return None


def require_form_details(session: Session, case_id: str, form: str) -> None:
    """Raise ``MissingCaseField`` (the field and its step) when ``form`` lacks a detail no step recorded yet."""
    missing = missing_detail(session, case_id, form)
    if missing is not None:
        from app.workflow.printing import MissingCaseField

        raise MissingCaseField(*missing)


def save_notice_details(session: Session, store: Store, case_id: str, actor_id: str, *, audit_time: str,
                        materials: str, place: str = "") -> None:
    """The notice's hour (HH:MM) and the materials, one a line, from the arrival page."""
    items = lines(materials)
    if not items:
        raise InvalidInput(NOTICE_MATERIALS, "请列出需被稽核单位准备的材料（每行一项）。",
                           "List the materials the party is to prepare (one a line).")
    set_notice_details(session, store, case_id, actor_id, audit_time=audit_time, materials=items, place=place)


def save_outcome_details(session: Session, store: Store, case_id: str, actor_id: str, *, handling: str,
                         rectification: str = "", rectification_deadline: date | None = None,
                         consequence: str = "", hearing_applies: bool = False, penalty: str = "",
                         fine_yuan: str = "", suspends_services: bool = False) -> None:
    """The proposed handling from the findings page: rectification one item a line, the fine in yuan."""
    from app.workflow.thresholds import yuan_to_fen

    try:
        fine_fen = yuan_to_fen(fine_yuan) if fine_yuan.strip() else 0
    except ValueError as exc:
        raise InvalidInput(PENALTY, f"罚款金额：{getattr(exc, 'message_zh', exc)}",
                           f"The fine: {getattr(exc, 'message_en', exc)}") from None
    set_outcome_details(session, store, case_id, actor_id, handling=handling, rectification=lines(rectification),
                        rectification_deadline=rectification_deadline, consequence=consequence,
                        hearing_applies=hearing_applies, penalty=penalty, fine_fen=fine_fen,
                        suspends_services=suspends_services)


def save_service(session: Session, store: Store, case_id: str, actor_id: str, *, document_form: str,
                 document_number: str, recipient: str, place: str, method: str, served_at: datetime,
                 servers: str, refusal_reason: str = "", witness: str = "", received_by: str = "",
                 consent: str = "", address: str = "") -> None:
    """送达 of one document from the closing page; the servers' names separated by 、 or a comma."""
    if document_form not in SERVED_FORMS:
        raise InvalidInput("document_form", "请选择所送达的文书。", "Choose the document that was served.")
    record_service(session, store, case_id, actor_id, document_form=document_form, document_number=document_number,
                   recipient=recipient, place=place, method=method, served_at=served_at,
                   servers=[n.strip() for n in _NAMES_SPLIT.split(servers) if n.strip()],
                   refusal_reason=refusal_reason, witness=witness, received_by=received_by, consent=consent,
                   address=address)


def later_forms_of(store: Store, case_id: str) -> list[str]:
    """``later_forms`` in a session of its own (the closing page asks on the store's worker)."""
    with store.session() as s:
        return later_forms(s, case_id)
