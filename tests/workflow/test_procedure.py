"""The procedure as a whole: step overview, completing steps, closing and its refusals, due items."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import PermissionRefused
from app.evidence import journal
from app.evidence.capture import CaptureMeta, CaptureSource, Provider, capture
from app.evidence.check import check_store
from app.evidence.provider import Signer, record_refusal, record_signature
from app.evidence.records import sign_record
from app.models.profile import Store
from app.models.schema import Case, ChecklistEntry, Checkpoint
from app.workflow import procedure, steps
from app.workflow.steps_closing import close_case, record_defence, record_defence_notice, record_print
from app.workflow.steps_findings import Responsible, acknowledge_flags, add_finding, case_flags
from app.workflow.steps_measures import MeasureItem, register_preservation, seal
from tests.workflow.test_steps import (
    AUDIT_DAY,
    WEEKENDS,
    do_arrival,
    do_checklist,
    do_recusal,
    events,
    make_case,
    store_fixture,  # noqa: F401  (the module-scoped 'store' fixture)
)

SHA = "ab" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
STROKES = [[[0, 0, 0, 128], [10, 12, 16, 140], [20, 18, 33, 150]]]


def missing_codes(st: procedure.StepStatus) -> list[str]:
    return [m.code for m in st.missing]


def test_overview_lists_the_steps_in_order(store: Store) -> None:
    case_id, _, _ = make_case(store)
    with store.session() as s:
        ov = procedure.overview(s, case_id)
        assert [st.step for st in ov] == ["arrival", "recusal", "checklist", "evidence", "records", "measures",
                                          "findings", "closing"]
        done = {st.step: st.done for st in ov}
        assert not done["arrival"] and not done["recusal"] and not done["checklist"] and not done["records"]
        assert done["evidence"] and done["measures"] and done["findings"]  # nothing captured, nothing due
        assert procedure.current_step(s, case_id) == "arrival"
        assert all(m.message_zh and m.message_en for st in ov for m in st.missing)


def test_complete_step_refuses_until_done_then_checkpoints(store: Store) -> None:
    case_id, a, b = make_case(store)
    with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
        procedure.complete_step(s, store, case_id, a, "arrival")
    assert "本步骤尚未完成" in exc.value.message_zh
    do_arrival(store, case_id, a, b)
    with store.transaction() as s:
        before = journal.size(s, case_id)
        st = procedure.complete_step(s, store, case_id, a, "arrival")
        assert st.done and st.completed_at
        case = s.get(Case, case_id)
        assert case is not None and case.step == "recusal" and case.status == "active"
        cp = journal.latest_checkpoint(s, case_id)
        assert cp is not None and cp.size == before + 1
        assert procedure.status(s, case_id, "arrival").completed_at == st.completed_at
        assert procedure.current_step(s, case_id) == "recusal"
        with pytest.raises(PermissionRefused):
            procedure.complete_step(s, store, case_id, a, "closing")


def test_closing_refused_with_one_inspector(unlocked: Store) -> None:
    case_id, a, b = make_case(unlocked)
    with unlocked.transaction() as s, pytest.raises(PermissionRefused) as exc:
        close_case(s, unlocked, case_id, [a, a])  # one inspector cannot act as two
    assert exc.value.code == "closing.two_inspectors"
    unlocked.forget_signer(b)
    with unlocked.transaction() as s:
        with pytest.raises(PermissionRefused) as exc:
            close_case(s, unlocked, case_id, [a, b])
        assert "本人口令" in exc.value.message_zh
        st = procedure.status(s, case_id, "closing", unlocked=unlocked.unlocked_inspectors())
        assert "closing.two_inspectors" in missing_codes(st)
        assert "closing.two_inspectors" not in missing_codes(procedure.status(s, case_id, "closing"))
        case = s.get(Case, case_id)
        assert case is not None and case.status == "assigned"


def test_closing_refused_with_zero_evidence_no_records_and_open_checklist(store: Store) -> None:
    case_id, a, b = make_case(store, checklist=2)
    do_arrival(store, case_id, a, b)
    do_recusal(store, case_id, a, b)
    with store.transaction() as s:
        entry = s.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)).first()
        assert entry is not None
        steps.set_checklist_finding(s, store, case_id, a, entry.id, finding="compliant")
        with pytest.raises(PermissionRefused) as exc:
            close_case(s, store, case_id, [a, b])
        assert exc.value.code == "closing.incomplete" and "检查项未作结论" in exc.value.message_zh
        codes = missing_codes(procedure.closing_status(s, case_id, unlocked=store.unlocked_inspectors()))
        assert codes == ["checklist.open", "records.onsite", "closing.print.onsite-record"]
        case = s.get(Case, case_id)
        assert case is not None and case.status == "active" and case.closed is None


def test_closing_refused_while_findings_over_threshold_are_not_acknowledged(store: Store) -> None:
    case_id, a, _ = make_case(store, checklist=0)
    with store.transaction() as s:
        add_finding(s, store, case_id, a, violation_code="ghost_bed", description="挂床住院",
                    amount_fen=10_000_000, responsible=[Responsible("钱某", "doctor")])
        flags = case_flags(s, case_id)
        assert flags.total.legal_review.required and flags.total.collective_decision.required
        assert "findings.flags" in missing_codes(procedure.closing_status(s, case_id))


def _capture(store: Store, case_id: str, title: str) -> str:
    meta = CaptureMeta(kind="documentary", measure="request_material", title=title, source="医保办提供",
                       provider=Provider("赵某", "医保办主任"))
    return capture(store, case_id, [CaptureSource(f"{title}.txt", data=title.encode() * 50)], meta).item_id


def test_whole_procedure_ends_closed_and_then_refuses_edits(store: Store) -> None:
    case_id, a, b = make_case(store, checklist=2)
    do_arrival(store, case_id, a, b)
    do_recusal(store, case_id, a, b)
    with store.transaction() as s:
        for name in ("arrival", "recusal"):
            procedure.complete_step(s, store, case_id, a, name)
    signed = _capture(store, case_id, "住院费用清单")
    refused = _capture(store, case_id, "护理记录")
    with store.session() as s:
        st = procedure.status(s, case_id, "evidence")
        assert not st.done and f"evidence.provider.{signed}" in missing_codes(st)
    record_signature(store, case_id, signed, Signer("赵某", "证据提供者"), STROKES, PNG)
    record_refusal(store, case_id, refused, "提供者拒绝签字，称需请示院长")
    onsite = sign_record(store, case_id, "onsite", {"findings_text": "3床无患者，床头卡在。"})
    interview = sign_record(store, case_id, "interview", {"interviewee": {"name": "钱某"},
                                                          "qa": [{"q": "3床患者在哪？", "a": "回家了。"}]})
    with store.session() as s:
        assert f"records.party.{onsite}" in missing_codes(procedure.status(s, case_id, "records"))
    record_refusal(store, case_id, onsite, "负责人拒绝签字", witness=Signer("周某", "见证人"))
    record_signature(store, case_id, interview, Signer("钱某", "被询问人"), STROKES, PNG, page=1)
    do_checklist(store, case_id, a)
    with store.transaction() as s:
        first = steps.checklist_entries(s, case_id)[0]
        steps.set_checklist_finding(s, store, case_id, a, first["id"], finding="noncompliant", note="挂床",
                                    evidence_ids=[signed, signed])
        assert steps.checklist_entries(s, case_id)[0]["evidence_ids"] == [signed]
        assert procedure.step_details(s, case_id, "arrival")["representative"]["name"] == "赵某"
        m = seal(s, store, case_id, a, items=[MeasureItem("处方底方", quantity="120张")], approved_by="张主任",
                 approved_on=AUDIT_DAY, start_date=AUDIT_DAY, reason="可能被转移")
        add_finding(s, store, case_id, a, violation_code="ghost_bed", description="挂床住院3人次",
                    amount_fen=12_345_600, responsible=[Responsible("钱某", "doctor", "骨科")],
                    evidence_ids=[signed, refused])
        acknowledge_flags(s, store, case_id, b)
        codes = missing_codes(procedure.closing_status(s, case_id))
        assert codes == [f"closing.print.{f}" for f in ("onsite-record", "evidence-list", "interview", "sealing")]
        for form in ("onsite-record", "evidence-list", "interview", "sealing"):
            record_print(s, store, case_id, a, form, SHA)
        assert procedure.closing_status(s, case_id, unlocked=store.unlocked_inspectors()).done
        closed = close_case(s, store, case_id, [a, b])
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and (case.status, case.closed) == ("closed", closed)
        last = journal.latest_checkpoint(s, case_id)
        assert last is not None and b'"step":"closing"' in last.body and last.size == journal.size(s, case_id)
        assert s.scalars(select(Checkpoint).where(Checkpoint.log_id == case_id)).all()[-1].size == last.size
    assert events(store, case_id)[-2:] == ["case.closed", "case.closed.confirmed"]
    with store.transaction() as s:
        entry = s.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)).first()
        assert entry is not None
        refusals = [
            lambda: steps.set_checklist_finding(s, store, case_id, a, entry.id, finding="na"),
            lambda: steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, served_on=date(2026, 3, 1)),
            lambda: add_finding(s, store, case_id, a, violation_code="overcharging", description="x",
                                amount_fen=1, responsible=[Responsible("x", "other")]),
            lambda: procedure.complete_step(s, store, case_id, a, "checklist"),
            lambda: close_case(s, store, case_id, [a, b]),
        ]
        for attempt in refusals:
            with pytest.raises(PermissionRefused) as exc:
                attempt()
            assert exc.value.message_zh == "已结案，只能以更正方式补充。"
        record_print(s, store, case_id, a, "result-notice", SHA)  # a reprint stays possible
        assert m.kind == "sealing"
    with pytest.raises(PermissionRefused):
        _capture(store, case_id, "结案后补充")  # the evidence layer refuses too, except corrections
    report = check_store(store, blobs=False)  # every step's journal entry and checkpoint verifies
    assert report.ok, report


def test_due_items_across_cases(store: Store) -> None:
    today = date(2026, 3, 12)
    planned, a, _ = make_case(store, planned="2026-03-20", name="待通知医院")
    busy, a2, _ = make_case(store, name="有期限医院")
    with store.transaction() as s:
        register_preservation(s, store, busy, a2, items=[MeasureItem("病历")], approved_by="张主任",
                              approved_on=date(2026, 3, 2), start_date=date(2026, 3, 2), storage_place="医保办",
                              reason="可能灭失", calendar=WEEKENDS)
        seal(s, store, busy, a2, items=[MeasureItem("账册")], approved_by="张主任", approved_on=AUDIT_DAY,
             start_date=AUDIT_DAY, reason="可能被隐匿", period_days=10)
        record_defence_notice(s, store, busy, a2, served_on=date(2026, 3, 12), calendar=WEEKENDS)
        mine = [i for i in procedure.due_items(s, today) if i.case_id in (planned, busy)]
        assert [(i.kind, i.due.isoformat(), i.days_left) for i in mine] == [
            ("preservation_decision", "2026-03-11", -1),  # 7 working days after Mon 2 March: overdue
            ("notice", "2026-03-17", 5),
            ("defence", "2026-03-19", 7),
            ("sealing", "2026-03-19", 7),  # 10 days counted from the day sealed (10 March): 19 March
        ]
        assert mine[0].overdue and not mine[1].overdue and mine[1].institution == "待通知医院"
        soon = [i for i in procedure.due_items(s, today, horizon_days=5) if i.case_id in (planned, busy)]
        assert [i.kind for i in soon] == ["preservation_decision", "notice"]
        with pytest.raises(PermissionRefused):  # silence is a waiver only once the 5 working days are over
            record_defence(s, store, busy, a2, on=date(2026, 3, 19), waived=True)
        record_defence(s, store, busy, a2, on=date(2026, 3, 16), summary="对金额有异议")
        steps.record_notice(s, store, planned, a, audit_date=date(2026, 3, 20), served_on=today)
        left = [i.kind for i in procedure.due_items(s, today) if i.case_id in (planned, busy)]
        assert left == ["preservation_decision", "sealing"]
