"""The legal deadlines of an audit, as pure functions.

Nothing here reads a clock, a file or a setting: dates and the working-day calendar are passed in,
so every rule is deterministic and testable.

Each rule returns a result object that carries its citation (source file and article) for the UI to show.

How periods are counted (documented once, applied everywhere):

* A period "within N days of X" starts the day after X (the day of X is not counted) and ends on the Nth day.
* 《行政处罚法》(2021) Art. 85: the "二日、三日、五日、七日" of that law are **working days**,
  excluding statutory holidays. So 先行登记保存 (Art. 56), 送达 (Art. 61) and the hearing periods
  (Art. 64) are working days. 《行政强制法》 Art. 69 does the same for its periods of ten days or
  fewer; its 30-day 封存 period is calendar days.
* The 3-day advance notice of an audit (000 Art. 7(1), 8(1); :mod:`app.workflow.advance_notice`) is a local
  rule outside those laws: calendar days, i.e. the audit may take place on the third day after the day the
  notice was served.
* Calendar-day periods are not moved off weekends or holidays here: for the agency's own limits (sealing,
  the 90-day decision) the earlier date is the safe one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from app.citations import (
    C_001_22,
    C_001_35_5,
    C_001_36_1,
    C_001_36_2,
    C_COE_24,
    C_COE_25,
    C_PEN_56,
    C_PEN_60,
    C_PEN_61,
    C_PEN_64,
    C_PEN_85,
    Citation,
    join_citations,
)
from app.workflow.work_calendar import DayCount, WorkCalendar

__all__ = [
    "DeadlineResult",
    "decision_deadline",
    "defence_deadline",
    "hearing_notice_latest",
    "hearing_request_deadline",
    "preservation_decision_deadline",
    "sealing_end",
    "sealing_extension_end",
    "service_deadline",
]


@dataclass(frozen=True)
class DeadlineResult:
    """A due date with its basis.

    ``due`` is the last day on which the act is in time (inclusive). ``counting`` says whether the period was
    counted in calendar or working days; ``calendar_complete`` is False when a working-day count crossed a
    year that the holiday calendar does not cover (the date may then be too early: warn the user).
    """

    rule: str
    start: date
    due: date
    days: int
    counting: DayCount
    label_zh: str
    label_en: str
    citations: tuple[Citation, ...]
    calendar_complete: bool = True

    @property
    def citation(self) -> str:
        return join_citations(self.citations)

    def is_met(self, done_on: date) -> bool:
        """Whether an act on ``done_on`` meets this deadline."""
        return done_on <= self.due

    def days_left(self, today: date) -> int:
        """Calendar days from ``today`` to ``due``; negative when overdue."""
        return (self.due - today).days


def _working(
    rule: str,
    start: date,
    days: int,
    calendar: WorkCalendar,
    *,
    zh: str,
    en: str,
    cites: tuple[Citation, ...],
) -> DeadlineResult:
    due = calendar.add_working_days(start, days)
    return DeadlineResult(
        rule=rule,
        start=start,
        due=due,
        days=days,
        counting=DayCount.WORKING,
        label_zh=zh,
        label_en=en,
        citations=cites,
        calendar_complete=calendar.all_covered(start, due),
    )


def _calendar(
    rule: str, start: date, days: int, *, zh: str, en: str, cites: tuple[Citation, ...]
) -> DeadlineResult:
    return DeadlineResult(
        rule=rule,
        start=start,
        due=start + timedelta(days=days),
        days=days,
        counting=DayCount.CALENDAR,
        label_zh=zh,
        label_en=en,
        citations=cites,
    )


def preservation_decision_deadline(registered_on: date, calendar: WorkCalendar) -> DeadlineResult:
    """先行登记保存: a handling decision within 7 (working) days of registering the evidence."""
    return _working(
        "preservation_decision", registered_on, 7, calendar,
        zh="先行登记保存后7日内作出处理决定",
        en="Decide on evidence registered for preservation within 7 working days",
        cites=(C_001_35_5, C_001_36_1, C_PEN_56, C_PEN_85),
    )


#: 封存 period and its single extension, calendar days (001 Art. 36(2); 行政强制法 Art. 25).
SEALING_DAYS = 30
SEALING_EXTENSION_DAYS = 30


def sealing_end(sealed_on: date, days: int = SEALING_DAYS) -> DeadlineResult:
    """The last day of a 封存 of ``days`` (at most 30) calendar days counted from the day the measure is taken
    (that day is the first of the period: sealed on 1 March for 30 days, the last day is 30 March), as the
    封存决定书 states it."""
    if not 1 <= days <= SEALING_DAYS:
        raise ValueError(f"a sealing lasts 1–{SEALING_DAYS} days, not {days}")
    result = _calendar(
        "sealing", sealed_on, days,
        zh=f"封存期限{days}日，自采取封存措施之日起计算（一般不得超过30日）",
        en=f"Sealing period of {days} days from the day the items were sealed (normally at most 30)",
        cites=(C_001_36_2, C_COE_24, C_COE_25),
    )
    return dataclasses.replace(result, due=sealed_on + timedelta(days=days - 1))


def sealing_extension_end(
    original: DeadlineResult, days: int = SEALING_EXTENSION_DAYS, *, approved_on: date | None = None
) -> DeadlineResult:
    """The last day after the one permitted extension.

    At most 30 days, approved by the head and notified in writing before ``original.due``.

    Raises ValueError when ``original`` is not a first sealing period (a second extension is not allowed).
    """
    if original.rule != "sealing":
        raise ValueError("封存只能延长一次 / a sealing may be extended only once")
    if not 1 <= days <= SEALING_EXTENSION_DAYS:
        raise ValueError(f"an extension lasts 1–{SEALING_EXTENSION_DAYS} days, not {days}")
    if approved_on is not None and approved_on > original.due:
        raise ValueError(
            f"封存期限已于{original.due.isoformat()}届满，不能再延长 / "
            f"the sealing ended on {original.due.isoformat()} and can no longer be extended"
        )
    return DeadlineResult(
        rule="sealing_extension",
        start=original.due,
        due=original.due + timedelta(days=days),
        days=days,
        counting=DayCount.CALENDAR,
        label_zh=f"情况复杂经负责人批准延长封存{days}日（仅可延长一次）",
        label_en=f"Sealing extended by {days} days with the head's approval (once only)",
        citations=(C_001_36_2, C_COE_25),
    )


def defence_deadline(notice_served_on: date, calendar: WorkCalendar) -> DeadlineResult:
    """陈述申辩: 5 working days from service of the notice; silence after that is a waiver (001 Art. 22)."""
    return _working(
        "defence", notice_served_on, 5, calendar,
        zh="自告知书送达之日起五个工作日内陈述、申辩，逾期视为放弃",
        en="Statement and defence within 5 working days of service of the notice, else waived",
        cites=(C_001_22,),
    )


def service_deadline(decided_on: date, calendar: WorkCalendar) -> DeadlineResult:
    """送达 of a decision: on the spot, or within 7 (working) days (行政处罚法 Art. 61, 85)."""
    return _working(
        "service", decided_on, 7, calendar,
        zh="决定书应当场交付；当事人不在场的，7日内送达",
        en="Deliver the decision on the spot, or within 7 working days if the party is absent",
        cites=(C_PEN_61, C_PEN_85),
    )


def decision_deadline(filed_on: date) -> DeadlineResult:
    """A penalty decision within 90 calendar days of 立案 (行政处罚法 Art. 60)."""
    return _calendar(
        "decision", filed_on, 90,
        zh="自立案之日起九十日内作出行政处罚决定",
        en="Decide within 90 days of opening the case",
        cites=(C_PEN_60,),
    )


def hearing_request_deadline(told_on: date, calendar: WorkCalendar) -> DeadlineResult:
    """A party asks for a hearing within 5 (working) days of being told of the right (行政处罚法 Art. 64)."""
    return _working(
        "hearing_request", told_on, 5, calendar,
        zh="当事人应当在告知后5日内提出听证要求",
        en="The party must ask for a hearing within 5 working days of being told",
        cites=(C_PEN_64, C_PEN_85),
    )


def hearing_notice_latest(hearing_on: date, calendar: WorkCalendar) -> DeadlineResult:
    """The last day to notify the party of a hearing: 7 (working) days before it (行政处罚法 Art. 64).

    ``due`` is the latest day ``n`` such that the hearing falls on or after the 7th working day after ``n``.
    """
    candidate = hearing_on - timedelta(days=1)
    while calendar.add_working_days(candidate, 7) > hearing_on:
        candidate -= timedelta(days=1)
    return DeadlineResult(
        rule="hearing_notice",
        start=hearing_on,
        due=candidate,
        days=7,
        counting=DayCount.WORKING,
        label_zh="举行听证的7日前通知当事人听证的时间、地点",
        label_en="Notify the party of the hearing's time and place 7 working days before it",
        citations=(C_PEN_64, C_PEN_85),
        calendar_complete=calendar.all_covered(candidate, hearing_on),
    )
