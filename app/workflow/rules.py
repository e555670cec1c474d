"""The legal thresholds and deadlines of an audit, as pure functions.

Nothing here reads a clock, a file or a setting: dates, amounts and the working-day calendar are passed in,
so every rule is deterministic and testable. Amounts are integer fen (1 yuan = 100 fen).

Each rule returns a result object that carries its citation (source file and article) for the UI to show.

How periods are counted (documented once, applied everywhere):

* A period "within N days of X" starts the day after X (the day of X is not counted) and ends on the Nth day.
* 《行政处罚法》(2021) Art. 85: the "二日、三日、五日、七日" of that law are **working days**,
  excluding statutory holidays. So 先行登记保存 (Art. 56), 送达 (Art. 61) and the hearing periods
  (Art. 64) are working days. 《行政强制法》 Art. 69 does the same for its periods of ten days or
  fewer; its 30-day 封存 period is calendar days.
* The 3-day advance notice of an audit (000 Art. 7(1), 8(1)) is a local rule outside those laws:
  calendar days, i.e. the audit may take place on the third day after the day the notice was served.
* Calendar-day periods are not moved off weekends or holidays here: for the agency's own limits (sealing,
  the 90-day decision) the earlier date is the safe one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum, StrEnum

__all__ = [
    "COLLECTIVE_DECISION_THRESHOLD_FEN",
    "LEGAL_REVIEW_THRESHOLD_FEN",
    "Citation",
    "DayCount",
    "DeadlineResult",
    "NoticeCheck",
    "RuleViolation",
    "ThresholdResult",
    "WorkCalendar",
    "check_notice",
    "decision_deadline",
    "defence_deadline",
    "hearing_notice_latest",
    "hearing_request_deadline",
    "needs_collective_decision",
    "needs_legal_review",
    "notice_latest_service_date",
    "preservation_decision_deadline",
    "sealing_end",
    "sealing_extension_end",
    "service_deadline",
    "yuan_to_fen",
]

# ----------------------------------------------------------------------------------------------- citations

SEED_000 = "seeds/000_d11889b39ed9d735.txt"
SEED_001 = "seeds/001_b3b20375b11e855e.txt"
LAW_PENALTY = "《中华人民共和国行政处罚法》(2021)"
LAW_COERCION = "《中华人民共和国行政强制法》"


@dataclass(frozen=True)
class Citation:
    """One legal source: ``source`` is a seed file path or a law's title; ``article`` as printed."""

    source: str
    article_zh: str
    article_en: str

    def __str__(self) -> str:
        return f"{self.source} {self.article_zh}"

    def text(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return f"{self.source} {self.article_en}"
        return f"{self.source} {self.article_zh}"


C_000_7_1 = Citation(SEED_000, "第七条第（一）项", "Art. 7(1)")
C_000_8_1 = Citation(SEED_000, "第八条第（一）项", "Art. 8(1)")
C_000_14 = Citation(SEED_000, "第十四条第二款", "Art. 14 para. 2")
C_001_21 = Citation(SEED_001, "第二十一条", "Art. 21")
C_001_22 = Citation(SEED_001, "第二十二条第三款", "Art. 22 para. 3")
C_001_35_5 = Citation(SEED_001, "第三十五条第（五）项", "Art. 35(5)")
C_001_36_1 = Citation(SEED_001, "第三十六条第（一）项", "Art. 36(1)")
C_001_36_2 = Citation(SEED_001, "第三十六条第（二）项", "Art. 36(2)")
C_PEN_56 = Citation(LAW_PENALTY, "第五十六条", "Art. 56")
C_PEN_58 = Citation(LAW_PENALTY, "第五十八条", "Art. 58")
C_PEN_60 = Citation(LAW_PENALTY, "第六十条", "Art. 60")
C_PEN_61 = Citation(LAW_PENALTY, "第六十一条", "Art. 61")
C_PEN_64 = Citation(LAW_PENALTY, "第六十四条", "Art. 64")
C_PEN_85 = Citation(LAW_PENALTY, "第八十五条", "Art. 85")
C_COE_24 = Citation(LAW_COERCION, "第二十四条", "Art. 24")
C_COE_25 = Citation(LAW_COERCION, "第二十五条", "Art. 25")


def _join(citations: Iterable[Citation], lang: str = "zh") -> str:
    return "；".join(c.text(lang) for c in citations) if lang == "zh" else "; ".join(
        c.text(lang) for c in citations
    )


# ----------------------------------------------------------------------------------------------- money

#: 十万元以上 (≥ 100,000 yuan, "以上" includes the amount itself).
LEGAL_REVIEW_THRESHOLD_FEN = 100_000 * 100
#: 5万元（含5万元）以上 (≥ 50,000 yuan).
COLLECTIVE_DECISION_THRESHOLD_FEN = 50_000 * 100


def yuan_to_fen(yuan: str) -> int:
    """Parse a yuan amount written as text into integer fen, exactly.

    Accepts "49999.99", "50,000", "50000元" and full-width digits; rejects more than two decimals.
    """
    import unicodedata
    from decimal import Decimal, InvalidOperation

    text = unicodedata.normalize("NFKC", yuan).replace(",", "").replace("，", "").strip()
    text = text.removesuffix("元").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"more than two decimals: {yuan!r}")
    return int(fen)


