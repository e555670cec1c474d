"""The procedure steps on a real encrypted store: arrival, recusal, checklist, measures, findings.

Helpers here are also used by test_procedure.py.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from app.errors import PermissionRefused, UserError
from app.models.profile import Profile, Store
from app.models.schema import Case, ChecklistEntry, Deadline, Inspector, JournalLeaf, Person
from app.models.validators import resident_id_check_char
from app.workflow import steps
from app.workflow.cases import CaseSpec, ChecklistItemSpec, add_institution, create_case
from app.workflow.steps_base import InvalidInput
from app.workflow.steps_findings import (
    Responsible,
    acknowledge_flags,
    add_finding,
    case_flags,
    update_finding,
)
from app.workflow.steps_measures import (
    MeasureItem,
    decide_preservation,
    extend_sealing,
    register_preservation,
    release_sealing,
    seal,
)
from app.workflow.work_calendar import WorkCalendar
from tests.conftest import TwoInspectorProfile

AUDIT_DAY = date(2026, 3, 10)  # a Tuesday
WEEKENDS = WorkCalendar()
ID_17 = "42010519800101123"
ID_NUMBER = ID_17 + resident_id_check_char(ID_17)
USCC = "12420100MB0123456C"


@pytest.fixture(scope="module", name="store")
def store_fixture(_template_profile: TwoInspectorProfile, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One unlocked store (both inspectors) for the tests of a module; each test works on its own new cases.
    Tests that lock an inspector use the function-scoped ``unlocked`` fixture instead."""
    root = tmp_path_factory.mktemp("steps") / "profile"
    shutil.copytree(_template_profile.root, root)
    st = Profile.open(root).unlock(_template_profile.pass_a)
    st.unlock_inspector(_template_profile.pass_b)
    yield st
    st.close()


def make_case(store: Store, *, planned: str = "2026-03-10", form: str = "onsite", checklist: int = 2,
              name: str = "某虚构医院") -> tuple[str, str, str]:
    """A case assigned to the two inspectors of the fixture; returns (case_id, inspector_a, inspector_b)."""
    a, b = store.unlocked_inspectors()[:2]
    with store.transaction() as s:
        inst = add_institution(s, name=name, kind="designated_hospital")
        items = [ChecklistItemSpec(f"item-{i}", f"检查项{i}", "打击欺诈骗保", ["要求"]) for i in range(checklist)]
        case = create_case(s, store, a, CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=[a, b],
                                                 form=form, planned_date=planned, checklist=items,
                                                 period_from="2025-01-01", period_to="2025-12-31",
                                                 doc_no="某医保稽通〔2026〕5号"))
        return case.id, a, b


def do_arrival(store: Store, case_id: str, a: str, b: str) -> None:
    with store.transaction() as s:
        steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, served_on=date(2026, 3, 7))
        steps.record_credentials_shown(s, store, case_id, a)
        steps.record_credentials_shown(s, store, case_id, b)
        steps.identify_representative(s, store, case_id, a, name="赵某", post="医保办主任", id_number=ID_NUMBER,
                                      phone="138 0013 8000", today=AUDIT_DAY)
        steps.record_rights_told(s, store, case_id, a, answer="清楚，不申请回避，会配合检查。")


def do_recusal(store: Store, case_id: str, a: str, b: str) -> None:
    with store.transaction() as s:
        steps.declare_recusal(s, store, case_id, a, related=False)
        steps.declare_recusal(s, store, case_id, b, related=False)


def do_checklist(store: Store, case_id: str, a: str) -> None:
    with store.transaction() as s:
        for e in s.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)):
            steps.set_checklist_finding(s, store, case_id, a, e.id, finding="compliant", note="")


def events(store: Store, case_id: str) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(JournalLeaf.type).where(JournalLeaf.log_id == case_id)
                              .order_by(JournalLeaf.seq)))


# ============================================================================================== arrival


def test_arrival_records_everything_and_activates_the_case(store: Store) -> None:
    case_id, a, b = make_case(store)
    with store.session() as s:
        st = steps.arrival_status(s, case_id)
        assert not st.done and len(st.missing) == 5  # notice, 2 × 亮证, representative, rights
    do_arrival(store, case_id, a, b)
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.status == "active"
        assert case.notice_served_on == "2026-03-07"
        assert steps.arrival_status(s, case_id).done
        person = s.scalars(select(Person).where(Person.id_number == ID_NUMBER)).one()
        assert (person.name, person.post, person.phone, person.sex) == ("赵某", "医保办主任", "138 0013 8000", "男")
    assert events(store, case_id)[1:] == [  # the service date is a field change (app/workflow/case_fields.py)
        "case.field_changed", "arrival.notice", "arrival.credentials_shown", "arrival.credentials_shown",
        "arrival.representative", "arrival.rights_told"]


