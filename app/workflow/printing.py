"""Printing a case's forms: map what the store holds onto a DocumentContext, render, journal, keep a copy.

:func:`build_context` reads the case, its institution and inspectors, the step details in ``Case.data``, the
signed records and evidence manifests, the measures and findings, and the latest journal checkpoint; it never
writes. :func:`print_case` takes a fresh checkpoint when the journal has grown since the last one (the paper
carries its fingerprint), renders in memory, journals the print (``steps_closing.record_print``), stores the PDF
as a derived item of the case when two inspectors are unlocked, and only then writes the requested output
(atomically, mode 0600). Nothing of the case is written in clear anywhere else; signature images are decrypted
in memory only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.context import (
    QA,
    CaseInfo,
    DocumentContext,
    EvidenceItem,
    Finding,
    HeldItem,
    Holding,
    Inspector,
    Interview,
    NoticeInfo,
    OnsiteRecord,
    Outcome,
    Party,
    Person,
    Service,
    SignatureMark,
)
from app.documents.form_registry import FORMS
from app.documents.frozen import PageMark
from app.errors import UserError
from app.evidence import journal
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.evidence.items import item_statuses, record_statuses
from app.fsutil import atomic_write_bytes
from app.models.profile import Store
from app.models.schema import Case, Institution, Measure, SignedObject
from app.models.schema import Finding as FindingRow
from app.models.schema import Inspector as InspectorRow
from app.workflow.printing_data import DOCUMENTS
from app.workflow.steps_base import ARRIVAL, case_data, case_inspector_ids, get_case, section

_DOC_NO = re.compile(r"〔(\d{4})〕\s*(\d+)\s*号")


@dataclass(frozen=True)
class PrintResult:
    form: str
    case_id: str
    pages: int
    content_sha256: str
    pdf_sha256: str
    size: int
    checkpoint: str  # the fingerprint printed on every page
    derived_item_id: str | None  # the stored copy of the PDF, when one was stored
    notes: tuple[str, ...] = ()
    page_hashes: tuple[str, ...] = ()  # the SHA-256 of each printed page's text (white space removed)
    codes: tuple[str, ...] = ()  # each page's 核验码


# ============================================================================================== small helpers


def _local(value: str) -> datetime:
    """A stored time as the naive local time shown to the party ('...Z' / offsets are converted)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed.replace(microsecond=0)


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


def _labels(entries: Any) -> dict[str, str]:
    return {e.code: e.zh for e in entries}


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[、\n；;]+", text or "") if p.strip())


def _str(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v)


# ============================================================================================== the context


def _inspectors(session: Session, ids: list[str]) -> tuple[Inspector, ...]:
    out = []
    for i in ids:
        row = session.get(InspectorRow, i)
        if row is not None:
            out.append(Inspector(row.name, row.credential_no, row.organisation))
    return tuple(out)


#: Forms that print the period under review (the others print without it).
PERIOD_FORMS = ("notice", "defence-notice", "result-notice", "rectification")


def _day_or(value: str | None, fallback: str) -> date:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return date.fromisoformat(fallback[:10])


def _case_info(case: Case, need_period: bool = True) -> CaseInfo:
    from app.workflow.reference_entries import audit_kinds

    kinds = audit_kinds()
    m = _DOC_NO.search(case.doc_no or "")
    year = int(m.group(1)) if m else int((case.planned_date or case.created)[:4])
    seq = int(m.group(2)) if m else 0
    return CaseInfo(
        case_id=case.id, year=year, seq=seq,
        kind=_labels(kinds.sources).get(case.kind, case.kind),
        form=_labels(kinds.forms).get(case.form, case.form),
        period_start=_day(case.period_from, "period_from", "稽核期间起始日", "start of the period covered")
        if need_period else _day_or(case.period_from, case.created),
        period_end=_day(case.period_to, "period_to", "稽核期间截止日", "end of the period covered")
        if need_period else _day_or(case.period_to, case.created),
        matters=_split(case.matters) or (case.title,),
        basis=case.basis,
        doc_numbers={"notice": case.doc_no} if case.doc_no else {},
        track=str(section(case_data(case), DOCUMENTS).get("track") or ""),
        unannounced=case.unannounced, unannounced_reason=case.unannounced_reason,
    )


