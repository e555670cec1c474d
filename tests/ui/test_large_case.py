"""A case with more photos than the thumbnail cache holds, opened in the real window on a real store: only what
the list shows is decoded, the decoded set stays bounded while scrolling through everything, photos are shown
from a screen-sized preview and decoded in full only when zoomed, and step pages are built when first shown."""

from __future__ import annotations

import io
import linecache
import sys

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from app.ui.main_window import MainWindow
from app.ui.memory import release_memory, scan_sources_without_caching
from app.ui.steps.evidence_model import THUMB_CACHE
from app.ui.store_service import StoreUnlockService
from app.ui.widgets.photo_decode import read_photo
from app.ui.widgets.photo_viewer import PhotoViewer
from app.ui.wiring import Services
from tests.ui.test_walkthrough import TIMEOUT, unlock
from tests.ui.walkthrough_helpers import fake_printer, make_case, photo

PHOTOS = THUMB_CACHE + 40


def _capture_photos(root, pass_a: str, pass_b: str, case_id: str, count: int) -> None:
    from app.evidence.capture import CaptureMeta, CaptureSource
    from app.evidence.capture_batch import capture_batch
    from app.models.profile import Profile

    with Profile.open(root).unlock(pass_a) as store:
        store.unlock_inspector(pass_b)
        items = [(CaptureSource(f"IMG_{n:04d}.JPG", data=photo(n, (320, 240))),
                  CaptureMeta(kind="audiovisual", measure="onsite_inspection", title=f"现场照片 {n + 1}",
                              source="住院三病区", place="测试路 2 号")) for n in range(count)]
        for result in capture_batch(store, case_id, items):
            assert not isinstance(result, Exception), result


@pytest.fixture
def large_case(qtbot, two_inspectors):
    root, a, b = two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b
    case_id = make_case(root, a, b)
    _capture_photos(root, a, b, case_id, PHOTOS)
    win = MainWindow(Services(profile_dir=root, unlock=StoreUnlockService(root), printer=fake_printer),
                     idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, a, b)
    page = win.open_case(case_id)
    qtbot.waitUntil(lambda: page.snap is not None, timeout=TIMEOUT)
    yield win, page
    win.close()


def _settled(win: MainWindow, evidence) -> bool:
    return (not evidence.model.missing_thumbnails() and evidence.model.thumbnail_count() > 0
            and win.workspace.idle())


def test_only_visible_thumbnails_are_decoded_and_the_cache_stays_bounded(qtbot, large_case, qtmodeltester):
    win, page = large_case
    assert set(page.pages) == {"arrival"}  # the other steps' pages are built when first shown
    page.show_step("evidence")
    evidence = page.page("evidence")
    assert set(page.pages) == {"arrival", "evidence"}
    assert evidence.snap is page.snap  # a page built late still gets the snapshot
    qtbot.waitUntil(lambda: evidence.model.rowCount() == PHOTOS, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _settled(win, evidence), timeout=TIMEOUT)
    first_screen = evidence.model.thumbnail_count()
    assert 0 < first_screen < PHOTOS // 4

    bar = evidence.list.verticalScrollBar()
    seen = first_screen
    while bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + max(bar.pageStep(), 1)))
        evidence.list.viewport().repaint()
        qtbot.waitUntil(lambda: _settled(win, evidence), timeout=TIMEOUT)
        seen += 1
        assert evidence.model.thumbnail_count() <= THUMB_CACHE
    # the last rows were painted with their thumbnails, and the cache let the first ones go
    last = evidence.model.index(PHOTOS - 1)
    assert evidence.model.data(last, Qt.ItemDataRole.DecorationRole).width() == evidence.list.iconSize().width()
    assert evidence.model.thumbnail_count() == THUMB_CACHE
    assert seen > 2
    qtmodeltester.check(evidence.model)



def test_the_list_paints_each_thumbnail_itself(qtbot, large_case):
    """The list's delegate draws the model's thumbnail (not through a QIcon, whose painting copies every pixmap
    into Qt's global pixmap cache): the painted cell shows the thumbnail's own pixels, selected or not."""
    win, page = large_case
    page.show_step("evidence")
    evidence = page.page("evidence")
    qtbot.waitUntil(lambda: evidence.model.rowCount() == PHOTOS, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _settled(win, evidence), timeout=TIMEOUT)
    for selected in (False, True):
        if selected:
            evidence.list.setCurrentIndex(evidence.model.index(0))
        evidence.list.viewport().repaint()
        shot = evidence.list.viewport().grab().toImage()
        cell = evidence.list.visualRect(evidence.model.index(0))
        thumb = evidence.model.data(evidence.model.index(0), Qt.ItemDataRole.DecorationRole).toImage()
        assert thumb.width() == evidence.list.iconSize().width()
        ratio = shot.devicePixelRatio()
        # the thumbnail is centred at the top of its cell; its centre pixel is painted there unchanged
        x = round((cell.center().x()) * ratio)
        y = round((cell.top() + 2 + thumb.height() / 2) * ratio)
        painted, own = shot.pixelColor(x, y), thumb.pixelColor(thumb.width() // 2, thumb.height() // 2)
        assert max(abs(painted.red() - own.red()), abs(painted.green() - own.green()),
                   abs(painted.blue() - own.blue())) <= 8, (selected, painted.name(), own.name())


def test_a_photo_is_shown_from_a_preview_and_decoded_in_full_when_zoomed(qtbot):
    big = Image.new("RGB", (3200, 2400), (90, 140, 200))
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=85)
    data = buffer.getvalue()
    image, info = read_photo(data, 800)
    assert max(image.width(), image.height()) <= 800
    assert (info.width, info.height) == (3200, 2400)  # the facts are the photo's, not the preview's

    viewer = PhotoViewer()
    qtbot.addWidget(viewer)
    viewer.resize(900, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.set_photo(image, info, data)
    assert viewer.has_image() and not viewer.showing_full_resolution()
    fitted = viewer.zoom_factor()
    assert fitted < 0.3  # fitted in photo pixels: the same factor the full photo would have
    viewer.actual_size()
    qtbot.waitUntil(viewer.showing_full_resolution, timeout=TIMEOUT)
    assert viewer.zoom_factor() == 1.0
    viewer.fit_to_window()
    assert viewer.zoom_factor() == pytest.approx(fitted)


def test_preview_respects_exif_orientation():
    image = Image.new("RGB", (1200, 600), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    preview, info = read_photo(buffer.getvalue(), 640)
    assert (info.width, info.height) == (600, 1200)
    assert preview.height() > preview.width()


def test_module_sources_are_not_kept_after_imports(tmp_path, monkeypatch):
    assert scan_sources_without_caching()  # PySide6's hook is there and now reads without caching
    module = tmp_path / "fieldaudit_probe_module.py"
    module.write_text("VALUE = 'PySide6 is mentioned here'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(linecache.cache)
    __import__("fieldaudit_probe_module")
    try:
        assert str(module) not in set(linecache.cache) - before
    finally:
        sys.modules.pop("fieldaudit_probe_module", None)
    release_memory()
    assert not linecache.cache
