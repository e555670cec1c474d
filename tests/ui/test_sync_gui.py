"""Sync and registration through the real widgets, against a real archive process on 127.0.0.1 and a real demo
profile: register through the dialog, sync through the action, an unreachable archive, cancel and resume, and a
field conflict reported in the summary."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from app.sync.errors import ArchiveUnreachable, SyncCancelled
from app.sync.results import SyncProgress
from app.ui.main_window import MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.sync_actions import SyncController
from app.ui.sync_dialogs import RegisterDialog, RegisteredBox, SyncDialog, SyncSummaryBox
from app.ui.sync_work import TwoInspectorsNeeded
from app.ui.wiring import Services
from tests.archive.helpers import ArchiveProcess, Journal, Laptop, free_port
from tests.sync.conftest import (  # noqa: F401  (fixtures: a real archive, a fresh copy of the demo profile)
    P1,
    P2,
    DemoProfile,
    _demo_template,
    archive,
    archive_rows,
    cli,
    demo,
    stats,
)
from tests.ui.test_walkthrough import unlock
from tests.ui.walkthrough_helpers import error_boxes

TIMEOUT = 120_000


# --- helpers -------------------------------------------------------------------------------------------------------
def open_window(qtbot: Any, root: Path) -> MainWindow:
    win = MainWindow(Services(profile_dir=root, unlock=StoreUnlockService(root)), idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, P1, P2)
    return win


def controller(win: MainWindow) -> SyncController:
    assert win.sync_controller is not None
    return win.sync_controller


def on_store(qtbot: Any, win: MainWindow, fn: Callable[[Any], Any], *, mutate: bool = False) -> Any:
    """Run ``fn(store)`` on the store's one worker (as the pages do) and wait for its result."""
    assert win.workspace is not None
    out: list[Any] = []
    win.workspace.run(win, fn, out.append, mutate=mutate)
    qtbot.waitUntil(lambda: bool(out), timeout=TIMEOUT)
    return out[0]


def store_snapshot(store: Any) -> tuple[dict[str, str], int]:
    """Every sync_state row and the number of journal entries marked archived."""
    from sqlalchemy import func, select

    from app.models.schema import JournalLeaf, SyncState

    with store.session() as s:
        rows = {r.key: r.value for r in s.scalars(select(SyncState))}
        archived = s.scalar(select(func.count()).select_from(JournalLeaf).where(JournalLeaf.archived.is_(True)))
    return rows, int(archived or 0)


def journal_size(store: Any, case_id: str) -> int:
    from app.evidence import journal

    with store.session() as s:
        return journal.size(s, case_id)


def visible(widget: Any) -> bool:
    try:
        return widget is not None and widget.isVisible()
    except RuntimeError:  # deleted on close
        return False


def wait_message(qtbot: Any, ctrl: SyncController, kind: type[QMessageBox] = QMessageBox) -> QMessageBox:
    qtbot.waitUntil(lambda: isinstance(ctrl.message, kind) and visible(ctrl.message), timeout=TIMEOUT)
    assert ctrl.message is not None
    return ctrl.message


def click_sync_action(qtbot: Any, win: MainWindow) -> None:
    """The 同步 button of the main toolbar."""
    toolbar = win.findChildren(QToolBar)[0]
    button = toolbar.widgetForAction(win.sync_action)
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def sync_through_dialog(qtbot: Any, win: MainWindow, url: str | None = None) -> SyncDialog:
    ctrl = controller(win)
    click_sync_action(qtbot, win)
    qtbot.waitUntil(lambda: isinstance(ctrl.dialog, SyncDialog) and visible(ctrl.dialog), timeout=TIMEOUT)
    dialog = ctrl.dialog
    assert isinstance(dialog, SyncDialog)
    if url is not None:
        dialog.url.clear()
        qtbot.keyClicks(dialog.url, url)
    qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    return dialog


def archive_head(proc: ArchiveProcess, case_id: str) -> int | None:
    rows = archive_rows(proc, f"SELECT size FROM log_heads WHERE case_id = '{case_id}'")
    return int(rows[0][0]) if rows else None


