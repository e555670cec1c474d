"""Does the window fit the screen it opens on? Used by tests/ui/test_screen_fit.py (in a child process with the
offscreen platform set to a given screen size and QT_SCALE_FACTOR) and by scripts/screenshots.py.

    python -m tests.ui.screen_fit PROFILE WIDTHxHEIGHT SCALE     prints one JSON object of problems found

Problems: the window larger than the screen's available geometry; a push button cut off sideways (by the window
or by the scroll area it is in) or narrower than its text needs; a step page that scrolls sideways.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QScrollArea, QWidget


def offscreen_config(width: int, height: int) -> Path:
    """A config file for the offscreen platform: one screen of ``width``×``height`` physical pixels."""
    config = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
              "screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    fd, path = tempfile.mkstemp(prefix="fieldaudit-screen-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(config, handle)
    return Path(path)


def _scroll_parent(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def _window_rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def fit_problems(window: QWidget, where: str) -> list[str]:
    """What does not fit in ``window`` as it is shown now (``where`` names the page in the messages)."""
    problems: list[str] = []
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if frame.width() > screen.width() or frame.height() > screen.height():
        problems.append(f"{where}: window {frame.width()}x{frame.height()} > screen {screen.width()}x{screen.height()}")
    inside = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or not button.isVisible() or button.window() is not window:
            continue
        if button.objectName().startswith("qt_"):  # Qt's own parts (a table's corner button)
            continue
        name = f"{where}: button '{button.text() or button.toolTip() or button.objectName()}'"
        rect = _window_rect(button, window)
        hint = button.sizeHint()
        if button.text() and button.width() + 1 < hint.width():
            problems.append(f"{name} is {button.width()} px wide, its text needs {hint.width()}")
        if rect.left() < inside.left() or rect.right() > inside.right():
            problems.append(f"{name} is cut off by the window's side ({rect.left()}..{rect.right()})")
        area = _scroll_parent(button)
        if area is getattr(window, "_outer", None):
            area = None  # the window's own scroll area must not scroll at all (checked below)
        if area is not None:
            view = _window_rect(area.viewport(), window)
            if rect.left() < view.left() or rect.right() > view.right():
                problems.append(f"{name} is cut off sideways by its scroll area")
        elif rect.bottom() > inside.bottom() or rect.top() < inside.top():
            problems.append(f"{name} is cut off at the bottom of the window")
    for area in window.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0:
            problems.append(f"{where}: a page scrolls sideways by {area.horizontalScrollBar().maximum()} px")
    outer = getattr(window, "_outer", None)
    if isinstance(outer, QScrollArea) and outer.verticalScrollBar().maximum() > 0:
        problems.append(f"{where}: the page is {outer.verticalScrollBar().maximum()} px taller than the window")
    return problems


def main(argv: list[str]) -> int:
    """Open the demo profile at ``argv[1]`` on the screen set up by the environment; print the problems found."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.ui.application import create_application
    from app.ui.main_window import MainWindow
    from app.ui.snapshot import PAGES
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.ui.wiring import build_services

    root = Path(argv[1])
    app, _translators = create_application(["screen-fit"])
    services = build_services(root, False)
    win = MainWindow(services, idle_ms=3_600_000)
    win.show()

    def settle(cond=lambda: True, rounds: int = 400) -> None:  # type: ignore[no-untyped-def]
        for _ in range(rounds):
            services.store_pool.waitForDone(20)
            loop = QEventLoop()
            QTimer.singleShot(5, loop.quit)
            loop.exec()
            if cond():
                break

    settle(rounds=5)
    problems = fit_problems(win, "unlock")
    team = services.unlock.inspectors()
    for (iid, _name), secret in zip(team, DEMO_PASSPHRASES, strict=True):
        services.unlock.unlock(iid, secret)
    win._on_unlocked(team)
    home = win.home_page
    settle(lambda: home.model.rowCount() > 0)  # type: ignore[attr-defined]
    settle(lambda: win.workspace is not None and win.workspace.idle(), rounds=50)
    if win.case_page is not None:  # the unlock came back to the case last open: look at the list first
        win.show_page("home")
    settle(rounds=5)  # laid out with what was loaded
    problems += fit_problems(win, "home")
    win.new_audit()  # 新建稽核: the dialog opens within the screen and never scrolls sideways
    settle(lambda: win.new_audit_dialog is not None and win.new_audit_dialog.isVisible())
    dialog = win.new_audit_dialog
    assert dialog is not None
    settle(rounds=5)
    problems += fit_problems(dialog, "new-audit")
    dialog.reject()
    settle(rounds=5)
    home.table.selectRow(0)  # type: ignore[attr-defined]
    home.open_selected()  # type: ignore[attr-defined]
    case = win.case_page
    assert case is not None
    settle(lambda: case.snap is not None)
    for step in PAGES:
        case.show_step(step)
        settle(lambda: win.workspace is not None and win.workspace.idle(), rounds=50)
        settle(rounds=5)
        problems += fit_problems(win, step)
    win.lock_now()
    services.store_pool.waitForDone()
    screen = app.primaryScreen()
    print(json.dumps({"screen": [screen.geometry().width(), screen.geometry().height()],
                      "scale": screen.devicePixelRatio(), "window": [win.frameGeometry().width(),
                                                                     win.frameGeometry().height()],
                      "problems": problems}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
