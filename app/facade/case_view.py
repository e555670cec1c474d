"""The case read model: everything the pages of one case show, read in one session on the store's worker thread.

``load_snapshot(store, case_id)`` returns plain data (no rows leave the session); the case page hands it to every
step page (``app.ui.snapshot`` re-exports it for the pages). The step
statuses come from ``app.workflow`` (``procedure.overview`` once it lands; the steps' own status functions
meanwhile), so the UI never decides on its own what the law requires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.evidence.canonical import loads
from app.evidence.items import evidence_bodies, item_statuses, record_statuses
from app.models.profile import Store
from app.models.schema import Case, Deadline, EvidenceItem, Inspector, SignedObject
from app.workflow.cases import party_is_person
from app.workflow.progress import PAGES as PROGRESS_PAGES
from app.workflow.progress import Progress, case_progress
from app.workflow.steps_base import Missing, StepStatus, case_data, case_inspector_ids, section

#: The pages of the walk-through, in order (``app.workflow.progress`` owns the list).
PAGES = PROGRESS_PAGES


@dataclass
class InspectorInfo:
    id: str
    name: str
    credential_no: str
    organisation: str
    unlocked: bool


@dataclass
class EvidenceInfo:
    id: str
    title: str
    kind: str
    measure: str
    source: str
    provider: dict[str, str] | None
    obtained_at: str
    inspector_signatures: int
    provider_state: str | None  # signed / refused / None
    superseded_by: str | None
    thumbnail_sha256: str | None
    streams: list[dict[str, Any]]
    checklist_entry: str = ""

    @property
    def complete(self) -> bool:
        return self.superseded_by is not None or (self.inspector_signatures >= 2 and self.provider_state is not None)

    @property
    def is_image(self) -> bool:
        return any(str(s.get("media_type", "")).startswith("image/") for s in self.streams)


@dataclass
class RecordInfo:
    id: str
    kind: str
    version: int
    content: dict[str, Any]
    party: str | None
    pages_signed: int
    superseded_by: str | None
    pages: list[str] = field(default_factory=list)  # the record's document, page by page, as printed
    pages_error: str = ""  # why the pages cannot be laid out yet (what the case lacks)


@dataclass
class CaseSnapshot:
    case_id: str
    title: str
    doc_no: str
    kind: str
    form: str
    status: str
    institution: str
    institution_uscc: str
    planned_date: str
    period_from: str
    period_to: str
    matters: str
    basis: str
    notice_served_on: str
    unannounced: bool
    unannounced_reason: str
    place: str
    closed: str
    inspectors: list[InspectorInfo]
    data: dict[str, Any]
    checklist: list[dict[str, Any]]
    evidence: list[EvidenceInfo]
    records: list[RecordInfo]
    findings: list[dict[str, Any]]
    flags: Any
    measures: list[dict[str, Any]]
    deadlines: list[dict[str, str]]
    printed: dict[str, list[dict[str, str]]]
    required_forms: list[str]
    statuses: dict[str, StepStatus] = field(default_factory=dict)
    progress: Progress | None = None
    party_is_person: bool = False  # 参保人员: present as themself (or an agent), addressed as 被检查人

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    def current_records(self, kind: str) -> list[RecordInfo]:
        return [r for r in self.records if r.kind == kind and r.superseded_by is None]

    def evidence_by_id(self, item_id: str) -> EvidenceInfo | None:
        return next((e for e in self.evidence if e.id == item_id), None)


def _evidence(session: Any, case_id: str) -> list[EvidenceInfo]:
    thumbs: dict[str, str | None] = {item_id: sha for item_id, sha in session.execute(
        select(EvidenceItem.id, EvidenceItem.thumbnail_sha256).where(EvidenceItem.case_id == case_id))}
    bodies = evidence_bodies(session, case_id)
    out = []
    for st in item_statuses(session, case_id):
        body = bodies.get(st.item_id, {})
        out.append(EvidenceInfo(
            id=st.item_id, title=st.title, kind=st.kind, measure=str(body.get("measure", "")),
            source=str((body.get("source") or {}).get("text", "")), provider=body.get("provider"),
            obtained_at=str((body.get("obtained_at") or {}).get("wall", "")),
            inspector_signatures=st.inspector_signatures, provider_state=st.provider,
            superseded_by=st.superseded_by, thumbnail_sha256=thumbs.get(st.item_id),
            streams=list(body.get("streams", [])), checklist_entry=str(body.get("checklist_entry", ""))))
    return out


def _records(store: Store, session: Any, case_id: str) -> list[RecordInfo]:
    """Every record version with its document's pages (the same pages the printer prints)."""
    from app.errors import UserError

    out = []
    for st in record_statuses(session, case_id):
        # the renderer is loaded with the first record, not for every case shown
        from app.workflow.issuing import read_back

        row = session.get(SignedObject, st.record_id)
        body = loads(row.body) if row is not None else {}
        info = RecordInfo(st.record_id, st.kind, st.version, dict(body.get("content", {})), st.party,
                          st.pages_signed, st.superseded_by)
        try:
            info.pages = read_back(session, store, case_id, st.record_id).texts
        except UserError as exc:
            info.pages_error = exc.message()
        out.append(info)
    return out