def register_through_dialog(qtbot: Any, win: MainWindow, archive: ArchiveProcess) -> str:  # noqa: F811
    """Sync on an unregistered laptop offers registration: fill the dialog, confirm the fingerprint, register.
    Returns the fingerprint the archive serves."""
    ctrl = controller(win)
    qtbot.mouseClick(win.home_page.sync_button, Qt.MouseButton.LeftButton)
    prompt = wait_message(qtbot, ctrl)
    assert "尚未在档案中心登记" in prompt.text()
    register = next(b for b in prompt.buttons() if prompt.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(register, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(ctrl.dialog, RegisterDialog) and visible(ctrl.dialog), timeout=TIMEOUT)
    dialog = ctrl.dialog
    assert isinstance(dialog, RegisterDialog)
    assert not dialog.register_button.isEnabled()
    qtbot.keyClicks(dialog.url, archive.url)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    served = str(httpx.get(archive.url + "/v1/health").json()["archive_fingerprint"])
    qtbot.waitUntil(lambda: dialog.fingerprint_label.text() == served, timeout=TIMEOUT)
    qtbot.keyClicks(dialog.code, archive.admin("enrolment-code").stdout.strip())
    assert not dialog.register_button.isEnabled()  # the fingerprint is not confirmed yet
    dialog.confirm.click()
    assert dialog.register_button.isEnabled()
    qtbot.mouseClick(dialog.register_button, Qt.MouseButton.LeftButton)
    return served


@pytest.fixture
def registered(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> DemoProfile:  # noqa: F811
    """The demo profile registered with the archive (through the command line, before the GUI opens it)."""
    code = tmp_path / "code.txt"
    code.write_text(archive.admin("enrolment-code").stdout.strip() + "\n", encoding="utf-8")
    r = cli("register", str(demo.root), "--archive", archive.url, "--code-file", str(code),
            "--passphrase-file", str(demo.pass_files[0]), "--passphrase-file", str(demo.pass_files[1]))
    assert r.returncode == 0, r.stderr
    return demo


@pytest.fixture
def window(qtbot: Any, registered: DemoProfile) -> Iterator[MainWindow]:
    win = open_window(qtbot, registered.root)
    yield win
    win.close()


# --- tests ---------------------------------------------------------------------------------------------------------
def test_register_through_the_dialog_then_sync_through_the_action(qtbot: Any, demo: DemoProfile,  # noqa: F811
                                                                    archive: ArchiveProcess) -> None:  # noqa: F811
    win = open_window(qtbot, demo.root)
    ctrl = controller(win)
    home = win.home_page
    assert win.sync_action.shortcut() == QKeySequence("Ctrl+Shift+S")
    assert win.sync_action.text() == "同步（Ctrl+Shift+S）"
    qtbot.waitUntil(lambda: "尚未在档案中心登记" in home.sync_label.text(), timeout=TIMEOUT)

    served = register_through_dialog(qtbot, win, archive)

    done = wait_message(qtbot, ctrl, RegisteredBox)
    assert served in done.informativeText() and "王建国" in done.informativeText()
    assert stats(archive)["devices"] == 1 and stats(archive)["inspectors"] == 2
    done.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: served in home.sync_label.text(), timeout=TIMEOUT)
    assert "尚未同步" in home.sync_label.text()

    # the toolbar's 同步, with the address prefilled from the registration
    dialog2 = sync_through_dialog(qtbot, win)
    assert dialog2.url.text() == archive.url
    summary = wait_message(qtbot, ctrl, SyncSummaryBox)
    assert "档案中心接收了 1 个稽核" in summary.text(), summary.text()
    assert "冲突：0" in summary.informativeText()
    local_size = on_store(qtbot, win, lambda store: journal_size(store, demo.case_id))
    assert archive_head(archive, demo.case_id) == local_size  # the archive holds the whole journal of the case
    assert stats(archive)["cases"] >= 1 and stats(archive)["receipts"] >= 1
    summary.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "上次同步" in home.sync_label.text(), timeout=TIMEOUT)
    assert "待同步的稽核：0" in home.sync_label.text()
    win.close()


def test_registration_needs_both_inspectors(qtbot: Any, demo: DemoProfile,  # noqa: F811
                                            archive: ArchiveProcess) -> None:  # noqa: F811
    win = open_window(qtbot, demo.root)
    on_store(qtbot, win, lambda store: store.forget_signer(demo.inspectors[1]))  # one of them has left
    register_through_dialog(qtbot, win, archive)
    box = wait_message(qtbot, controller(win))
    assert box.text() == TwoInspectorsNeeded.message_zh
    assert box.informativeText() == TwoInspectorsNeeded.hint_zh
    assert stats(archive)["devices"] == 0
    win.close()


def test_unreachable_archive_shows_the_error_and_changes_nothing(qtbot: Any, window: MainWindow,
                                                                 archive: ArchiveProcess,  # noqa: F811
                                                                 translators: Any) -> None:
    ctrl = controller(window)
    before = on_store(qtbot, window, store_snapshot)
    archive_before = stats(archive)
    dead = f"http://127.0.0.1:{free_port()}"
    refused = ArchiveUnreachable(dead, "ConnectError")  # nothing listens there: the connection is refused
    for lang, message in (("zh_CN", refused.message_zh), ("en", refused.message_en)):
        translators.switch(lang)
        sync_through_dialog(qtbot, window, dead)
        box = wait_message(qtbot, ctrl)
        assert box in error_boxes()
        assert box.text() == message
        hint = box.informativeText()
        assert ("本机数据均未删除" in hint) if lang == "zh_CN" else ("Nothing was deleted on this laptop" in hint)
        box.close()
        qtbot.waitUntil(lambda: not ctrl.busy(), timeout=TIMEOUT)
    assert on_store(qtbot, window, store_snapshot) == before  # not even the address was remembered
    assert stats(archive) == archive_before
    # the dialog still offers the address that works
    translators.switch("zh_CN")
    click_sync_action(qtbot, window)
    qtbot.waitUntil(lambda: isinstance(ctrl.dialog, SyncDialog) and visible(ctrl.dialog), timeout=TIMEOUT)
    assert isinstance(ctrl.dialog, SyncDialog) and ctrl.dialog.url.text() == archive.url
    qtbot.mouseClick(ctrl.dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not visible(ctrl.dialog), timeout=TIMEOUT)