def _party(session: Session, case: Case) -> Party:
    from app.workflow.reference_entries import institution_kinds

    inst = session.get(Institution, case.institution_id)
    if inst is None:
        raise UserError("案件缺少被稽核单位，无法打印。", "The case has no institution; cannot print.")
    title = "法定代表人" if inst.kind in ("designated_hospital", "designated_pharmacy", "employer") else "负责人"
    return Party(name=inst.name, address=inst.address, credit_code=inst.uscc or "", representative=inst.legal_rep,
                 representative_title=title, phone=inst.phone,
                 kind=_labels(institution_kinds()).get(inst.kind, inst.kind))


def _bindings(session: Session, case_id: str) -> dict[str, list[dict[str, Any]]]:
    """provider-signature / provider-refusal bodies by target id."""
    out: dict[str, list[dict[str, Any]]] = {}
    rows = session.scalars(select(SignedObject).where(
        SignedObject.case_id == case_id, SignedObject.type.in_(("provider-signature", "provider-refusal")))
        .order_by(SignedObject.created, SignedObject.id))
    for r in rows:
        if r.target_id:
            out.setdefault(r.target_id, []).append(dict(loads(r.body)))
    return out


def page_marks(store: Store, session: Session, bindings: list[dict[str, Any]], part: str, n_pages: int, *,
               images: bool = True) -> dict[tuple[str, int], list[PageMark]]:
    """The signatures given on a record's pages, each on the page where it was given with its own time (one given
    for the whole record, on its last page); a refusal noted on the last page. Images are decrypted in memory, and
    only when ``images`` (the page text needs none)."""
    out: dict[tuple[str, int], list[PageMark]] = {}
    blobs = BlobStore(store)
    for b in bindings:
        page = b.get("page")
        where = page if isinstance(page, int) and 1 <= page <= n_pages else n_pages
        if b.get("type") == "provider-signature":
            image = blobs.read(str(b["image_sha256"]), session=session) if images else b"\x89PNG"
            mark = PageMark(image_png=image, signed_at=_local(str(b["time"]["wall"])))
        else:
            witness = b.get("witness") or {}
            mark = PageMark.of(SignatureMark("", "", refusal_reason=str(b.get("reason", "")),
                                             witness=str(witness.get("name", ""))))
        out.setdefault((part, where), []).append(mark)
    return out


def record_bindings(session: Session, case_id: str, record_id: str) -> list[dict[str, Any]]:
    """The provider-signature / provider-refusal bodies bound to one record, in the order made."""
    rows = session.scalars(select(SignedObject.body).where(
        SignedObject.case_id == case_id, SignedObject.target_id == record_id,
        SignedObject.type.in_(("provider-signature", "provider-refusal")))
        .order_by(SignedObject.created, SignedObject.id))
    return [dict(loads(body)) for body in rows]


