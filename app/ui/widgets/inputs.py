"""One application-wide guard for how inputs behave (issue 10 §2, §7):

- **the wheel never changes a value that was not clicked into**: over a spin box, date edit or combo box without
  keyboard focus, a wheel event goes to the page behind it (which scrolls) instead of changing the value, and these
  widgets take focus by click or Tab only, never by the wheel;
- **dates through a calendar popup**: every date (and date-time) edit gets one;
- **whether an input method is composing** (拼音 typed, not yet characters): a non-empty pre-edit string starts a
  composition, a commit or an empty pre-edit ends it, and so does the focus leaving the widget. Esc while composing
  belongs to the input method; a page that leaves on Esc asks ``composing()`` first.

``install()`` puts the guard on the QApplication once (``configure_application`` does; the case page makes sure).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QWidget,
)

_VALUE_WIDGETS = (QAbstractSpinBox, QComboBox)


def _value_widget(obj: QObject) -> QWidget | None:
    """The spin box / combo box ``obj`` is or belongs to (the line edit inside a spin box)."""
    for candidate in (obj, obj.parent()):
        if isinstance(candidate, _VALUE_WIDGETS):
            return candidate
    return None


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class InputGuard(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._composing: QObject | None = None

    def composing(self) -> bool:
        return self._composing is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            widget = _value_widget(watched)
            if widget is not None and not widget.hasFocus():
                area = _scroll_area(widget)
                if area is not None and isinstance(event, QWheelEvent):  # the page behind scrolls instead
                    target = area.viewport()
                    QApplication.sendEvent(target, QWheelEvent(
                        target.mapFromGlobal(event.globalPosition()), event.globalPosition(), event.pixelDelta(),
                        event.angleDelta(), event.buttons(), event.modifiers(), event.phase(), event.inverted()))
                return True
        elif kind == QEvent.Type.Polish:
            if isinstance(watched, _VALUE_WIDGETS):
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # focus by click or Tab, not by the wheel
            if isinstance(watched, QDateTimeEdit) and not watched.calendarPopup():
                watched.setCalendarPopup(True)
        elif kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent):
            self._composing = watched if event.preeditString() else None
        elif kind == QEvent.Type.FocusOut and watched is self._composing:
            self._composing = None
        return False


_guard: InputGuard | None = None


def install() -> InputGuard | None:
    """The application's guard (installed on first use)."""
    global _guard
    app = QApplication.instance()
    if app is None:
        return None
    if _guard is None or not shiboken6.isValid(_guard) or _guard.parent() is not app:
        _guard = InputGuard(app)
        app.installEventFilter(_guard)
    return _guard


def composing() -> bool:
    guard = install()
    return guard is not None and guard.composing()
