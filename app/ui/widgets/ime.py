"""Whether an input method is composing (拼音 typed, not yet turned into characters).

Esc while composing belongs to the input method (it cancels the composition); a page that leaves on Esc asks
``composing()`` first. The tracker watches input-method events application-wide: a non-empty pre-edit string
starts a composition, a commit or an empty pre-edit ends it, and so does the focus leaving the widget.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication


class CompositionTracker(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._composing: QObject | None = None

    def composing(self) -> bool:
        return self._composing is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent):
            self._composing = watched if event.preeditString() else None
        elif kind == QEvent.Type.FocusOut and watched is self._composing:
            self._composing = None
        return False


_tracker: CompositionTracker | None = None


def install() -> CompositionTracker | None:
    """The application's tracker (installed on first use)."""
    global _tracker
    app = QApplication.instance()
    if app is None:
        return None
    if _tracker is None or not shiboken6.isValid(_tracker) or _tracker.parent() is not app:
        _tracker = CompositionTracker(app)
        app.installEventFilter(_tracker)
    return _tracker


def composing() -> bool:
    tracker = install()
    return tracker is not None and tracker.composing()
