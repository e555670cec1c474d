"""A small page-layout engine for the forms: blocks flow down A4 pages, then pages are drawn.

Layout and drawing are two passes: a form lays its content out into :class:`Section` objects (lists of pages
of drawing operations), so the total page count is known before anything is drawn and every page can carry
"第 x 页 共 y 页", the signature line, the verification code and the QR code. Nothing here is drawn outside
the box it was given: text is broken by :mod:`app.documents.linebreak` against the measured glyph widths.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.documents.context import SignatureMark
from app.documents.fonts import FANG, HEI, SONG, runs, text_width
from app.documents.fonts import TITLE as TITLE_FONT
from app.documents.linebreak import break_lines

MM = 72.0 / 25.4
PAGE_W, PAGE_H = A4
# 版心 156 × 225 mm (GB/T 9704-2012 7.2): 28 mm 订口, 26 mm on the right; 225 mm from the top margin down to
# BODY_BOTTOM, below which the per-page signature line, page number, verification code and QR stand.
MARGIN_LEFT = 28 * MM
MARGIN_RIGHT = 26 * MM
MARGIN_TOP = 28 * MM
BODY_BOTTOM = 44 * MM
BODY_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
GREY = 0.45


@dataclass(frozen=True)
class Style:
    font: str
    size: float
    leading: float

    def width(self, text: str) -> float:
        return text_width(self.font, self.size, text)

    def measure(self) -> Callable[[str], float]:
        return lambda t: text_width(self.font, self.size, t)


# GB/T 9704-2012: body 3号 (16 pt) 仿宋, titles 2号 (22 pt) 小标宋, headings 3号 黑体 (7.3.3 and 7.3.5.2);
# nothing a person must read below 9 pt (tables of items and hashes at 10.5 / 9 pt).
BODY = Style(FANG, 16, 28)
SMALL = Style(FANG, 12, 18)
TABLE = Style(FANG, 10.5, 14)
TABLE_HEAD = Style(HEI, 10.5, 14)
HEADING = Style(HEI, 16, 28)
AGENCY = Style(TITLE_FONT, 18, 26)
TITLE = Style(TITLE_FONT, 22, 32)
TINY = Style(SONG, 6.5, 8)


@dataclass(frozen=True)
class TextOp:
    x: float
    y: float
    style: Style
    text: str
    char_space: float = 0.0
    grey: bool = False


@dataclass(frozen=True)
class LineOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.6
    dash: bool = False


@dataclass(frozen=True)
class CircleOp:
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class ImageOp:
    x: float
    y: float
    w: float
    h: float
    png: bytes


Op = TextOp | LineOp | CircleOp | ImageOp


@dataclass(frozen=True)
class SignatureLine:
    """The line printed at the foot of every page of a section, e.g. 被询问人签名：＿＿ 日期：＿＿."""

    labels: tuple[str, ...]
    mark: SignatureMark | None = None


@dataclass
class Section:
    """One record as the party sees it: its own page numbering, signature line and content hash."""

    part: str
    content_sha256: str
    signature: SignatureLine
    banner: str = ""  # printed top right on every page, e.g. 第一联（交当事人）
    pages: list[list[Op]] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # relative weight
    align: str = "left"  # left / center
    style: Style | None = None  # the cell text style when not the table's (e.g. smaller for hashes)


def _no_widow(lines: list[str]) -> list[str]:
    """No paragraph ends on a line of one character: the previous line gives it its last character (which then
    never starts a line against the 避头 rule and never leaves a mark at the previous line's end)."""
    from app.documents.linebreak import NO_LINE_END, NO_LINE_START

    if len(lines) < 2 or len(lines[-1].strip()) != 1 or len(lines[-2]) < 3:
        return lines
    prev, last = lines[-2], lines[-1]
    k = 1
    while k < 3 and prev[-k] in NO_LINE_START:  # a closing mark goes down with the character before it
        k += 1
    moved = prev[-k:]
    if len(prev) <= k + 1 or moved[0] in NO_LINE_START or moved[0].isspace() or prev[-k - 1] in NO_LINE_END:
        return lines
    return [*lines[:-2], prev[:-k], moved + last]


class SectionWriter:
    """Flows blocks down the pages of one section."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.ops: list[Op] = []
        self.y = 0.0
        self._new_page()

    # -- pages -----------------------------------------------------------------------------------------
    def _new_page(self) -> None:
        self.ops = []
        self.section.pages.append(self.ops)
        self.y = PAGE_H - MARGIN_TOP
        if self.section.banner:
            self.ops.append(
                TextOp(
                    PAGE_W - MARGIN_RIGHT - SMALL.width(self.section.banner),
                    self.y + 8,
                    SMALL,
                    self.section.banner,
                )
            )

    def page_break(self) -> None:
        self._new_page()

    def room(self) -> float:
        return self.y - BODY_BOTTOM

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor."""
        if height > self.room() and self.y < PAGE_H - MARGIN_TOP - 1:
            self._new_page()

    def space(self, height: float) -> None:
        self.y -= height

    # -- text ------------------------------------------------------------------------------------------
    def _line(
        self, x: float, text: str, style: Style, *, avail: float, justify: bool, grey: bool = False
    ) -> None:
        cs = 0.0
        if justify and len(text) > 1:
            extra = avail - style.width(text)
            if 0 < extra < style.size * 2.5:
                cs = extra / (len(text) - 1)
        self.ops.append(TextOp(x, self.y - style.size, style, text, cs, grey))

    def paragraph(
        self,
        text: str,
        style: Style = BODY,
        *,
        indent_chars: float = 2,
        left: float = 0.0,
        right: float = 0.0,
        hang: float = 0.0,
        keep_lines: int = 2,
    ) -> None:
        """Body text: first line indented, justified except each paragraph's last line; flows across pages."""
        width = BODY_WIDTH - left - right
        indent = indent_chars * style.size
        for para in text.split("\n"):
            lines = _no_widow(break_lines(para, width - hang, style.measure(), first_width=width - indent))
            # a heading is kept with the first two lines of what follows it
            self.ensure((min(len(lines), keep_lines) + (2 if style is HEADING else 0)) * style.leading)
            for k, line in enumerate(lines):
                self.ensure(style.leading)
                x = MARGIN_LEFT + left + (indent if k == 0 else hang)
                avail = width - (indent if k == 0 else hang)
                self._line(x, line, style, avail=avail, justify=k < len(lines) - 1)
                self.y -= style.leading

    def labelled(
        self, label: str, value: str, style: Style = BODY, left: float = 0.0, keep_with_next: int = 0
    ) -> None:
        """``label：value`` with the value's continuation lines aligned under its first character.

        ``keep_with_next`` lines are kept on the same page after the value (a question with its answer)."""
        head = label + "："
        hw = style.width(head)
        width = BODY_WIDTH - left
        lines = break_lines(value or "", width - hw, style.measure())
        if keep_with_next and len(lines) <= 6:
            self.ensure((len(lines) + keep_with_next) * style.leading)
        for k, line in enumerate(lines):
            self.ensure(style.leading)
            if k == 0:
                self.ops.append(TextOp(MARGIN_LEFT + left, self.y - style.size, style, head))
            self._line(MARGIN_LEFT + left + hw, line, style, avail=width - hw, justify=k < len(lines) - 1)
            self.y -= style.leading

    def centered(self, text: str, style: Style) -> None:
        for line in break_lines(text, BODY_WIDTH, style.measure()):
            self.ensure(style.leading)
            self.ops.append(
                TextOp(MARGIN_LEFT + (BODY_WIDTH - style.width(line)) / 2, self.y - style.size, style, line)
            )
            self.y -= style.leading

    def right(self, text: str, style: Style = BODY) -> None:
        for line in break_lines(text, BODY_WIDTH, style.measure()):
            self.ensure(style.leading)
            self.ops.append(
                TextOp(MARGIN_LEFT + BODY_WIDTH - style.width(line), self.y - style.size, style, line)
            )
            self.y -= style.leading

    def header(self, agency: str, title: str, number: str = "") -> None:
        """Agency name and form title in Hei, centred; the 文号 right-aligned beneath, then a rule."""
        self.centered(agency, AGENCY)
        self.space(2)
        self.centered(title, TITLE)
        self.space(4)
        if number:
            self.right(number, BODY)
        self.ops.append(LineOp(MARGIN_LEFT, self.y - 2, MARGIN_LEFT + BODY_WIDTH, self.y - 2, 1.2))
        self.space(12)

    # -- signature and seal --------------------------------------------------------------------------------
    def sign_row(self, fields: Sequence[tuple[str, float, str]], style: Style = BODY) -> None:
        """One line of ``label：____`` fields: (label, underline width in mm, text printed on the line)."""
        self.ensure(style.leading * 1.6)
        self.y -= style.leading * 0.6
        x = MARGIN_LEFT
        base = self.y - style.size
        fixed = sum(style.width(label + "：") + style.size for label, _, _ in fields) - style.size
        lines = sum(width_mm * MM for _, width_mm, _ in fields)
        scale = min(1.0, (BODY_WIDTH - fixed) / lines) if lines else 1.0  # the row never runs past the margin
        for label, width_mm, value in fields:
            head = label + "："
            self.ops.append(TextOp(x, base, style, head))
            x += style.width(head)
            w = width_mm * MM * scale
            if value:
                size = min(style.size, 10.5)
                while text_width(style.font, size, value) > w - 2 and size > 6:
                    size -= 0.5
                self.ops.append(TextOp(x + 2, base + 1, Style(style.font, size, style.leading), value))
            self.ops.append(LineOp(x, base - 2, x + w, base - 2, 0.6))
            x += w + style.size
        self.y -= style.leading

    def seal(self, agency: str, date_text: str) -> None:
        """The seal area: agency name and the Chinese date right-aligned, a dashed circle for the stamp."""
        r = 20 * MM
        self.ensure(2 * r + 6)
        w = max(BODY.width(agency), BODY.width(date_text))
        right_edge = MARGIN_LEFT + BODY_WIDTH - 6 * MM
        cx = right_edge - w / 2
        top = self.y
        cy = top - r - 2
        self.ops.append(CircleOp(cx, cy, r))
        self.ops.append(
            TextOp(cx - SMALL.width("（盖章）") / 2, cy + r - 15 * MM, SMALL, "（盖章）", grey=True)
        )
        self.y = cy + BODY.leading * 0.2
        self.ops.append(TextOp(right_edge - BODY.width(agency), self.y - BODY.size, BODY, agency))
        self.y -= BODY.leading
        self.ops.append(TextOp(right_edge - BODY.width(date_text), self.y - BODY.size, BODY, date_text))
        self.y = min(self.y - BODY.leading, cy - r - 4)

    # -- tables ----------------------------------------------------------------------------------------
    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        style: Style = TABLE,
        head_style: Style = TABLE_HEAD,
        show_head: bool = True,
    ) -> None:
        """A ruled table; cells wrap, rows split across pages, the header repeats on every page."""
        pad = 2.5
        total = sum(c.width for c in columns)
        widths = [BODY_WIDTH * c.width / total for c in columns]
        xs = [MARGIN_LEFT]
        for w in widths:
            xs.append(xs[-1] + w)

        def cell_lines(text: str, w: float, st: Style) -> list[str]:
            return break_lines(text, w - 2 * pad, st.measure())

        head = [cell_lines(c.title, w, head_style) for c, w in zip(columns, widths, strict=True)]
        head_h = max(len(h) for h in head) * head_style.leading + 2 * pad if show_head else 0.0
        cell_styles = [c.style or style for c in columns]

        def draw_row(
            cells: list[list[str]], st: Style, n_lines: int, centred: Sequence[bool], styles: Sequence[Style]
        ) -> None:
            h = n_lines * st.leading + 2 * pad
            top = self.y
            for ci, lines in enumerate(cells):
                cw = widths[ci]
                cs = styles[ci]
                for li, line in enumerate(lines[:n_lines]):
                    x = xs[ci] + pad
                    if centred[ci]:
                        x = xs[ci] + (cw - cs.width(line)) / 2
                    base = top - pad - li * st.leading - st.size * 0.95
                    self.ops.append(TextOp(x, base, cs, line))
            for x in xs:
                self.ops.append(LineOp(x, top, x, top - h, 0.5))
            self.ops.append(LineOp(xs[0], top, xs[-1], top, 0.5))
            self.ops.append(LineOp(xs[0], top - h, xs[-1], top - h, 0.5))
            self.y = top - h

        def draw_head() -> None:
            if show_head:
                n = max(len(h) for h in head)
                draw_row(head, head_style, n, [True] * len(columns), [head_style] * len(columns))

        centred = [c.align == "center" for c in columns]
        self.ensure(head_h + style.leading + 2 * pad)
        draw_head()
        for row in rows:
            cells = [cell_lines(text, w, cs) for text, w, cs in zip(row, widths, cell_styles, strict=True)]
            while cells:
                need = max(len(c) for c in cells)
                fit = int((self.room() - 2 * pad) // style.leading)
                if need <= fit:
                    draw_row(cells, style, need, centred, cell_styles)
                    break
                at_top = self.y >= PAGE_H - MARGIN_TOP - head_h - 1
                if fit >= 3 and (at_top or need > 12):
                    draw_row(cells, style, fit, centred, cell_styles)
                    cells = [c[fit:] for c in cells]
                self._new_page()
                draw_head()


def draw_op(canvas: Canvas, op: Op) -> None:
    if isinstance(op, TextOp):
        if op.grey:
            canvas.setFillGray(GREY)
        x = op.x
        for face, run in runs(op.style.font, op.text):  # a glyph the face lacks is drawn by its fallback
            canvas.setFont(face, op.style.size)
            canvas.drawString(x, op.y, run, charSpace=op.char_space)
            x += text_width(face, op.style.size, run) + op.char_space * len(run)
        if op.grey:
            canvas.setFillGray(0)
    elif isinstance(op, LineOp):
        canvas.setLineWidth(op.width)
        if op.dash:
            canvas.setDash(2, 2)
        canvas.line(op.x1, op.y1, op.x2, op.y2)
        if op.dash:
            canvas.setDash()
    elif isinstance(op, CircleOp):
        canvas.setStrokeGray(GREY)
        canvas.setLineWidth(0.5)
        canvas.setDash(3, 3)
        canvas.circle(op.x, op.y, op.r, stroke=1, fill=0)
        canvas.setDash()
        canvas.setStrokeGray(0)
    else:
        canvas.drawImage(ImageReader(io.BytesIO(op.png)), op.x, op.y, op.w, op.h, mask="auto")


#: the width the page foot keeps free at the right for the QR code (33.5 mm with its quiet zone) and a margin
QR_RESERVE = 37 * MM


def signature_geometry(labels: Sequence[str]) -> tuple[list[float], float]:
    """Where each label's underline starts on the per-page signature line, and the lines' width: the page's QR
    code and verification lines stand at the right of the foot, so the row ends before them."""
    gap = 6 * MM
    heads = sum(BODY.width(label + "：") for label in labels)
    n = max(1, len(labels))
    line_w = max(20 * MM, min(38 * MM, (BODY_WIDTH - QR_RESERVE - heads - gap * (n - 1)) / n))
    xs, x = [], MARGIN_LEFT
    for label in labels:
        x += BODY.width(label + "：")
        xs.append(x)
        x += line_w + gap
    return xs, line_w


def signature_ops(line: SignatureLine, y: float) -> list[Op]:
    """The per-page signature line: labels with underlines; a captured signature or a refusal note on it."""
    ops: list[Op] = []
    x = MARGIN_LEFT
    style = BODY
    gap = 6 * MM
    _xs, line_w = signature_geometry(line.labels)
    mark = line.mark
    for k, label in enumerate(line.labels):
        head = label + "："
        ops.append(TextOp(x, y, style, head))
        x += style.width(head)
        ops.append(LineOp(x, y - 2, x + line_w, y - 2, 0.6))
        if mark is not None and k == 0 and mark.image_png:
            ops.append(ImageOp(x + 2, y - 3, line_w - 4, 9 * MM, mark.image_png))
        if mark is not None and k == 1 and mark.signed_at is not None:
            d = mark.signed_at
            ops.append(TextOp(x + 3, y + 1, SMALL, f"{d.year}年{d.month}月{d.day}日"))
        x += line_w + gap
    if mark is not None and mark.refusal_reason:
        note = f"拒绝签名，原因：{mark.refusal_reason}" + (
            f"；见证人：{mark.witness}" if mark.witness else ""
        )
        lines = break_lines(note, BODY_WIDTH - QR_RESERVE, TINY.measure())[:2]
        for k, text in enumerate(lines):
            ops.append(TextOp(MARGIN_LEFT, y - 11 - k * TINY.leading, TINY, text))
    return ops
