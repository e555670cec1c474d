"""Validators for the identifiers an inspector types on site.

* 统一社会信用代码 (unified social credit code, GB 32100-2015)
* 居民身份证号 (citizen identity number, GB 11643-1999, check digit ISO 7064 MOD 11-2)
* telephone numbers (mainland mobile and fixed-line)
* visible text: no character that is invisible or reorders what is shown (:func:`check_visible_text`)

Every validator first normalises its input (NFKC, so full-width characters become ASCII; whitespace and the
usual separators removed; upper case), then checks it and raises :class:`ValidationError` with a stable
machine code and a message in Chinese and English that says exactly what is wrong and where.

This module is pure: no Qt, no database, no clock unless the caller leaves ``today`` out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.errors import UserError

__all__ = [
    "HIDDEN_CHARACTERS",
    "ID_CHECK_CHARS",
    "USCC_ALPHABET",
    "HiddenCharacter",
    "PhoneNumber",
    "ResidentId",
    "ValidationError",
    "check_visible_text",
    "hidden_character",
    "normalise_phone",
    "normalise_resident_id",
    "normalise_uscc",
    "resident_id_check_char",
    "shown_text",
    "uscc_check_char",
    "validate_phone",
    "validate_resident_id",
    "validate_uscc",
]


class ValidationError(ValueError):
    """A user's input is wrong. ``code`` is stable (for tests and logs); messages are shown as they are."""

    def __init__(self, code: str, message_zh: str, message_en: str, *, position: int | None = None) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        #: 1-based position of the offending character, when there is one.
        self.position = position

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` ("zh" or "en"); Chinese for anything else."""
        return self.message_en if lang.startswith("en") else self.message_zh


# Characters removed by every normaliser after NFKC: whitespace and the separators people type in codes.
_SEPARATORS = re.compile(r"[\s\-_.·/]+")


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def _require_str(value: object, what_zh: str, what_en: str) -> str:
    if not isinstance(value, str):
        raise ValidationError("type", f"{what_zh}必须是文本", f"The {what_en} must be text")
    return value


def _check_empty(value: str, what_zh: str, what_en: str) -> None:
    if not value:
        raise ValidationError("empty", f"请填写{what_zh}", f"The {what_en} is empty")


def _check_length(value: str, expected: int, what_zh: str, what_en: str) -> None:
    if len(value) != expected:
        raise ValidationError(
            "length",
            f"{what_zh}应为{expected}位，实际为{len(value)}位",
            f"The {what_en} must have {expected} characters, not {len(value)}",
        )


def check_text_length(text: str, limit: int, what_zh: str, what_en: str) -> str:
    """``text`` unless it is longer than ``limit`` characters: a field printed on a form holds what a person
    writes in it, not 5,000 characters pasted by mistake (each would be printed and signed as typed)."""
    if len(text) > limit:
        raise ValidationError("too_long", f"{what_zh}过长：最多 {limit} 个字，现有 {len(text)} 个字",
                              f"The {what_en} is too long: at most {limit} characters, not {len(text)}")
    return text


# ---------------------------------------------------------------------------------------------------------
# 统一社会信用代码 — GB 32100-2015
# ---------------------------------------------------------------------------------------------------------

#: The 31 characters of GB 32100 (digits and capitals without I, O, Z, S, V); index = character value.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
#: Weights of positions 1..17: 3^(i-1) mod 31.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: Position 1: 登记管理部门代码 (registration authority). GB 32100-2015 names 1, 5, 9 and Y; the national
#: implementation added the others as departments joined the scheme.
USCC_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "institutional establishment offices"),
    "2": ("外交", "foreign affairs"),
    "3": ("司法行政", "justice administration"),
    "4": ("文化", "culture"),
    "5": ("民政", "civil affairs"),
    "6": ("旅游", "tourism"),
    "7": ("宗教", "religious affairs"),
    "8": ("工会", "trade unions"),
    "9": ("工商（市场监管）", "market regulation (industry and commerce)"),
    "A": ("中央军委改革和编制办公室", "CMC reform and establishment office"),
    "N": ("农业", "agriculture"),
    "Y": ("其他", "other"),
}

#: Common (authority, category) pairs, for display only: an unknown pair is not an error.
USCC_CATEGORIES: dict[str, tuple[str, str]] = {
    "11": ("机关", "government body"),
    "12": ("事业单位", "public institution"),
    "13": ("中央编办直接管理机构编制的群众团体", "mass organisation"),
    "19": ("其他（机构编制）", "other (establishment)"),
    "51": ("社会团体", "social organisation"),
    "52": ("民办非企业单位", "private non-enterprise unit"),
    "53": ("基金会", "foundation"),
    "59": ("其他（民政）", "other (civil affairs)"),
    "91": ("企业", "enterprise"),
    "92": ("个体工商户", "individual business"),
    "93": ("农民专业合作社", "farmers' cooperative"),
    "Y1": ("其他", "other"),
}


def normalise_uscc(code: str) -> str:
    """NFKC (full-width → ASCII), drop whitespace and separators, upper-case. Does not validate."""
    text = _require_str(code, "统一社会信用代码", "unified social credit code")
    return _SEPARATORS.sub("", _nfkc(text)).upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (already valid characters)."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("need exactly 17 characters of the GB 32100 alphabet")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Validate a 统一社会信用代码 and return it normalised (18 upper-case ASCII characters).

    Checks, in order: length 18; every character in the GB 32100 set (no I, O, Z, S, V); the registration
    authority code (position 1); the administrative-division code (positions 3–8, digits); the check character
    (position 18). Raises :class:`ValidationError` naming the first problem.
    """
    value = normalise_uscc(code)
    _check_empty(value, "统一社会信用代码", "unified social credit code")
    _check_length(value, 18, "统一社会信用代码", "unified social credit code")
    for pos, ch in enumerate(value, start=1):
        if ch not in _USCC_VALUE:
            hint_zh = "（不使用字母 I、O、Z、S、V）" if ch in "IOZSV" else ""
            hint_en = " (the letters I, O, Z, S and V are not used)" if ch in "IOZSV" else ""
            raise ValidationError(
                "char",
                f"统一社会信用代码第{pos}位字符“{ch}”无效{hint_zh}",
                f"Invalid character '{ch}' at position {pos} of the unified social credit code{hint_en}",
                position=pos,
            )
    if value[0] not in USCC_AUTHORITIES:
        raise ValidationError(
            "authority",
            f"统一社会信用代码第1位（登记管理部门代码）“{value[0]}”无效",
            f"Position 1 (registration authority code) '{value[0]}' of the unified social credit code "
            "is invalid",
            position=1,
        )
    for pos in range(3, 9):
        if not value[pos - 1].isdigit():
            raise ValidationError(
                "region",
                f"统一社会信用代码第{pos}位应为数字（第3–8位为登记管理机关行政区划码）",
                f"Position {pos} of the unified social credit code must be a digit "
                "(positions 3–8 are the administrative-division code)",
                position=pos,
            )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            "check",
            f"统一社会信用代码校验码错误：第18位应为“{expected}”，实际为“{value[17]}”，请核对是否抄错",
            f"Wrong check character in the unified social credit code: position 18 should be '{expected}', "
            f"not '{value[17]}'; please check for a typing error",
            position=18,
        )
    return value


# ---------------------------------------------------------------------------------------------------------
# 居民身份证号 — GB 11643-1999 (ISO 7064 MOD 11-2)
# ---------------------------------------------------------------------------------------------------------

#: Check characters for (sum of weighted digits) mod 11 = 0..10.
ID_CHECK_CHARS = "10X98765432"
#: Weights of positions 1..17: 2^(18-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
#: First two digits: provinces (GB/T 2260), 71 Taiwan, 81/82/83 for residence permits of Hong Kong, Macao
#: and Taiwan residents, 9x for the 2023 foreigners' permanent residence ID card.
_ID_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83, 91, 92, 93, 94, 95, 96, 97, 98, 99}
)
_EARLIEST_BIRTH = date(1850, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    """A valid 居民身份证号 and what it encodes."""

    number: str
    region_code: str
    birth_date: date
    sex: Literal["male", "female"]

    @property
    def sex_zh(self) -> str:
        return "男" if self.sex == "male" else "女"

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def normalise_resident_id(number: str) -> str:
    """NFKC (full-width → ASCII), drop whitespace and separators, lower-case x → X. Does not validate."""
    text = _require_str(number, "居民身份证号", "resident identity number")
    return _SEPARATORS.sub("", _nfkc(text)).upper()


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_resident_id(number: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character 居民身份证号 and return what it encodes.

    Checks length, digits in positions 1–17 and 0-9/X in 18, the province code, the birth date (a real date,
    not before 1850, not after ``today``), and the MOD 11-2 check character. ``today`` defaults to the system
    date; pass it explicitly in tests and rules.
    """
    value = normalise_resident_id(number)
    _check_empty(value, "居民身份证号", "resident identity number")
    _check_length(value, 18, "居民身份证号", "resident identity number")
    for pos, ch in enumerate(value[:17], start=1):
        if not ("0" <= ch <= "9"):
            raise ValidationError(
                "char",
                f"居民身份证号第{pos}位“{ch}”无效，前17位只能是数字",
                f"Invalid character '{ch}' at position {pos} of the identity number: "
                "positions 1–17 are digits",
                position=pos,
            )
    if not ("0" <= value[17] <= "9" or value[17] == "X"):
        raise ValidationError(
            "char",
            f"居民身份证号第18位“{value[17]}”无效，只能是数字或X",
            f"Invalid character '{value[17]}' at position 18 of the identity number: must be a digit or X",
            position=18,
        )
    if int(value[:2]) not in _ID_PROVINCES:
        raise ValidationError(
            "region",
            f"居民身份证号前两位“{value[:2]}”不是有效的省级行政区划代码",
            f"The first two digits '{value[:2]}' of the identity number are not a valid province code",
            position=1,
        )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            "birth_date",
            f"居民身份证号第7–14位“{value[6:14]}”不是有效的出生日期",
            f"Positions 7–14 '{value[6:14]}' of the identity number are not a valid date of birth",
            position=7,
        ) from None
    reference = today if today is not None else date.today()
    if birth > reference:
        raise ValidationError(
            "birth_future",
            f"居民身份证号中的出生日期{birth.isoformat()}晚于今天",
            f"The date of birth {birth.isoformat()} in the identity number is in the future",
            position=7,
        )
    if birth < _EARLIEST_BIRTH:
        raise ValidationError(
            "birth_date",
            f"居民身份证号中的出生日期{birth.isoformat()}不合理",
            f"The date of birth {birth.isoformat()} in the identity number is implausible",
            position=7,
        )
    expected = resident_id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            "check",
            f"居民身份证号校验码错误：第18位应为“{expected}”，实际为“{value[17]}”，请核对是否抄错",
            f"Wrong check digit in the identity number: position 18 should be '{expected}', "
            f"not '{value[17]}'; please check for a typing error",
            position=18,
        )
    sex: Literal["male", "female"] = "male" if int(value[16]) % 2 == 1 else "female"
    return ResidentId(number=value, region_code=value[:6], birth_date=birth, sex=sex)


# ---------------------------------------------------------------------------------------------------------
# Telephone numbers
# ---------------------------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:[12]\d|[3-9]\d{2})\d{7,8}")  # 010, 02x or 0xxx area code + 7–8 digits
_SERVICE = re.compile(r"[48]00\d{7}")


@dataclass(frozen=True)
class PhoneNumber:
    """A valid telephone number: ``number`` is digits only (mobile, area code + number, or 400/800)."""

    number: str
    kind: Literal["mobile", "landline", "service"]
    extension: str = ""

    def display(self) -> str:
        """Grouped for printing: 138 0013 8000, 010-12345678, 400-123-4567, with 转 extension."""
        n = self.number
        if self.kind == "mobile":
            text = f"{n[:3]} {n[3:7]} {n[7:]}"
        elif self.kind == "service":
            text = f"{n[:3]}-{n[3:6]}-{n[6:]}"
        else:
            area = 3 if n[1] in "12" else 4
            text = f"{n[:area]}-{n[area:]}"
        return f"{text} 转 {self.extension}" if self.extension else text


def normalise_phone(number: str) -> tuple[str, str]:
    """NFKC, split off an extension (转 / ext / x / #), drop +86 / 0086 and separators.

    Returns ``(digits, extension)``; does not validate.
    """
    text = _require_str(number, "电话号码", "telephone number")
    text = _nfkc(text).strip().lower()
    extension = ""
    m = re.search(r"(?:转|分机|ext\.?|x|#)\s*(\d+)\s*$", text)
    if m:
        extension = m.group(1)
        text = text[: m.start()]
    text = re.sub(r"[\s\-().·/]+", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text, extension


def validate_phone(number: str) -> PhoneNumber:
    """Validate a mainland mobile (11 digits, 13x–19x), a fixed line with area code, or a 400/800 number."""
    digits, extension = normalise_phone(number)
    _check_empty(digits, "电话号码", "telephone number")
    for pos, ch in enumerate(digits, start=1):
        if not ("0" <= ch <= "9"):
            raise ValidationError(
                "char",
                f"电话号码第{pos}位“{ch}”无效，只能是数字",
                f"Invalid character '{ch}' at position {pos} of the telephone number: digits only",
                position=pos,
            )
    if _MOBILE.fullmatch(digits):
        kind: Literal["mobile", "landline", "service"] = "mobile"
    elif _LANDLINE.fullmatch(digits):
        kind = "landline"
    elif _SERVICE.fullmatch(digits):
        kind = "service"
    elif digits.startswith("1"):
        raise ValidationError(
            "mobile",
            f"手机号码应为以13–19开头的11位数字，实际为{len(digits)}位“{digits}”",
            f"A mobile number has 11 digits starting 13–19; got {len(digits)} digits '{digits}'",
        )
    elif digits.startswith("0"):
        raise ValidationError(
            "landline",
            "固定电话应为区号（010、02X或0XXX）加7–8位号码",
            "A fixed-line number is an area code (010, 02X or 0XXX) followed by 7–8 digits",
        )
    else:
        raise ValidationError(
            "phone",
            "电话号码无效：请填写11位手机号码或带区号的固定电话",
            "Invalid telephone number: enter an 11-digit mobile number or a fixed line with its area code",
        )
    return PhoneNumber(number=digits, kind=kind, extension=extension)


# --- visible text ----------------------------------------------------------------------------------------------
#: Characters that show one thing and store another: bidi overrides and isolates (U+202A-202E, U+2066-2069), marks
#: (U+200E/F, U+061C), zero-width characters and C0/C1 controls other than tab and newline.
HIDDEN_CHARACTERS = frozenset({*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0x061C,
                               0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F),
                               *range(0x2066, 0x206A), 0xFEFF})


class HiddenCharacter(UserError):
    """Text holding a character that is invisible or reorders what is shown. ``position`` is 1-based."""

    code = "hidden_character"

    def __init__(self, text: str, position: int) -> None:
        shown = shown_text(text)[:120]
        super().__init__(f"文字中含有不可见或改变显示顺序的字符，请删除后重试：{shown}",
                         f"The text holds an invisible or reordering character; remove it and retry: {shown}")
        self.position = position


def shown_text(text: str) -> str:
    """``text`` with each invisible or reordering character written out as ``[U+XXXX]`` (safe to show)."""
    return "".join(f"[U+{ord(c):04X}]" if ord(c) in HIDDEN_CHARACTERS else c for c in text)


def hidden_character(text: str) -> str | None:
    """The first invisible or reordering character of ``text`` as ``U+XXXX``, or None."""
    bad = next((c for c in text if ord(c) in HIDDEN_CHARACTERS), None)
    return None if bad is None else f"U+{ord(bad):04X}"


def hidden_in(value: Any, where: str = "") -> tuple[str, str, str] | None:
    """The first text in nested data (dicts, lists, strings) holding an invisible or reordering character, as
    (its dotted path, e.g. ``institution.address`` or ``materials.0``, the text, the character as ``U+XXXX``)."""
    if isinstance(value, str):
        char = hidden_character(value)
        return None if char is None else (where or "text", value, char)
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        found = hidden_in(item, f"{where}.{key}" if where else key)
        if found is not None:
            return found
    return None


def check_visible_text(*texts: str) -> None:
    """Text a person types, signs or prints is the text the record holds: refuse any character that is invisible or
    reorders what is shown (Qt applies a right-to-left override, the printed form does not). Tab and newline pass."""
    for text in texts:
        at = next((i for i, c in enumerate(text) if ord(c) in HIDDEN_CHARACTERS), None)
        if at is not None:
            raise HiddenCharacter(text, at + 1)
