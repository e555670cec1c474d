"""Small line icons drawn with QPainter (no image files, no emoji: every glyph a font may lack is avoided).

``icon(name)`` for: zoom-in, zoom-out, fit, actual-size, rotate-left, rotate-right, clock, warning, missing.
Drawn at 2× so they stay sharp at 150 % and 200 % scaling.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

SIZE = 24
INK = QColor("#2b2b2b")
NAMES = ("zoom-in", "zoom-out", "fit", "actual-size", "rotate-left", "rotate-right", "clock", "warning", "missing")


def _arrow_arc(p: QPainter, clockwise: bool) -> None:
    rect = QRectF(5, 5, 14, 14)
    path = QPainterPath()
    start = 180 if clockwise else 0  # both end at the bottom, the arrow pointing the way it turns
    span = -270 if clockwise else 270
    path.arcMoveTo(rect, start)
    path.arcTo(rect, start, span)
    p.drawPath(path)
    end = path.currentPosition()
    tip = QPointF(end.x() + (-3 if clockwise else 3), end.y())
    head = QPolygonF([QPointF(end.x(), end.y() - 4), QPointF(end.x(), end.y() + 4), tip])
    p.save()
    p.setBrush(INK)
    p.drawPolygon(head)
    p.restore()


def _draw(p: QPainter, name: str) -> None:
    pen = QPen(INK, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    if name in ("zoom-in", "zoom-out"):
        p.drawEllipse(QRectF(3, 3, 13, 13))
        p.drawLine(QPointF(14, 14), QPointF(21, 21))
        p.drawLine(QPointF(6.5, 9.5), QPointF(12.5, 9.5))
        if name == "zoom-in":
            p.drawLine(QPointF(9.5, 6.5), QPointF(9.5, 12.5))
    elif name == "fit":
        for x, y, dx, dy in ((3, 3, 1, 1), (21, 3, -1, 1), (3, 21, 1, -1), (21, 21, -1, -1)):
            p.drawLine(QPointF(x, y), QPointF(x + 6 * dx, y))
            p.drawLine(QPointF(x, y), QPointF(x, y + 6 * dy))
    elif name == "actual-size":
        font = QFont(p.font())
        font.setPixelSize(11)
        font.setBold(True)
        p.setFont(font)
        p.drawRect(QRectF(2, 4, 20, 16))
        p.drawText(QRectF(2, 4, 20, 16), Qt.AlignmentFlag.AlignCenter, "1:1")
    elif name in ("rotate-left", "rotate-right"):
        _arrow_arc(p, name == "rotate-right")
    elif name == "clock":
        p.drawEllipse(QRectF(3, 3, 18, 18))
        p.drawLine(QPointF(12, 12), QPointF(12, 6.5))
        p.drawLine(QPointF(12, 12), QPointF(16, 14))
    elif name == "warning":
        p.setPen(QPen(QColor("#9a6700"), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.drawPolygon(QPolygonF([QPointF(12, 3), QPointF(22, 20), QPointF(2, 20)]))
        p.drawLine(QPointF(12, 9), QPointF(12, 14))
        p.drawPoint(QPointF(12, 17))
    elif name == "missing":
        p.setPen(QPen(QColor("#b3261e"), 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(6, 6), QPointF(18, 18))
        p.drawLine(QPointF(18, 6), QPointF(6, 18))
    else:
        raise KeyError(name)


@cache
def icon(name: str) -> QIcon:
    result = QIcon()
    for scale in (1, 2, 3):
        pixmap = QPixmap(SIZE * scale, SIZE * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _draw(painter, name)
        painter.end()
        result.addPixmap(pixmap)
    return result
