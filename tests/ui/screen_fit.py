"""Does the window fit the screen it opens on? Used by tests/ui/test_screen_fit.py (in a child process with the
offscreen platform set to a given screen size and QT_SCALE_FACTOR) and by scripts/screenshots.py.

    python -m tests.ui.screen_fit PROFILE [LANG]     prints one JSON object of problems found (zh_CN or en; the
                                                     screen and scaling come from the environment)

Problems: the window larger than the screen's available geometry; a push button cut off sideways (by the window
or by the scroll area it is in) or narrower than its text needs; a step page or the list of steps that scrolls
sideways or takes more than a quarter of the case page's width; a box or the photo viewer squeezed below the height its lines need (the EXIF box, "未选择照片"); the
尚缺 list taking more than a sixth of the case page, shown empty, or cutting its first entry. Besides the demo's
closed audit, a NEW audit is made through the 新建稽核 dialog, six photos imported, and every step of it
checked, with the signature, batch signature and refusal dialogs, the print preview and the enrolment page; the
evidence page's figures (full thumbnails in view, the viewer's size, how far the page scrolls) are reported for
the test to judge per screen.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QGroupBox,
    QScrollArea,
    QWidget,
)

#: The 尚缺 list may take at most this share of the case page's height.
MISSING_SHARE_MAX = 1 / 6
#: The list of steps takes at most this share of the case page's width (960×540: the step's page keeps its room)
STEPS_SHARE_MAX = 1 / 4


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
        if parent.isWindow():  # a dialog's button: not in the scroll area of the page that opened it
            return None
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
    for view in window.findChildren(QAbstractItemView):  # a table or list: its rows are read across
        if view.isVisible() and view.window() is window and view.horizontalScrollBar().maximum() > 0:
            problems.append(f"{where}: a {type(view).__name__} scrolls sideways by "
                            f"{view.horizontalScrollBar().maximum()} px")
    outer = getattr(window, "_outer", None)
    if isinstance(outer, QScrollArea) and outer.verticalScrollBar().maximum() > 0:
        problems.append(f"{where}: the page is {outer.verticalScrollBar().maximum()} px taller than the window")
    problems += squeezed(window, where)
    case = getattr(window, "case_page", None)
    if case is not None and case.isVisible() and case.step_view.horizontalScrollBar().maximum() > 0:
        problems.append(f"{where}: the list of steps scrolls sideways")
    if case is not None and case.isVisible() and case.step_view.width() > STEPS_SHARE_MAX * case.width():
        problems.append(f"{where}: the list of steps takes {case.step_view.width()} px of the page's {case.width()}")
    if case is not None and case.isVisible() and case.missing.isVisible():
        share = case.missing.height() / max(1, case.height())
        if not case.missing.count():
            problems.append(f"{where}: the empty 尚缺 list takes {case.missing.height()} px")
        elif share > MISSING_SHARE_MAX:
            problems.append(f"{where}: the 尚缺 list takes {case.missing.height()} px of the page's {case.height()}")
        else:
            first = case.missing.visualItemRect(case.missing.item(0))
            if first.height() > case.missing.viewport().height():
                problems.append(f"{where}: the first 尚缺 entry ({first.height()} px) is cut by its list "
                                f"({case.missing.viewport().height()} px)")
    return problems


def squeezed(window: QWidget, where: str) -> list[str]:
    """Boxes and photo viewers shown shorter than their lines need: their last lines are cut off."""
    from app.ui.widgets.photo_viewer import PhotoViewer

    problems: list[str] = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QGroupBox | PhotoViewer) or not widget.isVisible() or widget.window() is not window:
            continue
        needed = widget.minimumSizeHint().height()
        if widget.hasHeightForWidth():
            needed = max(needed, widget.heightForWidth(widget.width()))
        if widget.height() + 1 < needed:
            name = widget.title() if isinstance(widget, QGroupBox) else "photo viewer"
            problems.append(f"{where}: '{name}' is {widget.height()} px high, its lines need {needed}")
    return problems


def evidence_figures(page: Any) -> dict[str, Any]:
    """What the evidence page shows: full thumbnails in the list's view, the viewer's size, and how far the page
    scrolls (and whether the viewer is wholly in view once scrolled to)."""
    view = page.list.viewport().rect()
    full = sum(1 for row in range(page.model.rowCount())
               if view.contains(page.list.visualRect(page.model.index(row))))
    bar = page._scroll.verticalScrollBar()
    page._scroll.ensureWidgetVisible(page.viewer, 0, 0)
    viewport = page._scroll.viewport()
    top_left = page.viewer.mapTo(viewport, page.viewer.rect().topLeft())
    in_view = viewport.rect().contains(QRect(top_left, page.viewer.size()))
    figures = {"thumbnails": full, "viewer": [page.viewer.width(), page.viewer.height()],
               "scrolls": bar.maximum(), "viewer_in_view": in_view,
               "side_by_side": page.splitter.orientation().name == "Horizontal"}
    bar.setValue(0)
    return figures


def demo_photo(n: int = 0) -> bytes:
    """A 1600×1200 JPEG with EXIF (time taken, camera, GPS): a ward, beds as boxes; ``n`` beds are occupied, so
    photos of different ``n`` are different evidence (the same bytes twice from one source are refused)."""
    from PIL import ExifTags, Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = 120 + i * 240
        draw.rectangle((x, 600, x + 180, 1000), fill=(250, 250, 250), outline=(90, 90, 110), width=6)
        draw.rectangle((x + 20, 560, x + 160, 620), fill=(180, 200, 230))
        if i < n % 7:
            draw.rectangle((x + 30, 700, x + 150, 900), fill=(200, 170, 150))
    draw.rectangle((0, 1000, 1600, 1200), fill=(170, 160, 150))
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"
    exif[0x0110] = "HUAWEI P40"
    exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = "2026:11:23 09:41:07"
    exif.get_ifd(ExifTags.IFD.Exif)[0x9011] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1], gps[2], gps[3], gps[4] = "N", (30.0, 35.0, 35.2), "E", (114.0, 18.0, 19.8)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=85)
    return buffer.getvalue()


def fill_new_audit(dialog: Any, doc_no: str = "某医保稽通〔2026〕21号") -> None:
    """The 新建稽核 dialog filled in for a new (practice) institution, the notice served five days ago."""
    from PySide6.QtCore import QDate

    def day(edit: Any, d: date) -> None:
        edit.setDate(QDate(d.year, d.month, d.day))

    dialog.party.setCurrentIndex(dialog.party.findData("__new__"))
    dialog.party_name.setText("某市虚构第三医院（练习）")
    dialog.uscc.setText("91420100M000300Q5R")
    dialog.address.setText("某市某区练习路 3 号")
    dialog.legal_rep.setText("钱院长")
    dialog.kind.setCurrentIndex(dialog.kind.findData("special"))
    dialog.doc_no.setText(doc_no)
    dialog.matters.setText("住院费用结算、检查检验收费")
    today = date.today()
    day(dialog.planned, today)
    day(dialog.period_from, date(today.year - 1, 1, 1))
    day(dialog.period_to, date(today.year - 1, 12, 31))
    dialog.notice_mode.setCurrentIndex(dialog.notice_mode.findData("served"))
    day(dialog.served_on, today - timedelta(days=5))


def main(argv: list[str]) -> int:
    """Open the demo profile at ``argv[1]`` on the screen set up by the environment; print the problems found
    and the evidence page's figures on the new audit."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.ui.application import create_application
    from app.ui.main_window import MainWindow
    from app.ui.snapshot import PAGES
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.ui.wiring import build_services

    root = Path(argv[1])
    app, _translators = create_application(["screen-fit"], lang=argv[2] if len(argv) > 2 else "zh_CN")
    services = build_services(root, False)

    def settle(cond=lambda: True, rounds: int = 400) -> None:  # type: ignore[no-untyped-def]
        for _ in range(rounds):
            services.store_pool.waitForDone(20)
            loop = QEventLoop()
            QTimer.singleShot(5, loop.quit)
            loop.exec()
            if cond():
                break

    def idle() -> bool:
        return win.workspace is not None and win.workspace.idle()

    # the enrolment page of a profile without inspectors
    with tempfile.TemporaryDirectory(prefix="fieldaudit-fit-") as empty:
        blank = MainWindow(build_services(Path(empty) / "profile", False), idle_ms=3_600_000)
        blank.show()
        settle(rounds=5)
        problems = fit_problems(blank, "enrolment")
        blank.close()
        blank.deleteLater()
        settle(rounds=5)

    win = MainWindow(services, idle_ms=3_600_000)
    win.show()
    settle(rounds=5)
    problems += fit_problems(win, "unlock")
    team = services.unlock.inspectors()
    for (iid, _name), secret in zip(team, DEMO_PASSPHRASES, strict=True):
        services.unlock.unlock(iid, secret)
    win._on_unlocked(team)
    home = win.home_page
    settle(lambda: home.model.rowCount() > 0)  # type: ignore[attr-defined]
    settle(idle, rounds=50)
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
        settle(idle, rounds=50)
        settle(rounds=5)
        problems += fit_problems(win, step)
    # the print preview of the demo's on-site record
    closing = case.page("closing")
    case.show_step("closing")
    closing.print_form_now("onsite-record")  # type: ignore[attr-defined]
    settle(lambda: closing.preview is not None and closing.preview.isVisible())  # type: ignore[attr-defined]
    preview = closing.preview  # type: ignore[attr-defined]
    assert preview is not None
    settle(rounds=5)
    problems += fit_problems(preview, "print-preview")
    preview.close()

    # a NEW audit: the dialog filled in, six photos imported, every step
    win.show_page("home")
    win.new_audit()
    settle(lambda: win.new_audit_dialog is not None and win.new_audit_dialog.isVisible())
    dialog = win.new_audit_dialog
    assert dialog is not None
    fill_new_audit(dialog)
    settle(rounds=5)
    problems += fit_problems(dialog, "new-audit filled")
    dialog.submit()  # type: ignore[attr-defined]
    settle(lambda: win.case_page is not None and win.case_page is not case and win.case_page.snap is not None)
    case = win.case_page
    assert case is not None
    settle(idle, rounds=50)
    evidence = case.page("evidence")
    case.show_step("evidence")
    with tempfile.TemporaryDirectory(prefix="fieldaudit-fit-photos-") as photos:
        files = []
        for n in range(6):
            f = Path(photos) / f"IMG_{n:04d}.JPG"
            f.write_bytes(demo_photo(n))
            files.append(f)
        evidence.source.setText("住院部三病区护士站")  # type: ignore[attr-defined]
        evidence.provider_name.setText("钱护士")  # type: ignore[attr-defined]
        loads = case.loads
        evidence.import_paths(files)  # type: ignore[attr-defined]
        settle(lambda: case.loads > loads and idle())
    for step in PAGES:
        case.show_step(step)
        settle(idle, rounds=50)
        settle(rounds=5)
        problems += fit_problems(win, f"new audit: {step}")
    case.show_step("evidence")
    settle(lambda: not evidence.model.missing_thumbnails() and idle())  # type: ignore[attr-defined]
    settle(rounds=5)
    figures = evidence_figures(evidence)
    for name, opener in (("signature", "sign"), ("batch signature", "sign_batch"), ("refusal", "refuse")):
        getattr(evidence, opener)()
        opened = getattr(evidence, {"sign": "sign_dialog", "sign_batch": "batch_dialog",
                                    "refuse": "refusal_dialog"}[opener])
        settle(lambda o=opened: o.isVisible(), rounds=50)  # type: ignore[misc]
        settle(rounds=5)
        problems += fit_problems(opened, f"{name} dialog")
        opened.reject()
        settle(rounds=5)
    win.lock_now()
    services.store_pool.waitForDone()
    screen = app.primaryScreen()
    print(json.dumps({"screen": [screen.geometry().width(), screen.geometry().height()],
                      "scale": screen.devicePixelRatio(), "window": [win.frameGeometry().width(),
                                                                     win.frameGeometry().height()],
                      "evidence": figures, "problems": problems}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
