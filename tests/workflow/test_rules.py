"""Tests for the audit rules (app.workflow.thresholds, deadlines, advance_notice, work_calendar): thresholds and
deadlines at their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.citations import C_000_14, C_001_21, C_PEN_58, SOURCES, join_citations
from app.workflow.advance_notice import RuleViolation, check_notice, notice_latest_service_date
from app.workflow.deadlines import (
    decision_deadline,
    defence_deadline,
    hearing_notice_latest,
    hearing_request_deadline,
    preservation_decision_deadline,
    sealing_end,
    sealing_extension_end,
    service_deadline,
)
from app.workflow.reference_holidays import load_work_calendar, parse_work_calendar
from app.workflow.thresholds import (
    COLLECTIVE_DECISION_THRESHOLD_FEN,
    LEGAL_REVIEW_THRESHOLD_FEN,
    needs_collective_decision,
    needs_legal_review,
    yuan_to_fen,
)
from app.workflow.work_calendar import DayCount, WorkCalendar

CAL = load_work_calendar()
WEEKENDS = WorkCalendar()

# ------------------------------------------------------------------------------------------ money thresholds


def test_yuan_to_fen_is_exact() -> None:
    assert yuan_to_fen("49999.99") == 4_999_999
    assert yuan_to_fen("50,000.00") == 5_000_000
    assert yuan_to_fen("１００，０００元") == 10_000_000
    assert yuan_to_fen("0.1") == 10
    with pytest.raises(ValueError):
        yuan_to_fen("1.001")
    with pytest.raises(ValueError):
        yuan_to_fen("五万")


def test_collective_decision_boundary_at_50000_yuan() -> None:
    below = needs_collective_decision(yuan_to_fen("49999.99"), suspends=False)
    at = needs_collective_decision(yuan_to_fen("50000.00"), suspends=False)
    assert not below.required and not below
    assert at.required and at
    assert "5万元" in at.reasons_zh[0]
    assert at.citation == "《兰州市医疗保障基金使用监督管理办法》第二十一条"
    assert at.citations[0].file == "seeds/001_b3b20375b11e855e.txt"


def test_collective_decision_for_suspension_or_termination_at_any_amount() -> None:
    assert needs_collective_decision(0, suspends=True).required
    assert needs_collective_decision(0, suspends=False, ends_agreement=True).required
    both = needs_collective_decision(COLLECTIVE_DECISION_THRESHOLD_FEN, suspends=True)
    assert len(both.reasons_zh) == 2 and len(both.reasons_en) == 2


def test_legal_review_boundary_at_100000_yuan() -> None:
    assert not needs_legal_review(yuan_to_fen("99999.99"), ends_agreement=False).required
    at = needs_legal_review(yuan_to_fen("100000.00"), ends_agreement=False)
    assert at.required
    assert "《武汉市医疗保险稽核办法（试行）》第十四条第二款" in at.citation
    assert "第五十八条" in at.citation


def test_legal_review_when_ending_agreement() -> None:
    result = needs_legal_review(0, ends_agreement=True)
    assert result.required
    assert result.reasons_zh == ("处理意见涉及解除定点服务协议",)


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError):
        needs_legal_review(-1, ends_agreement=False)
    with pytest.raises(ValueError):
        needs_collective_decision(-1, suspends=False)


@given(st.integers(min_value=0, max_value=10**12), st.booleans(), st.booleans())
def test_thresholds_match_their_definition(amount: int, suspends: bool, ends: bool) -> None:
    assert needs_collective_decision(amount, suspends, ends_agreement=ends).required == (
        amount >= 5_000_000 or suspends or ends
    )
    assert needs_legal_review(amount, ends).required == (amount >= 10_000_000 or ends)


@given(st.integers(min_value=0, max_value=10**12))
def test_legal_review_implies_collective_decision(amount: int) -> None:
    if needs_legal_review(amount, False).required:
        assert needs_collective_decision(amount, False).required
    assert LEGAL_REVIEW_THRESHOLD_FEN == 2 * COLLECTIVE_DECISION_THRESHOLD_FEN


# ------------------------------------------------------------------------------------------ advance notice


def test_notice_exactly_three_days_ahead_is_in_time() -> None:
    audit = date(2026, 3, 12)
    result = check_notice(audit, date(2026, 3, 9))
    assert result.ok and result.problem is RuleViolation.NONE
    assert result.latest_service_date == date(2026, 3, 9)
    assert "第七条第（一）项" in result.citation


def test_notice_two_days_ahead_is_too_late() -> None:
    result = check_notice(date(2026, 3, 12), date(2026, 3, 10))
    assert not result.ok
    assert result.problem is RuleViolation.NOTICE_TOO_LATE
    assert "2026-03-09" in result.message_zh and "2 day" in result.message_en


def test_notice_missing_or_after_the_audit() -> None:
    assert check_notice(date(2026, 3, 12), None).problem is RuleViolation.NOTICE_AFTER_AUDIT
    assert check_notice(date(2026, 3, 12), date(2026, 3, 13)).problem is RuleViolation.NOTICE_AFTER_AUDIT


def test_unannounced_audit_needs_a_reason() -> None:
    missing = check_notice(date(2026, 3, 12), None, unannounced=True, unannounced_reason="  ")
    assert not missing.ok and missing.problem is RuleViolation.UNANNOUNCED_WITHOUT_REASON
    reason = "举报线索，防止转移证据"
    given_reason = check_notice(date(2026, 3, 12), None, unannounced=True, unannounced_reason=reason)
    assert given_reason.ok
    assert "举报线索" in given_reason.message_zh


def test_notice_latest_service_date() -> None:
    result = notice_latest_service_date(date(2026, 3, 1))
    assert result.due == date(2026, 2, 26)
    assert result.counting is DayCount.CALENDAR


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 30))
def test_notice_ok_iff_three_days(audit: date, ahead: int) -> None:
    assert check_notice(audit, audit - timedelta(days=ahead)).ok == (ahead >= 3)


# ------------------------------------------------------------------------------------------ working days


def test_calendar_knows_2026_holidays_and_adjusted_workdays() -> None:
    assert not CAL.is_working_day(date(2026, 2, 16))  # 除夕
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, adjusted working day
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, adjusted working day
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert not CAL.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert CAL.covers(date(2026, 6, 1)) and not CAL.covers(date(2027, 6, 1))


def test_defence_deadline_over_a_weekend() -> None:
    # Served Friday 2026-01-30: Mon 2 … Fri 6 February are the five working days.
    result = defence_deadline(date(2026, 1, 30), CAL)
    assert result.due == date(2026, 2, 6)
    assert result.counting is DayCount.WORKING
    assert result.citation == "《兰州市医疗保障基金使用监督管理办法》第二十二条第三款"
    assert result.is_met(date(2026, 2, 6)) and not result.is_met(date(2026, 2, 7))


def test_defence_deadline_over_national_day() -> None:
    # Served Wed 2026-09-30; 1–7 October off; Thu 8, Fri 9, Sat 10 (adjusted), Mon 12, Tue 13.
    result = defence_deadline(date(2026, 9, 30), CAL)
    assert result.due == date(2026, 10, 13)
    assert result.calendar_complete
    # Weekends only would give a date far too early.
    assert defence_deadline(date(2026, 9, 30), WEEKENDS).due == date(2026, 10, 7)


def test_preservation_decision_over_spring_festival() -> None:
    # Registered Thu 2026-02-12: Fri 13, Sat 14 (adjusted), 15–23 off, 24, 25, 26, 27, Sat 28 (adjusted).
    result = preservation_decision_deadline(date(2026, 2, 12), CAL)
    assert result.due == date(2026, 2, 28)
    assert "第三十六条第（一）项" in result.citation and "第五十六条" in result.citation


def test_service_deadline_over_labour_day() -> None:
    # Decided Thu 2026-04-30; 1–5 May off; 6, 7, 8, Sat 9 (adjusted), 11, 12, 13.
    result = service_deadline(date(2026, 4, 30), CAL)
    assert result.due == date(2026, 5, 13)
    assert "第六十一条" in result.citation


def test_hearing_request_over_dragon_boat_festival() -> None:
    # Told Thu 2026-06-18; 19–21 June off; 22, 23, 24, 25, 26.
    assert hearing_request_deadline(date(2026, 6, 18), CAL).due == date(2026, 6, 26)


def test_hearing_notice_latest_before_national_day() -> None:
    result = hearing_notice_latest(date(2026, 10, 12), CAL)
    assert result.due == date(2026, 9, 27)
    assert CAL.add_working_days(result.due, 7) <= date(2026, 10, 12)
    assert CAL.add_working_days(result.due + timedelta(days=1), 7) > date(2026, 10, 12)


@given(st.dates(min_value=date(2025, 2, 1), max_value=date(2026, 12, 1)))
def test_hearing_notice_latest_is_the_latest(hearing: date) -> None:
    due = hearing_notice_latest(hearing, CAL).due
    assert CAL.add_working_days(due, 7) <= hearing
    assert CAL.add_working_days(due + timedelta(days=1), 7) > hearing


def test_deadline_into_an_uncovered_year_is_flagged() -> None:
    result = defence_deadline(date(2026, 12, 30), CAL)
    assert not result.calendar_complete
    assert result.due == date(2027, 1, 6)  # weekends only in 2027: Dec 31, Jan 1, 4, 5, 6


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)), st.integers(1, 40))
def test_add_working_days_properties(start: date, days: int) -> None:
    due = CAL.add_working_days(start, days)
    assert due > start
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == days
    assert CAL.working_days_between(start, due - timedelta(days=1)) == days - 1


def test_add_zero_and_negative_days() -> None:
    assert CAL.add_working_days(date(2026, 5, 2), 0) == date(2026, 5, 2)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 5, 2), -1)
    assert CAL.next_working_day(date(2026, 5, 2)) == date(2026, 5, 6)


# ------------------------------------------------------------------------------------------ calendar days


def test_sealing_period_and_single_extension() -> None:
    first = sealing_end(date(2026, 3, 1))
    assert first.due == date(2026, 3, 30)  # counted from the day the measure is taken (its first day)
    assert first.counting is DayCount.CALENDAR
    assert "第三十六条第（二）项" in first.citation and "行政强制法" in first.citation
    extended = sealing_extension_end(first)
    assert extended.due == date(2026, 4, 29)
    with pytest.raises(ValueError):
        sealing_extension_end(extended)
    with pytest.raises(ValueError):
        sealing_end(date(2026, 3, 1), 31)
    with pytest.raises(ValueError):
        sealing_extension_end(first, 31)
    assert sealing_end(date(2026, 3, 1), 10).due == date(2026, 3, 10)


def test_sealing_extension_must_be_approved_before_expiry() -> None:
    first = sealing_end(date(2026, 3, 1))
    assert sealing_extension_end(first, approved_on=date(2026, 3, 30)).due == date(2026, 4, 29)
    with pytest.raises(ValueError, match="届满"):
        sealing_extension_end(first, approved_on=date(2026, 3, 31))


def test_decision_within_90_days_of_filing() -> None:
    result = decision_deadline(date(2026, 1, 1))
    assert result.due == date(2026, 4, 1)
    assert result.days_left(date(2026, 3, 30)) == 2
    assert result.days_left(date(2026, 4, 2)) == -1
    assert "第六十条" in result.citation


def test_citations_have_english_text() -> None:
    result = sealing_end(date(2026, 3, 1))
    assert result.citations[0].text("en") == "Lanzhou Fund Supervision Measures Art. 36(2)"
    assert str(result.citations[0]) == "《兰州市医疗保障基金使用监督管理办法》第三十六条第（二）项"
    assert join_citations(result.citations, "en") == (
        "Lanzhou Fund Supervision Measures Art. 36(2); Administrative Coercion Law Art. 24; "
        "Administrative Coercion Law Art. 25")
    assert result.citation == ("《兰州市医疗保障基金使用监督管理办法》第三十六条第（二）项；"
                               "《中华人民共和国行政强制法》第二十四条；《中华人民共和国行政强制法》第二十五条")


def test_citations_keep_the_seed_file_apart_from_the_title() -> None:
    """The file is there for traceability; no text for users names it."""
    assert SOURCES["000"].file == "seeds/000_d11889b39ed9d735.txt"
    assert SOURCES["000"].title("zh") == "《武汉市医疗保险稽核办法（试行）》"
    assert SOURCES["000"].title("en") == "Wuhan Audit Measures"
    assert SOURCES["001"].title("zh") == "《兰州市医疗保障基金使用监督管理办法》"
    assert SOURCES["001"].title("en") == "Lanzhou Fund Supervision Measures"
    for key, source in SOURCES.items():
        assert source.file.startswith(f"seeds/{key}_") and source.file.endswith(".txt")
        assert source.title_zh.startswith("《") and source.title_en
    assert C_000_14.file == "seeds/000_d11889b39ed9d735.txt"
    for c in (C_000_14, C_001_21, C_PEN_58):
        for text in (str(c), c.text("zh"), c.text("en")):
            assert "seeds" not in text and ".txt" not in text


# ------------------------------------------------------------------------------------------ calendar file


def test_parse_work_calendar_rejects_a_weekday_as_adjusted_workday() -> None:
    from app.workflow.reference_files import ReferenceDataError

    with pytest.raises(ReferenceDataError):
        parse_work_calendar({"years": {"2026": {"holidays": [], "adjusted_workdays": ["2026-03-02"]}}})
    with pytest.raises(ReferenceDataError):
        parse_work_calendar({"years": {"2026": {"holidays": [{"from": "2026-03-05", "to": "2026-03-02"}]}}})


def test_agency_edited_calendar_is_used() -> None:
    new_year = {"from": "2027-01-01", "to": "2027-01-03"}
    cal = parse_work_calendar({"years": {"2027": {"holidays": [new_year], "adjusted_workdays": []}}})
    assert cal.covers(date(2027, 1, 1))
    assert defence_deadline(date(2026, 12, 31), cal).due == date(2027, 1, 8)