NOTICE_CASES = [(date(2026, 3, 7), True), (date(2026, 3, 6), True), (date(2026, 3, 8), False),
                (date(2026, 3, 10), False), (date(2026, 3, 11), False), (None, False)]


def test_notice_must_be_served_three_days_ahead(store: Store) -> None:
    """Audit on the 10th: served on the 7th (3 days ahead) is the last good day."""
    for served, ok in NOTICE_CASES:
        case_id, a, _ = make_case(store, name=f"虚构医院{served}")
        with store.transaction() as s:
            if ok:
                steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, served_on=served)
            else:
                with pytest.raises(PermissionRefused) as exc:
                    steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, served_on=served)
                assert "《武汉市医疗保险稽核办法（试行）》第七条第（一）项" in exc.value.message_zh
                assert "Wuhan Audit Measures Art. 7(1)" in exc.value.message_en
        with store.session() as s:
            case = s.get(Case, case_id)
            assert case is not None
            assert ("notice" in steps.case_data(case).get("arrival", {})) is ok, served
            assert (case.status == "active") is ok


def test_unannounced_needs_a_reason_and_is_refused_for_written_audits(store: Store) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s:
        with pytest.raises(PermissionRefused):
            steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, unannounced=True,
                                unannounced_reason="  ")
        steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, unannounced=True,
                            unannounced_reason="举报线索，事先通知可能导致证据灭失")
        case = s.get(Case, case_id)
        assert case is not None and case.unannounced and case.notice_served_on is None
    written, a2, _ = make_case(store, form="written", name="另一虚构药店")
    with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
        steps.record_notice(s, store, written, a2, audit_date=AUDIT_DAY, unannounced=True,
                            unannounced_reason="特殊情况")
    assert "第八条" in exc.value.message_zh


def test_credentials_need_that_inspectors_own_passphrase(unlocked: Store) -> None:
    case_id, a, b = make_case(unlocked)
    unlocked.forget_signer(b)
    with unlocked.transaction() as s:
        steps.record_credentials_shown(s, unlocked, case_id, a)
        with pytest.raises(PermissionRefused) as exc:
            steps.record_credentials_shown(s, unlocked, case_id, b)
        assert "本人口令" in exc.value.message_zh
        missing = [m.code for m in steps.arrival_status(s, case_id).missing]
        assert f"arrival.credentials.{b}" in missing and f"arrival.credentials.{a}" not in missing


def test_representative_identity_and_phone_are_validated(store: Store) -> None:
    case_id, a, _ = make_case(store)
    bad_check = ID_17 + ("0" if ID_NUMBER[-1] != "0" else "1")
    with store.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            steps.identify_representative(s, store, case_id, a, name="赵某", post="主任", id_number=bad_check,
                                          phone="13800138000", today=AUDIT_DAY)
        assert exc.value.field == "id_number" and exc.value.position == 18 and "校验码" in exc.value.message_zh
        with pytest.raises(InvalidInput) as exc:
            steps.identify_representative(s, store, case_id, a, name="赵某", post="主任", id_number=ID_NUMBER,
                                          phone="1380013800", today=AUDIT_DAY)
        assert exc.value.field == "phone"
        with pytest.raises(InvalidInput):
            steps.identify_representative(s, store, case_id, a, name=" ", post="主任", id_number=ID_NUMBER,
                                          phone="13800138000", today=AUDIT_DAY)


def test_all_three_rights_must_be_told(store: Store) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s:
        with pytest.raises(PermissionRefused) as exc:
            steps.record_rights_told(s, store, case_id, a, answer="清楚", rights=("recusal", "cooperate"))
        assert "陈述、申辩" in exc.value.message_zh
        with pytest.raises(InvalidInput):
            steps.record_rights_told(s, store, case_id, a, answer="")


def test_an_inspector_not_assigned_is_refused(store: Store) -> None:
    case_id, _, _ = make_case(store)
    with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
        steps.record_notice(s, store, case_id, "not-an-inspector", audit_date=AUDIT_DAY,
                            served_on=date(2026, 3, 1))
    assert exc.value.code == "not_assigned"


# ============================================================================================== recusal


