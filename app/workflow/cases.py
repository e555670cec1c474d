"""Creating and listing cases. Every change is a journal event in the case's own log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import PermissionRefused, UserError
from app.evidence import journal
from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import Case, CaseInspector, ChecklistEntry, Inspector, Institution
from app.models.validators import check_visible_text

AUDIT_KINDS = ("routine", "special", "targeted", "complaint")
AUDIT_FORMS = ("onsite", "written")


@dataclass
class ChecklistItemSpec:
    template_item_id: str
    title: str
    category: str = ""
    requirements: Sequence[str] = ()


@dataclass
class CaseSpec:
    institution_id: str
    kind: str
    inspector_ids: Sequence[str]
    form: str = "onsite"
    title: str = ""
    doc_no: str = ""
    period_from: str = ""
    period_to: str = ""
    matters: str = ""
    basis: str = ""
    planned_date: str = ""
    place: str = ""
    notice_served_on: str | None = None
    unannounced: bool = False
    unannounced_reason: str = ""
    checklist_template_id: str | None = None
    checklist: Sequence[ChecklistItemSpec] = field(default_factory=list)
    case_id: str | None = None


def party_is_person(kind: str) -> bool:
    """An audited party of this kind is a person (参保人员), identified by the resident identity number; every
    other kind (and a kind this laptop's reference list does not know) is an organisation with a USCC."""
    from app.workflow.reference_entries import institution_identifier

    try:
        return institution_identifier(kind) == "resident_id"
    except KeyError:
        return False


def check_party_identifier(kind: str, value: str) -> str:
    """The audited party's identifier as stored (``Institution.uscc`` holds it, whichever it is): a 统一社会信用代码
    (GB 32100) for an organisation, a 居民身份证号 (GB 11643) for a person. ``ValidationError`` names what is wrong."""
    from app.models.validators import validate_resident_id, validate_uscc

    return validate_resident_id(value).number if party_is_person(kind) else validate_uscc(value)


def add_institution(session: Session, *, name: str, kind: str, uscc: str | None = None, address: str = "",
                    legal_rep: str = "", phone: str = "", level: str = "") -> Institution:
    """A party on this laptop; ``uscc`` is its identifier (:func:`check_party_identifier`)."""
    check_visible_text(name, kind, address, legal_rep, phone, level, uscc or "")  # printed on every form
    if uscc:
        uscc = check_party_identifier(kind, uscc)
        existing = session.scalars(select(Institution).where(Institution.uscc == uscc)).first()
        if existing is not None:
            return existing
    inst = Institution(id=uuid7(), name=name, kind=kind, uscc=uscc, address=address, legal_rep=legal_rep,
                       phone=phone, level=level)
    session.add(inst)
    session.flush()
    return inst


def create_case(session: Session, store: Store, actor_id: str, spec: CaseSpec) -> Case:
    check_visible_text(spec.doc_no, spec.title, spec.matters, spec.basis, spec.place, spec.unannounced_reason)
    if spec.kind not in AUDIT_KINDS:
        raise UserError(f"未知的稽核类型：{spec.kind}", f"Unknown audit kind: {spec.kind}")
    if spec.form not in AUDIT_FORMS:
        raise UserError(f"未知的稽核形式：{spec.form}", f"Unknown audit form: {spec.form}")
    ids = list(dict.fromkeys(spec.inspector_ids))
    if len(ids) < 2:
        raise PermissionRefused(
            "稽核须由两名以上稽核人员进行（《武汉市医疗保险稽核办法（试行）》第七条第二项）。",
            "An audit needs two or more inspectors (Wuhan Audit Measures Art. 7(2)).",
        )
    for iid in ids:
        if session.get(Inspector, iid) is None:
            raise UserError("指派的检查人员不存在。", "An assigned inspector does not exist.")
    if session.get(Institution, spec.institution_id) is None:
        raise UserError("被稽核单位不存在。", "The audited party does not exist.")
    case = Case(
        id=spec.case_id or uuid7(), doc_no=spec.doc_no, kind=spec.kind, form=spec.form, title=spec.title,
        institution_id=spec.institution_id, period_from=spec.period_from, period_to=spec.period_to,
        matters=spec.matters, basis=spec.basis, checklist_template_id=spec.checklist_template_id,
        planned_date=spec.planned_date, notice_served_on=spec.notice_served_on, unannounced=spec.unannounced,
        unannounced_reason=spec.unannounced_reason, place=spec.place, status="assigned", step="arrival",
        created=utc_now(),
    )
    session.add(case)
    session.flush()
    for pos, iid in enumerate(ids):
        session.add(CaseInspector(case_id=case.id, inspector_id=iid, position=pos))
    for pos, item in enumerate(spec.checklist):
        session.add(ChecklistEntry(id=uuid7(), case_id=case.id, template_item_id=item.template_item_id, position=pos,
                                   category=item.category, title=item.title,
                                   requirements=json.dumps(list(item.requirements), ensure_ascii=False)))
    session.flush()
    journal.append(session, store, case.id, actor_id, "case.created", case_payload(session, case))
    journal.checkpoint(session, store, case.id, "created")
    return case


def case_payload(session: Session, case: Case) -> dict[str, object]:
    inst = session.get(Institution, case.institution_id)
    assert inst is not None
    return {
        "case": case.id, "doc_no": case.doc_no, "kind": case.kind, "form": case.form, "title": case.title,
        "institution": {"id": inst.id, "name": inst.name, "kind": inst.kind, "uscc": inst.uscc or "",
                        "address": inst.address or ""},  # the party's address on the office's decision
        "period": [case.period_from, case.period_to], "matters": case.matters, "basis": case.basis,
        "planned_date": case.planned_date, "notice_served_on": case.notice_served_on or "",
        "unannounced": case.unannounced, "unannounced_reason": case.unannounced_reason,
        "inspectors": [ci.inspector_id for ci in session.scalars(
            select(CaseInspector).where(CaseInspector.case_id == case.id).order_by(CaseInspector.position))],
        "checklist_template": case.checklist_template_id or "",
    }


def list_cases(session: Session) -> list[tuple[Case, Institution]]:
    rows = session.execute(select(Case, Institution).join(Institution, Case.institution_id == Institution.id)
                           .order_by(Case.created))
    return [(row[0], row[1]) for row in rows]
