"""What is typed into a step page survives Esc, Ctrl+L, the idle lock and reopening: kept as a draft in the
encrypted store, not journaled, and ended when it is signed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.models.profile import Profile
from app.ui.main_window import PAGE_CASE, PAGE_HOME, PAGE_LOCK, MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services
from tests.ui.test_walkthrough import TIMEOUT, unlock
from tests.ui.walkthrough_helpers import fake_printer, make_case


@pytest.fixture
def win(qtbot, two_inspectors):
    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root),
                        printer=fake_printer)
    window = MainWindow(services, idle_ms=5 * 60_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    unlock(qtbot, window, two_inspectors.pass_a, two_inspectors.pass_b)
    yield window, case_id, two_inspectors
    if window.is_unlocked():
        window.lock_now()
    window.services.store_pool.waitForDone(10_000)
    window.close()


def _open_from_home(qtbot, window: MainWindow) -> None:
    home = window.home_page
    qtbot.waitUntil(lambda: home.model.rowCount() == 1, timeout=TIMEOUT)
    home.table.selectRow(0)
    qtbot.mouseClick(home.open_button, Qt.MouseButton.LeftButton)
    assert window.current_page_name() == PAGE_CASE


def _interview_back(qtbot, window: MainWindow, name: str, question: str) -> None:
    """The case page comes back on the interview step with the typed name and question."""
    qtbot.waitUntil(lambda: window.case_page is not None and window.case_page.drafts.loaded(), timeout=TIMEOUT)
    case = window.case_page
    qtbot.waitUntil(lambda: case.current_step() == "interview", timeout=TIMEOUT)
    page = case.page("interview")
    qtbot.waitUntil(lambda: page.fields["name"].text() == name, timeout=TIMEOUT)
    item = page.qa.item(0, 0)
    assert item is not None and item.text() == question


def _relock(qtbot, window: MainWindow, profile, lock) -> None:
    lock()
    assert window.current_page_name() == PAGE_LOCK
    qtbot.waitUntil(lambda: not window.services.unlock.is_open(), timeout=TIMEOUT)
    qtbot.mouseClick(window.lock_page.unlock_button, Qt.MouseButton.LeftButton)
    # the window resumes the case and step it was locked on (passing by home only for a moment)
    unlock(qtbot, window, profile.pass_a, profile.pass_b, land=PAGE_CASE)


def test_typing_survives_esc_ctrl_l_and_the_idle_lock(qtbot, win):
    window, case_id, profile = win
    _open_from_home(qtbot, window)
    case = window.case_page
    qtbot.waitUntil(case.drafts.loaded, timeout=TIMEOUT)
    case.show_step("interview")
    page = case.page("interview")
    page.fields["name"].setFocus()
    qtbot.keyClicks(page.fields["name"], "Sun")
    page.qa.item(0, 0).setText("你在医保办工作多久了？")

    # Esc while an input method is composing belongs to the input method: the page stays
    composing = QInputMethodEvent("zhong", [])
    QApplication.sendEvent(page.fields["name"], composing)
    qtbot.keyClick(page.fields["name"], Qt.Key.Key_Escape)
    assert window.current_page_name() == PAGE_CASE
    commit = QInputMethodEvent()
    commit.setCommitString("中")
    QApplication.sendEvent(page.fields["name"], commit)
    assert page.fields["name"].text() == "Sun中"

    # 1. Esc leaves the case; opening it again brings back the step and what was typed
    qtbot.keyClick(page.fields["name"], Qt.Key.Key_Escape)
    assert window.current_page_name() == PAGE_HOME
    _open_from_home(qtbot, window)
    _interview_back(qtbot, window, "Sun中", "你在医保办工作多久了？")

    # 2. Ctrl+L right after typing (before the debounced save): the unlock comes back to the same place
    page = window.case_page.page("interview")
    page.fields["name"].setFocus()
    qtbot.keyClicks(page.fields["name"], "1")
    assert window.case_page.drafts.dirty()
    _relock(qtbot, window, profile, lambda: qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier))
    _interview_back(qtbot, window, "Sun中1", "你在医保办工作多久了？")

    # 3. the idle lock, on an injected clock: no waiting on the wall clock
    now = [1000.0]
    window.idle.set_clock(lambda: now[0])
    page = window.case_page.page("interview")
    page.fields["name"].setFocus()
    qtbot.keyClicks(page.fields["name"], "2")
    now[0] += 4 * 60  # four minutes: not idle yet
    window.idle.check()
    assert window.is_unlocked()
    now[0] += 61
    _relock(qtbot, window, profile, window.idle.check)
    _interview_back(qtbot, window, "Sun中12", "你在医保办工作多久了？")

    # a draft is not evidence: nothing of it reached the journal
    window.lock_now()
    qtbot.waitUntil(lambda: not window.services.unlock.is_open(), timeout=TIMEOUT)
    from sqlalchemy import select

    from app.models.schema import Draft, Payload

    with Profile.open(profile.root).unlock(profile.pass_a) as store, store.session() as s:
        assert [d.page for d in s.scalars(select(Draft).where(Draft.case_id == case_id))] == ["interview"]
        assert not any("Sun中12".encode() in p.body for p in s.scalars(select(Payload)))


def test_a_signed_record_ends_its_draft(qtbot, win):
    window, case_id, profile = win
    _open_from_home(qtbot, window)
    case = window.case_page
    qtbot.waitUntil(case.drafts.loaded, timeout=TIMEOUT)
    case.show_step("onsite")
    page = case.page("onsite")
    page.findings.setPlainText("三病区 12 床无患者在床。")
    with qtbot.waitSignal(case.drafts.saved, timeout=TIMEOUT):
        case.drafts.flush()
    loads = case.loads
    page.sign_record()
    qtbot.waitUntil(lambda: case.loads > loads and window.workspace.idle(), timeout=TIMEOUT)
    assert case.snap is not None and case.snap.current_records("onsite")
    qtbot.waitUntil(window.workspace.idle, timeout=TIMEOUT)
    window.lock_now()
    qtbot.waitUntil(lambda: not window.services.unlock.is_open(), timeout=TIMEOUT)
    from sqlalchemy import select

    from app.models.schema import Draft

    with Profile.open(profile.root).unlock(profile.pass_a) as store, store.session() as s:
        assert list(s.scalars(select(Draft.page).where(Draft.case_id == case_id))) == []