def test_recusal_declarations_requests_and_decisions(store: Store) -> None:
    case_id, a, b = make_case(store)
    with store.transaction() as s:
        steps.declare_recusal(s, store, case_id, a, related=False)
        assert not steps.recusal_status(s, case_id).done
        with pytest.raises(InvalidInput):
            steps.declare_recusal(s, store, case_id, b, related=True, details="")
        steps.declare_recusal(s, store, case_id, b, related=False)
        req = steps.request_recusal(s, store, case_id, a, target_inspector_id=b, form="oral",
                                    grounds="称该稽核人员与院长系同学")
        st = steps.recusal_status(s, case_id)
        assert st.done and [w.code for w in st.warnings] == [f"recusal.pending.{req}"]  # the audit goes on
        with pytest.raises(InvalidInput):
            steps.decide_recusal(s, store, case_id, a, req, decision="maybe", decided_by="张主任",
                                 decided_on=AUDIT_DAY)
        steps.decide_recusal(s, store, case_id, a, req, decision="granted", decided_by="张主任",
                             decided_on=AUDIT_DAY)
        st = steps.recusal_status(s, case_id)
        assert not st.done and st.missing[0].code == f"recusal.granted.{req}"
        with pytest.raises(PermissionRefused):
            steps.decide_recusal(s, store, case_id, a, req, decision="rejected", decided_by="张主任",
                                 decided_on=AUDIT_DAY)
        assert steps.recusal_requests(s, case_id)[0]["decided_by"] == "张主任"


def test_a_granted_recusal_needs_a_replacement_who_acts_in_person(store: Store) -> None:
    case_id, a, b = make_case(store)
    do_recusal(store, case_id, a, b)
    with store.transaction() as s:
        c = Inspector(id=str(uuid.uuid4()), name="周替补", credential_no="42010020260003", organisation="中心",
                      public_key=b"\x00" * 32, local=False, created="2026-03-10T00:00:00.000Z")
        s.add(c)
        s.flush()
        with pytest.raises(PermissionRefused):  # nobody is replaced without a granted recusal
            steps.replace_inspector(s, store, case_id, a, old_inspector_id=b, new_inspector_id=c.id,
                                    assigned_by="张主任")
        req = steps.request_recusal(s, store, case_id, a, target_inspector_id=b, form="written", grounds="亲属")
        steps.decide_recusal(s, store, case_id, a, req, decision="granted", decided_by="张主任",
                             decided_on=AUDIT_DAY)
        steps.replace_inspector(s, store, case_id, a, old_inspector_id=b, new_inspector_id=c.id,
                                assigned_by="张主任")
        assert steps.case_inspector_ids(s, case_id) == [a, c.id]
        assert [m.code for m in steps.recusal_status(s, case_id).missing] == [f"recusal.declaration.{c.id}"]
        assert f"arrival.credentials.{c.id}" in [m.code for m in steps.arrival_status(s, case_id).missing]
        with pytest.raises(PermissionRefused):  # the newcomer has not unlocked: nobody can show it for them
            steps.record_credentials_shown(s, store, case_id, c.id)
        with pytest.raises(PermissionRefused):  # the recused inspector no longer acts on the case
            steps.record_credentials_shown(s, store, case_id, b)


# ============================================================================================== checklist


def test_checklist_findings_with_notes(store: Store) -> None:
    case_id, a, _ = make_case(store, checklist=3)
    with store.transaction() as s:
        entries = list(s.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)
                                 .order_by(ChecklistEntry.position)))
        with pytest.raises(InvalidInput):
            steps.set_checklist_finding(s, store, case_id, a, entries[0].id, finding="noncompliant", note="")
        with pytest.raises(InvalidInput):
            steps.set_checklist_finding(s, store, case_id, a, entries[0].id, finding="ok")
        with pytest.raises(InvalidInput):
            steps.set_checklist_finding(s, store, case_id, a, entries[0].id, finding="na",
                                        evidence_ids=["no-such-item"])
        steps.set_checklist_finding(s, store, case_id, a, entries[0].id, finding="noncompliant",
                                    note="3床无患者，床头卡在")
        steps.set_checklist_finding(s, store, case_id, a, entries[1].id, finding="na")
        st = steps.checklist_status(s, case_id)
        assert not st.done and "1个检查项" in st.missing[0].message_zh
        steps.set_checklist_finding(s, store, case_id, a, entries[2].id, finding="compliant")
        assert steps.checklist_status(s, case_id).done
        rows = steps.checklist_entries(s, case_id)
        assert [r["finding"] for r in rows] == ["noncompliant", "na", "compliant"]


