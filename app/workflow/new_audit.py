"""Starting an audit on the laptop ("新建稽核"): the party (from the reference list or typed, its 统一社会信用代码
checked), the kind, the checklist template, the period audited, the planned date, the notice or the reason for an
unannounced audit, and the two inspectors. Also the list of parties to choose from, and which step owns each case
field a printed form needs (so a refused print can send the inspector to the place where the field is entered).

Every refusal is an :class:`~app.workflow.steps_base.InvalidInput` naming the field, so the dialog can point at it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.profile import Store
from app.models.schema import Institution
from app.models.validators import (
    ValidationError,
    check_text_length,
    validate_phone,
)
from app.workflow import advance_notice
from app.workflow.case_fields import check_field_value, check_planned_date
from app.workflow.cases import (
    AUDIT_FORMS,
    AUDIT_KINDS,
    CaseSpec,
    ChecklistItemSpec,
    add_institution,
    check_party_identifier,
    create_case,
    party_is_person,
)
from app.workflow.document_fields import DOCUMENT_FIELD_STEP
from app.workflow.steps_base import (
    ARRIVAL,
    InvalidInput,
    parse_day,
    require_not_future,
    require_text,
    require_visible,
)

__all__ = ["FIELD_STEP", "InstitutionChoice", "InstitutionInput", "NewAudit", "institution_choices",
           "start_audit"]

#: The step whose page holds each case field a printed form needs (the case details are edited on arrival; the
#: details of the later forms where ``document_fields`` says).
FIELD_STEP: dict[str, str] = {**{name: ARRIVAL for name in (
    "doc_no", "title", "period_from", "period_to", "matters", "basis", "planned_date", "place",
    "notice_served_on", "unannounced", "unannounced_reason")}, **DOCUMENT_FIELD_STEP}


@dataclass(frozen=True)
class InstitutionChoice:
    """A party the inspectors can pick: one already on this laptop (``id``) or one from the office's list."""

    id: str  # the local Institution id, or "" for one only in the office's pulled list
    name: str
    kind: str
    uscc: str
    address: str = ""
    legal_rep: str = ""
    phone: str = ""
    source: str = "local"  # local | office


@dataclass
class InstitutionInput:
    """A party typed by the inspectors (or taken from the office's list)."""

    name: str
    kind: str
    uscc: str = ""
    address: str = ""
    legal_rep: str = ""
    phone: str = ""


@dataclass
class NewAudit:
    kind: str
    inspector_ids: list[str]
    institution_id: str = ""
    institution: InstitutionInput | None = None
    form: str = "onsite"
    checklist_template_id: str = ""
    title: str = ""
    doc_no: str = ""
    matters: str = ""
    basis: str = ""
    place: str = ""
    period_from: str = ""
    period_to: str = ""
    planned_date: str = ""
    notice_served_on: str = ""
    unannounced: bool = False
    unannounced_reason: str = ""
    checklist: list[ChecklistItemSpec] = field(default_factory=list)


def institution_choices(session: Session) -> list[InstitutionChoice]:
    """The parties on this laptop, then those in the office's pulled list not yet here (a pulled record that is
    not a usable party is left out; the sync summary names it)."""
    from app.models.schema import SyncState

    out = [InstitutionChoice(i.id, i.name, i.kind, i.uscc or "", i.address, i.legal_rep, i.phone)
           for i in session.scalars(select(Institution).order_by(Institution.name))]
    known = {c.uscc for c in out if c.uscc}
    prefix = "pull.institutions."
    for row in session.scalars(select(SyncState).where(SyncState.key.startswith(prefix, autoescape=True))
                               .order_by(SyncState.key)):
        if row.key == prefix + "cursor":
            continue
        try:
            data = json.loads(row.value)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        kind = str(data.get("kind") or "designated_hospital")
        uscc = data.get("uscc") or ""
        if uscc:
            try:
                uscc = check_party_identifier(kind, str(uscc))
            except ValidationError:
                continue
        if uscc and uscc in known:
            continue
        out.append(InstitutionChoice("", name.strip(), kind, uscc,
                                     str(data.get("address") or ""), str(data.get("legal_rep") or ""),
                                     str(data.get("phone") or ""), "office"))
    return out


