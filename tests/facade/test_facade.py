"""The facade on a real encrypted store: each operation is one transaction, the read models are plain data, and
every step action a page names exists (a typo would otherwise fail only when the button is pressed)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from app.errors import FieldAuditError
from app.facade import audits, home, steps, sync
from app.facade.case_view import load_snapshot
from app.models.profile import Store
from app.workflow.cases import ChecklistItemSpec
from app.workflow.new_audit import NewAudit
from tests.workflow.test_steps import AUDIT_DAY, make_case, store_fixture  # noqa: F401  (the module's store)

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_step_action_the_pages_name_exists() -> None:
    named = []
    for path in (ROOT / "app" / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "step_action":
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path.name}:{node.lineno} names its action by a constant"
                named.append(first.value)
    assert len(named) >= 15
    assert sorted(set(named) - set(steps.STEP_ACTIONS)) == []


def test_a_step_action_is_one_transaction_and_returns_plain_data(store: Store) -> None:
    case_id, a, _b = make_case(store)
    result = steps.step_action("record_notice", case_id, a, audit_date=AUDIT_DAY, served_on=date(2026, 3, 7))(store)
    assert result is None or isinstance(result, str | int | dict | list)
    assert load_snapshot(store, case_id).notice_served_on == "2026-03-07"
    with pytest.raises(KeyError):
        steps.step_action("no_such_step", case_id, a)


def test_saving_case_fields_is_all_or_nothing(store: Store) -> None:
    case_id, a, _b = make_case(store)
    before = load_snapshot(store, case_id)
    with pytest.raises(FieldAuditError):
        steps.save_case_fields(store, case_id, a, {"title": "新的标题", "planned_date": "不是日期"})
    after = load_snapshot(store, case_id)
    assert (after.title, after.planned_date) == (before.title, before.planned_date)
    assert steps.save_case_fields(store, case_id, a, {"title": "新的标题"}) == 1
    assert load_snapshot(store, case_id).title == "新的标题"


def test_home_lists_the_cases_with_what_is_due_and_the_sync_state(store: Store) -> None:
    case_id, _a, _b = make_case(store, name="某虚构门诊部")
    data = home.load_home(store, today=date(2026, 3, 1))
    row = next(r for r in data.cases if r.case_id == case_id)
    assert row.institution == "某虚构门诊部" and row.planned_date == "2026-03-10"
    assert data.sync == sync.load_sync_status(store)
    assert not data.sync.registered and data.sync.pending_cases >= 1
    assert sync.case_labels(store)[case_id].endswith("某虚构门诊部")


def test_the_archive_address_and_the_last_sync_are_kept(store: Store) -> None:
    sync.remember_archive(store, "http://127.0.0.1:9")
    assert sync.load_sync_status(store).url == "http://127.0.0.1:9"
    sync.remember_archive(store, "http://127.0.0.1:8", {"url": "http://127.0.0.1:8", "accepted": 2})
    status = sync.load_sync_status(store)
    assert status.url == "http://127.0.0.1:8"
    assert status.last["accepted"] == 2 and status.last["time"]


def test_a_new_audit_from_the_choices(store: Store) -> None:
    choices = audits.load_choices(store)
    ids = [iid for iid, _name, _cred in choices.inspectors]
    assert sorted(ids) == sorted(store.unlocked_inspectors()[:2])
    inst = next(c for c in choices.institutions if c.id)
    case_id = audits.create_audit(store, ids[0], NewAudit(kind="routine", inspector_ids=ids, institution_id=inst.id,
                                                          planned_date=date.today().isoformat(), title="门面测试",
                                                          period_from="2025-01-01", period_to="2025-12-31",
                                                          checklist=[ChecklistItemSpec("i1", "检查项", "打击欺诈骗保",
                                                                                       ["要求"])]))
    assert load_snapshot(store, case_id).title == "门面测试"