# ============================================================================================== measures


def test_preservation_needs_prior_approval_and_sets_a_seven_working_day_deadline(store: Store) -> None:
    case_id, a, _ = make_case(store)
    items = [MeasureItem("住院病历", "2026-0312", "1份")]
    with store.transaction() as s:
        with pytest.raises(PermissionRefused) as exc:
            register_preservation(s, store, case_id, a, items=items, approved_by="张主任",
                                  approved_on=date(2026, 3, 11), start_date=AUDIT_DAY, storage_place="医保办",
                                  reason="可能灭失", calendar=WEEKENDS)
        assert "第五十六条" in exc.value.message_zh
        with pytest.raises(InvalidInput):
            register_preservation(s, store, case_id, a, items=[], approved_by="张主任", approved_on=AUDIT_DAY,
                                  start_date=AUDIT_DAY, storage_place="医保办", reason="可能灭失", calendar=WEEKENDS)
        m = register_preservation(s, store, case_id, a, items=items, approved_by="张主任", approved_on=AUDIT_DAY,
                                  start_date=AUDIT_DAY, storage_place="医保办", reason="可能灭失", calendar=WEEKENDS)
        d = s.scalars(select(Deadline).where(Deadline.case_id == case_id)).one()
        assert (d.kind, d.due, d.done) == ("preservation_decision", "2026-03-19", None)  # Tue + 7 working days
        assert json.loads(m.items)[0]["name"] == "住院病历"
        decide_preservation(s, store, case_id, a, m.id, decision="copy", decided_on=date(2026, 3, 19))
        assert d.done == "2026-03-19"
        with pytest.raises(PermissionRefused):
            decide_preservation(s, store, case_id, a, m.id, decision="release", decided_on=date(2026, 3, 19))


def test_sealing_period_and_one_extension_only(store: Store) -> None:
    case_id, a, _ = make_case(store)
    items = [MeasureItem("处方底方", quantity="120张")]
    with store.transaction() as s:
        with pytest.raises(PermissionRefused):
            seal(s, store, case_id, a, items=items, approved_by="张主任", approved_on=AUDIT_DAY,
                 start_date=AUDIT_DAY, reason="可能被转移", period_days=31)
        with pytest.raises(PermissionRefused):  # approval the next day only in an emergency
            seal(s, store, case_id, a, items=items, approved_by="张主任", approved_on=date(2026, 3, 11),
                 start_date=AUDIT_DAY, reason="可能被转移")
        m = seal(s, store, case_id, a, items=items, approved_by="张主任", approved_on=date(2026, 3, 11),
                 start_date=AUDIT_DAY, reason="可能被转移", emergency=True)
        first = s.scalars(select(Deadline).where(Deadline.case_id == case_id)).one()
        # 30 days counted from the day the items were sealed (10 March is the first day)
        assert (first.kind, first.due) == ("sealing", "2026-04-08")
        with pytest.raises(PermissionRefused):  # approved after the period ended
            extend_sealing(s, store, case_id, a, m.id, days=30, approved_by="张主任",
                           approved_on=date(2026, 4, 9), reason="情况复杂")
        ext = extend_sealing(s, store, case_id, a, m.id, days=30, approved_by="张主任",
                             approved_on=date(2026, 4, 8), reason="情况复杂")
        assert ext.due == date(2026, 5, 8) and first.done is not None
        with pytest.raises(PermissionRefused) as exc:
            extend_sealing(s, store, case_id, a, m.id, days=10, approved_by="张主任",
                           approved_on=date(2026, 4, 20), reason="再延长")
        assert "只能延长一次" in exc.value.message_zh
        release_sealing(s, store, case_id, a, m.id, released_on=date(2026, 4, 30), decided_by="张主任",
                        reason="已核实")
        open_rows = s.scalars(select(Deadline).where(Deadline.case_id == case_id, Deadline.done.is_(None))).all()
        assert open_rows == []


