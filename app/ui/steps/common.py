"""Date helpers the step pages share (QDate ↔ date, a date edit that can be "not entered").

The step actions themselves, each in one transaction, are the facade's (``app.facade.steps.step_action``)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


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
