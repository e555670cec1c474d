"""Amounts typed into the findings page (问题清单) by a stranger: the amount is parsed as the inspector types, so
whatever the field can hold must come back as a refusal with a reason, never an exception out of a Qt slot."""

from __future__ import annotations

import pytest

from tests.ui.walkthrough_helpers import error_boxes

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.mark.parametrize("typed", ["Inf", "-Infinity", "sNaN", "NaN", "1e30", "99999999999999999999", "-5"])
def test_an_absurd_amount_is_refused_inline_and_nothing_typed_is_lost(gui_window, typed: str) -> None:
    """"Inf" (typed on the way to "Information"), "sNaN" or "1e30" in 涉及金额: Decimal parsed them, and int()
    of an infinity raised OverflowError inside the textChanged slot (a crash report); "1e30" went on towards an
    INTEGER column that holds at most 9.2e18; a negative amount got no word until the store refused it in fen."""
    d = gui_window
    page = d.page("findings")
    page.description.setPlainText("挂床住院 3 人次")
    page.person.setText("钱医生")
    for i in range(1, len(typed) + 1):  # as typed, one character at a time
        page.amount.setText(typed[:i])
    assert page.amount_flags.text(), typed
    assert "金额" in page.amount_flags.text()
    loads = d.case.loads
    d.click(page.add_button)
    d.qtbot.wait(50)
    assert not error_boxes()
    assert d.case.snap.findings == [] and d.case.loads == loads
    assert page.description.toPlainText() == "挂床住院 3 人次" and page.amount.text() == typed
