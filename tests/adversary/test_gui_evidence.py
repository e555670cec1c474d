"""Evidence import through the real evidence page, from the stranger's side: what is on the card (or is no longer
there) when the inspector presses 导入."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.walkthrough_helpers import error_boxes, photo

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _page(d):
    page = d.page("evidence")
    page.describe_toggle.setChecked(True)
    page.source.setText("住院部三病区护士站")
    return page


@pytest.mark.parametrize("what", ["deleted", "link"])
def test_a_file_gone_or_a_link_is_refused_not_a_crash(gui_window, tmp_path: Path, what: str) -> None:
    """A file chosen in the file dialog and deleted (the card pulled out) before the import ran, or a link on the
    card: the size was taken on the GUI thread, so the refusal came out of the slot as an exception (the crash
    reporter) instead of the reason in a message box."""
    d = gui_window
    page = _page(d)
    path = tmp_path / "IMG_0001.jpg"
    if what == "deleted":
        path.write_bytes(photo(1))
        path.unlink()
    else:
        target = tmp_path / "elsewhere.jpg"
        target.write_bytes(photo(1))
        os.symlink(target, path)
    box = d.do(lambda: page.import_paths([path]), expect_error=True)
    assert box is not None
    text = d.dismiss(box)
    assert "IMG_0001.jpg" in text and ("无法读取" in text or "链接" in text), text
    assert d.case.snap.evidence == []
    assert not error_boxes()


def test_the_same_file_imported_twice_is_refused_with_the_item_it_repeats(gui_window, tmp_path: Path) -> None:
    """The same card imported twice (or one photo chosen twice): a second signed item of the same bytes, listed
    twice on the 证据清单 as two pieces of evidence, with nothing said. Now it is named and the rest of the card
    goes in."""
    d = gui_window
    page = _page(d)
    first = tmp_path / "IMG_0001.jpg"
    first.write_bytes(photo(1))
    d.do(lambda: page.import_paths([first]))
    assert len(d.case.snap.evidence) == 1
    box = d.do(lambda: page.import_paths([first]), expect_error=True)
    assert box is not None
    text = d.dismiss(box)
    assert "内容完全相同、来源相同" in text and "IMG_0001" in text, text
    assert len(d.case.snap.evidence) == 1
    # the card again with one new photo: the new one is imported, the repeated one named
    card = tmp_path / "card"
    card.mkdir()
    (card / "IMG_0001.jpg").write_bytes(photo(1))
    (card / "IMG_0002.jpg").write_bytes(photo(2))
    d.do(lambda: page.import_paths(sorted(card.iterdir())))
    assert len(d.case.snap.evidence) == 2
    assert "IMG_0001.jpg" in page.import_state.text() and "内容完全相同" in page.import_state.text()
    assert page.import_state.text().count("IMG_0001.jpg") == 1  # each file not imported is named once, a line each


def test_a_folder_over_the_limit_is_refused_with_the_count_not_cut(gui_window, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A card with more files than one import takes: the first 2,000 were imported and the rest left on the
    card with "2000 item(s) imported" as the only word. (The limit is lowered here; the behaviour is the same.)"""
    from app.ui.steps import evidence_import

    monkeypatch.setattr(evidence_import, "MAX_FOLDER_FILES", 3)
    d = gui_window
    page = _page(d)
    card = tmp_path / "DCIM"
    card.mkdir()
    for n in range(4):
        (card / f"IMG_{n:04d}.jpg").write_bytes(photo(n, (64, 48)))
    page.import_folder(card)
    boxes = error_boxes()
    assert boxes, page.import_state.text()
    text = d.dismiss(boxes[0])
    assert "4 个文件" in text and "3" in text, text
    d.qtbot.wait(100)
    assert d.case.snap.evidence == []
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".hidden").write_bytes(b"x")
    page.import_folder(empty)
    assert error_boxes() and "没有可导入的文件" in d.dismiss(error_boxes()[0])


def test_the_same_bytes_from_another_source_are_kept_and_said(gui_window, tmp_path: Path) -> None:
    """The same export handed over by the hospital and again by the patient is evidence twice (two sources): it
    is imported, and the signed item says whose content it repeats."""
    d = gui_window
    page = _page(d)
    first = tmp_path / "IMG_0001.jpg"
    first.write_bytes(photo(1))
    d.do(lambda: page.import_paths([first]))
    page.source.setText("参保人提供")
    d.do(lambda: page.import_paths([first]))
    assert len(d.case.snap.evidence) == 2
    assert "内容完全相同（来源或提供者不同）" in page.import_state.text()


def test_times_are_shown_in_local_time_not_as_stored_utc(gui_window, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A photo taken at 09:30 in Wuhan showed "提取时间: 2026-11-23 01:30:00" on the evidence page and
    "2026-11-23T01:30" in the list: the stored UTC claim, eight hours early, ISO with its "T"."""
    import time
    from datetime import datetime

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        d = gui_window
        page = _page(d)
        shot = tmp_path / "IMG_0001.jpg"
        shot.write_bytes(photo(1))
        d.do(lambda: page.import_paths([shot]))
        item = d.case.snap.evidence[0]
        stored = item.obtained_at
        assert stored.endswith("Z")
        local = datetime.fromisoformat(stored[:-1] + "+00:00").astimezone().strftime("%Y-%m-%d %H:%M")
        utc_shown = stored[:16].replace("T", " ")
        assert local != utc_shown
        page.select_item(item.id)
        assert local in page.detail.text() and utc_shown not in page.detail.text()
        tip = page.model.data(page.model.index(0), 3)  # Qt.ToolTipRole
        assert local in tip and "T" not in tip.split("·")[-1]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_clock_years_ahead_after_a_restart_is_flagged_where_the_inspector_sees_it(
        gui_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The laptop restarted with its clock three years ahead (set by hand, or a BIOS reset): across a restart no
    monotonic counter compares, and a forward jump looked like time passing — the photo was signed as taken in
    2029 with nothing said."""
    import time

    from app.evidence import clock

    d = gui_window
    page = _page(d)
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 3 * 365 * 86400 * 10**9)
    monkeypatch.setattr(clock, "boot_id", lambda: "another-boot")
    shot = tmp_path / "IMG_0001.jpg"
    shot.write_bytes(photo(1))
    d.do(lambda: page.import_paths([shot]))
    monkeypatch.setattr(time, "time_ns", real)
    assert "时钟可能有误" in page.import_state.text(), page.import_state.text()
