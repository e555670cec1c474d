"""Findings are edited and withdrawn until the case is closed, and corrected after it (a new signed journal entry
pointing at the finding), through the findings page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.profile import Profile
from app.models.schema import Case, JournalLeaf
from tests.ui.test_walkthrough import case_window
from tests.ui.walkthrough_helpers import make_case


def _fill(page, description: str, amount: str) -> None:
    page.description.setPlainText(description)
    page.amount.setText(amount)
    page.person.setText("钱医生")


@pytest.fixture
def driver(qtbot, two_inspectors):
    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    d = case_window(qtbot, two_inspectors, case_id)
    yield d, case_id, two_inspectors
    d.win.lock_now()
    d.win.services.store_pool.waitForDone(10_000)
    d.win.close()


def test_a_finding_is_edited_then_withdrawn_before_closing(driver):
    d, _case_id, _profile = driver
    page = d.page("findings")
    _fill(page, "挂床住院 3 人次", "1200.50")
    d.do(lambda: d.click(page.add_button))
    assert [f["amount_fen"] for f in d.case.snap.findings] == [120050]
    page.list.setCurrentRow(0)
    d.click(page.edit_button)
    assert page.editing_id == d.case.snap.findings[0]["id"]
    assert page.description.toPlainText() == "挂床住院 3 人次" and page.amount.text() == "1200.50"
    page.amount.setText("2400.00")
    d.do(lambda: d.click(page.add_button))
    assert [f["amount_fen"] for f in d.case.snap.findings] == [240000]  # the same finding, changed
    assert page.editing_id is None and page.description.toPlainText() == ""
    page.list.setCurrentRow(0)
    d.click(page.withdraw_button)  # no reason: refused inline, nothing happens
    assert page.edit_state.text() and d.case.snap.findings
    page.reason.setText("经核实为正常住院")
    d.do(lambda: d.click(page.withdraw_button))
    assert d.case.snap.findings == []


def test_after_closing_a_finding_is_corrected_by_a_signed_entry(qtbot, two_inspectors):
    from app.workflow import steps_findings as sf

    root, a, b = two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b
    case_id = make_case(root, a, b)
    with Profile.open(root).unlock(a) as store:
        store.unlock_inspector(b)
        actor = store.unlocked_inspectors()[0]
        with store.transaction() as s:
            fid = sf.add_finding(s, store, case_id, actor, violation_code=_first_violation(),
                                 description="串换药品", amount_fen=50_000,
                                 responsible=[sf.Responsible("孙药师", "pharmacist")]).id
            s.get(Case, case_id).status = "closed"  # as closing leaves it (closing itself is the walk-through's)
    d = case_window(qtbot, two_inspectors, case_id)
    try:
        page = d.page("findings")
        assert not page.add_button.isEnabled() and not page.withdraw_button.isEnabled()
        page.list.setCurrentRow(0)
        assert page.edit_button.isEnabled()
        d.click(page.edit_button)
        assert page.add_button.isEnabled()
        page.amount.setText("600.00")
        box = d.do(lambda: d.click(page.add_button), expect_error=True)  # a correction needs its reason
        assert "理由" in d.dismiss(box)
        page.reason.setText("金额按复核单据更正")
        d.do(lambda: d.click(page.add_button))
        assert [(f["id"], f["amount_fen"]) for f in d.case.snap.findings] == [(fid, 60_000)]
    finally:
        d.win.lock_now()
        d.win.services.store_pool.waitForDone(10_000)
        d.win.close()
    with Profile.open(root).unlock(a) as store, store.session() as s:
        types = [leaf.type for leaf in s.scalars(select(JournalLeaf).order_by(JournalLeaf.seq))]
    assert types[-1] == "finding.corrected" and "finding.added" in types


def _first_violation() -> str:
    from app.workflow.reference_entries import violation_types

    return violation_types()[0].code
