"""Print preview of a rendered form, and printing it to a real printer.

``PrintPreviewDialog(parent, pdf, title)`` shows the PDF bytes with QtPdf: the document is loaded from a
``QBuffer`` over the bytes (a case PDF never touches the disk), shown in a ``QPdfView`` with page navigation
and zoom. "打印…" opens ``QPrintDialog``; ``print_to(printer)`` renders every page of the document to an image
at the printer's resolution (capped at ``MAX_PRINT_DPI``: a 1200 dpi A4 page would be a 550 MB image) and
paints it onto the page, keeping the PDF's own margins (full-page mode, aspect ratio kept, centred).

The print itself was journaled when the PDF was rendered (``print_case``); printing the same bytes on paper
is the same document, so the dialog records nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPainter, QShortcut, QShowEvent
from PySide6.QtPdf import QPdfDocument, QPdfPageNavigator
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.ui.widgets.flow import FlowLayout
from app.ui.widgets.screen import fit_to_screen

MAX_PRINT_DPI = 300
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.25, 5.0


class PrintFailed(Exception):
    message_zh = "打印失败：无法在打印机上开始打印。"
    message_en = "Printing failed: the printer could not start the job."
    hint_zh = "请检查打印机是否已连接、开机并有纸，然后重试。"
    hint_en = "Check that the printer is connected, switched on and has paper, then try again."


class PreviewUnavailable(Exception):
    message_zh = "无法显示打印预览：文书文件不能打开。"
    message_en = "The print preview cannot be shown: the document cannot be opened."
    hint_zh = "请重新打印该文书；如仍失败，请联系管理员。"
    hint_en = "Print the document again; if it still fails, contact your administrator."


def page_image(document: QPdfDocument, page: int, dpi: float) -> QImage:
    """Page ``page`` of ``document`` rendered at ``dpi`` (white background)."""
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    rendered = document.render(page, size)  # transparent where the page has no ink
    paper = QImage(size, QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return paper


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint every page of ``document`` onto ``printer``; returns the number of pages printed."""
    pages = document.pageCount()
    if pages <= 0:
        raise PreviewUnavailable
    printer.setFullPage(True)  # the PDF carries its own margins
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed
    try:
        for page in range(pages):
            if page and not printer.newPage():
                raise PrintFailed
            image = page_image(document, page, dpi)
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            origin = QPoint(target.x() + (target.width() - scaled.width()) // 2,
                            target.y() + (target.height() - scaled.height()) // 2)
            painter.drawImage(QRect(origin, scaled), image)
    finally:
        painter.end()
    return pages


class PrintPreviewDialog(QDialog):
    """The PDF of one printed form: pages, zoom, "打印…" to a printer, "关闭"."""

    printed = Signal(int)  # pages sent to the printer

    def __init__(self, parent: QWidget | None, pdf: bytes, title: str = "", notice: str = "") -> None:
        """``notice``: what the person printing must know about the document (shown above the pages), e.g. that
        it prints as issued although the case data it reads changed since."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Print preview: %1").replace("%1", title) if title else self.tr("Print preview"))
        self._bytes = QByteArray(pdf)
        self.buffer = QBuffer(self)
        self.buffer.setData(self._bytes)
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self.buffer)
        self.print_dialog: QPrintDialog | None = None
        self.printer: QPrinter | None = None

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setPageSpacing(16)
        self.navigator: QPdfPageNavigator = self.view.pageNavigator()

        self.prev_button = QPushButton(self.tr("Previous page"))
        self.next_button = QPushButton(self.tr("Next page"))
        self.page_label = QLabel()
        self.page_label.setMinimumWidth(120)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_out_button = QPushButton(self.tr("Zoom out"))
        self.zoom_in_button = QPushButton(self.tr("Zoom in"))
        self.fit_width_button = QPushButton(self.tr("Fit width"))
        self.fit_page_button = QPushButton(self.tr("Whole page"))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(64)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setProperty("primary", True)
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Print).toString())
        self.close_button = QPushButton(self.tr("Close"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.notice = QLabel(notice)
        self.notice.setWordWrap(True)
        self.notice.setProperty("role", "error")  # shown in the warning colour
        self.notice.setVisible(bool(notice))

        self.prev_button.clicked.connect(lambda _c=False: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda _c=False: self.go_to(self.current_page() + 1))
        self.zoom_in_button.clicked.connect(lambda _c=False: self.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda _c=False: self.zoom_by(1 / ZOOM_STEP))
        self.fit_width_button.clicked.connect(lambda _c=False: self.set_zoom_mode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page_button.clicked.connect(lambda _c=False: self.set_zoom_mode(QPdfView.ZoomMode.FitInView))
        self.print_button.clicked.connect(lambda _c=False: self.open_print_dialog())
        self.close_button.clicked.connect(lambda _c=False: self.reject())
        self.navigator.currentPageChanged.connect(self._update_controls)
        self.view.zoomFactorChanged.connect(self._update_controls)
        self.view.zoomModeChanged.connect(self._update_controls)
        self.document.statusChanged.connect(self._update_controls)
        for keys, slot in (((QKeySequence.StandardKey.ZoomIn,), lambda: self.zoom_by(ZOOM_STEP)),
                           ((QKeySequence.StandardKey.ZoomOut,), lambda: self.zoom_by(1 / ZOOM_STEP)),
                           ((Qt.Key.Key_PageDown,), lambda: self.go_to(self.current_page() + 1)),
                           ((Qt.Key.Key_PageUp,), lambda: self.go_to(self.current_page() - 1))):
            QShortcut(QKeySequence(*keys), self, activated=slot)

        bar = FlowLayout(spacing=6)  # wraps onto a second line on a narrow screen (960 px at 200 %)
        for w in (self.prev_button, self.page_label, self.next_button):
            bar.addWidget(w)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_width_button,
                  self.fit_page_button):
            bar.addWidget(w)
        bar.addWidget(self.print_button)
        bar.addWidget(self.close_button)
        self.bar = bar
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.resize(980, 720)  # fitted to the screen when shown (showEvent)
        self.view.viewport().installEventFilter(self)  # a fitted zoom changes with the viewport's size
        self._update_controls()

    def showEvent(self, event: QShowEvent) -> None:
        """Never larger than the screen it opens on (1920×1080 at 150 % leaves 1280×720 logical pixels)."""
        super().showEvent(event)
        fit_to_screen(self, QSize(980, 720))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isValid(self) and watched is self.view.viewport():
            self._update_controls()
        return super().eventFilter(watched, event)

    def add_action(self, text: str, slot: Callable[[], None]) -> QPushButton:
        """A button of the caller's before "打印…" (e.g. re-issuing a stale document)."""
        button = QPushButton(text)
        button.clicked.connect(lambda _c=False: slot())
        self.bar.insertWidget(self.bar.indexOf(self.print_button), button)
        return button

    # --- state
    def page_count(self) -> int:
        return self.document.pageCount()

    def loaded(self) -> bool:
        return self.document.status() == QPdfDocument.Status.Ready and self.page_count() > 0

    def current_page(self) -> int:
        return self.navigator.currentPage()

    # --- navigation and zoom
    def go_to(self, page: int) -> None:
        if 0 <= page < self.page_count():
            self.navigator.jump(page, QPointF(), self.navigator.currentZoom())

    def set_zoom_mode(self, mode: QPdfView.ZoomMode) -> None:
        self.view.setZoomMode(mode)

    def shown_zoom(self) -> float:
        """The zoom the pages are shown at: the view's factor, or in "fit width"/"whole page" the one QPdfView
        derives from the viewport (its own rule: the page at the screen's logical resolution, scaled to the
        viewport less the document margins, and the page spacing in height)."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or not self.loaded():
            return self.view.zoomFactor()
        screen = self.screen() or QGuiApplication.primaryScreen()
        points = self.document.pagePointSize(self.current_page())
        scale = (screen.logicalDotsPerInch() if screen is not None else 96.0) / 72
        page_w, page_h = points.width() * scale, points.height() * scale
        if page_w <= 0 or page_h <= 0:
            return self.view.zoomFactor()
        margins = self.view.documentMargins()
        viewport = self.view.viewport().size()
        width = viewport.width() - margins.left() - margins.right()
        if mode == QPdfView.ZoomMode.FitToWidth:
            return max(0.0, width / page_w)
        return max(0.0, min(width / page_w, (viewport.height() - self.view.pageSpacing()) / page_h))

    def zoom_by(self, factor: float) -> None:
        current = self.shown_zoom()  # from what is shown ("whole page" may be 80 %), not the unused custom factor
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(MIN_ZOOM, min(MAX_ZOOM, current * factor)))

    @Slot()
    def _update_controls(self) -> None:
        if not all(isValid(o) for o in (self, self.document, self.view, self.navigator, self.status)):
            return  # the document announces its unloading while the dialog is being destroyed
        ok = self.loaded()
        pages = self.page_count()
        page = self.current_page()
        self.page_label.setText(self.tr("Page %1 of %2").replace("%1", str(page + 1)).replace("%2", str(pages))
                                if ok else "")
        self.prev_button.setEnabled(ok and page > 0)
        self.next_button.setEnabled(ok and page < pages - 1)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_width_button, self.fit_page_button,
                       self.print_button):
            button.setEnabled(ok)
        # the zoom shown from the start, in every mode ("fit width" and "whole page" follow the window's size)
        self.zoom_label.setText(f"{round(self.shown_zoom() * 100)}%" if ok else "")
        if not ok and self.document.status() in (QPdfDocument.Status.Error, QPdfDocument.Status.Null):
            self.status.setText(self.tr("The document cannot be shown. Print it again; if it still fails, "
                                        "contact your administrator."))

    # --- printing
    def open_print_dialog(self, printer: QPrinter | None = None) -> QPrintDialog:
        """Open the system print dialog (window-modal); on accept, print every page."""
        self.printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(self.windowTitle())
        self.printer.setFromTo(1, max(1, self.page_count()))
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle(self.tr("Print"))
        dialog.setMinMax(1, max(1, self.page_count()))
        dialog.accepted.connect(lambda: self.print_to(self.printer) if self.printer is not None else None)
        self.print_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()  # QDialog.open(): PySide exposes only QPrintDialog's open(receiver, member) overload
        return dialog

    def print_to(self, printer: QPrinter) -> int:
        """Print every page to ``printer``; errors are shown plainly. Returns pages printed (0 on failure)."""
        from app.ui.widgets.errors import show_error

        try:
            pages = print_document(self.document, printer)
        except (PrintFailed, PreviewUnavailable) as exc:
            show_error(self, exc)
            return 0
        self.status.setText(self.tr("%1 page(s) sent to the printer.").replace("%1", str(pages)))
        self.printed.emit(pages)
        return pages
