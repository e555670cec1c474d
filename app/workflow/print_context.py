"""The DocumentContext of a form: what the store holds for it, mapped onto the documents' data (read only).

:func:`build_context` reads the case, its institution and inspectors, the step details in ``Case.data``, the
signed records and evidence manifests (:mod:`app.workflow.print_records`), the measures and findings, and the
latest journal checkpoint; it never writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig
from app.documents.context import (
    CaseInfo,
    Correction,
    DocumentContext,
    Finding,
    HeldItem,
    Holding,
    Interview,
    NoticeInfo,
    Outcome,
    Party,
    Service,
)
from app.documents.form_registry import FORMS
from app.errors import UserError
from app.evidence import journal
from app.models.profile import Store
from app.models.schema import Case, Institution, Measure
from app.models.schema import Finding as FindingRow
from app.workflow.case_fields import doc_no_issuer, doc_serial
from app.workflow.print_records import (
    _bindings,
    _current_records,
    _evidence,
    _inspectors,
    _interview,
    _labels,
    _local,
    _onsite_record,
    _str,
    record_body,
)
from app.workflow.printing_data import DOCUMENTS, SERVICE_VERSION
from app.workflow.steps_base import ARRIVAL, case_data, case_inspector_ids, get_case, section


class MissingCaseField(UserError):
    """A form needs a case field that was never entered: ``field`` names it, ``step`` is the page where it is
    entered (``new_audit.FIELD_STEP``), so the UI can offer to go there."""

    code = "print.missing_field"

    def __init__(self, field: str, what_zh: str, what_en: str) -> None:
        from app.workflow.new_audit import FIELD_STEP

        super().__init__(f"案件缺少{what_zh}，无法打印。", f"The case lacks the {what_en}; cannot print.")
        self.field = field
        self.step = FIELD_STEP.get(field, ARRIVAL)


def _day(value: str, field: str, what_zh: str, what_en: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        raise MissingCaseField(field, what_zh, what_en) from None


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[、\n；;]+", text or "") if p.strip())



PERIOD_FORMS = ("notice", "defence-notice", "result-notice", "rectification")
#: What a form says was audited when the case names no matters (稽核事项): the subject of the 条例 (Art. 2), never
#: the case's title (it printed the party's own name as what was audited).
UNSTATED_MATTERS = "医疗保障基金使用情况"


def _day_or(value: str | None, fallback: str) -> date:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return date.fromisoformat(fallback[:10])


def _case_info(case: Case, need_period: bool = True) -> CaseInfo:
    """The case as its forms print it. Every form carries a 文号 numbered from the case's (a form numbered
    "〔2026〕0号" is no document): without one, or without the period a form states, no form is printed and the
    field is named (``MissingCaseField``)."""
    from app.workflow.reference_entries import audit_kinds

    kinds = audit_kinds()
    period_start = _day(case.period_from, "period_from", "稽核期间起始日", "start of the period covered") \
        if need_period else _day_or(case.period_from, case.created)
    period_end = _day(case.period_to, "period_to", "稽核期间截止日", "end of the period covered") \
        if need_period else _day_or(case.period_to, case.created)
    serial = doc_serial(case.doc_no)
    if serial is None:
        raise MissingCaseField("doc_no", "文号（如“某医保稽通〔2026〕21号”）",
                               "document number (e.g. 某医保稽通〔2026〕21号)")
    year, seq = serial
    return CaseInfo(
        case_id=case.id, year=year, seq=seq,
        kind=_labels(kinds.sources).get(case.kind, case.kind),
        form=_labels(kinds.forms).get(case.form, case.form),
        period_start=period_start,
        period_end=period_end,
        matters=_split(case.matters) or (UNSTATED_MATTERS,),
        basis=case.basis,
        # the notice bears the 文号 as given; one given as 〔2026〕21号 alone names no issuer, the pattern's does
        doc_numbers={**({"notice": case.doc_no} if doc_no_issuer(case.doc_no) else {}), **reissued_numbers(case)},
        track=str(section(case_data(case), DOCUMENTS).get("track") or ""),
        unannounced=case.unannounced, unannounced_reason=case.unannounced_reason,
    )


def reissued_numbers(case: Case) -> dict[str, str]:
    """form → the 文号 of its re-issued document (``Case.data['documents']['numbers']``, set by
    :func:`app.workflow.reissue.reissue_form`): a document replaced before service takes a new number."""
    numbers = section(case_data(case), DOCUMENTS).get("numbers")
    return {str(k): str(v) for k, v in numbers.items()} if isinstance(numbers, dict) else {}


def _party(session: Session, case: Case) -> Party:
    from app.workflow.reference_entries import institution_kinds

    inst = session.get(Institution, case.institution_id)
    if inst is None:
        raise UserError("案件缺少被稽核单位，无法打印。", "The case has no institution; cannot print.")
    from app.workflow.cases import party_is_person

    person = party_is_person(inst.kind)
    title = ("" if person else
             "法定代表人" if inst.kind in ("designated_hospital", "designated_pharmacy", "employer") else "负责人")
    return Party(name=inst.name, address=inst.address, credit_code=inst.uscc or "", representative=inst.legal_rep,
                 representative_title=title, phone=inst.phone,
                 kind=_labels(institution_kinds()).get(inst.kind, inst.kind), is_person=person)



def _holding(session: Session, case_id: str, kind: str) -> Holding | None:
    from datetime import timedelta

    from app.workflow import steps_measures

    rows = list(session.scalars(select(Measure).where(Measure.case_id == case_id, Measure.kind == kind)
                                .order_by(Measure.created, Measure.id)))
    if not rows:
        return None
    m = rows[-1]
    items = tuple(HeldItem(int(it.get("no") or k), str(it.get("name", "")), str(it.get("spec", "")),
                           str(it.get("quantity", "")), str(it.get("state", "")), str(it.get("note", "")))
                  for k, it in enumerate(json.loads(m.items or "[]"), 1))
    start = date.fromisoformat(m.start_date)
    if kind == "sealing":
        # The decision states its own period, counted from the day the items were sealed (an extension is a
        # separate written decision with its reason).
        from app.workflow import deadlines

        end = deadlines.sealing_end(start, m.period_days).due
    else:
        end = start + timedelta(days=max(m.period_days, 1) - 1)
        for d in steps_measures.measure_state(session, case_id, m.id).get("deadlines", []):
            from app.models.schema import Deadline

            row = session.get(Deadline, d)
            if row is not None:
                end = date.fromisoformat(row.due)
    state = steps_measures.measure_state(session, case_id, m.id)
    taken = str(state.get("taken_at") or "")
    taken_at = None
    if taken:
        hh, mm = (int(x) for x in taken.split(":"))
        taken_at = datetime.combine(start, time(hh, mm))
    return Holding(items=items, reason=m.reason, storage_place=m.storage_place, start=start, end=end,
                   approved_by=m.approved_by, taken_at=taken_at, present=str(state.get("present") or ""),
                   party_statement=str(state.get("party_statement") or ""),
                   extension_days=int(m.extended_days or 0) if kind == "sealing" else 0,
                   extension_reason=str(state.get("extension_reason") or ""),
                   extension_approved_by=str(state.get("extended_by") or ""))


def _outcome(session: Session, case: Case) -> Outcome | None:
    from app.workflow.reference_entries import violation_types

    rows = list(session.scalars(select(FindingRow).where(FindingRow.case_id == case.id)
                                .order_by(FindingRow.created, FindingRow.id)))
    details = section(case_data(case), DOCUMENTS).get("outcome")
    if not rows or not isinstance(details, dict) or not details.get("handling"):
        return None
    types = {v.code: v for v in violation_types()}
    findings = []
    for f in rows:
        vt = types.get(f.violation_code)
        findings.append(Finding(f.description or (vt.zh if vt else f.violation_code),
                                f.basis or (vt.basis if vt else ""), f.amount_fen, f.violation_code))
    deadline = details.get("rectification_deadline") or ""
    return Outcome(findings=tuple(findings), handling=str(details["handling"]),
                   penalty=str(details.get("penalty", "")), fine_fen=int(details.get("fine_fen") or 0),
                   suspends_services=bool(details.get("suspends_services", False)),
                   rectification=tuple(details.get("rectification") or ()),
                   rectification_deadline=date.fromisoformat(deadline) if deadline else None,
                   consequence=str(details.get("consequence", "")),
                   hearing_applies=bool(details.get("hearing_applies", False)))


@dataclass(frozen=True)
class Served:
    """One recorded 送达 and the 送达回证 that proves it.

    ``source`` is the receipt's issue-record source: ``{"form": "service-receipt", "served": <form>,
    "number": <文号>}`` for a service recorded per served document (``"v": 2`` in the entry), so each served
    document number has a receipt of its own; ``{"form": "service-receipt", "served": <form>}`` for a service
    recorded before (``legacy``), keyed by form as it always was (a later record of the same form replaces the
    earlier one), so old cases print and verify exactly as before."""

    service: Service
    source: dict[str, str]
    legacy: bool

    @property
    def number(self) -> str:
        """The served document's 文号 as recorded ('' when a legacy entry named none)."""
        return self.service.document_number


