"""The advance notice of an audit (000 Art. 7(1), 8(1)): served at least 3 calendar days before it, unless an
unannounced audit records its reason. How periods are counted: :mod:`app.workflow.deadlines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from app.citations import C_000_7_1, C_000_8_1, Citation, join_citations
from app.workflow.deadlines import DeadlineResult
from app.workflow.work_calendar import DayCount

__all__ = ["NoticeCheck", "RuleViolation", "check_notice", "notice_latest_service_date"]

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
        return join_citations(self.citations)


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
