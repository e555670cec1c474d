"""Print frozen documents to PDF: draw each frozen page, the signatures given on it, and its verification block
(QR code of the signed page statement, 核验码, page digest, checkpoint). A pure function of the frozen document,
the marks and the signer: the same inputs give the same bytes (reportlab's invariant mode fixes the document id
and dates; Ed25519 signatures are deterministic), so a reprint is identical.

:func:`render` keeps the older entry point for a bare :class:`DocumentContext` (sample forms, benchmarks): it
freezes the context and signs the page statements with a fixed *sample* key that no laptop holds.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.context import DocumentContext, DocumentError, SignatureMark
from app.documents.fonts import register_fonts
from app.documents.frozen import MARK, PageMark, freeze, mark_ops, ops_text, pages
from app.documents.layout import MARGIN_RIGHT, MM, PAGE_W, SMALL, draw_op
from app.documents.verify import QUIET, Statement, encode, qr_matrix, qr_runs
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.page_hash import text_sha256
from app.fsutil import atomic_write_bytes

QR_MODULE = 0.55 * MM  # ≥ 0.5 mm: decodes from a 100-dpi scan
QR_BOTTOM = 5 * MM  # the quiet zone's lower edge
CODE_Y = 7 * MM

Signer = Callable[[bytes], bytes]
Marks = Mapping[tuple[str, int], Sequence[PageMark]]


@dataclass(frozen=True)
class PrintedPage:
    """One printed page: where it is in its record, the hash of its text, the statement in its QR code."""

    part: str
    page: int
    of: int
    text: str
    sha256: str
    statement: str
    code: str


@dataclass(frozen=True)
class PartResult:
    part: str
    content_sha256: str
    pages: int


@dataclass(frozen=True)
class RenderResult:
    form: str
    pages: int
    content_sha256: str  # over the form name and every printed page's hash
    parts: tuple[PartResult, ...]
    pdf_sha256: str
    size: int
    printed: tuple[PrintedPage, ...] = ()


@dataclass(frozen=True)
class Issued:
    """A frozen document ready to print: its content, the reference printed in its QR codes (the first 20 hex
    digits of its issue record's SHA-256), the checkpoint taken when it was issued, and the signatures given."""

    doc: Mapping[str, Any]
    ref: str
    checkpoint: str
    marks: Marks = field(default_factory=dict)


def _draw_qr(canvas: Canvas, text: str, x: float, y: float) -> float:
    """Draw the code with its lower-left quiet-zone corner at (x, y); returns the size with the quiet zone."""
    matrix = qr_matrix(text)
    n = len(matrix)
    m = QR_MODULE
    size = (n + 2 * QUIET) * m
    top = y + size - QUIET * m
    canvas.setFillGray(0)
    path = canvas.beginPath()
    for r, c0, length in qr_runs(matrix):
        path.rect(x + (QUIET + c0) * m, top - (r + 1) * m, length * m, m)
    canvas.drawPath(path, stroke=0, fill=1)
    return size


def qr_size(text: str) -> float:
    return (len(qr_matrix(text)) + 2 * QUIET) * QR_MODULE


def _verification_lines(code: str, sha: str, checkpoint: str) -> tuple[str, ...]:
    return (f"核验码 {code}", f"页面摘要 {sha[:16]}", f"日志检查点 {checkpoint}")


def verification_block_text(code: str, sha: str, checkpoint: str) -> str:
    """The text of the verification block, drawn after the page's own text (verify-page strips it)."""
    return "\n".join(_verification_lines(code, sha, checkpoint))


def draw_verification(canvas: Canvas, statement: str, st: Statement) -> None:
    """A page's verification block: the QR code of ``statement`` at the foot's right, the lines left of it."""
    # the dark modules end at the right margin; the quiet zone reaches into the margin
    qx = PAGE_W - MARGIN_RIGHT - qr_size(statement) + QUIET * QR_MODULE
    _draw_qr(canvas, statement, qx, QR_BOTTOM)
    lines = _verification_lines(st.code(), st.sha256, st.checkpoint)
    canvas.setFont(MARK.font, MARK.size)
    for k, line in enumerate(lines):
        canvas.drawRightString(qx - 1 * MM, CODE_Y + (len(lines) - 1 - k) * MARK.leading, line)


def render_documents(form: str, issued: Sequence[Issued], case_id: str, sign: Signer
                     ) -> tuple[bytes, list[PrintedPage]]:
    """Draw every page of ``issued`` into one PDF; returns its bytes and one :class:`PrintedPage` per page."""
    if not issued:
        raise DocumentError("没有可打印的文书")
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1, initialFontName=SMALL.font)
    first = issued[0].doc
    canvas.setTitle(f"{first.get('title', form)} {case_id}")
    canvas.setAuthor(str(first.get("agency", "")))
    canvas.setCreator("FieldAudit")
    canvas.setSubject(str(first.get("title", form)))
    printed: list[PrintedPage] = []
    for item in issued:
        for p in pages(item.doc):
            marks = mark_ops(p.labels, item.marks.get((p.part, p.page), ()))
            text = ops_text([*p.ops, *marks])
            sha = text_sha256(text)
            st = Statement(case_id, form, item.ref, p.page, p.of, sha, item.checkpoint)
            statement = encode(st, sign(st.signing_input()))
            for op in (*p.ops, *marks):
                draw_op(canvas, op)
            draw_verification(canvas, statement, st)
            canvas.showPage()
            printed.append(PrintedPage(p.part, p.page, p.of, text, sha, statement, st.code()))
    canvas.save()
    return buf.getvalue(), printed


