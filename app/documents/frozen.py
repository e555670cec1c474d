"""A document made once and frozen: every page laid out as plain JSON, from which printing, the on-screen
read-back and page verification are pure functions.

:func:`freeze` lays a form out for a :class:`DocumentContext` (agency wording, 文号, date, signatories, page
breaks and each page's foot: the signature labels and 第 x 页 共 y 页) and returns canonical JSON data: sections
of pages of drawing operations, coordinates in integer hundredths of a point (canonical JSON has no floats). The
context is frozen *without* the party's signatures: a signature is given on a page after that page exists, so it
is an overlay (:class:`PageMark`) drawn on the page where it was given, with its own time.

:func:`page_text` is the text of a page exactly as printed, one drawn line per line, in drawing order;
:func:`app.evidence.page_hash.text_sha256` hashes it with white space removed (what ``pdftotext`` gives back of the printed page hashes
the same). The verification block (QR code, 核验码, page digest, checkpoint) is drawn after the page's text and is
not part of it, since it is made from that text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext, Holding, Service, SignatureMark
from app.documents.fonts import register_fonts
from app.documents.form_registry import FORMS, OFFICE_FORMS
from app.documents.layout import (
    BODY,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MM,
    PAGE_W,
    QR_RESERVE,
    SMALL,
    CircleOp,
    ImageOp,
    LineOp,
    Op,
    SignatureLine,
    Style,
    TextOp,
    signature_geometry,
    signature_ops,
)
from app.documents.linebreak import break_lines
from app.evidence.page_hash import refusal_text, signed_at_text

FROZEN_VERSION = 1
SIGN_Y = 34 * MM  # the per-page signature line (the body ends at layout.BODY_BOTTOM, above it)
PAGE_NO_Y = 21 * MM
RULE_Y = SIGN_Y + BODY.leading
MARK = Style(SMALL.font, 9, 11)  # a signature's own date and time under the signature line


def _i(v: float) -> int:
    return round(v * 100)


def _f(v: Any) -> float:
    return int(v) / 100.0


def op_json(op: Op) -> dict[str, Any]:
    """A drawing operation as canonical JSON data (no floats, no images: a frozen page carries no ink)."""
    if isinstance(op, TextOp):
        return {"k": "t", "x": _i(op.x), "y": _i(op.y), "f": op.style.font, "s": _i(op.style.size),
                "c": _i(op.char_space), "g": op.grey, "t": op.text}
    if isinstance(op, LineOp):
        return {"k": "l", "x1": _i(op.x1), "y1": _i(op.y1), "x2": _i(op.x2), "y2": _i(op.y2), "w": _i(op.width),
                "d": op.dash}
    if isinstance(op, CircleOp):
        return {"k": "c", "x": _i(op.x), "y": _i(op.y), "r": _i(op.r)}
    raise ValueError("a frozen page holds no images")


def op_from_json(d: Mapping[str, Any]) -> Op:
    k = d.get("k")
    if k == "t":
        size = _f(d["s"])
        return TextOp(_f(d["x"]), _f(d["y"]), Style(str(d["f"]), size, size), str(d["t"]), _f(d["c"]), bool(d["g"]))
    if k == "l":
        return LineOp(_f(d["x1"]), _f(d["y1"]), _f(d["x2"]), _f(d["y2"]), _f(d["w"]), bool(d["d"]))
    if k == "c":
        return CircleOp(_f(d["x"]), _f(d["y"]), _f(d["r"]))
    raise ValueError(f"unknown drawing operation {k!r}")


def unsigned_context(ctx: DocumentContext) -> DocumentContext:
    """The context without any signature given on paper (those are overlays of the page they were given on)."""

    def hold(h: Holding | None) -> Holding | None:
        return dataclasses.replace(h, signature=None) if h is not None else None

    def serv(s: Service | None) -> Service | None:
        return dataclasses.replace(s, signature=None) if s is not None else None

    return dataclasses.replace(
        ctx,
        onsite=dataclasses.replace(ctx.onsite, signature=None) if ctx.onsite is not None else None,
        interviews=tuple(dataclasses.replace(iv, signature=None) for iv in ctx.interviews),
        evidence_signature=None,
        preservation=hold(ctx.preservation),
        sealing=hold(ctx.sealing),
        service=serv(ctx.service),
    )


def freeze(form: str, ctx: DocumentContext, cfg: AgencyConfig, *, unsigned: bool = False) -> dict[str, Any]:
    """The full content of ``form`` for ``ctx``: canonical JSON data, sections of laid-out pages.
    ``unsigned``: the context already holds no signature marks.

    Raises :class:`app.documents.context.DocumentError` when the context lacks what the form needs."""
    from app.documents.context import DocumentError

    spec = FORMS.get(form) or OFFICE_FORMS.get(form)
    if spec is None:
        raise DocumentError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）")
    register_fonts(cfg.fonts)  # the agency's installed faces, else the bundled ones (first call wins)
    sections = spec.build(ctx if unsigned else unsigned_context(ctx), cfg)
    out = []
    for sec in sections:
        total = len(sec.pages)
        pages = []
        for n, ops in enumerate(sec.pages, 1):
            foot: list[Op] = list(signature_ops(SignatureLine(sec.signature.labels), SIGN_Y))
            label = f"第 {n} 页 共 {total} 页"
            foot.append(TextOp((PAGE_W - SMALL.width(label)) / 2, PAGE_NO_Y, SMALL, label))
            foot.append(LineOp(MARGIN_LEFT, RULE_Y, PAGE_W - MARGIN_RIGHT, RULE_Y, 0.3))
            pages.append({"ops": [op_json(op) for op in [*ops, *foot]]})
        out.append({"part": sec.part, "labels": list(sec.signature.labels), "pages": pages})
    agency = ctx.agency.name if ctx.agency is not None else cfg.agency_name
    return {"v": FROZEN_VERSION, "form": form, "title": cfg.wording(form).title, "agency": agency,
            "case": ctx.case.case_id, "sections": out}


# ============================================================================================== text and hashes


def page_ops(page: Mapping[str, Any]) -> list[Op]:
    return [op_from_json(d) for d in page.get("ops", [])]


def ops_text(ops: Sequence[Op]) -> str:
    return "\n".join(op.text for op in ops if isinstance(op, TextOp))


def page_text(page: Mapping[str, Any], marks: Sequence[PageMark] = (), labels: Sequence[str] = ()) -> str:
    """The text of one frozen page as printed (with the signatures given on it): what a person reads and signs."""
    return ops_text([*page_ops(page), *mark_ops(labels, marks)])


@dataclass(frozen=True)
class PageRef:
    """One page of a frozen document: which section, its number in the section, and its text."""

    index: int  # 1-based over the whole document
    part: str
    page: int  # 1-based within the section
    of: int
    text: str
    labels: tuple[str, ...]
    ops: tuple[Op, ...]


def pages(doc: Mapping[str, Any]) -> list[PageRef]:
    out: list[PageRef] = []
    for sec in doc.get("sections", []):
        pl = sec.get("pages", [])
        for n, page in enumerate(pl, 1):
            ops = tuple(page_ops(page))
            out.append(PageRef(len(out) + 1, str(sec.get("part", "")), n, len(pl), ops_text(ops),
                               tuple(sec.get("labels", ())), ops))
    return out


def page_texts(doc: Mapping[str, Any], part: str | None = None,
               marks: Mapping[tuple[str, int], Sequence[PageMark]] | None = None) -> list[str]:
    """The text of each page (of one section when ``part`` is given), with the signatures given so far.

    The GUI read-back shows exactly this, and the printed page gives it back through ``pdftotext``."""
    marks = marks or {}
    return [ops_text([*p.ops, *mark_ops(p.labels, marks.get((p.part, p.page), ()))])
            for p in pages(doc) if part is None or p.part == part]


# ============================================================================================== marks


@dataclass(frozen=True)
class PageMark:
    """A signature given on one page (its image and its own time) or a refusal noted there."""

    image_png: bytes | None = None
    signed_at: dt.datetime | None = None
    refusal: str = ""  # the note printed for a refusal, e.g. 拒绝签名，原因：…；见证人：…

    @classmethod
    def of(cls, mark: SignatureMark) -> PageMark:
        if mark.refusal_reason:
            return cls(refusal=refusal_text(mark.refusal_reason, mark.witness))
        return cls(image_png=mark.image_png, signed_at=mark.signed_at)


def mark_ops(labels: Sequence[str], marks: Sequence[PageMark]) -> list[Op]:
    """Overlays on the foot signature line: the image on the first label's line, its own date and time on the
    second's; a refusal as a note under the line."""
    ops: list[Op] = []
    if not marks:
        return ops
    register_fonts()  # widths are measured (the read-back may come before anything was laid out in this process)
    xs, line_w = signature_geometry(labels)
    notes = 0
    for mark in marks:
        if mark.image_png and xs:
            # above the underline and below the rule over the foot, so neither is covered
            ops.append(ImageOp(xs[0] + 2, SIGN_Y - 1, line_w - 4, 7 * MM, mark.image_png))
        if mark.signed_at is not None and len(xs) > 1:
            day, clock = signed_at_text(mark.signed_at)
            ops.append(TextOp(xs[1] + 3, SIGN_Y + 1, MARK, day))
            ops.append(TextOp(xs[1] + 3, SIGN_Y - MARK.leading, MARK, clock))
        if mark.refusal:
            for line in break_lines(mark.refusal, PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - QR_RESERVE,
                                    MARK.measure())[:2]:
                notes += 1
                ops.append(TextOp(MARGIN_LEFT, SIGN_Y - 2 * MM - notes * MARK.leading, MARK, line))
    return ops
