"""Mutable case fields on a real encrypted store: set_case_field journals ``case.field_changed``, refuses what it
must (closed case, status/step, procedure-owned fields, bad values), and the exported package verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import PermissionRefused, UserError
from app.evidence.canonical import canonical_sha256
from app.evidence.package import export_case
from app.evidence.provider import record_refusal
from app.evidence.records import sign_record
from app.models.profile import Store
from app.models.schema import Case, JournalLeaf, Payload
from app.sync import protocol
from app.workflow import case_fields, steps
from app.workflow.case_fields import EDITABLE_FIELDS, MUTABLE_FIELDS, PROCEDURE_FIELDS, set_case_field
from app.workflow.steps_base import InvalidInput
from app.workflow.steps_closing import close_case, record_print
from tests.workflow.test_steps import (
    AUDIT_DAY,
    do_arrival,
    do_checklist,
    do_recusal,
    events,
    make_case,
    store_fixture,  # noqa: F401  (the module-scoped 'store' fixture)
)

REPO = Path(__file__).resolve().parents[2]


def field_changes(store: Store, case_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(actor, payload) of every case.field_changed entry of the case, in journal order."""
    out = []
    with store.session() as s:
        for row in s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id,
                                                       JournalLeaf.type == "case.field_changed")
                             .order_by(JournalLeaf.seq)):
            entry = json.loads(row.leaf)["entry"]
            payload = s.get(Payload, row.payload_sha256)
            assert payload is not None and canonical_sha256(json.loads(payload.body)) == row.payload_sha256
            out.append((entry["actor"], json.loads(payload.body)))
    return out


def closed_case(store: Store) -> tuple[str, str, str]:
    """The shortest real path to a closed case: arrival, recusal, checklist, an on-site record refused, printed."""
    case_id, a, b = make_case(store, checklist=1)
    do_arrival(store, case_id, a, b)
    do_recusal(store, case_id, a, b)
    do_checklist(store, case_id, a)
    onsite = sign_record(store, case_id, "onsite", {"findings_text": "未见异常。"})
    record_refusal(store, case_id, onsite, "负责人拒绝签字")
    with store.transaction() as s:
        record_print(s, store, case_id, a, "onsite-record", "ab" * 32)
        close_case(s, store, case_id, [a, b])
    return case_id, a, b


def test_the_type_is_the_protocols() -> None:
    assert case_fields.FIELD_CHANGE_TYPE == protocol.FIELD_CHANGE_TYPE
    assert set(EDITABLE_FIELDS) | set(PROCEDURE_FIELDS) == set(MUTABLE_FIELDS)
    assert not {"status", "step", "closed", "kind", "form", "institution_id", "data"} & set(MUTABLE_FIELDS)


def test_edit_updates_the_row_and_journals_old_and_new(store: Store) -> None:
    case_id, a, b = make_case(store)
    with store.transaction() as s:
        assert set_case_field(s, store, case_id, a, "title", "  某医院2026年专项稽核 ") is True
        assert set_case_field(s, store, case_id, b, "place", "住院部三楼") is True
        assert set_case_field(s, store, case_id, a, "planned_date", date(2026, 3, 12), today=date(2026, 3, 1)) is True
        assert set_case_field(s, store, case_id, a, "period_from", "2024-07-01") is True
        assert set_case_field(s, store, case_id, a, "period_to", "2025-06-30") is True
        # the same value again changes nothing and is not journaled
        assert set_case_field(s, store, case_id, a, "title", "某医院2026年专项稽核") is False
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert (case.title, case.place, case.planned_date) == ("某医院2026年专项稽核", "住院部三楼", "2026-03-12")
    assert field_changes(store, case_id) == [
        (a, {"case": case_id, "field": "title", "old": "", "new": "某医院2026年专项稽核"}),
        (b, {"case": case_id, "field": "place", "old": "", "new": "住院部三楼"}),
        (a, {"case": case_id, "field": "planned_date", "old": "2026-03-10", "new": "2026-03-12"}),
        (a, {"case": case_id, "field": "period_from", "old": "2025-01-01", "new": "2024-07-01"}),
        (a, {"case": case_id, "field": "period_to", "old": "2025-12-31", "new": "2025-06-30"}),
    ]
    with store.transaction() as s:
        set_case_field(s, store, case_id, b, "title", "某医院2026年专项稽核（更正）")
    assert field_changes(store, case_id)[-1][1] == {"case": case_id, "field": "title",
                                                    "old": "某医院2026年专项稽核", "new": "某医院2026年专项稽核（更正）"}


