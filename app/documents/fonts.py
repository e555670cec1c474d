"""The two CJK fonts of the forms, registered with reportlab once per process.

AR PL UMing CN (a Song/Ming face) sets the body, WenQuanYi Micro Hei (a Hei face) the agency name and titles.
Both are TrueType collections; reportlab embeds each as a subset (``/FontFile2``, names like
``AAAAAA+UMingCN-0``).
"""

from __future__ import annotations

import functools
import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resources_dir

FONT_DIR = resources_dir() / "fonts"
SONG = "FieldAuditSong"
HEI = "FieldAuditHei"

_lock = threading.Lock()


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Register Song and Hei (once per process) and return their reportlab names."""
    with _lock:
        pdfmetrics.registerFont(TTFont(SONG, str(FONT_DIR / "uming.ttc"), subfontIndex=0))
        pdfmetrics.registerFont(TTFont(HEI, str(FONT_DIR / "wqy-microhei.ttc"), subfontIndex=0))
    return SONG, HEI


@functools.cache
def _char_widths(font: str) -> dict[str, float]:
    return {}


def char_width(font: str, ch: str) -> float:
    """Advance width of one character at size 1 (cached per font)."""
    widths = _char_widths(font)
    w = widths.get(ch)
    if w is None:
        w = pdfmetrics.stringWidth(ch, font, 1.0)
        widths[ch] = w
    return w


def text_width(font: str, size: float, text: str) -> float:
    return sum(char_width(font, ch) for ch in text) * size


def has_glyph(font: str, ch: str) -> bool:
    """Whether the font draws ``ch`` (a missing glyph would print as an empty box)."""
    face = pdfmetrics.getFont(font).face  # type: ignore[attr-defined]
    return ord(ch) in face.charToGlyph