def _column_length(column: str) -> int:
    """The declared size of an ``institutions`` column (String(n))."""
    length = getattr(Institution.__table__.columns[column].type, "length", None)
    assert isinstance(length, int), column
    return length


def _institution(session: Session, spec: NewAudit) -> str:
    from app.workflow.reference_entries import institution_kinds

    if spec.institution_id:
        if session.get(Institution, spec.institution_id) is None:
            raise InvalidInput("institution", "所选被稽核单位不存在。", "The chosen party does not exist.")
        return spec.institution_id
    inst = spec.institution
    if inst is None:
        raise InvalidInput("institution", "请选择或填写被稽核单位。", "Choose or enter the audited party.",
                           code="invalid.empty")
    name = require_text(inst.name, "institution.name", "被稽核单位名称", "name of the audited party")
    require_visible(inst.address, "institution.address")
    require_visible(inst.legal_rep, "institution.legal_rep")
    for column, text, what_zh, what_en in (("name", name, "被稽核单位名称", "name of the audited party"),
                                           ("address", inst.address.strip(), "地址", "address"),
                                           ("legal_rep", inst.legal_rep.strip(), "法定代表人（负责人）",
                                            "legal representative")):
        try:  # the store's column sizes (the archive's PostgreSQL enforces them)
            check_text_length(text, _column_length(column), what_zh, what_en)
        except ValidationError as exc:
            raise InvalidInput.wrap(f"institution.{column}", exc) from exc
    if inst.kind not in {k.code for k in institution_kinds()}:
        raise InvalidInput("institution.kind", "请选择被稽核单位类型。", "Choose the kind of the audited party.")
    uscc = (inst.uscc or "").strip()
    if not uscc:  # every form names the party by it: an organisation's USCC, a person's identity number
        raise (InvalidInput("institution.uscc", "请填写被稽核人的居民身份证号。",
                            "Enter the audited person's resident identity number.", code="invalid.empty")
               if party_is_person(inst.kind) else
               InvalidInput("institution.uscc", "请填写统一社会信用代码。", "Enter the unified social credit code.",
                            code="invalid.empty"))
    try:
        uscc = check_party_identifier(inst.kind, uscc)
    except ValidationError as exc:
        raise InvalidInput.wrap("institution.uscc", exc) from exc
    phone = inst.phone.strip()
    if phone:
        try:
            phone = validate_phone(phone).display()
        except ValidationError as exc:
            raise InvalidInput.wrap("institution.phone", exc) from exc
    if uscc:
        existing = session.scalars(select(Institution).where(Institution.uscc == uscc)).first()
        if existing is not None and existing.name != name:
            what_zh, what_en = (("居民身份证号", "resident identity number") if party_is_person(inst.kind) else
                                ("统一社会信用代码", "unified social credit code"))
            raise InvalidInput("institution.uscc", f"该{what_zh}已登记为“{existing.name}”，请从列表中选择或核对号码。",
                               f"This {what_en} belongs to '{existing.name}'; choose it from the list or check "
                               "the number.", code="invalid.uscc_taken")
    row = add_institution(session, name=name, kind=inst.kind, uscc=uscc or None, address=inst.address.strip(),
                          legal_rep=inst.legal_rep.strip(), phone=phone)
    return row.id


def _checklist(spec: NewAudit) -> list[ChecklistItemSpec]:
    if spec.checklist:
        return list(spec.checklist)
    if not spec.checklist_template_id:
        raise InvalidInput("checklist_template_id", "请选择检查清单模板。", "Choose a checklist template.",
                           code="invalid.empty")
    from app.workflow.checklist_templates import load_checklist_template
    from app.workflow.reference_files import ReferenceDataError

    try:
        tpl = load_checklist_template(spec.checklist_template_id)
    except (KeyError, ReferenceDataError):
        raise InvalidInput("checklist_template_id", "检查清单模板不存在。",
                           "The checklist template does not exist.") from None
    return [ChecklistItemSpec(i.id, i.title, i.category, list(i.requirements)) for i in tpl.items]


