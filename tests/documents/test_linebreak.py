"""Chinese line breaking: per character, 避头尾, never wider than the box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents.fonts import SONG, register_fonts, text_width
from app.documents.linebreak import NO_LINE_END, NO_LINE_START, break_lines, break_paragraph


def unit(text: str) -> float:
    return float(len(text))


def test_breaks_per_character() -> None:
    assert break_paragraph("医疗保障基金稽核", 3, unit) == ["医疗保", "障基金", "稽核"]


def test_closing_punctuation_never_starts_a_line() -> None:
    # "，" would start line two: one character is pushed down with it instead
    assert break_paragraph("甲乙丙，丁戊", 3, unit) == ["甲乙", "丙，丁", "戊"]
    # a run of closing marks travels together
    assert break_paragraph("甲乙丙」。丁", 3, unit) == ["甲乙", "丙」。", "丁"]
    for ch in "，。、；：？！）」》":
        lines = break_paragraph(f"一二三{ch}四五六七", 3, unit)
        assert all(not line.startswith(ch) for line in lines), (ch, lines)


def test_opening_punctuation_never_ends_a_line() -> None:
    assert break_paragraph("甲乙（丙丁", 3, unit) == ["甲乙", "（丙丁"]
    # and a closing bracket pulls its neighbour down with it
    assert break_paragraph("甲乙（丙丁）", 3, unit) == ["甲乙", "（丙", "丁）"]
    assert break_paragraph("甲乙《丙》", 3, unit) == ["甲乙", "《丙》"]


def test_latin_runs_stay_together_unless_too_wide() -> None:
    assert break_paragraph("证号12345678MB0123456X结束", 19, unit) == ["证号", "12345678MB0123456X结", "束"]
    # the word fits on a line of its own: it is not split
    assert break_paragraph("金额100,000元", 8, unit) == ["金额", "100,000元"]
    # wider than the line: split per character
    assert break_paragraph("a" * 10, 4, unit) == ["aaaa", "aaaa", "aa"]


def test_explicit_newlines_and_first_line_indent() -> None:
    assert break_lines("甲乙丙丁\n\n戊", 3, unit) == ["甲乙丙", "丁", "", "戊"]
    assert break_lines("甲乙丙丁戊", 3, unit, first_width=1) == ["甲", "乙丙丁", "戊"]


def _marks(text: str) -> bool:
    return all(c in NO_LINE_START or c in NO_LINE_END or c == " " for c in text)


_CJK = st.sampled_from(
    list("医保稽核现场取证被检查单位住院费用结算")
    + list("，。、；：？！）」》（「《")
    + list("0123456789AB ")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CJK, min_size=0, max_size=120).map("".join), st.integers(min_value=40, max_value=300))
def test_real_font_lines_fit_and_keep_rules(text: str, width: int) -> None:
    register_fonts()

    def measure(t: str) -> float:
        return text_width(SONG, 12, t)

    lines = break_paragraph(text, width, measure)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for k, line in enumerate(lines):
        assert measure(line) <= width + 1e-6 or len(line) == 1
        if k > 0 and line and len(lines[k - 1]) > 1:
            # a violation is only allowed when nothing else fits (a line made only of marks)
            assert line[0] not in NO_LINE_START or _marks(lines[k - 1][1:]), lines
        if k < len(lines) - 1 and len(line) > 1:
            assert line[-1] not in NO_LINE_END or _marks(line[1:]), lines
