"""Idle detection for auto-lock: ``idle`` once no user input came for ``interval_ms``.

Input only notes the time (a clock read, no timer restart per mouse move); a single-shot timer wakes up when the
interval could have passed and checks the clock, so a laptop waking from sleep locks on the first check. The clock
is injectable (``clock=``, the ``clock`` property or ``set_clock``) so tests let the idle lock fire without waiting
on the wall clock; :meth:`IdleWatcher.check` says whether it fired.
"""

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
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without input anywhere in the application, while started."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._interval = max(1, interval_ms)
        self._clock = clock
        self._last = clock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)
        self._installed = False
        self._running = False

    def interval_ms(self) -> int:
        return self._interval

    def set_interval_ms(self, interval_ms: int) -> None:
        self._interval = max(1, interval_ms)
        if self._timer.isActive():
            self.check()

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Measure idleness on ``clock`` (seconds, monotonic) from now on."""
        self._clock = clock
        self._last = clock()

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.set_clock(clock)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._last = self._clock()
        self._running = True
        self._timer.start(self._interval)

    def stop(self) -> None:
        self._running = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def is_active(self) -> bool:
        return self._timer.isActive()

    def check(self) -> bool:
        """Emit ``idle`` (once) when the interval has passed since the last input; otherwise wake up again when it
        could have. Returns whether it fired."""
        if not self._installed or not self._running:
            return False
        remaining = self._interval - (self._clock() - self._last) * 1000
        if remaining <= 0:
            self._running = False
            self._timer.stop()
            self.idle.emit()
            return True
        self._timer.start(max(1, math.ceil(remaining)))
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last = self._clock()
        return False
