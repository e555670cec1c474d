"""Render a form to PDF: lay out, then draw every page with its footer (signature line, 第 x 页 共 y 页,
verification code, QR code). Output is deterministic for the same context, config and library versions
(reportlab's invariant mode fixes the document id and dates)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.context import DocumentContext, DocumentError
from app.documents.fonts import register_fonts
from app.documents.form_registry import FORMS
from app.documents.layout import (
    BODY,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MM,
    PAGE_W,
    SMALL,
    TINY,
    Section,
    draw_op,
    signature_ops,
)
from app.documents.verify import page_payload, qr_matrix, qr_runs, verification_code
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.fsutil import atomic_write_bytes

QR_SIZE = 22 * MM
QR_Y = 8 * MM
SIGN_Y = 34 * MM
PAGE_NO_Y = 14 * MM


@dataclass(frozen=True)
class PartResult:
    part: str
    content_sha256: str
    pages: int


@dataclass(frozen=True)
class RenderResult:
    form: str
    pages: int
    content_sha256: str  # over the form name and every part's content hash
    parts: tuple[PartResult, ...]
    pdf_sha256: str
    size: int


def _draw_qr(canvas: Canvas, data: bytes, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(data)
    n = len(matrix)
    m = size / n
    canvas.setFillGray(0)
    path = canvas.beginPath()
    for r, c0, length in qr_runs(matrix):
        path.rect(x + c0 * m, y + size - (r + 1) * m, length * m, m)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_footer(
    canvas: Canvas, sec: Section, form: str, ctx: DocumentContext, *, page: int, total: int
) -> None:
    for op in signature_ops(sec.signature, SIGN_Y):
        draw_op(canvas, op)
    label = f"第 {page} 页 共 {total} 页"
    canvas.setFont(SMALL.font, SMALL.size)
    canvas.drawString((PAGE_W - SMALL.width(label)) / 2, PAGE_NO_Y, label)
    payload = page_payload(
        ctx.case.case_id, form, sec.part, sha256=sec.content_sha256, page=page, checkpoint=ctx.checkpoint
    )
    qx = PAGE_W - MARGIN_RIGHT - QR_SIZE
    _draw_qr(canvas, canonical_bytes(payload), qx, QR_Y, QR_SIZE)
    lines = (
        f"核验码 {verification_code(payload)}",
        f"记录摘要 {sec.content_sha256[:16]}",
        f"日志检查点 {ctx.checkpoint}",
    )
    canvas.setFont(TINY.font, TINY.size)
    for k, text in enumerate(lines):
        canvas.drawRightString(qx - 2 * MM, QR_Y + 2 + (len(lines) - 1 - k) * TINY.leading, text)
    canvas.setLineWidth(0.3)
    canvas.line(MARGIN_LEFT, SIGN_Y + BODY.leading, PAGE_W - MARGIN_RIGHT, SIGN_Y + BODY.leading)


def _write_atomic(path: Path, data: bytes) -> None:
    """Owner-only temp file, fsync, rename: no half-written PDF is ever visible."""
    atomic_write_bytes(path, data, 0o600)


def render(
    form: str, ctx: DocumentContext, out: BinaryIO | Path, config: AgencyConfig | None = None
) -> RenderResult:
    """Render ``form`` (a CLI form name, see :data:`FORMS`) for ``ctx`` into ``out``.

    Raises :class:`DocumentError` (user-facing) when the form is unknown or the context lacks what it needs.
    """
    spec = FORMS.get(form)
    if spec is None:
        raise DocumentError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）")
    if not ctx.checkpoint:
        raise DocumentError("打印前需要日志检查点（checkpoint）")
    cfg = config or load_agency_config()
    register_fonts(cfg.fonts)  # the agency's installed faces, else the bundled ones (first call wins)
    sections = spec.build(ctx, cfg)
    agency = ctx.agency.name if ctx.agency is not None else cfg.agency_name
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1, initialFontName=SMALL.font)
    canvas.setTitle(f"{spec.title} {ctx.case.case_id}")
    canvas.setAuthor(agency)
    canvas.setCreator("FieldAudit")
    canvas.setSubject(spec.title)
    for sec in sections:
        total = len(sec.pages)
        for page, ops in enumerate(sec.pages, 1):
            for op in ops:
                draw_op(canvas, op)
            _draw_footer(canvas, sec, form, ctx, page=page, total=total)
            canvas.showPage()
    canvas.save()
    data = buf.getvalue()
    if isinstance(out, Path):
        _write_atomic(out, data)
    else:
        out.write(data)
    parts = tuple(PartResult(s.part, s.content_sha256, len(s.pages)) for s in sections)
    return RenderResult(
        form=form,
        pages=sum(p.pages for p in parts),
        content_sha256=canonical_sha256(
            {"form": form, "parts": [{"part": p.part, "sha256": p.content_sha256} for p in parts]}
        ),
        parts=parts,
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
