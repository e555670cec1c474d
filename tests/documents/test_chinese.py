"""Chinese dates and money capitals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents.chinese import (
    chinese_date,
    money_both,
    money_capital,
    money_figures,
    numeric_date,
    numeric_datetime,
    ordinal,
    time_span,
)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 11, 23), "二〇二六年十一月二十三日"),
        (dt.date(2020, 1, 1), "二〇二〇年一月一日"),
        (dt.date(2031, 10, 10), "二〇三一年十月十日"),
        (dt.date(2009, 12, 30), "二〇〇九年十二月三十日"),
        (dt.date(2026, 2, 11), "二〇二六年二月十一日"),
        (dt.date(2026, 3, 31), "二〇二六年三月三十一日"),
        (dt.date(2026, 3, 20), "二〇二六年三月二十日"),
    ],
)
def test_chinese_date(day: dt.date, text: str) -> None:
    assert chinese_date(day) == text


def test_numeric_dates_and_spans() -> None:
    assert numeric_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    start = dt.datetime(2026, 11, 23, 9, 5)
    assert numeric_datetime(start) == "2026年11月23日09时05分"
    assert time_span(start, dt.datetime(2026, 11, 23, 11, 40)) == "2026年11月23日09时05分至11时40分"
    assert (
        time_span(start, dt.datetime(2026, 11, 24, 0, 10)) == "2026年11月23日09时05分至2026年11月24日00时10分"
    )
    with pytest.raises(ValueError):
        time_span(start, dt.datetime(2026, 11, 23, 9, 0))
    assert ordinal(1) == "第一"
    assert ordinal(12) == "第十二"


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        (0, "零元整"),
        (1, "壹分"),
        (10, "壹角"),
        (11, "壹角壹分"),
        (100, "壹元整"),
        (105, "壹元零伍分"),
        (150, "壹元伍角"),
        (1000, "壹拾元整"),
        (1100, "壹拾壹元整"),
        (100_500, "壹仟零伍元整"),
        (10_000_050, "壹拾万元伍角"),
        (10_000_000, "壹拾万元整"),
        (10_001_000, "壹拾万零壹拾元整"),
        (10_700_053, "壹拾万柒仟元伍角叁分"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (100_000_000, "壹佰万元整"),
        (1_000_100_000, "壹仟万壹仟元整"),
        (1_000_010_000, "壹仟万零壹佰元整"),
        (10_000_000_000, "壹亿元整"),
        (10_001_000_000, "壹亿零壹万元整"),
        (10_000_000_100, "壹亿零壹元整"),
        (12_345_678_901, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分"),
        (2_000_000_900, "贰仟万零玖元整"),
        (1_010_101_000, "壹仟零壹拾万壹仟零壹拾元整"),
        (-5_000, "负伍拾元整"),
    ],
)
def test_money_capital(fen: int, capital: str) -> None:
    assert money_capital(fen) == capital


def test_money_figures_and_both() -> None:
    assert money_figures(10_000_050) == "100,000.50"
    assert money_figures(5) == "0.05"
    assert money_figures(-123_456_789) == "-1,234,567.89"
    assert money_both(100_500) == "人民币壹仟零伍元整（¥1,005.00）"
    with pytest.raises(TypeError):
        money_capital(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money_figures(True)


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_capital(text: str) -> int:
    """An independent reader of capitals, to check every amount reads back to its value."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_text, _, rest = text.partition("元") if "元" in text else ("", "", text)
    total = 0
    yi_part, _, after_yi = yuan_text.rpartition("亿") if "亿" in yuan_text else ("", "", yuan_text)

    def section(s: str) -> int:
        value, digit = 0, 0
        for ch in s:
            if ch in _DIGIT:
                digit = _DIGIT[ch]
            elif ch in _UNIT:
                value += digit * _UNIT[ch]
                digit = 0
        return value + digit

    def up_to_wan(s: str) -> int:
        if "万" in s:
            hi, _, lo = s.partition("万")
            return section(hi) * 10_000 + section(lo)
        return section(s)

    total = up_to_wan(yi_part) * 10**8 + up_to_wan(after_yi)
    cents = 0
    if "角" in rest:
        cents += _DIGIT[rest[rest.index("角") - 1]] * 10
    if "分" in rest:
        cents += _DIGIT[rest[rest.index("分") - 1]]
    return sign * (total * 100 + cents)


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_money_capital_reads_back(fen: int) -> None:
    text = money_capital(fen)
    assert _parse_capital(text) == fen
    assert "零零" not in text
    assert not text.rstrip("整").endswith("零")
    # 整 exactly when there are no 角 and 分
    assert text.endswith("整") == (abs(fen) % 100 == 0)