def result_of(form: str, data: bytes, printed: Sequence[PrintedPage]) -> RenderResult:
    parts: dict[str, list[str]] = {}
    for p in printed:
        parts.setdefault(p.part, []).append(p.sha256)
    return RenderResult(
        form=form,
        pages=len(printed),
        content_sha256=canonical_sha256({"form": form, "pages": [p.sha256 for p in printed]}),
        parts=tuple(PartResult(part, canonical_sha256(h), len(h)) for part, h in parts.items()),
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        printed=tuple(printed),
    )


# ============================================================================================== bare contexts


def sample_signer() -> Signer:
    """A fixed key for sample forms only (its public key is in no roster: such pages never verify)."""
    from app.evidence.signing import SigningKey

    key = SigningKey.from_raw(hashlib.sha256(b"fieldaudit sample forms: not a device key").digest())
    return key.sign


def context_marks(ctx: DocumentContext, doc: Mapping[str, Any]) -> dict[tuple[str, int], list[PageMark]]:
    """A bare context's signatures, each on the last page of its record (where the party signs last)."""
    form = doc.get("form")
    whole: SignatureMark | None = {
        "onsite-record": ctx.onsite.signature if ctx.onsite is not None else None,
        "evidence-list": ctx.evidence_signature,
        "preservation": ctx.preservation.signature if ctx.preservation is not None else None,
        "sealing": ctx.sealing.signature if ctx.sealing is not None else None,
        "service-receipt": ctx.service.signature if ctx.service is not None else None,
    }.get(str(form))
    by_part = {f"interview-{iv.number}": iv.signature for iv in ctx.interviews} if form == "interview" else {}
    out: dict[tuple[str, int], list[PageMark]] = {}
    for sec in doc.get("sections", []):
        part = str(sec.get("part"))
        mark = by_part.get(part) if form == "interview" else whole
        if mark is not None:
            out[(part, len(sec["pages"]))] = [PageMark.of(mark)]
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    """Owner-only temp file, fsync, rename: no half-written PDF is ever visible."""
    atomic_write_bytes(path, data, 0o600)


def render(
    form: str, ctx: DocumentContext, out: BinaryIO | Path, config: AgencyConfig | None = None,
    sign: Signer | None = None,
) -> RenderResult:
    """Freeze ``form`` for ``ctx`` and print it into ``out`` (sample forms; the store prints issued documents).

    Raises :class:`DocumentError` (user-facing) when the form is unknown or the context lacks what it needs.
    """
    if not ctx.checkpoint:
        raise DocumentError("打印前需要日志检查点（checkpoint）")
    cfg = config or load_agency_config()
    register_fonts(cfg.fonts)  # the agency's installed faces, else the bundled ones (first call wins)
    doc = freeze(form, ctx, cfg)
    ref = hashlib.sha256(canonical_bytes(doc)).hexdigest()[:20]
    data, printed = render_documents(form, [Issued(doc, ref, ctx.checkpoint, context_marks(ctx, doc))],
                                     ctx.case.case_id, sign or sample_signer())
    if isinstance(out, Path):
        _write_atomic(out, data)
    else:
        out.write(data)
    return result_of(form, data, printed)