def _check_dates(spec: NewAudit, today: date) -> tuple[date, date, date]:
    start = parse_day(spec.period_from, "period_from")
    end = parse_day(spec.period_to, "period_to")
    if start > end:
        raise InvalidInput("period_to", f"稽核期间起始日（{start}）晚于截止日（{end}）。",
                           f"The audited period starts ({start}) after it ends ({end}).", code="invalid.period")
    planned = parse_day(spec.planned_date, "planned_date")
    check_planned_date(planned, today)  # the same window as a later edit of the date
    if end > planned:
        raise InvalidInput("period_to", "稽核期间应在计划稽核日期之前结束。",
                           "The audited period must end before the planned audit date.", code="invalid.period")
    return start, end, planned


def start_audit(session: Session, store: Store, actor_id: str, spec: NewAudit, *, today: date | None = None) -> str:
    """Create the case (journaled ``case.created``, checkpointed); returns its id. The caller owns the
    transaction: a refusal leaves nothing behind, not even a typed party. ``today``: the laptop's date."""
    today = today or date.today()
    if spec.kind not in AUDIT_KINDS:
        raise InvalidInput("kind", "请选择稽核类型。", "Choose the kind of audit.")
    if spec.form not in AUDIT_FORMS:
        raise InvalidInput("form", "请选择稽核形式。", "Choose the form of the audit.")
    ids = list(dict.fromkeys(spec.inspector_ids))
    if len(ids) < 2:
        raise InvalidInput("inspector_ids", "稽核须由两名稽核人员进行，请选择两名不同的稽核人员"
                           "（《武汉市医疗保险稽核办法（试行）》第七条第二项）。",
                           "An audit needs two different inspectors (Wuhan Audit Measures Art. 7(2)).")
    if actor_id not in ids:
        raise InvalidInput("inspector_ids", "新建稽核的人员须是本案稽核人员之一。",
                           "The inspector creating the audit must be one of its inspectors.")
    for name, text in (("title", spec.title), ("matters", spec.matters),
                       ("basis", spec.basis), ("place", spec.place), ("unannounced_reason", spec.unannounced_reason)):
        check_field_value(name, text)  # what an edit on the arrival page would accept, no more
    doc_no = str(check_field_value("doc_no", spec.doc_no))
    _start, _end, planned = _check_dates(spec, today)
    served: str | None = None
    if spec.unannounced:
        if spec.form == "written":
            raise InvalidInput("unannounced", "书面稽核须事先书面通知（第八条第（一）项）。",
                               "A written audit always needs a prior notice (Wuhan Audit Measures Art. 8(1)).")
        require_text(spec.unannounced_reason, "unannounced_reason", "不事先通知的理由",
                     "reason for an unannounced audit")
    elif spec.notice_served_on:
        day = require_not_future(parse_day(spec.notice_served_on, "notice_served_on"), today, "notice_served_on",
                                 "稽核通知书送达日期", "notice service date")
        check = advance_notice.check_notice(planned, day)
        if not check.ok:
            raise InvalidInput("notice_served_on", f"{check.message_zh}（{check.citation}）。",
                               f"{check.message_en}.", code=f"invalid.notice.{check.problem.value}")
        served = day.isoformat()
    institution_id = _institution(session, spec)
    inst = session.get(Institution, institution_id)
    assert inst is not None
    checklist = _checklist(spec)
    title = spec.title.strip() or inst.name
    case = create_case(session, store, actor_id, CaseSpec(
        institution_id=institution_id, kind=spec.kind, form=spec.form, inspector_ids=ids, title=title,
        doc_no=doc_no, period_from=spec.period_from, period_to=spec.period_to,
        matters=spec.matters.strip(), basis=spec.basis.strip(), planned_date=planned.isoformat(),
        place=spec.place.strip() or inst.address, notice_served_on=served, unannounced=spec.unannounced,
        unannounced_reason=spec.unannounced_reason.strip() if spec.unannounced else "",
        checklist_template_id=spec.checklist_template_id or None, checklist=checklist))
    return case.id
