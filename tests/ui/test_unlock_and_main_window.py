from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from app.ui.main_window import PAGE_HOME, PAGE_LOCK, PAGE_UNLOCK, MainWindow
from app.ui.unlock import UnlockPage
from app.ui.wiring import NoStoreUnlockService, Services
from tests.ui.fakes import two_inspectors


def _services(tmp_path: Path, service=None) -> Services:
    return Services(profile_dir=tmp_path / "p1", unlock=service or two_inspectors(), store_pool=QThreadPool())


def _unlock_panel(qtbot, page: UnlockPage, slot: int, index: int, secret: str) -> None:
    panel = page.panels[slot]
    panel.chooser.setCurrentIndex(index)
    qtbot.keyClicks(panel.passphrase, secret)
    assert panel.unlock_button.isEnabled()
    qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(_services(tmp_path), idle_ms=60_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _unlock_both(qtbot, win: MainWindow) -> None:
    page = win.unlock_page
    _unlock_panel(qtbot, page, 0, 0, "zhang-secret")
    qtbot.waitUntil(lambda: page.panels[0].unlocked_as() is not None)
    with qtbot.waitSignal(win.unlocked) as blocker:
        _unlock_panel(qtbot, page, 1, 1, "li-secret")
    assert blocker.args == [[("i-zhang", "张伟"), ("i-li", "李娜")]]


def test_both_inspectors_unlock_to_home(qtbot, window: MainWindow):
    assert window.current_page_name() == PAGE_UNLOCK
    assert window.unlock_page.panels[0].name_label.text() == "张伟"
    assert window.unlock_page.panels[1].name_label.text() == "李娜"
    _unlock_both(qtbot, window)
    assert window.current_page_name() == PAGE_HOME
    assert window.team() == [("i-zhang", "张伟"), ("i-li", "李娜")]
    assert window.services.unlock.unlocked == {"i-zhang", "i-li"}
    # the passphrases are not kept in the widgets
    assert all(p.passphrase.text() == "" for p in window.unlock_page.panels)
    # unlocking ran on the store's pool, not the GUI thread
    assert "MainThread" not in window.services.unlock.threads


def test_one_inspector_is_not_enough(qtbot, window: MainWindow):
    page = window.unlock_page
    _unlock_panel(qtbot, page, 0, 0, "zhang-secret")
    qtbot.waitUntil(lambda: page.panels[0].unlocked_as() is not None)
    assert window.current_page_name() == PAGE_UNLOCK
    with pytest.raises(PermissionError):
        window.show_page(PAGE_HOME)


def test_same_inspector_cannot_unlock_twice(qtbot, window: MainWindow):
    page = window.unlock_page
    _unlock_panel(qtbot, page, 0, 0, "zhang-secret")
    qtbot.waitUntil(lambda: page.panels[0].unlocked_as() is not None)
    panel_b = page.panels[1]
    panel_b.chooser.setCurrentIndex(0)  # 张伟 again
    qtbot.keyClicks(panel_b.passphrase, "zhang-secret")
    assert not panel_b.unlock_button.isEnabled()
    panel_b.passphrase.returnPressed.emit()
    qtbot.wait(50)
    assert panel_b.unlocked_as() is None
    assert "另一" in panel_b.status.text()
    assert window.current_page_name() == PAGE_UNLOCK


def test_wrong_passphrase_shows_chinese_message(qtbot, window: MainWindow):
    page = window.unlock_page
    _unlock_panel(qtbot, page, 0, 0, "nope")
    qtbot.waitUntil(lambda: page.panels[0].status.text() != "" and "正在" not in page.panels[0].status.text())
    assert page.panels[0].status.text() == "口令不正确，请重新输入。"
    assert page.panels[0].unlocked_as() is None
    assert page.panels[0].passphrase.isEnabled()


def test_ctrl_l_locks_and_clears(qtbot, window: MainWindow):
    _unlock_both(qtbot, window)
    with qtbot.waitSignal(window.locked):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_name() == PAGE_LOCK
    assert not window.is_unlocked()
    qtbot.waitUntil(lambda: window.services.unlock.lock_calls == 1)
    assert window.services.unlock.unlocked == set()
    qtbot.mouseClick(window.lock_page.unlock_button, Qt.MouseButton.LeftButton)
    assert window.current_page_name() == PAGE_UNLOCK
    assert all(p.unlocked_as() is None for p in window.unlock_page.panels)
    _unlock_both(qtbot, window)
    assert window.current_page_name() == PAGE_HOME


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _idle_window(qtbot, tmp_path: Path, clock: _Clock) -> MainWindow:
    win = MainWindow(_services(tmp_path), idle_ms=300_000)  # 5 minutes on the injected clock
    win.idle.clock = clock
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    _unlock_both(qtbot, win)
    return win


def test_idle_timeout_locks(qtbot, tmp_path: Path):
    clock = _Clock()
    win = _idle_window(qtbot, tmp_path, clock)
    clock.now += 299.9
    assert not win.idle.check() and win.is_unlocked()
    clock.now += 0.2
    with qtbot.waitSignal(win.locked, timeout=3000):
        assert win.idle.check()
    assert win.current_page_name() == PAGE_LOCK
    assert not win.idle.check()  # once


def test_activity_postpones_idle_lock(qtbot, tmp_path: Path):
    clock = _Clock()
    win = _idle_window(qtbot, tmp_path, clock)
    for _ in range(5):
        clock.now += 200
        qtbot.mouseMove(win.centralWidget(), pos=win.centralWidget().rect().center() + QPoint(_, 0))
        qtbot.keyClick(win.centralWidget(), Qt.Key.Key_Shift)
        assert not win.idle.check()
    assert win.is_unlocked()  # 1000 s since the unlock, never 300 s without input
    clock.now += 300
    with qtbot.waitSignal(win.locked, timeout=3000):
        assert win.idle.check()
    assert not win.is_unlocked()


def test_empty_profile_explains_what_to_do(qtbot, tmp_path: Path):
    services = Services(
        profile_dir=tmp_path / "empty", unlock=NoStoreUnlockService(), store_pool=QThreadPool()
    )
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.show()
    assert "登记" in win.unlock_page.notice.text()
    assert not win.unlock_page.panels[0].passphrase.isEnabled()


def test_switching_profile_uses_the_factory(qtbot, tmp_path: Path):
    opened: list[Path] = []

    def open_profile(path: Path) -> Services:
        opened.append(path)
        return Services(profile_dir=path, unlock=NoStoreUnlockService(), store_pool=QThreadPool())

    other = tmp_path / "other"
    win = MainWindow(_services(tmp_path), open_profile=open_profile, profiles=[other])
    qtbot.addWidget(win)
    box = win.unlock_page.profile_box
    assert box.count() == 2
    box.activated.emit(box.findData(str(other)))
    assert opened == [other]
    assert win.services.profile_dir == other
    assert win.unlock_page.panels[0].chooser.count() == 0


def test_stylesheet_gives_touch_sized_buttons(qtbot, window: MainWindow):
    button = window.unlock_page.panels[0].unlock_button
    assert button.sizeHint().height() >= 44
    assert QApplication.font().family() == "WenQuanYi Micro Hei"
