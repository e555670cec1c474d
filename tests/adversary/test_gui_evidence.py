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