def _current_records(session: Session, case_id: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for st in record_statuses(session, case_id):
        if st.kind == kind and st.superseded_by is None:
            row = session.get(SignedObject, st.record_id)
            assert row is not None
            out.append((st.record_id, dict(loads(row.body))))
    return out


def _person(d: dict[str, Any]) -> Person:
    age = d.get("age")
    return Person(name=_str(d, "name"), post=_str(d, "post"), id_number=_str(d, "id_number"),
                  phone=_str(d, "phone"), sex=_str(d, "sex"), age=int(age) if isinstance(age, int) else None,
                  employer=_str(d, "employer"), address=_str(d, "address"), relation=_str(d, "relation"))


def _typed_person(text: str) -> dict[str, str]:
    """"姓名（职务）" or "姓名" as an inspector typed it."""
    m = re.fullmatch(r"\s*([^（(]+?)\s*[（(]\s*(.*?)\s*[）)]\s*", text)
    return {"name": m.group(1), "post": m.group(2)} if m else {"name": text.strip()}


def _evidence(session: Session, case_id: str, bindings: dict[str, list[dict[str, Any]]]
              ) -> tuple[tuple[EvidenceItem, ...], dict[str, int]]:
    from app.workflow.reference_entries import evidence_kinds, onsite_measures

    kinds, measures = _labels(evidence_kinds()), _labels(onsite_measures())
    out: list[EvidenceItem] = []
    seq_of: dict[str, int] = {}
    for st in item_statuses(session, case_id):
        if st.superseded_by is not None:
            continue
        row = session.get(SignedObject, st.item_id)
        assert row is not None
        m = dict(loads(row.body))
        streams = m.get("streams") or []
        source = m.get("source") or {}
        provider = m.get("provider") or {}
        notes = []
        if m.get("supersedes"):
            notes.append(f"更正：{m['supersedes'].get('reason', '')}")
        for s in streams[1:]:
            notes.append(f"文件{int(s['index']) + 1} SHA-256：{s['sha256']}")
        refusal = [b for b in bindings.get(st.item_id, []) if b.get("type") == "provider-refusal"]
        if st.provider == "refused" and refusal:
            notes.append(f"提供人未签字：{refusal[-1].get('reason', '')}")
        seq = len(out) + 1
        seq_of[st.item_id] = seq
        out.append(EvidenceItem(
            seq=seq, name=str(m["title"]), kind=kinds.get(str(m["kind"]), str(m["kind"])),
            source="；".join(x for x in (_str(source, "text"), _str(source, "system")) if x),
            provider=_str(provider, "name"), original=bool(m.get("original", True)),
            quantity=_str(m, "quantity") or f"{len(streams)}个文件",
            obtained_at=_local(str(m["obtained_at"]["wall"])), obtained_place=_str(m, "place"),
            sha256=str(streams[0]["sha256"]) if streams else "",
            measure=measures.get(str(m.get("measure", "")), ""), note="；".join(notes),
        ))
    return tuple(out), seq_of


def _when(c: dict[str, Any], key: str, what_zh: str, what_en: str) -> datetime:
    try:
        return _local(_str(c, key))
    except ValueError:
        raise UserError(f"笔录缺少{what_zh}，无法生成文书。", f"The record lacks its {what_en}; cannot make the document."
                        ) from None


def _onsite_record(session: Session, case: Case, record_id: str, body: dict[str, Any],
                   seq_of: dict[str, int], titles: dict[int, str]) -> OnsiteRecord:
    """The 现场检查笔录 exactly as signed: nothing from elsewhere in the case is added to it."""
    c = body["content"]
    raw_present = c.get("present")
    present = tuple(_person(p) for p in raw_present if isinstance(p, dict)) if isinstance(raw_present, list) else ()
    attachments = []
    for raw in c.get("attachments") or []:
        # an item id (demo, CLI) or {"item", "title", "sha256"} (the walk-through's on-site page)
        a = raw.get("item", "") if isinstance(raw, dict) else raw
        seq = seq_of.get(str(a))
        if seq is not None:
            attachments.append(f"证据{seq}：{titles[seq]}")
            continue
        row = session.get(SignedObject, str(a))
        title = str(loads(row.body).get("title", "")) if row is not None and row.type == "evidence" else ""
        if not title and isinstance(raw, dict):
            title = str(raw.get("title", ""))
        attachments.append(f"{title}（已更正，以更正后的证据为准）" if title else "（未能识别的附件）")
    return OnsiteRecord(
        start=_when(c, "start", "检查开始时间", "start time"), end=_when(c, "end", "检查结束时间", "end time"),
        place=_str(c, "place") or case.place, present=present,
        present_text=raw_present.strip() if isinstance(raw_present, str) else "",
        findings=_str(c, "findings_text"), opening=_str(c, "opening") or _str(c, "rights_told"),
        credentials_answer=_str(c, "answer"), recusal_answer=_str(c, "recusal_answer"),
        attachments=tuple(attachments), party_opinion=_str(c, "party_opinion"),
        witness=_person(c["witness"]) if isinstance(c.get("witness"), dict) else None, record_id=record_id,
    )


def _interview(session: Session, record_id: str, body: dict[str, Any], default_recorder: str, n: int) -> Interview:
    """One 询问笔录 exactly as signed (the opening and every question as recorded, nothing added)."""
    c = body["content"]
    interviewee = _person(c.get("interviewee") or {})
    number = c.get("sequence") or c.get("number")
    if _str(c, "start") and _str(c, "end"):
        start, end, time_text = _when(c, "start", "询问开始时间", "start time"), _when(
            c, "end", "询问结束时间", "end time"), ""
    else:  # the record holds no times: say so rather than print a time nobody recorded
        start = end = _local(str((body.get("time") or {}).get("wall") or "1970-01-01T00:00:00"))
        time_text = "（笔录未记载）"
    return Interview(
        number=int(number) if isinstance(number, int) else n, start=start, end=end, time_text=time_text,
        place=_str(c, "place"),
        interviewers=_inspectors(session, [str(i) for i in body.get("inspectors") or []]),
        recorder=_str(c, "recorder") or default_recorder, interviewee=interviewee,
        qa=tuple(QA(_str(p, "q"), _str(p, "a")) for p in c.get("qa") or []),
        recusal_answer=_str(c, "recusal_answer"), opening=_str(c, "opening"), record_id=record_id,
    )


def record_body(session: Session, record_id: str) -> dict[str, Any]:
    row = session.get(SignedObject, record_id)
    if row is None or row.type != "record":
        raise UserError("笔录不存在。", "No such record.")
    return dict(loads(row.body))


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


def _services(case: Case) -> tuple[Service, ...]:
    """Every recorded 送达, one 送达回证 each; the title and 文号 come from the served form (the builder checks
    a recorded number against it). A later record of the same form replaces the earlier one."""
    served = section(case_data(case), DOCUMENTS).get("service")
    if not isinstance(served, list):
        return ()
    by_form: dict[str, Service] = {}
    for s in served:
        form = str(s["form"])
        by_form[form] = Service(
            document_title=FORMS[form].title, document_number=_str(s, "number"), recipient=_str(s, "recipient"),
            place=_str(s, "place"), method=_str(s, "method"), served_at=_local(_str(s, "served_at")),
            servers=tuple(s.get("servers") or ()), refusal_reason=_str(s, "refusal_reason"),
            witness=_str(s, "witness"), photos=tuple(s.get("photos") or ()), form=form,
            received_by=_str(s, "received_by"), consent=_str(s, "consent"), address=_str(s, "address"))
    return tuple(by_form.values())


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
                  record_id: str | None = None) -> DocumentContext:
    """Everything the store holds for ``form`` of ``case_id`` (read only). ``today``: the day a document issued
    now is dated (the clock, injected); ``record_id``: the one record a 笔录 renders (else the current ones)."""
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
    services = _services(case)
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
    )