def _service(s: dict[str, Any], form: str) -> Service:
    return Service(
        document_title=FORMS[form].title, document_number=_str(s, "number"), recipient=_str(s, "recipient"),
        place=_str(s, "place"), method=_str(s, "method"), served_at=_local(_str(s, "served_at")),
        servers=tuple(s.get("servers") or ()), refusal_reason=_str(s, "refusal_reason"),
        witness=_str(s, "witness"), photos=tuple(s.get("photos") or ()), form=form,
        received_by=_str(s, "received_by"), consent=_str(s, "consent"), address=_str(s, "address"))


def served_entries(case: Case) -> tuple[Served, ...]:
    """Every recorded 送达 with the source of its own 送达回证, in the order recorded: one per served document
    number; legacy entries (recorded before services were kept per 文号) one per form, the latest of that form."""
    served = section(case_data(case), DOCUMENTS).get("service")
    if not isinstance(served, list):
        return ()
    out: list[Served] = []
    legacy_at: dict[str, int] = {}
    for s in served:
        form = str(s["form"])
        if s.get("v") == SERVICE_VERSION:
            out.append(Served(_service(s, form), {"form": "service-receipt", "served": form,
                                                  "number": _str(s, "number")}, False))
            continue
        entry = Served(_service(s, form), {"form": "service-receipt", "served": form}, True)
        if form in legacy_at:
            out[legacy_at[form]] = entry  # as before: a later record of the same form replaces the earlier one
        else:
            legacy_at[form] = len(out)
            out.append(entry)
    return tuple(out)