def step_statuses(store: Store, session: Any, case_id: str) -> Progress:
    """Every page's state from the workflow's one rule (``progress.case_progress``, which closing uses too)."""
    return case_progress(session, case_id, unlocked=store.unlocked_inspectors())


def load_snapshot(store: Store, case_id: str) -> CaseSnapshot:
    from app.workflow.steps import checklist_entries
    from app.workflow.steps_closing import printed_forms, required_forms
    from app.workflow.steps_findings import case_flags, findings
    from app.workflow.steps_measures import measures

    with store.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            from app.errors import UserError

            raise UserError("稽核案件不存在。", "The case does not exist.")
        unlocked = set(store.unlocked_inspectors())
        inspectors = []
        for iid in case_inspector_ids(s, case_id):
            row = s.get(Inspector, iid)
            if row is not None:
                inspectors.append(InspectorInfo(iid, row.name, row.credential_no, row.organisation, iid in unlocked))
        records = _records(store, s, case_id)
        snap = CaseSnapshot(
            case_id=case.id, title=case.title, doc_no=case.doc_no, kind=case.kind, form=case.form,
            status=case.status, institution=case.institution.name, institution_uscc=case.institution.uscc or "",
            party_is_person=party_is_person(case.institution.kind),
            planned_date=case.planned_date, period_from=case.period_from, period_to=case.period_to,
            matters=case.matters, basis=case.basis, notice_served_on=case.notice_served_on or "",
            unannounced=case.unannounced, unannounced_reason=case.unannounced_reason, place=case.place,
            closed=case.closed or "", inspectors=inspectors, data=case_data(case),
            checklist=checklist_entries(s, case_id), evidence=_evidence(s, case_id), records=records,
            findings=[{"id": f.id, "violation": f.violation_code, "description": f.description, "basis": f.basis,
                       "amount_fen": f.amount_fen, "responsible": json.loads(f.responsible or "[]"),
                       "evidence_ids": json.loads(f.evidence_ids or "[]")} for f in findings(s, case_id)],
            flags=case_flags(s, case_id),
            measures=[{"id": m.id, "kind": m.kind, "items": json.loads(m.items or "[]"), "approved_by": m.approved_by,
                       "start_date": m.start_date, "period_days": m.period_days,
                       "storage_place": m.storage_place, "reason": m.reason} for m in measures(s, case_id)],
            deadlines=[{"kind": d.kind, "due": d.due, "basis": d.basis, "done": d.done or ""}
                       for d in s.scalars(select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due))],
            printed=printed_forms(s, case_id), required_forms=required_forms(s, case_id),
        )
        snap.progress = step_statuses(store, s, case_id)
        snap.statuses = snap.progress.statuses()
        return snap


def arrival_section(snap: CaseSnapshot) -> dict[str, Any]:
    return section(snap.data, "arrival")


def recusal_section(snap: CaseSnapshot) -> dict[str, Any]:
    return section(snap.data, "recusal")


__all__ = ["PAGES", "CaseSnapshot", "EvidenceInfo", "InspectorInfo", "Missing", "RecordInfo", "StepStatus",
           "arrival_section", "load_snapshot", "recusal_section"]
