"""The CJK fonts of the forms, registered with reportlab once per process.

GB/T 9704-2012 sets official documents in 仿宋_GB2312 (body, 3号 = 16 pt) and 方正小标宋简体 (titles). Those
fonts are not free, so:

* the agency file names the installed fonts it wants (``fonts.body`` / ``fonts.title``: file names such as
  ``仿宋_GB2312.ttf``, ``simfang.ttf``, ``方正小标宋简体.ttf``); the first one found in the system's font folders
  (Windows ``%WINDIR%\\Fonts``, macOS ``/Library/Fonts``, Linux ``/usr/share/fonts`` and ``~/.fonts``) is used;
* otherwise the bundled free fallback: FandolFang (a 仿宋 face) for the body and FandolSong Bold (the nearest
  free face to 小标宋) for titles, GPL with the font exception (``resources/fonts/LICENSE-fandol.txt``);
* a character the chosen face lacks (Fandol covers GB 2312 and some more) is drawn in AR PL UMing (Song), so
  nothing prints as an empty box; WenQuanYi Micro Hei sets the few Hei labels (table heads).

Every face is embedded as a subset. The choice is made at the first registration in a process.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from app.paths import resources_dir

FONT_DIR = resources_dir() / "fonts"
SONG = "FieldAuditSong"  # AR PL UMing: the fallback for missing glyphs
HEI = "FieldAuditHei"  # WenQuanYi Micro Hei
FANG = "FieldAuditFang"  # body: the agency's 仿宋 or the bundled FandolFang
TITLE = "FieldAuditTitle"  # titles: the agency's 小标宋 or the bundled FandolSong Bold
BUNDLED = {FANG: "FandolFang-Regular.ttf", TITLE: "FandolSong-Bold.ttf"}
FALLBACK = {FANG: SONG, TITLE: SONG, HEI: SONG}

_lock = threading.Lock()
_chosen: dict[str, str] = {}


def system_font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts", Path("/Library/Fonts"),
            Path.home() / "Library" / "Fonts", Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            Path.home() / ".fonts", Path.home() / ".local" / "share" / "fonts"]
    return [d for d in dirs if d.is_dir()]


def find_font(names: Sequence[str], dirs: Iterable[Path] | None = None) -> Path | None:
    """The first of ``names`` (file names, case-insensitive) found under the font folders."""
    wanted = [n.lower() for n in names]
    if not wanted:
        return None
    found: dict[str, Path] = {}
    for d in dirs if dirs is not None else system_font_dirs():
        try:
            for p in d.rglob("*"):
                low = p.name.lower()
                if low in wanted and low not in found and p.is_file():
                    found[low] = p
        except OSError:
            continue
    return next((found[n] for n in wanted if n in found), None)


def _register(name: str, path: Path) -> bool:
    try:
        index = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
        pdfmetrics.registerFont(TTFont(name, str(path), **index))
    except (TTFError, OSError, ValueError):
        return False  # e.g. an OpenType/CFF face reportlab cannot embed: fall back to the bundled one
    _chosen[name] = str(path)
    return True


def register_fonts(preferred: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, str]:
    """Register the faces once per process (``preferred``: the agency file's ``fonts``); returns (body, title)."""
    with _lock:
        if SONG not in _chosen:
            _register(SONG, FONT_DIR / "uming.ttc")
            _register(HEI, FONT_DIR / "wqy-microhei.ttc")
            wishes = dict(preferred or {})
            for name, role in ((FANG, "body"), (TITLE, "title")):
                path = find_font(wishes.get(role, ()))
                if path is None or not _register(name, path):
                    _register(name, FONT_DIR / BUNDLED[name])
    return FANG, TITLE


def chosen_fonts() -> dict[str, str]:
    """The file each face was registered from (for docs and the tests)."""
    return dict(_chosen)


@functools.cache
def _char_widths(font: str) -> dict[str, float]:
    return {}


def has_glyph(font: str, ch: str) -> bool:
    """Whether the face draws ``ch`` itself (a missing glyph would print as an empty box)."""
    face = pdfmetrics.getFont(font).face  # type: ignore[attr-defined]
    return ord(ch) in face.charToGlyph


def font_for(font: str, ch: str) -> str:
    """The face that draws ``ch`` for text set in ``font``: itself, else its fallback (UMing)."""
    if ch.isspace() or has_glyph(font, ch):
        return font
    fallback = FALLBACK.get(font)
    return fallback if fallback is not None and has_glyph(fallback, ch) else font


def char_width(font: str, ch: str) -> float:
    """Advance width of one character at size 1 (cached per font), in the face that draws it."""
    widths = _char_widths(font)
    w = widths.get(ch)
    if w is None:
        w = pdfmetrics.stringWidth(ch, font_for(font, ch), 1.0)
        widths[ch] = w
    return w


def text_width(font: str, size: float, text: str) -> float:
    return sum(char_width(font, ch) for ch in text) * size


def runs(font: str, text: str) -> list[tuple[str, str]]:
    """``text`` cut into (face, run) pieces, each drawn by one face."""
    out: list[tuple[str, str]] = []
    for ch in text:
        f = font_for(font, ch)
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + ch)
        else:
            out.append((f, ch))
    return out