def _decided_on(session: Session, case_id: str, kind: str) -> date | None:
    """The day a measure was decided (approved), which its decision carries, whenever it is printed."""
    row = session.scalars(select(Measure).where(Measure.case_id == case_id, Measure.kind == kind)
                          .order_by(Measure.created.desc(), Measure.id.desc()).limit(1)).first()
    if row is None:
        return None
    return date.fromisoformat((row.approved_on or row.start_date)[:10])


# ============================================================================================== printing


def _write_atomic(path: Path, data: bytes) -> None:
    """Owner-only temp file, fsync, rename: no half-written PDF is ever visible."""
    atomic_write_bytes(path, data, 0o600)


def _anchor_item(session: Session, case_id: str, form: str) -> str | None:
    """The parent of the stored PDF: the record the form renders, else the case's first current evidence item."""
    from app.evidence.items import record_statuses

    kind = {"onsite-record": "onsite", "interview": "interview"}.get(form)
    if kind is not None:
        for rs in reversed(record_statuses(session, case_id)):
            if rs.kind == kind and rs.superseded_by is None:
                return rs.record_id
    for st in item_statuses(session, case_id):
        if st.superseded_by is None:
            return st.item_id
    return None


@dataclass(frozen=True)
class RenderedForm:
    """A form rendered from its issued documents for preview or printing; no print is journaled until a printer or
    the PDF writer accepted it (:func:`record_accepted`). Issuing itself (the document frozen, dated and
    journaled) happens at the first rendering, preview or not: what is previewed is what will print."""

    form: str
    case_id: str
    pdf: bytes
    pages: int
    content_sha256: str
    pdf_sha256: str
    checkpoint: str
    page_records: tuple[dict[str, Any], ...] = ()
    page_hashes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


