"""The Qt binding must not leak or release references on ordinary calls: PySide6 6.12.0 under Python 3.11
released a reference to None on every call of a void method (``setVisible``, ``setText``, ``QTimer.start``...),
so a day of use freed None and aborted the process ("none_dealloc"). pyproject.toml pins below it."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QListView, QToolButton

CALLS = 2_000


@pytest.mark.parametrize("call", ["setVisible", "setText", "timer_start", "scroll_value", "isChecked"])
def test_void_and_bool_calls_keep_the_singletons_referenced(qtbot, call: str) -> None:
    button, label, view, timer = QToolButton(), QLabel(), QListView(), QTimer()
    for widget in (button, label, view):
        qtbot.addWidget(widget)
    calls = {
        "setVisible": lambda: button.setVisible(False),
        "setText": lambda: label.setText("稽核"),
        "timer_start": lambda: timer.start(1000),
        "scroll_value": lambda: view.verticalScrollBar().setValue(0),
        "isChecked": button.isChecked,
    }
    fn = calls[call]
    before = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    for _ in range(CALLS):
        fn()
    after = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    timer.stop()
    for name, count in before.items():  # a few references may be cached or freed meanwhile; a leak is thousands
        assert abs(after[name] - count) < CALLS // 10, (name, count, after[name])