def test_cancel_stops_the_sync_and_the_next_one_resumes(qtbot: Any, window: MainWindow, registered: DemoProfile,
                                                       archive: ArchiveProcess) -> None:  # noqa: F811
    ctrl = controller(window)
    reached, release = threading.Event(), threading.Event()

    def hold_at_first_upload(p: SyncProgress) -> None:  # worker thread: hold the sync mid-upload
        if p.phase == "upload":
            reached.set()
            release.wait(60)

    ctrl.observer = hold_at_first_upload
    try:
        sync_through_dialog(qtbot, window)
        qtbot.waitUntil(reached.is_set, timeout=TIMEOUT)
        op = ctrl.operation
        assert op is not None
        qtbot.waitUntil(lambda: visible(op.busy_dialog), timeout=TIMEOUT)
        qtbot.mouseClick(op.busy_dialog.cancel_button(), Qt.MouseButton.LeftButton)
        assert op.is_cancel_requested
    finally:
        release.set()
    box = wait_message(qtbot, ctrl)
    assert box.text() == SyncCancelled().message_zh
    assert op.is_done
    assert archive_head(archive, registered.case_id) is None  # no journal entry reached the archive
    assert stats(archive)["receipts"] == 0
    pending = on_store(qtbot, window, lambda store: store_snapshot(store)[1])
    assert pending == 0
    box.close()

    ctrl.observer = None
    sync_through_dialog(qtbot, window)
    summary = wait_message(qtbot, ctrl, SyncSummaryBox)
    assert "档案中心接收了 1 个稽核" in summary.text()
    local_size = on_store(qtbot, window, lambda store: journal_size(store, registered.case_id))
    assert archive_head(archive, registered.case_id) == local_size


def test_a_field_conflict_is_counted_in_the_summary(qtbot: Any, window: MainWindow, registered: DemoProfile,
                                                   archive: ArchiveProcess) -> None:  # noqa: F811
    case_id = registered.case_id
    # another laptop changed the same field of the case first
    other = Laptop(archive.url)
    assert other.register(archive.admin("enrolment-code").stdout.strip()).status_code == 201
    # the office assigned the case to both laptops' inspectors, so both may push to it (archive/teams.py)
    team = [*registered.inspectors, *(i.id for i in other.inspectors)]
    archive.admin("cases", "add", "--id", case_id, "--institution-name", "某医院",
                  *[a for i in team for a in ("--inspector", i)])
    j = Journal(other, case_id)
    j.append("case.field_changed", {"case": case_id, "field": "place", "old": "", "new": "门诊楼"})
    with other.client() as c:
        assert c.post("/v1/push", json=j.batch()).status_code == 200

    def edit_here(store: Any) -> None:
        from app.evidence import journal

        with store.transaction() as s:
            journal.append(s, store, case_id, registered.inspectors[0], "case.field_changed",
                           {"case": case_id, "field": "place", "old": "", "new": "住院部"})

    on_store(qtbot, window, edit_here, mutate=True)
    sync_through_dialog(qtbot, window)
    summary = wait_message(qtbot, controller(window), SyncSummaryBox)
    assert "冲突：1" in summary.informativeText(), summary.informativeText()
    assert "并列保存" in summary.informativeText()
    assert stats(archive)["conflicts"] == 1


def test_the_sync_dialog_refuses_plain_http_to_another_host(qtbot: Any) -> None:
    """The dialog uses the core's address rule (app/sync/address.py): plain http only to this machine."""
    from app.facade.sync import SyncStatus

    dialog = SyncDialog(None, SyncStatus(registered=True, url="http://192.0.2.10:8443"))
    qtbot.addWidget(dialog)
    sent: list[str] = []
    dialog.sync_requested.connect(sent.append)
    dialog.url.setText("http://192.0.2.10:8443")
    dialog.sync_button.click()
    assert sent == [] and "http" in dialog.error.text() and dialog.error.text()
    dialog.url.setText("https://192.0.2.10:8443/")
    dialog.sync_button.click()
    assert sent == ["https://192.0.2.10:8443"]