def services_of(case: Case) -> tuple[Service, ...]:
    """Every recorded 送达, one 送达回证 each (:func:`served_entries`); the title and 文号 come from the served
    document (the builder checks a recorded number against it)."""
    return tuple(e.service for e in served_entries(case))


CORRECTIONS = "corrections"  # Case.data['documents']['corrections']: each 更正（补正）通知书 issued, in order


def corrections_of(case: Case) -> tuple[tuple[dict[str, object], Correction], ...]:
    """Every 更正（补正）通知书 issued in the case (:mod:`app.workflow.correction`): its stored entry and what
    the form prints."""
    stored = section(case_data(case), DOCUMENTS).get(CORRECTIONS)
    if not isinstance(stored, list):
        return ()
    return tuple((c, Correction(
        form=str(c["form"]), title=str(c["title"]), number=str(c.get("number") or ""),
        issued_on=date.fromisoformat(str(c["issued_on"])),
        items=tuple((str(old), str(new)) for old, new in c["items"]), reason=str(c["reason"]),
        sub=int(c["n"]) if int(c["n"]) > 1 else 0)) for c in stored)


def _notice(case: Case) -> NoticeInfo | None:
    data = case_data(case)
    details = section(data, DOCUMENTS).get("notice")
    arrival_notice = section(data, ARRIVAL).get("notice") or {}
    day = _str(arrival_notice, "audit_date") or case.planned_date
    if not isinstance(details, dict) or not day:
        return None
    hh, mm = (int(x) for x in str(details.get("audit_time", "09:00")).split(":"))
    return NoticeInfo(audit_at=datetime.combine(date.fromisoformat(day), time(hh, mm)),
                      materials=tuple(details.get("materials") or ()),
                      place=_str(details, "place") or case.place)


def current_checkpoint(session: Session, case_id: str) -> str:
    """The latest checkpoint's fingerprint, or '' when the case has none."""
    cp = journal.latest_checkpoint(session, case_id)
    return journal.fingerprint(cp.size, cp.root) if cp is not None else ""


