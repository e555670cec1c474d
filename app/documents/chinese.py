"""Chinese official-style formatting: dates, numerals and money amounts.

Amounts are always integer fen (1 yuan = 100 fen); nothing here takes a float.
The capital (大写) form follows the rules of 《支付结算办法》 as commonly applied to official documents:
zeros inside the yuan part are read once ("壹仟零伍元整"), an amount without 角 and 分 ends in "整",
an amount that stops at 角 has no "整" ("壹拾万元伍角"), and a missing 角 before 分 is read as 零
("壹元零伍分").
"""

from __future__ import annotations

import datetime as _dt

_DATE_DIGITS = "〇一二三四五六七八九"
_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")
_MAX_FEN = 10**16 - 1  # below 1 万亿亿 yuan: far beyond any real amount


def _small_number(n: int) -> str:
    """1..99 in ordinary Chinese numerals, as used for months and days (十, 十一, 二十三)."""
    if not 0 < n < 100:
        raise ValueError(f"expected 1..99, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DATE_DIGITS[ones]
    head = "" if tens == 1 else _DATE_DIGITS[tens]
    return head + "十" + (_DATE_DIGITS[ones] if ones else "")


def chinese_date(day: _dt.date) -> str:
    """The date as official documents print it under a seal: 二〇二六年十一月二十三日."""
    year = "".join(_DATE_DIGITS[int(c)] for c in f"{day.year:04d}")
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def numeric_date(day: _dt.date) -> str:
    """The date as it is written in the body of a record: 2026年11月23日."""
    return f"{day.year}年{day.month}月{day.day}日"


def numeric_datetime(moment: _dt.datetime) -> str:
    """Date and time to the minute as records use it: 2026年11月23日09时30分."""
    return f"{numeric_date(moment.date())}{moment.hour:02d}时{moment.minute:02d}分"


def time_span(start: _dt.datetime, end: _dt.datetime) -> str:
    """A record's duration: 2026年11月23日09时30分至11时05分 (the date repeated only when it changes)."""
    if end < start:
        raise ValueError("the end of a time span is before its start")
    if end.date() == start.date():
        return f"{numeric_datetime(start)}至{end.hour:02d}时{end.minute:02d}分"
    return f"{numeric_datetime(start)}至{numeric_datetime(end)}"


def ordinal(n: int) -> str:
    """第一, 第二 … as in 第一次询问; n in 1..99."""
    return "第" + _small_number(n)


def money_figures(fen: int) -> str:
    """An amount in figures with thousands separators and two decimals: 100000050 fen → "1,000,000.50"."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("amounts are integer fen")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def _group_capital(n: int) -> str:
    """0 < n < 10000 in capitals without leading zero handling (done by the caller)."""
    out: list[str] = []
    zero_pending = False
    for pos in range(3, -1, -1):
        digit = (n // 10**pos) % 10
        if digit == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_CAPITAL_DIGITS[digit] + _CAPITAL_UNITS[pos])
    return "".join(out)


def _integer_capital(n: int) -> str:
    """A positive integer in financial capitals: 1005 → 壹仟零伍, 100010 → 壹拾万零壹拾."""
    groups: list[int] = []
    while n:
        n, rest = divmod(n, 10000)
        groups.append(rest)
    out: list[str] = []
    zero_pending = False
    for idx in range(len(groups) - 1, -1, -1):
        group = groups[idx]
        if group == 0:
            if out:
                zero_pending = True
            continue
        if out and (zero_pending or group < 1000):
            out.append("零")
        zero_pending = False
        out.append(_group_capital(group) + _GROUP_UNITS[idx])
    return "".join(out)


def money_capital(fen: int) -> str:
    """An amount in capitals (大写): 10000050 fen → 壹拾万元伍角, 100500 fen → 壹仟零伍元整."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("amounts are integer fen")
    if abs(fen) > _MAX_FEN:
        raise ValueError("amount out of range")
    if fen == 0:
        return "零元整"
    sign = "负" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(cents, 10)
    parts: list[str] = []
    if yuan:
        parts.append(_integer_capital(yuan) + "元")
    if jiao:
        parts.append(_CAPITAL_DIGITS[jiao] + "角")
    if fen_digit:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_CAPITAL_DIGITS[fen_digit] + "分")
    if not fen_digit and not jiao:
        parts.append("整")
    return sign + "".join(parts)


def money_both(fen: int) -> str:
    """Both forms as a document states an amount: 人民币壹拾万元伍角（¥100,000.50）."""
    return f"人民币{money_capital(fen)}（¥{money_figures(fen)}）"
