"""Font choice: the agency's installed faces when present (by file name, any case, in the font folders), the
bundled free 仿宋 / 小标宋-like faces otherwise; a face that cannot be embedded falls back; a character the
face lacks is drawn by UMing."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.documents import fonts


def test_find_font_takes_the_first_wish_found(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "SIMFANG.TTF").write_bytes(b"x")
    (tmp_path / "FangSong_GB2312.ttf").write_bytes(b"x")
    assert fonts.find_font(["仿宋_GB2312.ttf", "simfang.ttf", "FangSong_GB2312.ttf"], [tmp_path]) == \
        tmp_path / "sub" / "SIMFANG.TTF"
    assert fonts.find_font(["方正小标宋简体.ttf"], [tmp_path]) is None
    assert fonts.find_font([], [tmp_path]) is None


def test_a_face_that_cannot_be_embedded_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "simfang.ttf"
    bad.write_bytes(b"not a font")
    assert fonts._register("FieldAuditTestBad", bad) is False
    good = tmp_path / "FandolFang-Regular.ttf"
    shutil.copy(fonts.FONT_DIR / fonts.BUNDLED[fonts.FANG], good)
    assert fonts._register("FieldAuditTestGood", good) is True


def test_bundled_faces_with_licence_and_fallback() -> None:
    body, title = fonts.register_fonts()
    assert fonts.chosen_fonts()[body]  # the agency's installed face or the bundled FandolFang
    assert (fonts.FONT_DIR / "LICENSE-fandol.txt").read_text(encoding="utf-8").count("font exception") >= 1
    assert fonts.has_glyph(body, "医") and fonts.has_glyph(title, "书")
    rare = "堃"  # a name character outside GB 2312: drawn by UMing when the body face lacks it
    face = fonts.font_for(body, rare)
    assert fonts.has_glyph(face, rare)
    pieces = fonts.runs(body, "张" + rare + "某")
    assert "".join(t for _, t in pieces) == "张堃某" and pieces[0][0] == body
    assert fonts.text_width(body, 16, rare) > 0
