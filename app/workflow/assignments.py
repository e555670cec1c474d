"""Assignments pulled from the archive become local cases (archive/PROTOCOL.md "Pull").

The sync client only fetches and stores them (``sync_state`` keys ``pull.assignments.*``); turning one into a case
is the procedure's business, so it lives here and the client is handed :func:`apply`.
"""

from __future__ import annotations

from app.errors import FieldAuditError
from app.models.profile import Store, utc_now
from app.models.schema import Case, Inspector
from app.models.validators import ValidationError
from app.sync import state
from app.sync.office_records import office_record_problem, record_name
from app.sync.results import SyncReport
from app.workflow.case_fields import check_field_value
from app.workflow.cases import AUDIT_KINDS, CaseSpec, add_institution, create_case


def apply(store: Store, report: SyncReport) -> None:
    """An assignment becomes a local case when it is new here and both assigned inspectors are enrolled on this
    laptop (one of them unlocked, to sign the journal's first entry); otherwise it waits as pending."""
    with store.session() as s:
        items = state.with_prefix(s, "pull.assignments.")
        done = state.with_prefix(s, "assignment.case.")
    for key, data in items.items():
        if key == "cursor" or not isinstance(data, dict):
            continue
        case_id = str(data.get("case_id", key))
        if case_id in done:
            continue
        problem = office_record_problem("assignments", {"id": key, "data": data})
        if problem is not None:
            report.skipped[record_name("assignments", {"id": key, "data": data})] = problem
            report.assignments_pending[case_id] = problem
            continue
        inspectors = [str(i) for i in data.get("inspectors", [])]
        try:
            with store.transaction() as s:
                if s.get(Case, case_id) is not None:
                    state.put(s, f"assignment.case.{case_id}", {"time": utc_now(), "existing": True})
                    state.delete(s, f"assignment.pending.{case_id}")
                    continue
                local = {i for i in inspectors if (row := s.get(Inspector, i)) is not None and row.local}
                actor = next((i for i in inspectors if i in store.unlocked_inspectors()), None)
                reason = ""
                if len(local) < 2 or len(set(inspectors)) < 2:
                    reason = "assigned inspectors not enrolled on this laptop"
                elif actor is None:
                    reason = "no assigned inspector unlocked"
                if reason:
                    state.put(s, f"assignment.pending.{case_id}", {"reason": reason, "data": data})
                    report.assignments_pending[case_id] = reason
                    continue
                inst = data.get("institution") or {}
                institution = add_institution(s, name=str(inst.get("name") or "—"),
                                              kind=str(inst.get("kind") or "designated_hospital"),
                                              uscc=inst.get("uscc") or None, address=str(inst.get("address", "")))
                kind = str(data.get("kind") or "routine")
                doc_no = check_field_value("doc_no", data.get("doc_no") or "")  # the office's 文号, if it gave one
                case = create_case(s, store, str(actor), CaseSpec(
                    case_id=case_id, institution_id=institution.id, inspector_ids=inspectors,
                    kind=kind if kind in AUDIT_KINDS else "routine", title=str(data.get("title") or ""),
                    doc_no=str(doc_no)))
                case.origin = "archive"
                state.put(s, f"assignment.case.{case_id}", {"time": utc_now()})
                state.delete(s, f"assignment.pending.{case_id}")
                report.cases_created.append(case_id)
        except (FieldAuditError, ValidationError) as exc:
            message = exc.message_en
            with store.transaction() as s:
                state.put(s, f"assignment.pending.{case_id}", {"reason": message, "data": data})
            report.assignments_pending[case_id] = message
            report.skipped[record_name("assignments", {"id": key, "data": data})] = message