@pytest.mark.parametrize(("field", "value", "code"), [
    ("planned_date", "2026-02-30", "invalid.date"),
    ("planned_date", "12 March", "invalid.date"),
    ("title", 42, "invalid.type"),
    ("title", "长" * 301, "invalid.length"),
    ("period_to", "2024-12-31", "invalid.period"),  # before period_from
    ("no_such_field", "x", "invalid.field"),
])
def test_invalid_values_are_refused_and_nothing_is_written(store: Store, field: str, value: object,
                                                           code: str) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s:
        set_case_field(s, store, case_id, a, "period_from", "2025-01-01")
    before = events(store, case_id)
    with store.transaction() as s, pytest.raises(InvalidInput) as exc:
        set_case_field(s, store, case_id, a, field, value)
    assert exc.value.code == code and exc.value.field == field
    assert exc.value.message_zh and exc.value.message_en
    assert events(store, case_id) == before
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and (case.planned_date, case.title, case.period_to) == ("2026-03-10", "", "2025-12-31")


@pytest.mark.parametrize("planned", [date(2025, 2, 27), date(2027, 3, 3), date(2031, 3, 1)])
def test_a_planned_date_edited_later_keeps_the_new_audit_window(store: Store, planned: date) -> None:
    """A new audit refuses a planned date more than a year from the laptop's date (a slip of the year, or a clock
    set wrong); the same date typed later on the arrival page was taken. Now the edit gets the same refusal."""
    from app.workflow.new_audit import start_audit

    today = date(2026, 3, 1)
    case_id, a, _ = make_case(store)
    before = events(store, case_id)
    with store.transaction() as s, pytest.raises(InvalidInput) as edited:
        set_case_field(s, store, case_id, a, "planned_date", planned.isoformat(), today=today)
    assert edited.value.code == "invalid.planned_date" and edited.value.field == "planned_date"
    assert "相差一年以上" in edited.value.message_zh and "more than a year" in edited.value.message_en
    assert events(store, case_id) == before
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.planned_date == "2026-03-10"
    # the new-audit form refuses the same date with the same words
    from tests.workflow.test_new_audit import spec

    new = spec(store, period_from=f"{planned.year - 1}-01-01", period_to=f"{planned.year - 1}-12-31",
               planned_date=planned.isoformat(), notice_served_on=(planned - timedelta(days=5)).isoformat())
    with store.transaction() as s, pytest.raises(InvalidInput) as created:
        start_audit(s, store, a, new, today=today)
    assert (created.value.message_zh, created.value.message_en) == (edited.value.message_zh,
                                                                     edited.value.message_en)
    # within the year: taken
    with store.transaction() as s:
        assert set_case_field(s, store, case_id, a, "planned_date", "2027-02-28", today=today) is True


@pytest.mark.parametrize("field", ["status", "step", "closed", "inspectors", "kind", "form", "institution_id"])
def test_procedure_state_and_identity_are_not_fields(store: Store, field: str) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
        set_case_field(s, store, case_id, a, field, "closed")
    assert exc.value.code == "field.not_mutable"
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.status == "assigned"


