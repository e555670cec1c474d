"""Every character the interface can show is in the bundled UI font, and none is an emoji: the target laptops
have no CJK or emoji font installed, so a missing glyph shows as a box (issue 10 §8). Icons are drawn
(app.ui.widgets.icons), never emoji."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.ui.application import FONT_FILES
from app.ui.resources import fonts_dir
from app.ui.widgets.icons import NAMES, icon

ROOT = Path(__file__).resolve().parents[2]
# pictographs, misc. symbols (⚠ ☎ ...), the clock and media symbols (⏰ ⏩ ...), the emoji-style dingbats (✅ ✔ ❌ ❓)
# and the emoji variation selector; a plain check mark (U+2713) is text, and the font test decides on it
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u26FF\u231A\u231B\u23E9-\u23FA\u2705\u2714\u2716\u274C"
                   "\u2753-\u2757\u2B50\u2B55\uFE0F]")


def _ui_strings() -> list[tuple[str, str]]:
    """(where, text) of every string literal in app/ui and every translation the interface shows."""
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / "app" / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    for ts in sorted((ROOT / "resources" / "i18n").glob("*.ts")):
        for n, line in enumerate(ts.read_text("utf-8").splitlines(), 1):
            if "<translation" in line or "<source>" in line:
                found.append((f"{ts.relative_to(ROOT)}:{n}", re.sub(r"<[^>]+>", "", line)))
    return found


def test_no_ui_string_holds_an_emoji():
    hits = [f"{where}: {text!r}" for where, text in _ui_strings() if EMOJI.search(text)]
    assert hits == []


def test_every_ui_character_is_in_the_bundled_font():
    from fontTools.ttLib import TTCollection

    covered: set[int] = set()
    for name in FONT_FILES:  # Qt falls back from the UI font to the other bundled one, glyph by glyph
        for font in TTCollection(str(fonts_dir() / name)).fonts:
            covered.update(font.getBestCmap())
    missing = sorted({f"U+{ord(ch):04X} {ch} ({where})" for where, text in _ui_strings() for ch in text
                      if ord(ch) > 0x7E and not ch.isspace() and ord(ch) not in covered})
    assert missing == []


def test_the_icons_are_drawn(qapp):
    for name in NAMES:
        pixmap = icon(name).pixmap(24, 24)
        image = pixmap.toImage()
        assert not pixmap.isNull()
        assert any(image.pixelColor(x, y).alpha() for x in range(24) for y in range(24)), name
