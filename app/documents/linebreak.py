"""Line breaking for Chinese text with 避头尾 (kinsoku) rules.

Chinese breaks between any two characters, except that closing and pausing punctuation
(，。、；：？！）」》 …) must not start a line and opening punctuation (（「《 …) must not end one.
Runs of Latin letters and digits (an ID number, an amount, a hash) stay together unless a run is
wider than the line, then it breaks per character. A line is never wider than the width asked for:
when a forbidden character would start the next line, characters are pushed down from the end of
the current line (追い出し) rather than hung into the margin.
"""

from __future__ import annotations

from collections.abc import Callable

NO_LINE_START = frozenset("，。、；：？！）」』》〉】〕〗〙〛’”…‥·・ー～—–%‰℃°,.;:?!)]}>/")
NO_LINE_END = frozenset("（「『《〈【〔〖〘〚‘“([{<¥￥$＄")
_WORD = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-.,:/@#&+%")

Measure = Callable[[str], float]


def _tokens(text: str) -> list[str]:
    """Characters, with runs of Latin letters and digits kept as one token."""
    out: list[str] = []
    run = ""
    for ch in text:
        if (ch in _WORD and ch not in ",:/") or (run and ch in _WORD):
            run += ch
            continue
        if run:
            out.append(run)
            run = ""
        out.append(ch)
    if run:
        out.append(run)
    return out


def _split_wide(tokens: list[str], width: float, measure: Measure) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        if len(tok) > 1 and measure(tok) > width:
            out.extend(tok)
        else:
            out.append(tok)
    return out


def break_paragraph(text: str, width: float, measure: Measure, first_width: float | None = None) -> list[str]:
    """Break one paragraph (no newlines) into lines no wider than ``width`` (``first_width`` for line one)."""
    if width <= 0:
        raise ValueError("line width must be positive")
    first = width if first_width is None else first_width
    toks = _split_wide(_tokens(text), min(width, first), measure)
    tw = [measure(t) for t in toks]
    lines: list[str] = []
    i = 0
    n = len(toks)

    def bad_start(b: int) -> bool:
        k = b
        while k < n and toks[k] == " ":
            k += 1
        return k < n and toks[k][0] in NO_LINE_START

    def bad_break(b: int) -> bool:
        return bad_start(b) or toks[b - 1][-1] in NO_LINE_END

    while i < n:
        limit = first if not lines else width
        w = 0.0
        j = i
        while j < n and w + tw[j] <= limit + 1e-6:
            w += tw[j]
            j += 1
        if j == n:
            lines.append("".join(toks[i:j]).rstrip(" "))
            break
        if j == i:  # one character wider than the line: it must go somewhere
            j = i + 1
        b = j
        while b > i + 1 and bad_break(b):
            b -= 1
        if b == i + 1 and bad_break(b):
            # nothing satisfies both rules (a line of marks): keep at least "no closing mark first"
            b = j
            while b > i + 1 and bad_start(b):
                b -= 1
            if b == i + 1 and bad_start(b):
                b = j
        lines.append("".join(toks[i:b]).rstrip(" "))
        i = b
        while i < n and toks[i] == " ":
            i += 1
    return lines or [""]


def break_lines(text: str, width: float, measure: Measure, first_width: float | None = None) -> list[str]:
    """Break text with explicit newlines (each paragraph's first line ``first_width`` wide, for an indent)."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(break_paragraph(para, width, measure, first_width))
    return lines
