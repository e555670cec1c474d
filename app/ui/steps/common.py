"""Helpers for calling workflow step functions in one store transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit

from app.models.profile import Store


def in_tx(fn: Callable[..., Any], case_id: str, actor: str, *args: Any, **kwargs: Any) -> Callable[[Store], Any]:
    """``fn(session, store, case_id, actor, *args, **kwargs)`` in one transaction, as a store call."""

    def call(store: Store) -> Any:
        with store.transaction() as s:
            result = fn(s, store, case_id, actor, *args, **kwargs)
            return getattr(result, "id", None) if result is not None and hasattr(result, "id") else result

    return call


def qdate_to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_to_qdate(value: str) -> QDate:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return QDate.currentDate()
    return QDate(d.year, d.month, d.day)


UNSET_DATE = QDate(2000, 1, 1)


def unset_date_edit(unset_text: str) -> QDateEdit:
    """A date with a calendar popup that can also be "not entered" (its minimum, shown as ``unset_text``)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(UNSET_DATE)
    edit.setSpecialValueText(unset_text)
    edit.setDate(UNSET_DATE)
    return edit
