"""A photo viewer for evidence photos held in memory.

It takes the image as bytes, never a path: decrypted evidence stays in memory only. Zoom (wheel, +/-, fit,
100 %), pan (drag), rotate for viewing only (the evidence is never changed), and an EXIF panel (time taken,
camera, GPS). Damaged or unsupported data shows a clear message instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.icons import icon
from app.ui.widgets.photo_decode import PhotoDecodeError, PhotoInfo, read_photo

MIN_ZOOM = 0.02
MAX_ZOOM = 16.0
ZOOM_STEP = 1.25
# Bounds of a preview's longer side (device pixels): enough to fill the viewer, far less than a 12 MP photo.
PREVIEW_MIN_EDGE = 640
PREVIEW_MAX_EDGE = 2048

class _View(QGraphicsView):
    wheel_zoom = Signal(float, object)  # factor, anchor (QPoint in viewport)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.wheel_zoom.emit(ZOOM_STEP**steps, event.position().toPoint())
            event.accept()
        else:
            super().wheelEvent(event)


class PhotoViewer(QWidget):
    """View one photo from bytes; ``viewChanged`` after zoom/rotate/fit."""

    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self._view = _View(self._scene)
        self._view.setRenderHints(
            QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing
        )
        self._view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self._view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._view.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self._view.wheel_zoom.connect(self._zoom_at)
        self._message = QLabel()
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setProperty("role", "error")
        self._stack = QStackedWidget()
        self._stack.setMinimumHeight(180)  # a photo one can make out, or the whole message
        self._stack.addWidget(self._view)
        self._stack.addWidget(self._message)

        self._zoom = 1.0
        self._rotation = 0
        self._fit = True
        self._info: PhotoInfo | None = None
        self._error: str | None = None  # "decode" or "empty"
        self._source: bytes | None = None  # the encoded photo while only a preview is shown
        self._full_loading = False
        self._generation = 0  # which photo a finished full decode belongs to

        self.zoom_in_button = QToolButton()
        self.zoom_out_button = QToolButton()
        self.fit_button = QToolButton()
        self.actual_button = QToolButton()
        self.rotate_left_button = QToolButton()
        self.rotate_right_button = QToolButton()
        self.zoom_label = QLabel()
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.clicked.connect(self.fit_to_window)
        self.actual_button.clicked.connect(self.actual_size)
        self.rotate_left_button.clicked.connect(self.rotate_left)
        self.rotate_right_button.clicked.connect(self.rotate_right)
        tools = QHBoxLayout()
        for button, icon_name in (
            (self.zoom_in_button, "zoom-in"),
            (self.zoom_out_button, "zoom-out"),
            (self.fit_button, "fit"),
            (self.actual_button, "actual-size"),
            (self.rotate_left_button, "rotate-left"),
            (self.rotate_right_button, "rotate-right"),
        ):  # icons, named in the tool tip and for screen readers: six words do not fit a narrow viewer
            button.setIcon(icon(icon_name))
            button.setIconSize(QSize(24, 24))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setStyleSheet("QToolButton { padding: 4px; }")  # still 44 px square (touch target)
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.zoom_label)

        self._exif_box = QGroupBox()
        self._exif_box.setMinimumWidth(230)  # "2026-11-23 09:41:00" and "4000 × 3000" on one line each
        form = QFormLayout(self._exif_box)
        self._exif_labels: dict[str, QLabel] = {}
        self._exif_names: dict[str, QLabel] = {}
        for key in ("taken_at", "camera", "gps", "size", "format"):
            name = QLabel()
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self._exif_names[key] = name
            self._exif_labels[key] = value
            form.addRow(name, value)

        self._exif_box.installEventFilter(self)  # its height follows its wrapped lines (_fit_exif)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._stack)
        splitter.addWidget(self._exif_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # inside a page: its margins are the page's
        layout.addLayout(tools)
        layout.addWidget(splitter, 1)

        keymap: tuple[tuple[tuple[QKeySequence.StandardKey | str, ...], Callable[[], None]], ...] = (
            ((QKeySequence.StandardKey.ZoomIn, "+", "="), self.zoom_in),
            ((QKeySequence.StandardKey.ZoomOut, "-"), self.zoom_out),
            (("0",), self.fit_to_window),
            (("1",), self.actual_size),
            (("L",), self.rotate_left),
            (("R",), self.rotate_right),
        )
        for keys, slot in keymap:
            for seq in keys:
                shortcut = QShortcut(QKeySequence(seq), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self._set_error("empty")
        self._retranslate()

    # --- content
    def set_image_bytes(self, data: bytes) -> bool:
        """Decode and show the photo in ``data``; False (and a message) if it cannot be decoded.

        Decoding a large photo takes longer than a frame: pages decode with ``read_photo`` on a worker and
        call ``set_photo`` (or ``show_undecodable``) with the result."""
        try:
            image, info = read_photo(data)
        except PhotoDecodeError:
            self.show_undecodable()
            return False
        self.set_photo(image, info)
        return True

    def show_undecodable(self) -> None:
        """The bytes were not a readable image: say so instead of a picture."""
        self._generation += 1
        self._source = None
        self._item.setPixmap(QPixmap())
        self._info = None
        self._set_error("decode")
        self._update_exif()

    def set_photo(self, image: QImage, info: PhotoInfo, source: bytes | None = None) -> None:
        """Show a photo already decoded by ``read_photo``.

        ``image`` may be a preview smaller than the photo (``read_photo(data, max_edge)``); with the encoded
        ``source`` the viewer decodes the full photo off the GUI thread once the zoom needs more pixels than the
        preview has. The scene is in the photo's own pixels either way, so zoom factors mean the same."""
        self._generation += 1
        self._source = source if image.width() < info.width else None
        self._full_loading = False
        self._show_pixmap(QPixmap.fromImage(image), info.width)
        self._info = info
        self._error = None
        self._stack.setCurrentWidget(self._view)
        self._rotation = 0
        self._update_exif()
        self.fit_to_window()

    def _show_pixmap(self, pixmap: QPixmap, full_width: int) -> None:
        self._item.setPixmap(pixmap)
        self._item.setTransformOriginPoint(0, 0)
        self._item.setScale(full_width / pixmap.width() if pixmap.width() else 1.0)
        self._scene.setSceneRect(self._item.sceneBoundingRect())  # the photo's own pixels, preview or full

    def preview_edge(self) -> int:
        """The longer side, in device pixels, a preview needs to fill this viewer when fitted."""
        ratio = self.devicePixelRatioF()
        viewport = self._view.viewport().size()
        edge = round(max(viewport.width(), viewport.height(), 1) * ratio)
        return max(PREVIEW_MIN_EDGE, min(PREVIEW_MAX_EDGE, edge))

    def showing_full_resolution(self) -> bool:
        """The photo's every pixel is in memory (not only a preview)."""
        return self.has_image() and self._item.scale() <= 1.0

    def _load_full_if_needed(self) -> None:
        """Decode the full photo once the zoom shows more pixels than the preview holds (worker thread)."""
        pixmap = self._item.pixmap()
        if self._source is None or self._full_loading or self._info is None or pixmap.width() <= 0:
            return
        if self._zoom * self._info.width <= pixmap.width() * 1.05:
            return
        from app.ui.operations import Operation

        self._full_loading = True
        source, generation, full_width = self._source, self._generation, self._info.width

        def shown(result: tuple[QImage, PhotoInfo]) -> None:
            if generation != self._generation:
                return  # another photo is shown by now
            self._source = None
            self._full_loading = False
            self._show_pixmap(QPixmap.fromImage(result[0]), full_width)

        def failed(_exc: BaseException) -> None:
            if generation == self._generation:
                self._full_loading = False
                self._source = None  # keep the preview: it decoded, so the photo is shown

        Operation(self, lambda _ctx: read_photo(source)).success(shown).failure(failed).run()

    def clear(self) -> None:
        """Forget the photo (e.g. on lock)."""
        self._generation += 1
        self._source = None
        self._item.setPixmap(QPixmap())
        self._info = None
        self._set_error("empty")
        self._update_exif()

    def info(self) -> PhotoInfo | None:
        return self._info

    def has_image(self) -> bool:
        return self._info is not None

    def message_text(self) -> str:
        return self._message.text() if self._error else ""

    def exif_text(self, key: str) -> str:
        return self._exif_labels[key].text()

    def zoom_factor(self) -> float:
        return self._zoom

    def rotation(self) -> int:
        return self._rotation

    def is_fit(self) -> bool:
        return self._fit

    # --- view operations (viewing only: the evidence bytes are never changed)
    def zoom_in(self) -> None:
        self._set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._zoom / ZOOM_STEP)

    def actual_size(self) -> None:
        self._set_zoom(1.0)

    def fit_to_window(self) -> None:
        self._fit = True
        self._apply_fit()

    def rotate_left(self) -> None:
        self._rotate(-90)

    def rotate_right(self) -> None:
        self._rotate(90)

    def _rotate(self, degrees: int) -> None:
        if not self.has_image():
            return
        self._rotation = (self._rotation + degrees) % 360
        if self._fit:
            self._apply_fit()
        else:
            self._apply_transform()

    def _zoom_at(self, factor: float, anchor: object) -> None:
        """Zoom keeping the scene point under the mouse where it is."""
        if not self.has_image():
            return
        before = self._view.mapToScene(anchor)  # type: ignore[call-overload]
        self._set_zoom(self._zoom * factor)
        delta = self._view.mapFromScene(before) - anchor  # type: ignore[operator]
        hbar, vbar = self._view.horizontalScrollBar(), self._view.verticalScrollBar()
        hbar.setValue(hbar.value() + delta.x())
        vbar.setValue(vbar.value() + delta.y())

    def _set_zoom(self, zoom: float) -> None:
        if not self.has_image():
            return
        self._fit = False
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._apply_transform()

    def _apply_fit(self) -> None:
        if not self.has_image():
            return
        rect = QTransform().rotate(self._rotation).mapRect(self._item.sceneBoundingRect())
        viewport = self._view.viewport().rect()
        if rect.width() <= 0 or rect.height() <= 0 or viewport.width() <= 2 or viewport.height() <= 2:
            return
        self._zoom = max(
            MIN_ZOOM,
            min(MAX_ZOOM, (viewport.width() - 2) / rect.width(), (viewport.height() - 2) / rect.height()),
        )
        self._apply_transform()
        self._view.centerOn(self._item)

    def _apply_transform(self) -> None:
        self._view.setTransform(QTransform().rotate(self._rotation).scale(self._zoom, self._zoom))
        self.zoom_label.setText(f"{round(self._zoom * 100)} %")
        self.viewChanged.emit()
        self._load_full_if_needed()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit:
            self._apply_fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fit:
            self._apply_fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._exif_box and event.type() == QEvent.Type.Resize:
            self._fit_exif()
        return super().eventFilter(watched, event)

    def _fit_exif(self) -> None:
        """The EXIF box never shorter than its lines at its width (a value wraps in a narrow box): the viewer
        asks its page for that height instead of cutting the last lines off."""
        box = self._exif_box
        if box.width() > 0:
            needed = box.heightForWidth(box.width())
            if needed > 0 and needed != box.minimumHeight():
                box.setMinimumHeight(needed)

    # --- texts
    def _set_error(self, kind: str) -> None:
        self._error = kind
        self._stack.setCurrentWidget(self._message)
        self._retranslate()

    def _update_exif(self) -> None:
        self._retranslate()
        self._fit_exif()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        if not hasattr(self, "_exif_box"):
            return
        self.zoom_in_button.setText(self.tr("Zoom in"))
        self.zoom_out_button.setText(self.tr("Zoom out"))
        self.fit_button.setText(self.tr("Fit"))
        self.actual_button.setText(self.tr("100 %"))
        self.rotate_left_button.setText(self.tr("Rotate left"))
        self.rotate_right_button.setText(self.tr("Rotate right"))
        self.zoom_in_button.setToolTip(self.tr("Zoom in (+ or mouse wheel)"))
        self.zoom_out_button.setToolTip(self.tr("Zoom out (-)"))
        self.fit_button.setToolTip(self.tr("Fit to window (0)"))
        self.actual_button.setToolTip(self.tr("Actual size (1)"))
        self.rotate_left_button.setToolTip(self.tr("Rotate left for viewing; the photo is not changed (L)"))
        self.rotate_right_button.setToolTip(self.tr("Rotate right for viewing; the photo is not changed (R)"))
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.actual_button,
                       self.rotate_left_button, self.rotate_right_button):
            button.setAccessibleName(button.text())
        if self._error == "decode":
            self._message.setText(
                self.tr(
                    "This photo cannot be shown: the data is damaged or not a supported image format.\n"
                    "The stored evidence has not been changed."
                )
            )
        elif self._error == "empty":
            self._message.setText(self.tr("No photo selected"))
        self._exif_box.setTitle(self.tr("Photo details (EXIF)"))
        self._exif_names["taken_at"].setText(self.tr("Taken at"))
        self._exif_names["camera"].setText(self.tr("Camera"))
        self._exif_names["gps"].setText(self.tr("GPS location"))
        self._exif_names["size"].setText(self.tr("Size"))
        self._exif_names["format"].setText(self.tr("Format"))
        info = self._info
        none = self.tr("not recorded")
        if info is None:
            for label in self._exif_labels.values():
                label.setText("—")
            return
        self._exif_labels["taken_at"].setText(info.taken_at or none)
        self._exif_labels["camera"].setText(info.camera or none)
        if info.gps is not None:
            lat, lon = info.gps
            text = f"{abs(lat):.6f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.6f}° {'E' if lon >= 0 else 'W'}"
            if info.altitude_m is not None:
                text += f"\n{info.altitude_m:.0f} m"
            self._exif_labels["gps"].setText(text)
        else:
            self._exif_labels["gps"].setText(none)
        self._exif_labels["size"].setText(f"{info.width} × {info.height}")
        self._exif_labels["format"].setText(info.format)
