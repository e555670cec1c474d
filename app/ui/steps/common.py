"""What the step pages and the new-audit dialog share: dates (QDate ↔ date, a date edit that can be "not
entered") and the check of a code field as it is typed.

The step actions themselves, each in one transaction, are the facade's (``app.facade.steps.step_action``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel

from app.models.validators import ValidationError
from app.ui.i18n import pick


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


def check_as_typed(error: QLabel, text: str, validate: Callable[[str], object], *, length: int = 0,
                   short: str = "") -> bool:
    """Check a field as it is typed (统一社会信用代码, ID number, phone) with the validator the workflow uses:
    nothing shown while empty; ``short`` ("%1 of 18 characters", translated by the caller) while fewer than
    ``length`` characters; the validator's reason when wrong. True once the value is valid."""
    value = text.strip()
    if not value:
        error.setText("")
        return False
    if len(value) < length:
        error.setText(short.replace("%1", str(len(value))))
        return False
    try:
        validate(value)
    except ValidationError as exc:
        error.setText(pick(exc.message_zh, exc.message_en))
        return False
    error.setText("")
    return True
