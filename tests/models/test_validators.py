"""Tests for app.models.validators: published examples, mutations and property tests."""

from __future__ import annotations

import string
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.validators import (
    USCC_ALPHABET,
    ValidationError,
    normalise_resident_id,
    normalise_uscc,
    resident_id_check_char,
    uscc_check_char,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2026, 11, 23)

# ------------------------------------------------------------------------------------------------ USCC

# 91350100M000100Y43 is the worked example of GB 32100-2015 (Fuzhou, enterprise) and is widely republished.
PUBLISHED_USCC = "91350100M000100Y43"


def _with_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# Real-format codes: authority + category + 6-digit division + 9-character organisation code.
COMPUTED_USCC = [
    _with_check("12420100" + "MB1234567"),  # 事业单位 in Wuhan (a public hospital)
    _with_check("52620100" + "MJ0000123"),  # 民办非企业单位 in Lanzhou (a private clinic)
    _with_check("92320600" + "MA1XYW0Q1"),  # 个体工商户 in Nantong (a pharmacy)
    _with_check("11410000" + "005184401"),  # 机关 in Henan
    _with_check("Y1110000" + "717800123"),
]


def test_published_uscc_example_is_valid() -> None:
    assert validate_uscc(PUBLISHED_USCC) == PUBLISHED_USCC


def test_uscc_check_char_of_published_example() -> None:
    assert uscc_check_char(PUBLISHED_USCC[:17]) == "3"
    with pytest.raises(ValueError):
        uscc_check_char("91350100M00O100Y4")


@pytest.mark.parametrize("code", COMPUTED_USCC)
def test_computed_uscc_examples_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


def test_uscc_normalisation_accepts_lower_case_full_width_and_spaces() -> None:
    full_width = "９１３５０１００ｍ０００１００ｙ４３"
    assert validate_uscc(full_width) == PUBLISHED_USCC
    assert validate_uscc(" 9135 0100 m000 100y 43 ") == PUBLISHED_USCC
    assert normalise_uscc("9135-0100\tm000100y43") == PUBLISHED_USCC


@pytest.mark.parametrize(
    ("code", "error", "position"),
    [
        ("91350100M000100Y4", "length", None),
        ("91350100M000100Y433", "length", None),
        ("", "empty", None),
        ("91350100M00O100Y43", "char", 12),  # letter O
        ("9135010IM000100Y43", "char", 8),  # letter I
        ("X1350100M000100Y43", "authority", 1),  # X is a valid character but no authority code
        ("91350100M000100Y44", "check", 18),
        ("91A50100M000100Y43", "region", 3),
    ],
)
def test_uscc_mutations_are_rejected(code: str, error: str, position: int | None) -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.code == error
    assert info.value.position == position
    assert info.value.message_zh and info.value.message_en


def test_uscc_check_message_names_the_expected_character() -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc("91350100M000100Y44")
    assert "应为“3”" in info.value.message_zh
    assert "should be '3'" in info.value.message_en
    assert info.value.message("en") == info.value.message_en


uscc_body = st.builds(
    lambda a, c, region, org: a + c + region + org,
    st.sampled_from("1259Y"),
    st.sampled_from("123"),
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_body)
def test_uscc_with_computed_check_always_validates(body: str) -> None:
    assert validate_uscc(body + uscc_check_char(body)) == body + uscc_check_char(body)


