"""The QApplication: bundled CJK fonts, translators, style, and the crash path.

``create_application()`` builds and configures the one QApplication; ``configure_application()`` does the
same to an existing one (tests get theirs from pytest-qt).

The crash path: an uncaught exception goes to ``CrashReporter.excepthook``, which writes a report holding only
the exception's type, the code locations of the traceback (module, line, function) and versions — never the
exception's message, locals, arguments or any case data, since these may hold personal data — to the profile's
log directory, then shows a generic dialog.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import PySide6
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.fsutil import replace, restrict_fd
from app.ui.i18n import Translators, resolve_language
from app.ui.resources import fonts_dir
from app.ui.widgets.inputs import install as install_input_guard

APP_NAME = "FieldAudit"
ORG_NAME = "FieldAudit"
UI_FAMILY = "WenQuanYi Micro Hei"
SERIF_FAMILY = "AR PL UMing CN"
FONT_FILES = ("wqy-microhei.ttc", "uming.ttc")
TOUCH_TARGET_PX = 44

# Large, touch-friendly targets for 2-in-1 laptops: every clickable control is at least 44 px high.
STYLESHEET = f"""
QPushButton, QToolButton {{
    min-height: {TOUCH_TARGET_PX}px;
    min-width: {TOUCH_TARGET_PX}px;
    padding: 4px 16px;
}}
QLineEdit, QComboBox, QSpinBox, QDateTimeEdit {{
    min-height: {TOUCH_TARGET_PX - 4}px;
    padding: 2px 8px;
}}
QCheckBox::indicator, QRadioButton::indicator {{
    width: 24px;
    height: 24px;
}}
QPushButton[primary="true"] {{
    background-color: #1d5fa7;
    color: white;
    border: 1px solid #164b84;
    border-radius: 4px;
    font-weight: bold;
}}
QPushButton[primary="true"]:disabled {{
    background-color: #9db5d1;
    border-color: #9db5d1;
}}
QLabel[role="title"] {{
    font-size: 22pt;
    font-weight: bold;
}}
QLabel[role="error"], QToolButton[role="error"] {{
    color: #b3261e;
}}
QLabel[role="ok"], QToolButton[role="ok"] {{
    color: #1e7b34;
}}
"""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fieldaudit")
    except Exception:
        return "unknown"


def register_fonts() -> list[str]:
    """Register the bundled CJK fonts with Qt; return the families they provide.

    No CJK font is installed system-wide on the target machines, so without this Chinese renders as boxes.
    """
    families: list[str] = []
    for name in FONT_FILES:
        path = fonts_dir() / name
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise RuntimeError(f"cannot load bundled font {path}")
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def application_font(point_size: int = 11) -> QFont:
    font = QFont(UI_FAMILY, point_size)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


def configure_application(
    app: QApplication, *, lang: str | None = None, log_dir: Path | None = None
) -> Translators:
    """Fonts, language, style and (with a log directory) the crash hook for an existing application."""
    register_fonts()
    app.setFont(application_font())
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setStyleSheet(STYLESHEET)
    install_input_guard()  # the wheel changes no value not clicked into; dates by calendar; IME composition
    translators = Translators(app)
    translators.switch(resolve_language(lang))
    if log_dir is not None:
        sys.excepthook = CrashReporter(log_dir).excepthook
    return translators


def create_application(
    argv: Sequence[str] | None = None, *, lang: str | None = None, log_dir: Path | None = None
) -> tuple[QApplication, Translators]:
    """Create the one QApplication (high-DPI aware) and configure it."""
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
    return app, configure_application(app, lang=lang, log_dir=log_dir)


# ----------------------------------------------------------------------------------------------------
# crash path


def format_crash_report(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """A crash report with the exception type(s), code locations and versions only.

    Deliberately omitted: ``str(exc)``, ``exc.args``, frame locals and source lines — any of them may contain
    case data (names, ID numbers, passphrases).
    """
    lines = [
        "FieldAudit crash report",
        f"time_utc: {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
        f"fieldaudit: {_version()}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        f"qt: {qVersion()}",
        f"pyside6: {PySide6.__version__}",
        f"platform: {platform.system()} {platform.release()} {platform.machine()}",
    ]
    chain: list[tuple[type[BaseException], TracebackType | None]] = [(exc_type, tb)]
    seen = {id(exc)}
    current = exc
    while current is not None:
        nxt = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        chain.append((type(nxt), nxt.__traceback__))
        current = nxt
    for index, (etype, etb) in enumerate(reversed(chain)):
        if index:
            lines.append("during handling, or as a direct cause of it:")
        lines.append(f"exception: {etype.__module__}.{etype.__qualname__}")
        lines.append("traceback (most recent call last):")
        for frame, lineno in traceback.walk_tb(etb):
            module = frame.f_globals.get("__name__", "?")
            module = module if isinstance(module, str) else "?"
            lines.append(f"  {module}:{lineno} in {frame.f_code.co_name}")
    return "\n".join(lines) + "\n"


def write_crash_report(log_dir: Path, report: str) -> Path:
    """Write the report atomically, readable by the owner only; return its path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = log_dir / f"crash-{stamp}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}.txt"
    fd, tmp = tempfile.mkstemp(dir=log_dir, prefix=".crash-", suffix=".tmp")
    try:
        restrict_fd(fd, 0o600, tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(report)
            handle.flush()
            os.fsync(handle.fileno())
        replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


class CrashDialog(QMessageBox):
    """A generic message: something went wrong, where the (data-free) report is, what to do."""

    def __init__(self, report_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Unexpected error"))
        self.setText(self.tr("FieldAudit ran into an unexpected error."))
        if report_path is not None:
            detail = self.tr(
                "A crash report was saved to:\n%1\n\nIt contains no case data. "
                "Saved evidence is not affected. "
                "Please restart the program and give the report to your administrator."
            ).replace("%1", str(report_path))
        else:
            detail = self.tr(
                "The crash report could not be saved. Saved evidence is not affected. "
                "Please restart the program."
            )
        self.setInformativeText(detail)
        self.setStandardButtons(QMessageBox.StandardButton.Close)
        self.report_path = report_path


class CrashReporter:
    """``sys.excepthook`` replacement: write a data-free report, then show ``CrashDialog``."""

    def __init__(
        self,
        log_dir: Path,
        show_dialog: Callable[[Path | None], None] | None = None,
    ) -> None:
        self.log_dir = Path(log_dir)
        self._show_dialog = show_dialog or self._default_dialog
        self.last_report: Path | None = None
        self._dialogs: list[CrashDialog] = []
        self._busy = False

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QCoreApplication.quit()
            return
        if self._busy:  # a crash while reporting a crash: do not recurse
            return
        self._busy = True
        try:
            report = format_crash_report(exc_type, exc, tb)
            try:
                self.last_report = write_crash_report(self.log_dir, report)
            except OSError:
                self.last_report = None
            if sys.stderr is not None:  # None in a windowed (no console) Windows executable
                sys.stderr.write(report)
            self._show_dialog(self.last_report)
        finally:
            self._busy = False

    def _default_dialog(self, path: Path | None) -> None:
        if QApplication.instance() is None:
            return
        dialog = CrashDialog(path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs = [d for d in self._dialogs if d.isVisible()] + [dialog]
        dialog.open()
