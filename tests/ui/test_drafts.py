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


def test_a_crash_keeps_what_was_typed(qtbot, two_inspectors, tmp_path):
    """The app types into a case in a child process that is then killed with SIGKILL (no Esc, no lock, no quit:
    nothing flushes); the profile opened again brings back the same case, step and text."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    passfile = tmp_path / "secrets.txt"  # the throwaway passphrases of this test profile
    passfile.write_text(f"{two_inspectors.pass_a}\n{two_inspectors.pass_b}\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root), FIELDAUDIT_TEST_PASSFILE=str(passfile))
    child = subprocess.Popen([sys.executable, "-m", "tests.ui.draft_crash", str(two_inspectors.root), case_id,
                              "Sun 孙演示"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child has typed and its draft reached the store
        assert line.strip() == "typed", child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()

    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root),
                        printer=fake_printer)
    window = MainWindow(services, idle_ms=5 * 60_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        # the unlock resumes the case and step the killed app was on, with the text typed there
        unlock(qtbot, window, two_inspectors.pass_a, two_inspectors.pass_b, land=PAGE_CASE)
        qtbot.waitUntil(lambda: window.case_page is not None and window.case_page.drafts.loaded(), timeout=TIMEOUT)
        case = window.case_page
        assert case.case_id == case_id
        qtbot.waitUntil(lambda: case.current_step() == "interview", timeout=TIMEOUT)
        qtbot.waitUntil(lambda: case.page("interview").fields["name"].text() == "Sun 孙演示", timeout=TIMEOUT)
    finally:
        if window.is_unlocked():
            window.lock_now()
        window.services.store_pool.waitForDone(10_000)
        window.close()


def _add_photos(profile, case_id: str, n: int) -> None:
    from app.evidence.capture import CaptureMeta, CaptureSource
    from app.evidence.capture_batch import capture_batch
    from tests.ui.walkthrough_helpers import photo

    with Profile.open(profile.root).unlock(profile.pass_a) as store:
        store.unlock_inspector(profile.pass_b)
        results = capture_batch(store, case_id, [
            (CaptureSource(f"IMG_{k}.JPG", data=photo(k)),
             CaptureMeta(kind="audiovisual", measure="onsite_inspection", title=f"现场照片 {k + 1}",
                         source="住院三病区", place="某市某区测试路 1 号")) for k in range(n)])
    assert not [r for r in results if isinstance(r, Exception)]


def _ticks(widget) -> list[bool]:
    return [widget.item(i).checkState() == Qt.CheckState.Checked for i in range(widget.count())]


def test_ticks_and_recusal_rows_are_kept(qtbot, two_inspectors):
    """Checkable lists (the on-site record's attachments, a finding's evidence) and the rows built per inspector
    (the recusal declarations) are kept like typed text: through a reload of the case and through a lock."""
    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    _add_photos(two_inspectors, case_id, 2)
    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root),
                        printer=fake_printer)
    window = MainWindow(services, idle_ms=5 * 60_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        unlock(qtbot, window, two_inspectors.pass_a, two_inspectors.pass_b)
        _open_from_home(qtbot, window)
        case = window.case_page
        qtbot.waitUntil(lambda: case.snap is not None and case.drafts.loaded(), timeout=TIMEOUT)

        onsite = case.page("onsite")
        qtbot.waitUntil(lambda: onsite.attachments.count() == 2, timeout=TIMEOUT)
        assert _ticks(onsite.attachments) == [True, True]
        onsite.attachments.item(0).setCheckState(Qt.CheckState.Unchecked)
        findings = case.page("findings")
        assert _ticks(findings.evidence) == [False, False]
        findings.evidence.item(1).setCheckState(Qt.CheckState.Checked)
        case.show_step("recusal")
        recusal = case.page("recusal")
        assert len(recusal.decl_rows) == 2
        first = next(iter(recusal.decl_rows))
        related, details, _state = recusal.decl_rows[first]
        related.setChecked(True)
        details.setText("表弟在该院药剂科工作")
        assert case.drafts.dirty()

        # a reload of the case (any action, a sync) refills the lists from the store: the ticks stay
        loads = case.loads
        case.reload()
        qtbot.waitUntil(lambda: case.loads > loads, timeout=TIMEOUT)
        assert _ticks(onsite.attachments) == [False, True]
        assert _ticks(findings.evidence) == [False, True]

        # Ctrl+L before the debounced save; the unlock brings back every tick and the declaration row
        _relock(qtbot, window, two_inspectors,
                lambda: qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier))
        qtbot.waitUntil(lambda: window.case_page is not None and window.case_page.drafts.loaded(), timeout=TIMEOUT)
        case = window.case_page
        qtbot.waitUntil(lambda: case.current_step() == "recusal", timeout=TIMEOUT)
        recusal = case.page("recusal")
        qtbot.waitUntil(lambda: first in recusal.decl_rows and recusal.decl_rows[first][1].text()
                        == "表弟在该院药剂科工作", timeout=TIMEOUT)
        assert recusal.decl_rows[first][0].isChecked()
        other = next(k for k in recusal.decl_rows if k != first)
        assert not recusal.decl_rows[other][0].isChecked() and recusal.decl_rows[other][1].text() == ""
        onsite, findings = case.page("onsite"), case.page("findings")
        qtbot.waitUntil(lambda: _ticks(onsite.attachments) == [False, True], timeout=TIMEOUT)
        qtbot.waitUntil(lambda: _ticks(findings.evidence) == [False, True], timeout=TIMEOUT)
    finally:
        if window.is_unlocked():
            window.lock_now()
        window.services.store_pool.waitForDone(10_000)
        window.close()


def test_unlock_goes_straight_to_the_resumed_case_and_step(qtbot, win):
    """After an unlock the list of audits flashed by before the window jumped to the case left open: every page
    the window's stack shows on the way is recorded, and the list is never one of them; the case page is shown
    already standing on the step it was left on."""
    window, case_id, profile = win
    _open_from_home(qtbot, window)
    case = window.case_page
    qtbot.waitUntil(case.drafts.loaded, timeout=TIMEOUT)
    case.show_step("interview")
    qtbot.waitUntil(window.workspace.idle, timeout=TIMEOUT)  # the place is remembered
    window.lock_now()
    qtbot.waitUntil(lambda: not window.services.unlock.is_open(), timeout=TIMEOUT)
    qtbot.mouseClick(window.lock_page.unlock_button, Qt.MouseButton.LeftButton)
    shown: list[tuple[str, str | None]] = []

    def record(_index: int) -> None:
        name = window.current_page_name()
        shown.append((name, window.case_page.current_step() if name == PAGE_CASE else None))

    window._stack.currentChanged.connect(record)
    unlock(qtbot, window, profile.pass_a, profile.pass_b, land=PAGE_CASE)
    qtbot.waitUntil(window.workspace.idle, timeout=TIMEOUT)
    window._stack.currentChanged.disconnect(record)
    assert shown == [(PAGE_CASE, "interview")], shown
    assert window.case_page.case_id == case_id and window.case_page.current_step() == "interview"
