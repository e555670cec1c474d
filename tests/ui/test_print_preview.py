"""Print preview and printing of real forms rendered by ``print_case`` from the demo audit's store."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.models.profile import Profile, Store
from app.ui.main_window import PAGE_CASE, MainWindow
from app.ui.print_preview import PrintPreviewDialog, page_image
from app.ui.store_service import DEMO_PASSPHRASES, StoreUnlockService
from app.ui.wiring import Services, render_to_memory
from tests.ui.test_walkthrough import TIMEOUT, Driver, unlock

#: Services here are dated in December 2026; recorded as of the month's end (a service may not be later
#: than the day it is recorded, printing_data.record_service).
SERVICE_DAY = date(2026, 12, 31)


pytestmark = pytest.mark.timeout(300)


@dataclass
class Demo:
    root: Path
    case_id: str


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from app.models.schema import Case
    from app.workflow.demo import build_demo

    root = tmp_path_factory.mktemp("demo") / "profile"
    build_demo(root, *DEMO_PASSPHRASES)
    with Profile.open(root).unlock(DEMO_PASSPHRASES[0]) as store, store.session() as s:
        case_id = s.scalars(select(Case.id)).one()
    return Demo(root, case_id)


@pytest.fixture
def demo(_demo_template: Demo, tmp_path: Path) -> Demo:
    root = tmp_path / "demo"
    shutil.copytree(_demo_template.root, root)
    return Demo(root, _demo_template.case_id)


@pytest.fixture
def store(demo: Demo) -> Iterator[Store]:
    store = Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0])
    store.unlock_inspector(DEMO_PASSPHRASES[1])
    yield store
    store.close()


def printed(store: Store, case_id: str, form: str) -> int:
    from app.workflow.steps_closing import printed_forms

    with store.session() as s:
        return len(printed_forms(s, case_id).get(form, []))


def actor(store: Store) -> str:
    return store.profile.inspectors()[0].inspector_id


def non_blank(image: QImage) -> bool:
    """Some pixels are dark (text), most are white (paper)."""
    small = image.convertToFormat(QImage.Format.Format_Grayscale8)
    dark = sum(1 for y in range(0, small.height(), 4) for x in range(0, small.width(), 4)
               if small.pixelColor(x, y).value() < 128)
    return 0 < dark < (small.width() // 4) * (small.height() // 4) // 2


def _zoom_shown(dialog: PrintPreviewDialog) -> int:
    text = dialog.zoom_label.text()
    assert re.fullmatch(r"\d+%", text), text
    return int(text[:-1])


def page_width_at_100(dialog: PrintPreviewDialog) -> float:
    """The first page's width on screen at 100 % (QPdfView: points at the screen's logical resolution)."""
    return dialog.document.pagePointSize(0).width() * dialog.screen().logicalDotsPerInch() / 72


def _page_width_drawn(dialog: PrintPreviewDialog) -> int:
    """The first page's width in a grab of the view: from its first to its last paper-white pixel across the
    middle (the page's white margins at both ends; the view's grey around it)."""
    QApplication.processEvents()
    image = dialog.view.viewport().grab().toImage()
    widths = []
    for y in (image.height() // 3, image.height() // 2):
        white = [x for x in range(image.width()) if image.pixelColor(x, y).lightness() >= 250]
        widths.append(white[-1] - white[0] + 1 if white else 0)
    return max(widths)


def test_rendering_journals_nothing_an_accepted_print_once(store: Store, demo: Demo) -> None:
    from app.workflow.printing import record_accepted

    before = printed(store, demo.case_id, "onsite-record")
    rendered = render_to_memory(store, demo.case_id, "onsite-record", actor(store))
    pdf = rendered.pdf
    assert pdf.startswith(b"%PDF") and len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 1
    assert printed(store, demo.case_id, "onsite-record") == before  # a preview is not a print
    record_accepted(store, rendered, actor(store))
    assert printed(store, demo.case_id, "onsite-record") == before + 1


def test_preview_shows_every_page_and_prints_them(qtbot, store: Store, demo: Demo, tmp_path: Path) -> None:
    pdf = render_to_memory(store, demo.case_id, "onsite-record", actor(store)).pdf
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    dialog = PrintPreviewDialog(None, pdf, "现场检查笔录")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.loaded, timeout=TIMEOUT)
    assert dialog.page_count() == pages
    assert dialog.page_label.text() == f"第 1 页，共 {pages} 页"
    assert dialog.print_button.text() == "打印…" and dialog.close_button.text() == "关闭"
    image = page_image(dialog.document, 0, 72)
    assert not image.isNull() and abs(image.width() - 595) <= 1 and non_blank(image)

    # page navigation and zoom
    assert not dialog.prev_button.isEnabled()
    if pages > 1:
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        assert dialog.current_page() == 1 and dialog.prev_button.isEnabled()
        dialog.go_to(0)
        assert dialog.current_page() == 0
    # the zoom is shown from the start ("whole page"), and it is the zoom the page is drawn at
    whole = _zoom_shown(dialog)
    assert dialog.zoom_label.isVisible() and 10 <= whole <= 500, dialog.zoom_label.text()
    assert _page_width_drawn(dialog) / page_width_at_100(dialog) == pytest.approx(whole / 100, abs=0.02)
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)  # from what is shown, not from 100 %
    assert _zoom_shown(dialog) == pytest.approx(whole * 1.25, abs=1)
    assert dialog.view.zoomFactor() == pytest.approx(whole / 100 * 1.25, abs=0.01)
    qtbot.mouseClick(dialog.fit_width_button, Qt.MouseButton.LeftButton)
    width = _zoom_shown(dialog)
    assert width >= whole  # a portrait page in a landscape view: wider than "whole page"
    assert _page_width_drawn(dialog) / page_width_at_100(dialog) == pytest.approx(width / 100, abs=0.02)

    # printing: every page goes to the printer (a PDF printer here, so the test can count the pages)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"  # the test's printer output only; the app never writes case PDFs to disk
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=TIMEOUT) as signal:
        assert dialog.print_to(printer) == pages
    assert signal.args == [pages]
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == pages
    assert "已发送到打印机" in dialog.status.text()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_print_dialog_prints_on_accept(qtbot, store: Store, demo: Demo, tmp_path: Path) -> None:
    pdf = render_to_memory(store, demo.case_id, "notice", actor(store)).pdf
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    dialog = PrintPreviewDialog(None, pdf, "稽核通知书")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.loaded, timeout=TIMEOUT)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "via-dialog.pdf"
    printer.setOutputFileName(str(out))
    print_dialog = dialog.open_print_dialog(printer)
    assert print_dialog.isVisible()
    with qtbot.waitSignal(dialog.printed, timeout=TIMEOUT):
        print_dialog.accept()
    assert len(pypdf.PdfReader(out).pages) == pages


def test_a_broken_pdf_is_refused_plainly(qtbot) -> None:
    dialog = PrintPreviewDialog(None, b"%PDF-1.4 not really a pdf", "x")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=TIMEOUT)
    assert not dialog.loaded() and not dialog.print_button.isEnabled()
    assert "无法显示" in dialog.status.text()


def test_closing_page_previews_without_counting_and_counts_what_the_printer_took(qtbot, demo: Demo,
                                                                                  tmp_path: Path) -> None:
    services = Services(profile_dir=demo.root, unlock=StoreUnlockService(demo.root))
    assert services.printer is render_to_memory
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, *DEMO_PASSPHRASES)
    win.open_case(demo.case_id)
    assert win.current_page_name() == PAGE_CASE
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    d = Driver(qtbot, win)
    page = d.page("closing")
    before = len(d.case.snap.printed.get("onsite-record", []))
    qtbot.mouseClick(page.print_rows["onsite-record"][0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview is not None and page.preview.isVisible(), timeout=TIMEOUT)
    preview = page.preview
    qtbot.waitUntil(preview.loaded, timeout=TIMEOUT)
    assert preview.page_count() >= 1 and "现场检查笔录" in preview.windowTitle()
    qtbot.waitUntil(win.workspace.idle, timeout=TIMEOUT)
    assert len(d.case.snap.printed.get("onsite-record", [])) == before  # the preview is not a print
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "reprint.pdf"))
    d.do(lambda: preview.print_to(printer))  # a reprint after closing is a fact too
    assert len(d.case.snap.printed["onsite-record"]) == before + 1  # one journal entry per accepted print
    preview.close()
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()


def test_a_stale_document_is_shown_as_such_and_its_reissue_refusal_named(qtbot, demo: Demo) -> None:
    """The case data a served 稽核通知书 reads changed after it was issued: the preview is the document as issued,
    says so above the pages, and offers to re-issue it; the workflow refuses (it was served) and the closing page
    shows that refusal as the workflow words it. The UI holds no copy of the rule."""
    from PySide6.QtWidgets import QPushButton

    from app.workflow.printing_data import set_notice_details
    from tests.ui.walkthrough_helpers import error_boxes

    with Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0]) as store:
        store.unlock_inspector(DEMO_PASSPHRASES[1])
        first = render_to_memory(store, demo.case_id, "notice", actor(store))
        with store.transaction() as s:
            set_notice_details(s, store, demo.case_id, actor(store), audit_time="14:00", materials=["另行通知的材料"])
        rendered = render_to_memory(store, demo.case_id, "notice", actor(store))
    assert not first.stale and rendered.stale and rendered.pdf == first.pdf  # printed as issued

    services = Services(profile_dir=demo.root, unlock=StoreUnlockService(demo.root))
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, *DEMO_PASSPHRASES)
    win.open_case(demo.case_id)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    page = Driver(qtbot, win).page("closing")
    page.show_preview(rendered)
    preview = page.preview
    assert preview is not None
    qtbot.waitUntil(preview.loaded, timeout=TIMEOUT)
    assert preview.notice.isVisible() and ("已变更" in preview.notice.text() or "changed" in preview.notice.text())
    [button] = [b for b in preview.findChildren(QPushButton) if b.text() in ("重新出具…", "Re-issue…")]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.reissue_dialog.isVisible, timeout=TIMEOUT)
    page.reissue_dialog.textValueSelected.emit("通知时间调整")
    qtbot.waitUntil(lambda: bool(error_boxes()), timeout=TIMEOUT)
    text = error_boxes()[0].text()
    assert "送达" in text or "served" in text
    preview.close()
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()


def test_the_gui_printer_issues_only_with_two_inspectors_and_words_a_refusal_as_the_workflow(qtbot,
                                                                                            demo: Demo) -> None:
    """The GUI's printer (``render_to_memory``) renders with the store as unlocked: a first print issues the
    document, which needs both inspectors (条例 Art. 29); with one it is refused, and the error box says what the
    workflow says. With both (as on site) it issues."""
    from app.errors import PermissionRefused
    from app.ui.widgets.errors import describe_error

    with Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0]) as one, pytest.raises(PermissionRefused) as refused:
        render_to_memory(one, demo.case_id, "rectification", actor(one))
    text = describe_error(refused.value)
    assert text is not None and ("第二十九条" in text.message or "Art. 29" in text.message)
    with Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0]) as both:
        both.unlock_inspector(DEMO_PASSPHRASES[1])
        rendered = render_to_memory(both, demo.case_id, "rectification", actor(both))
    assert rendered.pdf.startswith(b"%PDF")


def test_a_served_stale_document_is_corrected_from_the_preview(qtbot, demo: Demo) -> None:
    """The 责令改正通知书 was served and its case data changed since: re-issuing is refused, so the preview also
    offers a 更正（补正）通知书; the inspector types the corrections and the reason, the workflow issues it (both
    inspectors are unlocked) and the preview shows the correction notice naming the original's 文号."""
    from datetime import datetime

    from PySide6.QtWidgets import QPushButton

    from app.workflow.demo import DEMO_HOSPITAL
    from app.workflow.issuing import issued_documents
    from app.workflow.printing_data import record_service, set_outcome_details

    with Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0]) as store:
        store.unlock_inspector(DEMO_PASSPHRASES[1])
        render_to_memory(store, demo.case_id, "rectification", actor(store))
        with store.transaction() as s:
            record_service(s, store, demo.case_id, actor(store), document_form="rectification", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 10, 10, 15), servers=["王建国", "李晓梅"],
                           today=SERVICE_DAY)
            set_outcome_details(s, store, demo.case_id, actor(store), handling="责令限期改正",
                                penalty="罚款", fine_fen=12_801_600, rectification=["界面更正后的改正事项"],
                                rectification_deadline=date(2026, 12, 31))
        rendered = render_to_memory(store, demo.case_id, "rectification", actor(store))
    assert rendered.stale

    services = Services(profile_dir=demo.root, unlock=StoreUnlockService(demo.root))
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, *DEMO_PASSPHRASES)
    win.open_case(demo.case_id)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    page = Driver(qtbot, win).page("closing")
    page.show_preview(rendered)
    first = page.preview
    assert first is not None
    qtbot.waitUntil(first.loaded, timeout=TIMEOUT)
    [button] = [b for b in first.findChildren(QPushButton)
                if b.text() in ("出具更正（补正）通知书…", "Correction notice…")]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.correction_dialog.isVisible, timeout=TIMEOUT)
    page.correction_items.setPlainText("原改正事项=>界面更正后的改正事项")
    page.correction_reason.setText("改正事项表述有误")
    page.correction_dialog.accept()
    qtbot.waitUntil(lambda: page.preview is not None and page.preview is not first, timeout=TIMEOUT)
    qtbot.waitUntil(page.preview.loaded, timeout=TIMEOUT)
    assert "更正" in page.preview.windowTitle() or "orrection" in page.preview.windowTitle()
    page.preview.close()
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()
    with Profile.open(demo.root).unlock(DEMO_PASSPHRASES[0]) as store, store.session() as s:
        [doc] = issued_documents(s, demo.case_id, "correction")
        text = "".join(p["text"] for p in doc.body["pages"])
    assert "界面更正后的改正事项" in text and str(doc.source["number"]) in text