def _fmt_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class ThresholdResult:
    """Whether a procedural step is required, why, and on what basis."""

    rule: str
    required: bool
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]
    citations: tuple[Citation, ...]

    @property
    def citation(self) -> str:
        return _join(self.citations)

    def __bool__(self) -> bool:
        return self.required


def needs_legal_review(amount_fen: int, ends_agreement: bool) -> ThresholdResult:
    """法制审核: recovery or refusal of ≥ 100,000 yuan, or ending (解除) a service agreement.

    000 Art. 14 para. 2 (经办机构); 001 Art. 21 para. 2–3 for 解除;
    行政处罚法 Art. 58 for major penalty cases.
    """
    if amount_fen < 0:
        raise ValueError("amount must not be negative")
    zh: list[str] = []
    en: list[str] = []
    if amount_fen >= LEGAL_REVIEW_THRESHOLD_FEN:
        zh.append(f"追回或拒付金额{_fmt_yuan(amount_fen)}元，达到十万元以上")
        en.append(f"recovery or refusal of {_fmt_yuan(amount_fen)} yuan, at least 100,000 yuan")
    if ends_agreement:
        zh.append("处理意见涉及解除定点服务协议")
        en.append("the handling ends (terminates) the service agreement")
    return ThresholdResult(
        rule="legal_review",
        required=bool(zh),
        reasons_zh=tuple(zh),
        reasons_en=tuple(en),
        citations=(C_000_14, C_001_21, C_PEN_58),
    )


def needs_collective_decision(
    amount_fen: int, suspends: bool, *, ends_agreement: bool = False
) -> ThresholdResult:
    """集体讨论: withholding or recovery of ≥ 50,000 yuan (inclusive), suspending (中止) services of staff or
    departments or the agreement, or ending it (001 Art. 21); the minutes go into the case file."""
    if amount_fen < 0:
        raise ValueError("amount must not be negative")
    zh: list[str] = []
    en: list[str] = []
    if amount_fen >= COLLECTIVE_DECISION_THRESHOLD_FEN:
        zh.append(f"不予支付或追回金额{_fmt_yuan(amount_fen)}元，达到5万元（含）以上")
        en.append(f"withholding or recovery of {_fmt_yuan(amount_fen)} yuan, at least 50,000 yuan")
    if suspends:
        zh.append("处理涉及中止相关人员、部门医药服务或中止服务协议")
        en.append("the handling suspends services of staff or departments, or the service agreement")
    if ends_agreement:
        zh.append("处理涉及解除服务协议")
        en.append("the handling ends the service agreement")
    return ThresholdResult(
        rule="collective_decision",
        required=bool(zh),
        reasons_zh=tuple(zh),
        reasons_en=tuple(en),
        citations=(C_001_21,),
    )


# ----------------------------------------------------------------------------------------------- calendar


