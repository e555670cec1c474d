"""What a page *shows*, compared with what its issued document shows (``verify-page``).

The text layer of a PDF can stay unchanged while what is drawn over it changes (a white box and a picture of other
text). So a page is also compared as pixels: the page of the issued document is drawn again from the frozen
document in the package (its drawing operations, and the verification block of the page's own QR statement, exactly
as :mod:`app.documents.renderer` draws them), both are rasterised at the same resolution by ``pdftoppm`` (through
pipes), and they must agree everywhere except where the signatures given on the page are drawn (their images are
not in the statement; their dates are in the text layer, which the page hash covers). Anti-aliasing and a shift of
one pixel are tolerated; a group of differing pixels is reported with its place on the page in millimetres.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from app.documents.frozen import MARK, SIGN_Y, PageRef
from app.documents.layout import MARGIN_LEFT, MARGIN_RIGHT, MM, PAGE_H, PAGE_W, QR_RESERVE, signature_geometry
from app.documents.verify import Statement

INK_DIFF = 96  # grey levels (of 255) two pixels may differ by and still be the same drawing (anti-aliasing)
MAX_STRAY = 12  # differing pixels tolerated on a page (dust of rasterisation), far fewer than one character's

Rect = tuple[float, float, float, float]  # x, y, width, height in PDF points, origin bottom left


@dataclass(frozen=True)
class RasterDifference:
    """Where the page differs from the issued page: millimetres from the page's top left corner."""

    pixels: int
    left: float
    top: float
    right: float
    bottom: float

    def where(self) -> tuple[str, str]:
        box = f"{self.left:.0f}–{self.right:.0f} mm, {self.top:.0f}–{self.bottom:.0f} mm"
        return (f"页面显示的内容与案卷文书该页不一致（距左边、上边 {box}，{self.pixels} 个像素）",
                f"what the page shows differs from that page of the issued document (from the left and top edge "
                f"{box}, {self.pixels} pixels)")


def reference_pdf(page: PageRef, qr_text: str, st: Statement) -> bytes:
    """The page as the renderer draws it for this statement, without the signatures given on it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from app.documents.fonts import register_fonts
    from app.documents.layout import SMALL, draw_op
    from app.documents.renderer import draw_verification

    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1, initialFontName=SMALL.font)
    for op in page.ops:
        draw_op(canvas, op)
    draw_verification(canvas, qr_text, st)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def mark_areas(labels: Sequence[str]) -> list[Rect]:
    """Where signatures given on a page are drawn (an image and its date on the foot line, a refusal note under
    it): left out of the comparison."""
    if not labels:
        return []
    xs, _line_w = signature_geometry(labels)
    lo = SIGN_Y - 2 * MM - 3 * MARK.leading  # two refusal-note lines under the line
    hi = SIGN_Y - 1 + 7 * MM + 2  # the image's top
    return [(MARGIN_LEFT, lo, PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - QR_RESERVE, hi - lo)] if xs else []


def rasterise(pdf: bytes, dpi: int, page: int = 1) -> Image.Image:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise OSError("pdftoppm is missing")
    png = subprocess.run([exe, "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page), "-"],
                         input=pdf, check=True, capture_output=True, timeout=120).stdout
    with Image.open(io.BytesIO(png)) as im:
        return im.convert("L")


def compare(shown: Image.Image, reference: Image.Image, dpi: float,
            masks: Sequence[Rect] = ()) -> RasterDifference | None:
    """None when ``shown`` draws what ``reference`` draws (up to anti-aliasing and a one-pixel shift)."""
    import numpy as np

    a = np.asarray(shown.convert("L"), dtype=np.int16)
    b = np.asarray(reference.convert("L"), dtype=np.int16)
    if a.shape != b.shape:
        h, w = b.shape
        return RasterDifference(w * h, 0, 0, PAGE_W / MM, PAGE_H / MM)
    pad_a, pad_b = np.pad(a, 1, mode="edge"), np.pad(b, 1, mode="edge")
    h, w = a.shape
    near_ab = np.full(a.shape, 255, dtype=np.int16)  # how far each pixel of a is from its nearest match in b
    near_ba = np.full(a.shape, 255, dtype=np.int16)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            near_ab = np.minimum(near_ab, np.abs(a - pad_b[dy:dy + h, dx:dx + w]))
            near_ba = np.minimum(near_ba, np.abs(b - pad_a[dy:dy + h, dx:dx + w]))
    bad = (near_ab > INK_DIFF) | (near_ba > INK_DIFF)
    scale = dpi / 72.0
    for x, y, rw, rh in masks:
        x0, x1 = max(0, int(x * scale) - 2), min(w, int((x + rw) * scale) + 2)
        y0, y1 = max(0, int((PAGE_H - y - rh) * scale) - 2), min(h, int((PAGE_H - y) * scale) + 2)
        bad[y0:y1, x0:x1] = False
    count = int(bad.sum())
    if count <= MAX_STRAY:
        return None
    ys, xs = np.nonzero(bad)
    px = 25.4 / dpi
    return RasterDifference(count, float(xs.min()) * px, float(ys.min()) * px, float(xs.max() + 1) * px,
                            float(ys.max() + 1) * px)