def test_notice_fields_only_through_the_notice_step(store: Store) -> None:
    case_id, a, b = make_case(store)
    for field, value in (("notice_served_on", "2026-03-09"), ("unannounced", True), ("unannounced_reason", "x")):
        with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
            set_case_field(s, store, case_id, a, field, value)
        assert exc.value.code == "field.procedure"
    # record_notice checks the 3-day rule, then changes them through set_case_field
    with store.transaction() as s:
        steps.record_notice(s, store, case_id, a, audit_date=AUDIT_DAY, served_on=date(2026, 3, 7))
    assert events(store, case_id)[1:] == ["case.field_changed", "arrival.notice"]
    assert field_changes(store, case_id) == [
        (a, {"case": case_id, "field": "notice_served_on", "old": None, "new": "2026-03-07"})]
    # recorded again as unannounced: three fields change, the arrival.notice payload keeps its shape
    with store.transaction() as s:
        steps.record_notice(s, store, case_id, b, audit_date=AUDIT_DAY, unannounced=True,
                            unannounced_reason="举报线索紧急，事先通知可能导致证据灭失")
    assert [p for _, p in field_changes(store, case_id)[1:]] == [
        {"case": case_id, "field": "unannounced", "old": False, "new": True},
        {"case": case_id, "field": "unannounced_reason", "old": "", "new": "举报线索紧急，事先通知可能导致证据灭失"},
        {"case": case_id, "field": "notice_served_on", "old": "2026-03-07", "new": None},
    ]
    with store.session() as s:
        row = s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id, JournalLeaf.type == "arrival.notice")
                        .order_by(JournalLeaf.seq.desc())).first()
        assert row is not None
        payload = s.get(Payload, row.payload_sha256)
        assert payload is not None
        assert set(json.loads(payload.body)) == {"case", "audit_date", "served_on", "unannounced", "reason", "recorded"}


def test_only_an_assigned_unlocked_inspector_edits(store: Store) -> None:
    case_id, a, _ = make_case(store)
    with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
        set_case_field(s, store, case_id, "not-an-inspector", "title", "x")
    assert exc.value.code == "not_assigned"
    with store.transaction() as s, pytest.raises(UserError):
        set_case_field(s, store, "no-such-case", a, "title", "x")


def test_closed_case_refuses_field_changes(store: Store) -> None:
    case_id, _, b = closed_case(store)
    before = events(store, case_id)
    for field, value in (("title", "结案后改名"), ("place", "别处"), ("planned_date", "2026-04-01")):
        with store.transaction() as s, pytest.raises(PermissionRefused) as exc:
            set_case_field(s, store, case_id, b, field, value)
        assert exc.value.code == "case_closed"
        assert exc.value.message_zh == "已结案，只能以更正方式补充。"
        assert "closed" in exc.value.message_en
    assert events(store, case_id) == before
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.status == "closed" and case.title == ""


def test_package_with_field_changes_verifies(store: Store, tmp_path: Path) -> None:
    case_id, a, b = make_case(store, checklist=1)
    with store.transaction() as s:
        set_case_field(s, store, case_id, a, "title", "某医院专项稽核")
        set_case_field(s, store, case_id, b, "place", "门诊楼二楼收费处")
        set_case_field(s, store, case_id, a, "matters", "门诊收费、处方管理")
    do_arrival(store, case_id, a, b)  # the notice date: another field change
    with store.transaction() as s:
        set_case_field(s, store, case_id, b, "doc_no", "稽通〔2026〕7号")
    assert len(field_changes(store, case_id)) == 5
    out = tmp_path / "case.fapkg"
    export_case(store, case_id, out)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(out)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # and so does the closed case's package (its notice date was a field change too)
    closed_id, _, _ = closed_case(store)
    assert [p["field"] for _, p in field_changes(store, closed_id)] == ["notice_served_on"]
    export_case(store, closed_id, tmp_path / "closed.fapkg")
    done = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(tmp_path / "closed.fapkg")], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("typed", "zh", "en"), [
    ("[2026]21号", "", ""),
    ("〔2026〕0号", "序号应大于0", "serial above 0"),
    ("〔1066〕3号", "年份应在1990年至2100年之间", "year between 1990 and 2100"),
    ("某医保稽通2026-21", "应写明年份和序号", "give the year in 〔 〕 and the serial"),
])
def test_a_doc_no_refusal_says_which_part_is_wrong(typed: str, zh: str, en: str) -> None:
    """〔2026〕0号 names its year and a serial: the refusal says the serial is 0, not that either is missing."""
    if not zh:
        assert case_fields.check_field_value("doc_no", typed) == "〔2026〕21号"
        return
    with pytest.raises(InvalidInput) as refused:
        case_fields.check_field_value("doc_no", typed)
    assert zh in refused.value.message_zh
    assert en in refused.value.message_en and "e.g. 某医保稽通〔2026〕21号" in refused.value.message_en