def build_context(session: Session, store: Store, case_id: str, form: str,
                  config: AgencyConfig | None = None, *, today: date | None = None,
                  record_id: str | None = None, served: Mapping[str, str] | None = None) -> DocumentContext:
    """Everything the store holds for ``form`` of ``case_id`` (read only). ``today``: the day a document issued
    now is dated (the clock, injected); ``record_id``: the one record a 笔录 renders (else the current ones);
    ``served``: the source of the one 送达回证 to render (:attr:`Served.source`; else every recorded service).
    The receipt of a served correction notice reads that notice (its own 文号), not the latest one."""
    if form not in FORMS:
        raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {form} (one of: {', '.join(FORMS)}).")
    case = get_case(session, case_id)
    info = _case_info(case, need_period=form in PERIOD_FORMS)
    inspectors = _inspectors(session, case_inspector_ids(session, case_id))
    recorder = inspectors[-1].name if inspectors else ""
    bindings = _bindings(session, case_id)
    evidence, seq_of = _evidence(session, case_id, bindings)
    titles = {e.seq: e.name for e in evidence}
    entries = served_entries(case)
    if served is not None:
        entries = tuple(e for e in entries if e.source == dict(served))
    services = tuple(e.service for e in entries)
    issued = today or date.today()
    if form == "notice" and case.notice_served_on:
        issued = date.fromisoformat(case.notice_served_on)
    preservation = _holding(session, case_id, "preservation")
    sealing = _holding(session, case_id, "sealing")
    if form in ("preservation", "sealing"):
        decided = _decided_on(session, case_id, form)
        issued = decided or issued
    service = services[-1] if services else None
    if form == "service-receipt" and service is not None:
        issued = service.served_at.date()
    onsite = None
    interviews: tuple[Interview, ...] = ()
    if form == "onsite-record":
        chosen = [(record_id, record_body(session, record_id))] if record_id else \
            _current_records(session, case_id, "onsite")[-1:]
        onsite = _onsite_record(session, case, *chosen[-1], seq_of, titles) if chosen else None
    elif form == "interview":
        chosen = [(record_id, record_body(session, record_id))] if record_id else \
            _current_records(session, case_id, "interview")
        interviews = tuple(sorted((_interview(session, rid, body, recorder, k)
                                   for k, (rid, body) in enumerate(chosen, 1)), key=lambda iv: (iv.number, iv.start)))
    return DocumentContext(
        case=info, party=_party(session, case), inspectors=inspectors, issued_on=issued,
        checkpoint=current_checkpoint(session, case_id), recorder=recorder,
        notice=_notice(case), onsite=onsite, interviews=interviews, evidence=evidence,
        preservation=preservation, sealing=sealing, outcome=_outcome(session, case), service=service,
        services=services,
        # the latest correction (its own print sets the one it renders); a 送达回证 recorded per 文号 proves the
        # correction notice of that number, a legacy one the latest, as before
        correction=_served_correction(session, case, entries) if served is not None else
        (corrections[-1][1] if (corrections := corrections_of(case)) else None),
    )


def _served_correction(session: Session, case: Case, entries: Sequence[Served]) -> Correction | None:
    """The correction notice a 送达回证 proves: the one whose issued document bears the served number (a legacy
    record without a number: the latest, as before)."""
    corrections = corrections_of(case)
    if not corrections:
        return None
    numbered = [e.number for e in entries if e.service.form == "correction" and not e.legacy and e.number]
    if numbered:
        n = correction_numbers(session, case.id).get(numbered[-1])
        for stored, correction in corrections:
            if int(str(stored["n"])) == n:
                return correction
    return corrections[-1][1]


def correction_numbers(session: Session, case_id: str) -> dict[str, int]:
    """文号 of each correction notice issued in the case → its ordinal ``n`` (its issue record's source)."""
    from app.workflow.issuing import issued_documents

    return {d.number: int(d.source.get("n") or 0) for d in issued_documents(session, case_id, "correction")
            if d.number}


def _decided_on(session: Session, case_id: str, kind: str) -> date | None:
    """The day a measure was decided (approved), which its decision carries, whenever it is printed."""
    row = session.scalars(select(Measure).where(Measure.case_id == case_id, Measure.kind == kind)
                          .order_by(Measure.created.desc(), Measure.id.desc()).limit(1)).first()
    if row is None:
        return None
    return date.fromisoformat((row.approved_on or row.start_date)[:10])
