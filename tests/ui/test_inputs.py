"""The wheel changes no value that was not clicked into (it scrolls the page instead), and dates come with a
calendar popup: one application-wide guard (app.ui.widgets.inputs)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


def _wheel(widget: QWidget, steps: int = 3) -> None:
    """Turn the wheel ``steps`` notches away from the user over the middle of ``widget`` (as the system does)."""
    target = widget
    pos = QPointF(target.rect().center())
    event = QWheelEvent(pos, QPointF(target.mapToGlobal(pos.toPoint())), QPoint(), QPoint(0, -120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(target, event)


@pytest.fixture
def page(qtbot):
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    body = QWidget()
    layout = QVBoxLayout(body)
    spin = QSpinBox()
    spin.setRange(0, 100)
    spin.setValue(50)
    combo = QComboBox()
    combo.addItems([f"选项 {i}" for i in range(10)])
    combo.setCurrentIndex(5)
    date = QDateEdit(QDate(2026, 11, 23))
    name = QLineEdit()
    layout.addWidget(name)
    layout.addWidget(spin)
    layout.addWidget(combo)
    layout.addWidget(date)
    body.setMinimumHeight(3000)  # a long page that scrolls
    scroll.setWidget(body)
    scroll.resize(600, 400)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    name.setFocus()  # the inspector is typing elsewhere
    qtbot.waitUntil(name.hasFocus)
    return scroll, spin, combo, date


def test_the_wheel_scrolls_the_page_over_a_field_not_clicked_into(qtbot, page):
    scroll, spin, combo, date = page
    bar = scroll.verticalScrollBar()
    for widget, value in ((spin, spin.value), (combo, combo.currentIndex), (date, date.date)):
        before = value()
        scrolled = bar.value()
        _wheel(widget)
        assert value() == before, type(widget).__name__  # 2026 does not become 1976 while scrolling
        assert bar.value() > scrolled, type(widget).__name__  # the wheel scrolled the page instead
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel does not give it focus


def test_the_wheel_changes_a_field_once_clicked_into(qtbot, page):
    _scroll, spin, combo, date = page
    for widget, value in ((spin, spin.value), (combo, combo.currentIndex), (date, date.date)):
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        before = value()
        _wheel(widget, 1)
        assert value() != before, type(widget).__name__


def test_every_date_edit_has_a_calendar_popup(qtbot):
    date, when = QDateEdit(), QDateTimeEdit()
    for widget in (date, when):
        qtbot.addWidget(widget)
        widget.ensurePolished()
        assert widget.calendarPopup()
