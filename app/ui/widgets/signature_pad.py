"""A signature pad: mouse, touch, and pen with pressure and tilt (``QTabletEvent``).

Strokes are recorded in integer units only, so they serialise to canonical JSON without floats:

* ``x``, ``y``: tenths of a (logical) pixel from the pad's top-left corner;
* ``t_ms``: milliseconds since the first point of the signature;
* ``pressure``: 0–1000 (mouse: 500; touch without pressure sensing: 500);
* ``tilt_x``, ``tilt_y``: pen tilt in whole degrees (-60…60; 0 for mouse and touch).

``render_png()`` draws the strokes on white, deterministically (same strokes, same bytes).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QBuffer, QElapsedTimer, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

UNITS_PER_PX = 10
DEFAULT_PRESSURE = 500
MAX_PRESSURE = 1000
BASE_WIDTH_PX = 2.6
INK = QColor(10, 20, 60)
FORMAT_VERSION = 1


class StrokePoint(NamedTuple):
    x: int
    y: int
    t_ms: int
    pressure: int
    tilt_x: int
    tilt_y: int


Stroke = list[StrokePoint]


def _width_for(pressure: int, scale: float) -> float:
    return BASE_WIDTH_PX * scale * (0.35 + 1.3 * max(0, min(MAX_PRESSURE, pressure)) / MAX_PRESSURE)


def _pt(p: StrokePoint) -> QPointF:
    return QPointF(p.x / UNITS_PER_PX, p.y / UNITS_PER_PX)


def paint_strokes(painter: QPainter, strokes: list[Stroke], scale: float = 1.0) -> None:
    """Draw strokes as quadratic curves through the midpoints, the pen width following the pressure."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for stroke in strokes:
        if not stroke:
            continue
        if len(stroke) == 1:
            p = stroke[0]
            width = _width_for(p.pressure, scale)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(INK)
            painter.drawEllipse(_pt(p) * scale, width / 2, width / 2)
            continue
        pts = [_pt(p) * scale for p in stroke]
        mids = [(pts[i] + pts[i + 1]) / 2 for i in range(len(pts) - 1)]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        segments: list[tuple[QPainterPath, int]] = []
        first = QPainterPath(pts[0])
        first.lineTo(mids[0])
        segments.append((first, stroke[0].pressure))
        for i in range(1, len(pts) - 1):
            path = QPainterPath(mids[i - 1])
            path.quadTo(pts[i], mids[i])
            segments.append((path, stroke[i].pressure))
        last = QPainterPath(mids[-1])
        last.lineTo(pts[-1])
        segments.append((last, stroke[-1].pressure))
        for path, pressure in segments:
            pen = QPen(
                INK,
                _width_for(pressure, scale),
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
            painter.setPen(pen)
            painter.drawPath(path)


class SignaturePad(QWidget):
    """The drawing surface. ``changed`` is emitted whenever the strokes change (new point, clear, undo)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 160)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._clock = QElapsedTimer()
        self._hint = ""
        self._retranslate()

    def sizeHint(self) -> QSize:
        return QSize(640, 240)

    # --- public API
    def strokes(self) -> list[Stroke]:
        """The finished strokes (a copy), oldest first."""
        return [list(s) for s in self._strokes]

    def set_strokes(self, strokes: list[list[StrokePoint]] | list[list[tuple[int, ...]]]) -> None:
        """Show previously recorded strokes (e.g. a saved signature)."""
        self._strokes = [[StrokePoint(*p) for p in s] for s in strokes if s]
        self._current = None
        self.update()
        self.changed.emit()

    def is_empty(self) -> bool:
        return not self._strokes and not self._current

    def point_count(self) -> int:
        return sum(len(s) for s in self._strokes)

    def clear(self) -> None:
        if self.is_empty():
            return
        self._strokes = []
        self._current = None
        self._clock.invalidate()
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self._strokes:
            self._strokes.pop()
            if not self._strokes:
                self._clock.invalidate()
            self.update()
            self.changed.emit()

    def to_dict(self) -> dict[str, Any]:
        """The signature as plain integers (canonical-JSON friendly)."""
        return {
            "version": FORMAT_VERSION,
            "unit": "0.1px",
            "canvas": [self.width() * UNITS_PER_PX, self.height() * UNITS_PER_PX],
            "fields": list(StrokePoint._fields),
            "strokes": [[list(p) for p in s] for s in self._strokes],
        }

    def render_png(self, *, scale: float = 2.0, crop: bool = True, margin_px: int = 12) -> bytes:
        """The strokes on white as PNG bytes; deterministic for the same strokes and arguments.

        ``crop`` trims to the strokes' bounding box plus a margin; otherwise the pad's current size is used.
        """
        strokes = self._strokes
        if crop and any(strokes):
            xs = [p.x for s in strokes for p in s]
            ys = [p.y for s in strokes for p in s]
            left = min(xs) / UNITS_PER_PX - margin_px
            top = min(ys) / UNITS_PER_PX - margin_px
            width = max(xs) / UNITS_PER_PX - left + margin_px
            height = max(ys) / UNITS_PER_PX - top + margin_px
        else:
            left, top = 0.0, 0.0
            width, height = float(max(1, self.width())), float(max(1, self.height()))
        image = QImage(
            max(1, round(width * scale)), max(1, round(height * scale)), QImage.Format.Format_RGB32
        )
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.translate(-left * scale, -top * scale)
        paint_strokes(painter, strokes, scale)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data().data())

    # --- recording
    def _now_ms(self) -> int:
        if not self._clock.isValid():
            self._clock.start()
            return 0
        return int(self._clock.elapsed())

    def _point(self, pos: QPointF, pressure: int, tilt_x: int = 0, tilt_y: int = 0) -> StrokePoint:
        x = min(max(pos.x(), 0.0), float(self.width()))
        y = min(max(pos.y(), 0.0), float(self.height()))
        return StrokePoint(
            round(x * UNITS_PER_PX),
            round(y * UNITS_PER_PX),
            self._now_ms(),
            max(0, min(MAX_PRESSURE, pressure)),
            max(-90, min(90, tilt_x)),
            max(-90, min(90, tilt_y)),
        )

    def _begin(self, point: StrokePoint) -> None:
        self._current = [point]
        self.update()

    def _extend(self, point: StrokePoint) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if (last.x, last.y) == (point.x, point.y) and last.pressure == point.pressure:
            return
        self._current.append(point)
        self.update()

    def _end(self, point: StrokePoint | None) -> None:
        if self._current is None:
            return
        if point is not None:
            self._extend(point)
        self._strokes.append(self._current)
        self._current = None
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(self._point(event.position(), DEFAULT_PRESSURE))
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is not None:
            self._extend(self._point(event.position(), DEFAULT_PRESSURE))
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._end(self._point(event.position(), DEFAULT_PRESSURE))
            event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        point = self._point(
            event.position(),
            round(event.pressure() * MAX_PRESSURE),
            round(event.xTilt()),
            round(event.yTilt()),
        )
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(point)
        elif kind == QEvent.Type.TabletMove:
            self._extend(point)
        elif kind == QEvent.Type.TabletRelease:
            self._end(point)
        event.accept()  # no synthesized mouse events for the pen

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            assert isinstance(event, QTouchEvent)
            self._touch(event)
            event.accept()
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TouchCancel:
            self._current = None
            self.update()
            return
        points = event.points()
        if not points:
            return
        tp = points[0]
        device = event.pointingDevice()
        has_pressure = device is not None and bool(device.capabilities() & QInputDevice.Capability.Pressure)
        pressure = round(tp.pressure() * MAX_PRESSURE) if has_pressure else DEFAULT_PRESSURE
        point = self._point(tp.position(), pressure)
        if kind == QEvent.Type.TouchBegin:
            self._begin(point)
        elif kind == QEvent.Type.TouchUpdate:
            self._extend(point)
        else:
            self._end(point)

    # --- painting
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._hint = self.tr("Sign here")
        self.setAccessibleName(self.tr("Signature pad"))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        baseline_y = self.height() * 0.75
        painter.setPen(QPen(QColor(180, 180, 190), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, baseline_y), QPointF(self.width() - 24, baseline_y))
        if self.is_empty():
            painter.setPen(QColor(150, 150, 160))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._hint)
        painter.setPen(QPen(QColor(200, 200, 210), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        strokes = self._strokes + ([self._current] if self._current else [])
        paint_strokes(painter, strokes)
        painter.end()


class SignaturePanel(QWidget):
    """The pad with a prompt (who signs), Undo and Clear buttons."""

    def __init__(self, parent: QWidget | None = None, signer: str = "") -> None:
        super().__init__(parent)
        self.pad = SignaturePad(self)
        self._signer = signer
        self._prompt = QLabel()
        self._prompt.setWordWrap(True)
        self.undo_button = QPushButton()
        self.clear_button = QPushButton()
        self.undo_button.clicked.connect(self.pad.undo)
        self.clear_button.clicked.connect(self.pad.clear)
        self.pad.changed.connect(self._update_buttons)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._prompt)
        layout.addWidget(self.pad, 1)
        layout.addLayout(buttons)
        self._retranslate()
        self._update_buttons()

    def set_signer(self, signer: str) -> None:
        self._signer = signer
        self._retranslate()

    def _update_buttons(self) -> None:
        empty = self.pad.is_empty()
        self.undo_button.setEnabled(not empty)
        self.clear_button.setEnabled(not empty)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        if self._signer:
            self._prompt.setText(self.tr("Signature of %1:").replace("%1", self._signer))
        else:
            self._prompt.setText(self.tr("Signature:"))
        self.undo_button.setText(self.tr("Undo stroke"))
        self.clear_button.setText(self.tr("Clear"))
