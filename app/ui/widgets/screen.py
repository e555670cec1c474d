"""Fitting a top-level window to the screen it opens on (issue 10 §8): never larger than the available geometry
(the task bar excluded), the preferred size where there is room (1366×768 at 100 %, 1920×1080 at 150 % and 200 %
leave 1366×728, 1280×690 and 960×500 logical pixels)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget, preferred: QSize) -> None:
    """Resize (and, if needed, move) ``window`` so its frame lies within its screen's available geometry."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(preferred)
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())  # title bar and borders
    room = QSize(max(1, available.width() - extra.width()), max(1, available.height() - extra.height()))
    window.setMaximumSize(QSize(16_777_215, 16_777_215))
    window.resize(preferred.boundedTo(room))
    frame = window.frameGeometry()
    if not available.contains(frame):
        window.move(max(available.left(), min(frame.left(), available.right() - frame.width() + 1)),
                    max(available.top(), min(frame.top(), available.bottom() - frame.height() + 1)))
