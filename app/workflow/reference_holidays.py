"""The working-day calendar read from ``resources/reference/holidays.json`` (official holidays and adjusted
working days by year), cached per file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.workflow.reference_files import ReferenceDataError, read_json, resolve_root
from app.workflow.work_calendar import WorkCalendar

__all__ = ["load_work_calendar", "parse_work_calendar"]


def _parse_day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise ReferenceDataError(f"{where}: dates are YYYY-MM-DD strings")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReferenceDataError(f"{where}: not a date: {value!r}") from None


def parse_work_calendar(data: Any, where: str = "holidays.json") -> WorkCalendar:
    """Build a :class:`WorkCalendar` from the JSON shape of ``holidays.json`` (see that file)."""
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ReferenceDataError(f"{where}: expected an object with 'years'")
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for year_text, spec in data["years"].items():
        here = f"{where}#{year_text}"
        if not (isinstance(year_text, str) and year_text.isdigit()) or not isinstance(spec, dict):
            raise ReferenceDataError(f"{here}: malformed year")
        year = int(year_text)
        years.add(year)
        for rng in spec.get("holidays", []):
            start = _parse_day(rng.get("from"), here)
            end = _parse_day(rng.get("to"), here)
            if end < start or start.year != year:
                raise ReferenceDataError(f"{here}: bad holiday range {rng!r}")
            day = start
            while day <= end:
                holidays.add(day)
                day += timedelta(days=1)
        for text in spec.get("adjusted_workdays", []):
            day = _parse_day(text, here)
            if day.weekday() < 5:
                raise ReferenceDataError(f"{here}: adjusted working day {text} is not a weekend day")
            workdays.add(day)
    if holidays & workdays:
        raise ReferenceDataError(f"{where}: a day is both a holiday and a working day")
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years))


@lru_cache(maxsize=8)
def _work_calendar(path: Path) -> WorkCalendar:
    return parse_work_calendar(read_json(path), str(path))


def load_work_calendar(root: Path | None = None, *, path: Path | None = None) -> WorkCalendar:
    """The working-day calendar from ``resources/reference/holidays.json`` (or ``path``)."""
    target = path.resolve() if path is not None else resolve_root(root) / "reference" / "holidays.json"
    return _work_calendar(target)
