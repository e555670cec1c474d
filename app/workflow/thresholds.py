"""The money thresholds of an audit's handling: 法制审核 at 100,000 yuan, 集体讨论 at 50,000 yuan.

Pure functions: amounts are passed in as integer fen (1 yuan = 100 fen); each result carries its citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.citations import C_000_14, C_001_21, C_PEN_58, Citation, join_citations
from app.errors import UserError

__all__ = [
    "COLLECTIVE_DECISION_THRESHOLD_FEN",
    "LEGAL_REVIEW_THRESHOLD_FEN",
    "MAX_AMOUNT_FEN",
    "InvalidAmount",
    "ThresholdResult",
    "check_amount_fen",
    "needs_collective_decision",
    "needs_legal_review",
    "yuan_to_fen",
]

#: 十万元以上 (≥ 100,000 yuan, "以上" includes the amount itself).
LEGAL_REVIEW_THRESHOLD_FEN = 100_000 * 100
#: 5万元（含5万元）以上 (≥ 50,000 yuan).
COLLECTIVE_DECISION_THRESHOLD_FEN = 50_000 * 100


#: The largest amount a finding, fine or total may state: 1,000 亿元 (a province's fund for a year is less). Above
#: it the amount is a typing slip (or "1e30"), and it would not fit the store's 64-bit INTEGER columns anyway.
MAX_AMOUNT_FEN = 100_000_000_000 * 100

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?|-?\.[0-9]+")


class InvalidAmount(UserError, ValueError):
    """Text that is not an amount of money the audit can state, with the reason (a ``ValueError`` too)."""

    code = "invalid_amount"


def check_amount_fen(fen: int) -> int:
    """``fen`` unless it is negative or beyond ``MAX_AMOUNT_FEN``."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise InvalidAmount("金额应为整数（分）。", "The amount must be a whole number of fen.")
    if fen < 0:
        raise InvalidAmount("金额不能为负数。", "The amount cannot be negative.")
    if fen > MAX_AMOUNT_FEN:
        raise InvalidAmount(f"金额超过上限 {_fmt_yuan(MAX_AMOUNT_FEN)} 元，请核对。",
                            f"The amount is above the limit of {_fmt_yuan(MAX_AMOUNT_FEN)} yuan; check it.")
    return fen


def yuan_to_fen(yuan: str) -> int:
    """Parse a yuan amount written as text into integer fen, exactly.

    Accepts "49999.99", "50,000", "50000元" and full-width digits; refuses (``InvalidAmount``, a ``ValueError``)
    more than two decimals, a negative amount, one above ``MAX_AMOUNT_FEN`` and anything but plain digits ("Inf",
    "NaN", "1e30", "1_000").
    """
    import unicodedata
    from decimal import Decimal

    text = unicodedata.normalize("NFKC", yuan).replace(",", "").replace("，", "").strip()
    text = text.removesuffix("元").strip()
    if not _AMOUNT.fullmatch(text):
        raise InvalidAmount(f"“{yuan[:40]}”不是金额：请只填写数字，最多两位小数。",
                            f"'{yuan[:40]}' is not an amount: use digits with at most two decimals.")
    whole, _dot, decimals = text.partition(".")
    if len(decimals.rstrip("0")) > 2:
        raise InvalidAmount(f"金额“{yuan[:40]}”的小数超过两位（最小单位为分）。",
                            f"The amount '{yuan[:40]}' has more than two decimals (the smallest unit is the fen).")
    if len(whole.lstrip("-0")) > len(str(MAX_AMOUNT_FEN)):  # never turn 10,000 typed digits into an int
        return check_amount_fen(-1 if whole.startswith("-") else MAX_AMOUNT_FEN + 1)
    return check_amount_fen(int(Decimal(text) * 100))


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
        return join_citations(self.citations)

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