@given(uscc_body, st.integers(min_value=8, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_uscc_any_single_substitution_is_detected(body: str, index: int, replacement: str) -> None:
    code = body + uscc_check_char(body)
    if code[index] == replacement:
        replacement = USCC_ALPHABET[(USCC_ALPHABET.index(replacement) + 1) % 31]
    mutated = code[:index] + replacement + code[index + 1 :]
    with pytest.raises(ValidationError) as info:
        validate_uscc(mutated)
    assert info.value.code == "check"


@given(uscc_body, st.integers(min_value=8, max_value=15))
def test_uscc_adjacent_transposition_is_detected(body: str, index: int) -> None:
    code = body + uscc_check_char(body)
    if code[index] == code[index + 1]:
        return
    mutated = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
    with pytest.raises(ValidationError):
        validate_uscc(mutated)


# ------------------------------------------------------------------------------------------------ ID numbers

# Both examples are given in GB 11643-1999 itself and widely republished.
PUBLISHED_IDS = [
    ("11010519491231002X", date(1949, 12, 31), "female"),
    ("440524188001010014", date(1880, 1, 1), "male"),
]


@pytest.mark.parametrize(("number", "birth", "sex"), PUBLISHED_IDS)
def test_published_resident_ids(number: str, birth: date, sex: str) -> None:
    rid = validate_resident_id(number, today=TODAY)
    assert rid.number == number
    assert rid.birth_date == birth
    assert rid.sex == sex
    assert rid.region_code == number[:6]


def test_resident_id_check_digit_of_published_example() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


def test_resident_id_accepts_lower_case_x_and_full_width() -> None:
    assert validate_resident_id("11010519491231002x", today=TODAY).number == "11010519491231002X"
    full_width = "１１０１０５ １９４９１２３１ ００２ｘ"
    assert validate_resident_id(full_width, today=TODAY).number == "11010519491231002X"
    assert normalise_resident_id("110105-19491231-002x") == "11010519491231002X"


def test_resident_id_age_and_sex_label() -> None:
    rid = validate_resident_id("11010519491231002X", today=TODAY)
    assert rid.sex_zh == "女"
    assert rid.age_on(date(2026, 12, 30)) == 76
    assert rid.age_on(date(2026, 12, 31)) == 77


def _id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    ("number", "error", "position"),
    [
        ("11010519491231002", "length", None),
        ("11010519491231002XX", "length", None),
        ("110105194912310A2X", "char", 16),
        ("11010519491231002Y", "char", 18),
        ("11010519491231002Ｙ", "char", 18),
        ("110105194912310029", "check", 18),
        (_id("11010519490230002"), "birth_date", 7),  # 30 February
        (_id("11010519491331002"), "birth_date", 7),  # month 13
        (_id("00010519491231002"), "region", 1),
        (_id("11010520261124002"), "birth_future", 7),  # the day after TODAY
    ],
)
def test_resident_id_mutations_are_rejected(number: str, error: str, position: int | None) -> None:
    with pytest.raises(ValidationError) as info:
        validate_resident_id(number, today=TODAY)
    assert info.value.code == error
    assert info.value.position == position


def test_resident_id_born_today_is_accepted() -> None:
    rid = validate_resident_id(_id("11010520261123002"), today=TODAY)
    assert rid.birth_date == TODAY


def test_resident_id_check_message_names_expected_digit() -> None:
    with pytest.raises(ValidationError) as info:
        validate_resident_id("110105194912310029", today=TODAY)
    assert "应为“X”" in info.value.message_zh
    assert "should be 'X'" in info.value.message_en


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
id_body = st.builds(
    lambda region, born, seq: region + born.strftime("%Y%m%d") + seq,
    st.sampled_from(["110105", "420102", "320602", "620102", "411302", "341502"]),
    birth_dates,
    st.text(alphabet=string.digits, min_size=3, max_size=3),
)


@given(id_body)
def test_resident_id_round_trip(body: str) -> None:
    rid = validate_resident_id(_id(body), today=TODAY)
    assert rid.birth_date.strftime("%Y%m%d") == body[6:14]
    assert rid.sex == ("male" if int(body[16]) % 2 else "female")


@settings(max_examples=300)
@given(id_body, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_resident_id_single_digit_change_never_passes(body: str, index: int, delta: int) -> None:
    number = _id(body)
    mutated = number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(mutated, today=TODAY)


@given(id_body, st.integers(min_value=0, max_value=15))
def test_resident_id_adjacent_transposition_never_passes(body: str, index: int) -> None:
    number = _id(body)
    if number[index] == number[index + 1]:
        return
    mutated = number[:index] + number[index + 1] + number[index] + number[index + 2 :]
    with pytest.raises(ValidationError):
        validate_resident_id(mutated, today=TODAY)


@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2099, 12, 31)))
def test_resident_id_future_birth_always_rejected(born: date) -> None:
    with pytest.raises(ValidationError) as info:
        validate_resident_id(_id("110105" + born.strftime("%Y%m%d") + "002"), today=TODAY)
    assert info.value.code == "birth_future"


# ------------------------------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("raw", "digits", "kind", "ext", "shown"),
    [
        ("13800138000", "13800138000", "mobile", "", "138 0013 8000"),
        ("+86 138-0013-8000", "13800138000", "mobile", "", "138 0013 8000"),
        ("０１０－６５１０１２３４", "01065101234", "landline", "", "010-65101234"),
        ("(027) 8561 2345 转 806", "02785612345", "landline", "806", "027-85612345 转 806"),
        ("0513-8551 0000", "051385510000", "landline", "", "0513-85510000"),
        ("400-123-4567", "4001234567", "service", "", "400-123-4567"),
    ],
)
def test_valid_phones(raw: str, digits: str, kind: str, ext: str, shown: str) -> None:
    phone = validate_phone(raw)
    assert (phone.number, phone.kind, phone.extension) == (digits, kind, ext)
    assert phone.display() == shown


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", "empty"),
        ("1380013800", "mobile"),
        ("12800138000", "mobile"),
        ("138001380001", "mobile"),
        ("010-123", "landline"),
        ("1380013800a", "char"),
        ("5551234", "phone"),
    ],
)
def test_invalid_phones(raw: str, error: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_phone(raw)
    assert info.value.code == error


@given(st.sampled_from("3456789"), st.text(alphabet=string.digits, min_size=9, max_size=9))
def test_any_mobile_number_validates(second: str, rest: str) -> None:
    assert validate_phone("1" + second + rest).kind == "mobile"
