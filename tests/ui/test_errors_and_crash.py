from __future__ import annotations

import errno
import sqlite3
import stat
import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.application import CrashDialog, CrashReporter, format_crash_report
from app.ui.widgets.errors import UserError, describe_error, show_error

SECRET = "张三 身份证 420106199001011234 passphrase=hunter2"


class StoreLocked(Exception):
    message_zh = "存储已锁定，请重新解锁。"
    message_en = "The store is locked; unlock again."
    hint_zh = "由两名稽核人员重新输入口令。"
    hint_en = "Both inspectors enter their passphrases again."


def test_user_facing_errors_are_shown_as_is(qtbot, translators):
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_error(parent, StoreLocked())
    assert isinstance(box, QMessageBox)
    assert box.text() == "存储已锁定，请重新解锁。"
    assert box.informativeText() == "由两名稽核人员重新输入口令。"
    assert box.windowTitle() == "操作未完成"
    box.close()
    translators.switch("en")
    box = show_error(parent, UserError("口令不正确。", "Wrong passphrase."))
    assert box is not None and box.text() == "Wrong passphrase."
    box.close()


def test_environment_errors_get_advice():
    disk_full = describe_error(OSError(errno.ENOSPC, "No space left on device"))
    assert disk_full is not None and disk_full.title == "磁盘空间不足" and "存储卡" in disk_full.action
    corrupt = describe_error(sqlite3.DatabaseError("file is not a database"))
    assert corrupt is not None and "损坏" in corrupt.message
    offline = describe_error(ConnectionRefusedError())
    assert offline is not None and "档案服务器" in offline.message
    assert describe_error(PermissionError()) is not None
    assert describe_error(KeyError("bug")) is None


def test_unknown_errors_go_to_the_crash_path(qtbot, monkeypatch):
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: seen.append(t))
    assert show_error(None, ZeroDivisionError()) is None
    assert seen == [ZeroDivisionError]


def _raise_with_case_data() -> None:
    patient_name = SECRET  # a local holding case data: must never reach the report
    try:
        {}["missing"]
    except KeyError as exc:
        raise ValueError(f"could not save {patient_name}") from exc


def test_crash_report_has_no_case_data(tmp_path: Path, qtbot):
    shown: list[Path | None] = []
    reporter = CrashReporter(tmp_path / "logs", show_dialog=shown.append)
    try:
        _raise_with_case_data()
    except ValueError:
        reporter.excepthook(*sys.exc_info())
    assert reporter.last_report is not None
    assert shown == [reporter.last_report]
    text = reporter.last_report.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "builtins.KeyError" in text
    assert "tests.ui.test_errors_and_crash:" in text
    assert "_raise_with_case_data" in text
    assert "python:" in text and "qt:" in text and "pyside6:" in text
    for leak in ("张三", "4201061990", "hunter2", "could not save", "missing", "patient_name"):
        assert leak not in text
    assert stat.S_IMODE(reporter.last_report.stat().st_mode) == 0o600


def test_crash_report_format_is_stable():
    try:
        raise RuntimeError(SECRET)
    except RuntimeError as exc:
        report = format_crash_report(type(exc), exc, exc.__traceback__)
    assert SECRET not in report
    assert report.startswith("FieldAudit crash report\n")


def test_crash_dialog_is_generic(qtbot, tmp_path: Path):
    dialog = CrashDialog(tmp_path / "crash.txt")
    qtbot.addWidget(dialog)
    assert dialog.text() == "程序发生了意外错误。"
    assert str(tmp_path / "crash.txt") in dialog.informativeText()
    assert "不含任何案件数据" in dialog.informativeText()
