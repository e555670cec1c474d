"""Showing errors to the user: plainly, in the current language, with what to do.

Three kinds of error (STYLE.md):

* the user's and the store's own errors carry ``message_zh`` / ``message_en`` (optionally ``hint_zh`` /
  ``hint_en``) and are shown as they are;
* the environment's (disk full, no permission, corrupt store, archive unreachable) are recognised here by
  class and shown with what to do;
* anything else is a bug: it goes to ``sys.excepthook`` (the crash reporter), which writes a data-free report.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.iofaults import io_fault
from app.ui.i18n import pick


class UserError(Exception):
    """An error raised by the UI itself, with both texts (the same interface the store's errors offer)."""

    def __init__(self, message_zh: str, message_en: str, hint_zh: str = "", hint_en: str = "") -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.hint_zh = hint_zh
        self.hint_en = hint_en


@dataclass(frozen=True)
class ErrorText:
    title: str
    message: str
    action: str


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def describe_error(exc: BaseException) -> ErrorText | None:
    """The text to show for ``exc`` in the current language, or ``None`` for a bug (unknown error)."""
    message_zh = getattr(exc, "message_zh", None)
    message_en = getattr(exc, "message_en", None)
    if isinstance(message_zh, str) and isinstance(message_en, str):
        hint = pick(str(getattr(exc, "hint_zh", "") or ""), str(getattr(exc, "hint_en", "") or ""))
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "The operation was not completed"),
            pick(message_zh, message_en),
            hint,
        )
    fault = io_fault(exc)  # a full disk, a read-only medium...: never "damaged" (issue 12 item 9)
    if fault is not None and not (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)):
        return ErrorText(QCoreApplication.translate("ErrorMessages", "The operation was not completed"),
                         pick(fault.message_zh, fault.message_en), "")
    names = _class_names(exc)
    if "DatabaseError" in names:  # sqlite3 / sqlcipher3: wrong key, corrupt or tampered file
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "The data store cannot be read"),
            QCoreApplication.translate(
                "ErrorMessages", "The encrypted store on this laptop is damaged or has been altered."
            ),
            QCoreApplication.translate(
                "ErrorMessages",
                "Stop using this profile and contact your administrator; the archive keeps what was synced.",
            ),
        )
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "Disk full"),
            QCoreApplication.translate("ErrorMessages", "There is not enough free space to save the data."),
            QCoreApplication.translate(
                "ErrorMessages",
                "Free some space or use a larger memory card, then try again. "
                "Saved evidence is not affected.",
            ),
        )
    if isinstance(exc, PermissionError):
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "No permission"),
            QCoreApplication.translate(
                "ErrorMessages", "The program is not allowed to read or write this file or folder."
            ),
            QCoreApplication.translate(
                "ErrorMessages", "Choose another location or ask your administrator to check the permissions."
            ),
        )
    if isinstance(exc, FileNotFoundError):
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "File not found"),
            QCoreApplication.translate("ErrorMessages", "The file or folder no longer exists."),
            QCoreApplication.translate(
                "ErrorMessages",
                "The memory card may have been removed or the file moved. Please choose it again.",
            ),
        )
    if isinstance(exc, ConnectionError | TimeoutError) or names & {"ConnectError", "TimeoutException"}:
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "Archive not reachable"),
            QCoreApplication.translate("ErrorMessages", "The archive server cannot be reached."),
            QCoreApplication.translate(
                "ErrorMessages",
                "Check the network and try again later. "
                "The data stays safe on this laptop until it is synced.",
            ),
        )
    if isinstance(exc, MemoryError):
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "Out of memory"),
            QCoreApplication.translate(
                "ErrorMessages", "There is not enough memory to finish the operation."
            ),
            QCoreApplication.translate("ErrorMessages", "Close other programs and try again."),
        )
    if isinstance(exc, OSError):
        return ErrorText(
            QCoreApplication.translate("ErrorMessages", "File error"),
            QCoreApplication.translate("ErrorMessages", "A file could not be read or written."),
            QCoreApplication.translate(
                "ErrorMessages",
                "Check the memory card or disk and try again. Saved evidence is not affected.",
            ),
        )
    return None


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Show ``exc`` to the user (window-modal, non-blocking); unknown errors go to the crash path.

    Returns the message box (for tests), or ``None`` when the error was handed to ``sys.excepthook``.
    """
    text = describe_error(exc)
    if text is None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return None
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(text.title)
    box.setText(text.message)
    if text.action:
        box.setInformativeText(text.action)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
