"""Batch import (an SD card): staged blobs, grouped commits, thumbnails, cancel and per-item failures."""

from __future__ import annotations

import io
import threading
import warnings
from pathlib import Path

import pytest
from PIL import Image

from app.errors import UserError
from app.evidence import capture as capture_mod
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.evidence.capture import CaptureMeta, CaptureResult, CaptureSource
from app.evidence.capture_batch import capture_batch
from app.evidence.check import check_store
from app.evidence.media import THUMB_EDGE, inspect_image
from app.models.profile import Store
from app.models.schema import Blob, EvidenceItem, SignedObject
from app.workflow.cases import CaseSpec, add_institution, create_case


def new_case(store: Store) -> str:
    with store.transaction() as s:
        inst = add_institution(s, name="某医院", kind="designated_hospital")
        ids = store.unlocked_inspectors()
        return create_case(s, store, ids[0], CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=ids)).id


def halves(size: tuple[int, int], orientation: int = 1, fmt: str = "JPEG") -> bytes:
    """Red left half, blue right half as shown; with ``orientation`` 6 the pixels are stored rotated, as a camera
    held upright writes them."""
    w, h = size
    img = Image.new("RGB", (w, h), (220, 30, 30))
    img.paste((30, 30, 220), (w // 2, 0, w, h))
    if orientation == 6:
        img = img.transpose(Image.Transpose.ROTATE_90)  # shown after a 270° rotation, i.e. as drawn
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "TestCam"
    if orientation != 1:
        exif[0x0112] = orientation
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    else:
        img.save(buf, fmt)
    return buf.getvalue()


def meta(title: str) -> CaptureMeta:
    return CaptureMeta("documentary", "record_media", title, source="现场")


def manifest(store: Store, item_id: str) -> dict:  # type: ignore[type-arg]
    with store.session() as s:
        row = s.get(SignedObject, item_id)
        assert row is not None
        return dict(loads(row.body))


def thumbnail_of(store: Store, item_id: str) -> Image.Image:
    with store.session() as s:
        row = s.get(EvidenceItem, item_id)
        assert row is not None and row.thumbnail_sha256
        sha = row.thumbnail_sha256
    img = Image.open(io.BytesIO(BlobStore(store).read(sha)))
    img.load()
    return img


def staged_files(store: Store) -> list[Path]:
    staging = store.profile.paths.staging
    return list(staging.iterdir()) if staging.exists() else []


def test_batch_stores_originals_byte_for_byte_with_upright_thumbnails(unlocked: Store, tmp_path: Path) -> None:
    case = new_case(unlocked)
    files = {
        "IMG_0001.JPG": halves((1600, 1200)),
        "IMG_0002.JPG": halves((1600, 1200), orientation=6),
        "COPY_0001.JPG": halves((1600, 1200)),  # IMG_0001's bytes from another source: one blob, two items
        "scan.png": halves((900, 600), fmt="PNG"),
        "notes.txt": b"plain text, no thumbnail",
        "cut.jpg": halves((1600, 1200))[:5000],
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    names = [*files, "gone.jpg"]
    seen: list[tuple[int, int, str]] = []
    metas = {n: meta(n) for n in names} | {"COPY_0001.JPG": CaptureMeta("documentary", "record_media", "COPY_0001.JPG",
                                                                         source="参保人提供")}
    results = capture_batch(unlocked, case, [(CaptureSource(n, path=tmp_path / n), metas[n]) for n in names],
                            progress=lambda done, total, name: seen.append((done, total, name)))
    assert [d for d, _t, _n in seen] == list(range(1, len(names) + 1)) and seen[-1][1] == len(names)
    by_name = dict(zip(names, results, strict=True))
    gone = by_name.pop("gone.jpg")
    assert isinstance(gone, UserError) and "gone.jpg" in gone.message_en
    bs = BlobStore(unlocked)
    for name, result in by_name.items():
        assert isinstance(result, CaptureResult), (name, result)
        m = manifest(unlocked, result.item_id)
        assert bs.read(m["streams"][0]["sha256"]) == files[name]  # never re-encoded
    assert by_name["notes.txt"].thumbnail_item_id is None  # type: ignore[union-attr]
    assert by_name["cut.jpg"].thumbnail_item_id is None  # type: ignore[union-attr]
    for name in ("IMG_0001.JPG", "IMG_0002.JPG", "COPY_0001.JPG", "scan.png"):
        thumb = thumbnail_of(unlocked, by_name[name].item_id)  # type: ignore[union-attr]
        assert thumb.width > thumb.height  # upright: landscape as shown, also when stored rotated (orientation 6)
        assert THUMB_EDGE <= thumb.width <= THUMB_EDGE * 5 // 4 or name == "scan.png"
        left, right = thumb.getpixel((thumb.width // 8, thumb.height // 2)), thumb.getpixel((thumb.width * 7 // 8, 5))
        assert isinstance(left, tuple) and isinstance(right, tuple)
        assert left[0] > 150 > left[2] and right[2] > 150 > right[0], (name, left, right)
    with unlocked.session() as s:
        assert s.query(Blob).filter(Blob.sha256 == manifest(unlocked, by_name["COPY_0001.JPG"].item_id)  # type: ignore[union-attr]
                                    ["streams"][0]["sha256"]).count() == 1
    assert staged_files(unlocked) == []
    report = check_store(unlocked)
    assert report.ok, report.failures
    assert report.orphans_removed == 0


def test_cancel_keeps_the_reported_items_and_leaves_nothing_behind(unlocked: Store, tmp_path: Path) -> None:
    case = new_case(unlocked)
    items = []
    for i in range(12):
        p = tmp_path / f"IMG_{i:04d}.JPG"
        p.write_bytes(halves((800 + i * 8, 600)))
        items.append((CaptureSource(p.name, path=p), meta(p.name)))
    reported: list[int] = []
    results = capture_batch(unlocked, case, items, progress=lambda done, _t, _n: reported.append(done),
                            cancelled=lambda: len(reported) >= 3)
    assert 3 <= len(results) < len(items) and len(reported) == len(results)
    assert all(isinstance(r, CaptureResult) for r in results)
    with unlocked.session() as s:
        originals = s.query(EvidenceItem).filter(EvidenceItem.case_id == case, EvidenceItem.parent_id.is_(None)).count()
    assert originals == len(results)
    assert staged_files(unlocked) == []
    report = check_store(unlocked)
    assert report.ok, report.failures
    assert report.orphans_removed == 0


def test_an_item_failing_after_its_blob_is_adopted_rolls_back_alone(unlocked: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = capture_mod.sign_and_store

    def failing(s, store, case_id, type_, body, signers, **kw):  # type: ignore[no-untyped-def]
        if body["title"] == "bad":
            raise UserError("坏", "bad")
        return real(s, store, case_id, type_, body, signers, **kw)

    monkeypatch.setattr(capture_mod, "sign_and_store", failing)
    case = new_case(unlocked)
    items = []
    for i in range(6):
        p = tmp_path / f"IMG_{i}.JPG"
        p.write_bytes(halves((640 + i * 8, 480)))
        items.append((CaptureSource(p.name, path=p), meta("bad" if i == 2 else p.name)))
    results = capture_batch(unlocked, case, items)
    assert isinstance(results[2], UserError)
    assert all(isinstance(r, CaptureResult) for i, r in enumerate(results) if i != 2)
    with unlocked.session() as s:
        assert s.query(EvidenceItem).filter(EvidenceItem.case_id == case).count() == 10  # 5 photos + 5 thumbnails
    assert staged_files(unlocked) == []
    report = check_store(unlocked)
    assert report.ok, report.failures
    assert report.orphans_removed == 0  # the failed item's blob file went with its savepoint


@pytest.mark.parametrize("size,orientation,expect", [
    ((4000, 3000), 1, (500, 375)),  # decoded at 1/8: the thumbnail as it is
    ((3000, 4000), 1, (375, 500)),
    ((4000, 3000), 6, (500, 375)),  # stored 3000 x 4000, shown upright
    ((1600, 1200), 1, (480, 360)),  # decoded at 1/2 (800 x 600), then resized
    ((300, 200), 1, (300, 200)),  # never enlarged
])
def test_thumbnail_sizes(size: tuple[int, int], orientation: int, expect: tuple[int, int]) -> None:
    info = inspect_image(halves(size, orientation))
    assert info.ok and info.thumbnail_jpeg is not None
    assert (info.width, info.height) == (size if orientation == 1 else (size[1], size[0]))
    assert Image.open(io.BytesIO(info.thumbnail_jpeg)).size == expect


def test_png_thumbnail_is_resized_to_the_edge() -> None:
    info = inspect_image(halves((2000, 1000), fmt="PNG"))
    assert info.thumbnail_jpeg is not None
    assert Image.open(io.BytesIO(info.thumbnail_jpeg)).size == (THUMB_EDGE, THUMB_EDGE // 2)


def test_concurrent_inspections_leave_the_warning_filters_alone() -> None:
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, "PNG")
    inputs = [bomb.getvalue(), halves((800, 600))] * 6
    before = list(warnings.filters)
    out: list[bool] = []
    threads = [threading.Thread(target=lambda d=d: out.append(inspect_image(d).ok)) for d in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == [False] * 6 + [True] * 6
    assert list(warnings.filters) == before