def render_form(store: Store, case_id: str, form: str, actor_id: str,
                config: AgencyConfig | None = None, *, today: date | None = None) -> RenderedForm:
    """Render ``form`` of the case in memory from its issued documents (issuing what is not issued yet, dated
    ``today``). A preview: no print is journaled."""
    from app.documents.render import Issued, render_documents, result_of
    from app.workflow.issuing import issue_form, marks_of

    cfg = config or load_agency_config()
    with store.transaction() as s:
        get_case(s, case_id)
        if actor_id not in case_inspector_ids(s, case_id):
            raise UserError("只有指派到本案的稽核人员才能打印本案文书。",
                            "Only the inspectors assigned to this case may print its documents.")
        if form not in FORMS:
            raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                            f"Unknown form: {form} (one of: {', '.join(FORMS)}).")
        docs = issue_form(s, store, case_id, form, actor_id, config=cfg, today=today)
    with store.session() as s:
        issued = [Issued(d.doc, d.ref, d.checkpoint,
                         marks_of(store, s, case_id, d.doc, str(d.source["record"])) if "record" in d.source
                         else {}) for d in docs]
    data, printed = render_documents(form, issued, case_id, store.device_key.sign)
    result = result_of(form, data, printed)
    refs = [d.ref for d in docs for _p in d.body.get("pages", [])]
    pages = tuple({"document": ref, "part": p.part, "page": p.page, "of": p.of, "sha256": p.sha256, "code": p.code}
                  for ref, p in zip(refs, printed, strict=True))
    return RenderedForm(form, case_id, data, result.pages, result.content_sha256, result.pdf_sha256,
                        docs[-1].checkpoint, pages, tuple(p.sha256 for p in printed), tuple(p.code for p in printed))


def record_accepted(store: Store, rendered: RenderedForm, actor_id: str) -> tuple[str | None, tuple[str, ...]]:
    """A printer or the PDF writer accepted ``rendered``: journal the print with the hash of every page
    (``steps_closing.record_print``, also with one inspector unlocked) and store the PDF as a derived item of the
    case when two inspectors are unlocked. Returns (derived item id, notes)."""
    from app.evidence.capture import derive
    from app.workflow.steps_closing import record_print

    case_id, form = rendered.case_id, rendered.form
    with store.transaction() as s:
        record_print(s, store, case_id, actor_id, form, rendered.content_sha256, pages=list(rendered.page_records))
    with store.session() as s:
        unlocked = [i for i in case_inspector_ids(s, case_id) if i in store.unlocked_inspectors()]
        anchor = _anchor_item(s, case_id, form)
    if anchor is None:
        return None, ("本案尚无证据，打印件未存入案卷（各页摘要已记入日志）。"
                      "| The case has no evidence item; the PDF was not stored (its page hashes are journaled).",)
    if len(unlocked) < 2:
        return None, ("存入案卷须两名稽核人员签名，本次打印件未存入案卷（各页摘要已记入日志）。"
                      "| Storing the PDF needs both inspectors unlocked; it was not stored (its page hashes are "
                      "journaled).",)
    return derive(store, case_id, anchor, "print", rendered.pdf), ()


def print_case(store: Store, case_id: str, form: str, out: Path | BinaryIO, actor_id: str,
               config: AgencyConfig | None = None, *, today: date | None = None) -> PrintResult:
    """Render ``form`` of the case from its issued documents, write ``out``, and once it is written journal the
    print with the hash of every page and store the PDF as a derived item."""
    rendered = render_form(store, case_id, form, actor_id, config, today=today)
    if isinstance(out, Path):
        _write_atomic(out, rendered.pdf)
    else:
        out.write(rendered.pdf)
    derived, notes = record_accepted(store, rendered, actor_id)
    return PrintResult(form=form, case_id=case_id, pages=rendered.pages, content_sha256=rendered.content_sha256,
                       pdf_sha256=rendered.pdf_sha256, size=len(rendered.pdf), checkpoint=rendered.checkpoint,
                       derived_item_id=derived, notes=notes, page_hashes=rendered.page_hashes, codes=rendered.codes)
