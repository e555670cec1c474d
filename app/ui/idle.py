"""Idle detection for auto-lock: any user input restarts a single-shot timer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without input anywhere in the application, while started.

    Input only notes the time on ``clock`` (seconds, monotonic); the timer wakes :meth:`check`, which emits or sleeps
    for what remains. Tests replace ``clock`` and call :meth:`check` instead of waiting.
    """

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.clock = clock
        self._interval_ms = max(1, interval_ms)
        self._last = clock()
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._installed = False

    def interval_ms(self) -> int:
        return self._interval_ms

    def set_interval_ms(self, interval_ms: int) -> None:
        self._interval_ms = max(1, interval_ms)
        if self._running:
            self._touch()

    def _touch(self) -> None:
        self._last = self.clock()
        self._timer.start(self._interval_ms)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._running = True
        self._touch()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def is_active(self) -> bool:
        return self._running

    def check(self) -> bool:
        """Emit ``idle`` (once) if the interval has passed since the last input; else wait for the rest."""
        if not self._running:
            return False
        remaining = self._interval_ms - (self.clock() - self._last) * 1000
        if remaining <= 0:
            self._running = False
            self._timer.stop()
            self.idle.emit()
            return True
        self._timer.start(max(1, math.ceil(remaining)))
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._running:
            self._last = self.clock()
        return False