class DayCount(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends and official holidays, with adjusted working days (调休上班) that fall on weekends.

    ``years`` lists the years whose official schedule is in the data; for other years only weekends count as
    days off, and :meth:`covers` says so, so the UI can warn that a deadline may be early.
    """

    holidays: frozenset[date] = frozenset()
    adjusted_workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.adjusted_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def all_covered(self, *days: date) -> bool:
        return all(self.covers(d) for d in days)


WEEKENDS_ONLY = WorkCalendar()


# ----------------------------------------------------------------------------------------------- deadlines


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
        return _join(self.citations)

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


#: Days of advance notice of an audit (000 Art. 7(1), 8(1)).
NOTICE_DAYS = 3


class RuleViolation(Enum):
    NONE = "none"
    NOTICE_TOO_LATE = "notice_too_late"
    UNANNOUNCED_WITHOUT_REASON = "unannounced_without_reason"
    NOTICE_AFTER_AUDIT = "notice_after_audit"


@dataclass(frozen=True)
class NoticeCheck:
    """The result of checking an audit notice against 000 Art. 7(1) / 8(1)."""

    ok: bool
    problem: RuleViolation
    latest_service_date: date
    message_zh: str
    message_en: str
    citations: tuple[Citation, ...] = field(default=(C_000_7_1, C_000_8_1))

    @property
    def citation(self) -> str:
        return _join(self.citations)


def notice_latest_service_date(audit_date: date) -> DeadlineResult:
    """The last day on which the 稽核通知书 may be served for an audit on ``audit_date`` (3 calendar days)."""
    return DeadlineResult(
        rule="notice",
        start=audit_date,
        due=audit_date - timedelta(days=NOTICE_DAYS),
        days=NOTICE_DAYS,
        counting=DayCount.CALENDAR,
        label_zh="稽核通知书最迟送达日（稽核前3日）",
        label_en="Last day to serve the audit notice (3 days before the audit)",
        citations=(C_000_7_1, C_000_8_1),
    )


def check_notice(
    audit_date: date,
    served_on: date | None,
    *,
    unannounced: bool = False,
    unannounced_reason: str = "",
) -> NoticeCheck:
    """Check the advance notice of an audit.

    Served at least 3 days before (``audit_date - served_on >= 3``: served on the 1st, the audit may be on
    the 4th). An unannounced audit (特殊情况下的稽核可以不事先通知, 000 Art. 7(1)) needs a recorded reason;
    a written audit (书面稽核, Art. 8(1)) always needs notice, so callers must not mark it unannounced.
    """
    latest = audit_date - timedelta(days=NOTICE_DAYS)
    if unannounced:
        if unannounced_reason.strip():
            return NoticeCheck(
                True, RuleViolation.NONE, latest,
                f"不事先通知的稽核，理由：{unannounced_reason.strip()}",
                f"Unannounced audit; reason: {unannounced_reason.strip()}",
            )
        return NoticeCheck(
            False, RuleViolation.UNANNOUNCED_WITHOUT_REASON, latest,
            "不事先通知的稽核须记录特殊情况的理由",
            "An unannounced audit must record the special circumstances that justify it",
        )
    if served_on is None or served_on > audit_date:
        return NoticeCheck(
            False, RuleViolation.NOTICE_AFTER_AUDIT, latest,
            "稽核通知书未在稽核前送达",
            "The audit notice was not served before the audit",
        )
    if served_on > latest:
        days = (audit_date - served_on).days
        return NoticeCheck(
            False, RuleViolation.NOTICE_TOO_LATE, latest,
            f"稽核通知书应提前3日送达（最迟{latest.isoformat()}），实际仅提前{days}日",
            f"The audit notice must be served 3 days ahead (by {latest.isoformat()}); it was served {days} "
            "day(s) ahead",
        )
    return NoticeCheck(
        True, RuleViolation.NONE, latest,
        f"稽核通知书已于{served_on.isoformat()}送达，符合提前3日的要求",
        f"The audit notice was served on {served_on.isoformat()}, at least 3 days ahead",
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
    """The last day of a 封存 of ``days`` (at most 30) calendar days from ``sealed_on``."""
    if not 1 <= days <= SEALING_DAYS:
        raise ValueError(f"a sealing lasts 1–{SEALING_DAYS} days, not {days}")
    return _calendar(
        "sealing", sealed_on, days,
        zh=f"封存期限{days}日（一般不得超过30日）",
        en=f"Sealing period of {days} days (normally at most 30)",
        cites=(C_001_36_2, C_COE_24, C_COE_25),
    )


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