def test_measures_only_in_the_departments_name_approved_by_its_head(store: Store) -> None:
    """封存 / 先行登记保存 approved by the 稽核中心's head, or on a case the 经办机构 runs, are refused with the
    article (行政强制法 Art. 17, 18; 行政处罚法 Art. 56; 条例 Art. 27)."""
    from app.workflow.steps_base import case_data, get_case, save_data

    case_id, a, _ = make_case(store)
    items = [MeasureItem("处方底方", quantity="120张")]
    with store.transaction() as s:
        with pytest.raises(PermissionRefused) as exc:
            seal(s, store, case_id, a, items=items, approved_by="稽核中心主任 刘某", approved_on=AUDIT_DAY,
                 start_date=AUDIT_DAY, reason="可能被转移")
        assert "第十八条" in exc.value.message_zh and "Administrative Coercion Law Art. 18" in exc.value.message_en
        with pytest.raises(PermissionRefused):
            register_preservation(s, store, case_id, a, items=items, approved_by="某市医疗保障基金稽核中心主任",
                                  approved_on=AUDIT_DAY, start_date=AUDIT_DAY, storage_place="医保办",
                                  reason="可能灭失", calendar=WEEKENDS)
        case = get_case(s, case_id)
        data = case_data(case)
        data.setdefault("documents", {})["track"] = "agency"
        save_data(case, data)
        with pytest.raises(PermissionRefused) as exc:
            seal(s, store, case_id, a, items=items, approved_by="局长 张某", approved_on=AUDIT_DAY,
                 start_date=AUDIT_DAY, reason="可能被转移")
        assert "无权封存" in exc.value.message_zh and "第十七条" in exc.value.message_zh


# ============================================================================================== findings


def test_findings_flags_at_the_thresholds(store: Store) -> None:
    case_id, a, _ = make_case(store)
    doctor = [Responsible("钱某某", "doctor", "骨科")]
    with store.transaction() as s:
        with pytest.raises(InvalidInput):
            add_finding(s, store, case_id, a, violation_code="no_such", description="x", amount_fen=1,
                        responsible=doctor)
        with pytest.raises(InvalidInput):
            add_finding(s, store, case_id, a, violation_code="ghost_bed", description="x", amount_fen=1,
                        responsible=[])
        with pytest.raises(InvalidInput):
            add_finding(s, store, case_id, a, violation_code="ghost_bed", description="x", amount_fen=-1,
                        responsible=doctor)
        f1 = add_finding(s, store, case_id, a, violation_code="ghost_bed", description="挂床住院3人次",
                         amount_fen=4_999_999, responsible=doctor)
        assert f1.basis  # defaults to the violation type's basis
        flags = case_flags(s, case_id)
        assert not flags.required and flags.total.amount_fen == 4_999_999
        update_finding(s, store, case_id, a, f1.id, amount_fen=5_000_000)
        flags = case_flags(s, case_id)
        assert flags.total.collective_decision.required and not flags.total.legal_review.required
        assert not flags.acknowledged
        acknowledge_flags(s, store, case_id, a)
        assert case_flags(s, case_id).acknowledged
        # a second finding: per finding below 100,000 but the case total reaches it; the old ack no longer covers
        f2 = add_finding(s, store, case_id, a, violation_code="overcharging", description="重复收费",
                         amount_fen=5_000_000, responsible=[Responsible("孙某", "pharmacist")])
        flags = case_flags(s, case_id)
        assert flags.total.legal_review.required and not flags.acknowledged
        assert not flags.per_finding[f2.id].legal_review.required
        assert flags.per_finding[f2.id].collective_decision.required


def test_errors_are_bilingual_user_errors(store: Store) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s, pytest.raises(UserError) as exc:
        steps.request_recusal(s, store, case_id, a, target_inspector_id="x", form="oral", grounds="g")
    assert exc.value.message_zh != exc.value.message_en and exc.value.message_en


def test_electronic_service_needs_consent_and_an_address_confirmation(store: Store) -> None:
    """行政处罚法 Art. 61 para. 2: 电子送达 only with the party's consent and a signed 送达地址确认书."""
    from datetime import datetime

    from app.workflow.printing_data import document_details, record_service

    case_id, a, _ = make_case(store)
    with store.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            record_service(s, store, case_id, a, document_form="sealing", document_number="", recipient="某医院",
                           place="医院", method="电子送达", served_at=datetime(2026, 3, 10, 11, 0), servers=["王", "李"])
        assert "第六十一条" in exc.value.message_zh
        record_service(s, store, case_id, a, document_form="sealing", document_number="", recipient="某医院",
                       place="医院", method="电子送达", served_at=datetime(2026, 3, 10, 11, 0), servers=["王", "李"],
                       consent="2026年3月10日签订送达地址确认书", address="yb@example.org", received_by="张某（医保办）")
        served = document_details(s, case_id)["service"]
        assert served[-1]["consent"] and served[-1]["received_by"] == "张某（医保办）"
