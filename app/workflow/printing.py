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

import io
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
    DocumentError,
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
from app.documents.render import render
from app.errors import UserError
from app.evidence import journal
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.evidence.items import item_statuses, record_statuses
from app.fsutil import atomic_write_bytes
from app.models.profile import Store
from app.models.schema import Case, Institution, JournalLeaf, Measure, SignedObject
from app.models.schema import Finding as FindingRow
from app.models.schema import Inspector as InspectorRow
from app.workflow.printing_data import DOCUMENTS
from app.workflow.steps_base import ARRIVAL, case_data, case_inspector_ids, get_case, section

NOT_RECORDED = "（未记录）"
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


def _day(value: str, what_zh: str, what_en: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        raise UserError(f"案件缺少{what_zh}，无法打印。", f"The case lacks the {what_en}; cannot print.") from None


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


def _case_info(case: Case) -> CaseInfo:
    from app.workflow.reference_entries import audit_kinds

    kinds = audit_kinds()
    m = _DOC_NO.search(case.doc_no or "")
    year = int(m.group(1)) if m else int((case.planned_date or case.created)[:4])
    seq = int(m.group(2)) if m else 0
    return CaseInfo(
        case_id=case.id, year=year, seq=seq,
        kind=_labels(kinds.sources).get(case.kind, case.kind),
        form=_labels(kinds.forms).get(case.form, case.form),
        period_start=_day(case.period_from, "稽核期间起始日", "start of the period covered"),
        period_end=_day(case.period_to, "稽核期间截止日", "end of the period covered"),
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


def _mark(store: Store, session: Session, bindings: list[dict[str, Any]], role: str, name: str
          ) -> SignatureMark | None:
    """The signature (image decrypted in memory; the first page's when several) or the refusal."""
    sigs = sorted((b for b in bindings if b.get("type") == "provider-signature"),
                  key=lambda b: (b.get("page") is None, b.get("page") or 0))
    if sigs:
        b = sigs[0]
        signer = b.get("signer") or {}
        image = BlobStore(store).read(str(b["image_sha256"]), session=session)
        return SignatureMark(role, str(signer.get("name") or name), _local(str(b["time"]["wall"])), image)
    refusals = [b for b in bindings if b.get("type") == "provider-refusal"]
    if refusals:
        b = refusals[-1]
        witness = b.get("witness") or {}
        return SignatureMark(role, name, None, None, refusal_reason=str(b.get("reason", "")),
                             witness=str(witness.get("name", "")))
    return None


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


def _onsite(store: Store, session: Session, case: Case, bindings: dict[str, list[dict[str, Any]]],
            seq_of: dict[str, int], titles: dict[int, str]) -> OnsiteRecord | None:
    records = _current_records(session, case.id, "onsite")
    if not records:
        return None
    record_id, body = records[-1]
    c = body["content"]
    arrival = section(case_data(case), ARRIVAL)
    present = [_person(p) for p in c.get("present") or []]
    rep = arrival.get("representative")
    if isinstance(rep, dict):
        rp = Person(name=_str(rep, "name"), post=_str(rep, "post"), id_number=_str(rep, "id_number"),
                    phone=_str(rep, "phone"))
        present = [rp] + [p for p in present if p.name != rp.name]
    answer = _str(c, "answer") or _str(arrival.get("rights") or {}, "answer")
    recusal = _str(c, "recusal_answer") or (answer if "回避" in answer else NOT_RECORDED)
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
        attachments.append(f"{title}（已更正，以更正后的证据为准）" if title else str(a))
    opinion = _str(c, "party_opinion")
    return OnsiteRecord(
        start=_local(_str(c, "start")), end=_local(_str(c, "end")), place=_str(c, "place") or case.place,
        present=tuple(present), findings=_str(c, "findings_text"),
        credentials_answer=answer or NOT_RECORDED, recusal_answer=recusal, attachments=tuple(attachments),
        party_opinion=opinion,
        witness=_person(c["witness"]) if isinstance(c.get("witness"), dict) else None,
        signature=_mark(store, session, bindings.get(record_id, []), "被检查人",
                        present[0].name if present else ""),
    )


def _interviews(store: Store, session: Session, case_id: str, bindings: dict[str, list[dict[str, Any]]],
                default_recorder: str) -> tuple[Interview, ...]:
    out: list[Interview] = []
    for record_id, body in _current_records(session, case_id, "interview"):
        c = body["content"]
        interviewee = _person(c.get("interviewee") or {})
        qa = [QA(_str(p, "q"), _str(p, "a")) for p in c.get("qa") or []]
        recusal = _str(c, "recusal_answer")
        if not recusal and qa and "回避" in qa[0].question:
            recusal, qa = qa[0].answer, qa[1:]  # the recusal question is printed after the opening
        out.append(Interview(
            number=int(c.get("sequence") or len(out) + 1), start=_local(_str(c, "start")),
            end=_local(_str(c, "end")), place=_str(c, "place"),
            interviewers=_inspectors(session, [str(i) for i in body.get("inspectors") or []]),
            recorder=_str(c, "recorder") or default_recorder, interviewee=interviewee, qa=tuple(qa),
            recusal_answer=recusal or NOT_RECORDED,
            closing=_str(c, "closing_statement") or "以上笔录我已看过，与我所说的相符。",
            signature=_mark(store, session, bindings.get(record_id, []), "被询问人", interviewee.name),
        ))
    return tuple(sorted(out, key=lambda iv: (iv.number, iv.start)))


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
                  config: AgencyConfig | None = None) -> DocumentContext:
    """Everything the store holds for printing ``form`` of ``case_id`` (read only)."""
    if form not in FORMS:
        raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {form} (one of: {', '.join(FORMS)}).")
    case = get_case(session, case_id)
    info = _case_info(case)
    inspectors = _inspectors(session, case_inspector_ids(session, case_id))
    recorder = inspectors[-1].name if inspectors else ""
    bindings = _bindings(session, case_id)
    evidence, seq_of = _evidence(session, case_id, bindings)
    titles = {e.seq: e.name for e in evidence}
    services = _services(case)
    issued = date.today()
    if form == "notice" and case.notice_served_on:
        issued = date.fromisoformat(case.notice_served_on)
    return DocumentContext(
        case=info, party=_party(session, case), inspectors=inspectors, issued_on=issued,
        checkpoint=current_checkpoint(session, case_id), recorder=recorder,
        notice=_notice(case),
        onsite=_onsite(store, session, case, bindings, seq_of, titles),
        interviews=_interviews(store, session, case_id, bindings, recorder),
        evidence=evidence,
        preservation=_holding(session, case_id, "preservation"),
        sealing=_holding(session, case_id, "sealing"),
        outcome=_outcome(session, case),
        service=(services[-1] if services else None), services=services,
    )


# ============================================================================================== printing


def _write_atomic(path: Path, data: bytes) -> None:
    """Owner-only temp file, fsync, rename: no half-written PDF is ever visible."""
    atomic_write_bytes(path, data, 0o600)


def _fresh_checkpoint(session: Session, store: Store, case_id: str) -> None:
    """Checkpoint the journal when it grew since the last checkpoint, so the paper anchors what it shows."""
    size = len(list(session.scalars(select(JournalLeaf.seq).where(JournalLeaf.log_id == case_id))))
    cp = journal.latest_checkpoint(session, case_id)
    if size and (cp is None or cp.size < size):
        journal.checkpoint(session, store, case_id, "print")


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


def print_case(store: Store, case_id: str, form: str, out: Path | BinaryIO, actor_id: str,
               config: AgencyConfig | None = None) -> PrintResult:
    """Render ``form`` of the case, journal the print, store the PDF as a derived item, write ``out``."""
    from app.evidence.capture import derive
    from app.workflow.steps_closing import record_print

    cfg = config or load_agency_config()
    with store.transaction() as s:
        case = get_case(s, case_id)
        if actor_id not in case_inspector_ids(s, case_id):
            raise UserError("只有指派到本案的稽核人员才能打印本案文书。",
                            "Only the inspectors assigned to this case may print its documents.")
        _fresh_checkpoint(s, store, case.id)
    with store.session() as s:
        ctx = build_context(s, store, case_id, form, cfg)
        unlocked = [i for i in case_inspector_ids(s, case_id) if i in store.unlocked_inspectors()]
        anchor = _anchor_item(s, case_id, form)
    buf = io.BytesIO()
    try:
        result = render(form, ctx, buf, cfg)
    except DocumentError as exc:
        en = getattr(exc, "en", "")  # a PowerError says in English which body may issue the form
        raise UserError(f"无法打印{FORMS[form].title}：{exc}。",
                        f"Cannot print the {form} form: {en}." if en else
                        f"Cannot print the {form} form: the case lacks what it needs ({exc}).") from None
    data = buf.getvalue()
    with store.transaction() as s:
        record_print(s, store, case_id, actor_id, form, result.content_sha256)
    notes: list[str] = []
    derived: str | None = None
    if anchor is None:
        notes.append("本案尚无证据，打印件未存入案卷。| The case has no evidence item; the PDF was not stored.")
    elif len(unlocked) < 2:
        notes.append("存入案卷须两名稽核人员签名，本次打印件未存入案卷。"
                     "| Storing the PDF needs both inspectors unlocked; it was not stored.")
    else:
        derived = derive(store, case_id, anchor, "print", data)
    if isinstance(out, Path):
        _write_atomic(out, data)
    else:
        out.write(data)
    return PrintResult(form=form, case_id=case_id, pages=result.pages, content_sha256=result.content_sha256,
                       pdf_sha256=result.pdf_sha256, size=result.size, checkpoint=ctx.checkpoint,
                       derived_item_id=derived, notes=tuple(notes))
