"""Capture of every kind of file, hostile files included; two inspectors required; corrections."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from app.errors import PermissionRefused, UserError
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.evidence.items import item_statuses
from app.evidence.provider import Signer, record_refusal, record_signature
from app.models.profile import Profile, Store
from app.models.schema import SignedObject
from app.workflow.cases import CaseSpec, add_institution, create_case
from tests.conftest import TwoInspectorProfile


def new_case(store: Store) -> str:
    with store.transaction() as s:
        inst = add_institution(s, name="某医院", kind="designated_hospital")
        ids = store.unlocked_inspectors()
        return create_case(s, store, ids[0], CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=ids)).id


def jpeg(size: tuple[int, int] = (800, 600), exif: bool = True) -> bytes:
    img = Image.new("RGB", size, (10, 120, 200))
    buf = io.BytesIO()
    ex = Image.Exif()
    if exif:
        ex[0x0110] = "TestCam X"
        ex[0x0132] = "2026:11:23 10:00:00"
    img.save(buf, "JPEG", exif=ex.tobytes())
    return buf.getvalue()


def manifest(store: Store, item_id: str) -> dict:  # type: ignore[type-arg]
    with store.session() as s:
        row = s.get(SignedObject, item_id)
        assert row is not None
        return dict(loads(row.body))


META = CaptureMeta("documentary", "record_media", "照片", source="现场")


def test_photo_is_stored_byte_for_byte_with_exif_and_a_thumbnail(unlocked: Store) -> None:
    case = new_case(unlocked)
    data = jpeg()
    result = capture(unlocked, case, [CaptureSource("IMG_1.JPG", data=data)], META)
    m = manifest(unlocked, result.item_id)
    assert m["streams"][0]["media_type"] == "image/jpeg"
    assert m["exif"]["model"] == "TestCam X"
    assert len(m["inspectors"]) == 2
    assert BlobStore(unlocked).read(m["streams"][0]["sha256"]) == data  # never re-encoded
    assert result.thumbnail_item_id is not None
    thumb = manifest(unlocked, result.thumbnail_item_id)
    assert thumb["parent"]["item"] == result.item_id and thumb["parent"]["relation"] == "thumbnail"


@pytest.mark.parametrize("name,data,expect", [
    ("bomb.png", None, "decompression bomb"),
    ("cut.jpg", "truncated", "truncated"),
    ("fake.jpg", b"MZ\x90\x00 this is an executable, not a photo", "not a recognisable image"),
])
def test_hostile_images_are_kept_as_plain_files(unlocked: Store, name: str, data: bytes | str | None, expect: str) -> None:
    if data is None:  # a PNG header declaring 30000 x 30000 pixels
        buf = io.BytesIO()
        Image.new("1", (30000, 30000)).save(buf, "PNG")
        data = buf.getvalue()
    elif data == "truncated":
        full = jpeg((1200, 900))
        data = full[: len(full) // 2]
    assert isinstance(data, bytes)
    case = new_case(unlocked)
    result = capture(unlocked, case, [CaptureSource(name, data=data)], META)
    assert any(expect in n for n in result.notes), result.notes
    m = manifest(unlocked, result.item_id)
    assert BlobStore(unlocked).read(m["streams"][0]["sha256"]) == data
    assert result.thumbnail_item_id is None


def test_path_in_a_name_is_stripped(unlocked: Store, tmp_path: Path) -> None:
    case = new_case(unlocked)
    result = capture(unlocked, case, [CaptureSource("../../etc/passwd", data=b"root:x:0:0")], META)
    assert manifest(unlocked, result.item_id)["streams"][0]["name"] == "passwd"


def test_large_file_is_streamed_from_disk(unlocked: Store, tmp_path: Path) -> None:
    big = tmp_path / "export.bin"
    with open(big, "wb") as fh:
        for _ in range(24):
            fh.write(os.urandom(1 << 20))
    seen: list[int] = []
    case = new_case(unlocked)
    result = capture(unlocked, case, [CaptureSource("export.bin", path=big)],
                     CaptureMeta("electronic", "request_material", "数据导出", source="HIS",
                                 source_system="HIS", extraction_method="导出"), progress=lambda d, t: seen.append(d))
    assert seen[-1] == 24 << 20 and len(seen) >= 24
    assert manifest(unlocked, result.item_id)["source"]["system"] == "HIS"


def test_unreadable_file_is_a_clear_error(unlocked: Store, tmp_path: Path) -> None:
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [CaptureSource("gone.jpg", path=tmp_path / "gone.jpg")], META)
    assert "gone.jpg" in err.value.message_zh


def test_one_inspector_cannot_capture(two_inspectors: TwoInspectorProfile) -> None:
    with Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a) as store:
        store.unlock_inspector(two_inspectors.pass_b)
        case = new_case(store)
        store.forget_signer(two_inspectors.inspector_b)
        with pytest.raises(PermissionRefused):
            capture(store, case, [CaptureSource("a.jpg", data=jpeg())], META)


def test_source_is_required(unlocked: Store) -> None:
    case = new_case(unlocked)
    with pytest.raises(UserError, match="source"):
        capture(unlocked, case, [CaptureSource("a.txt", data=b"x")],
                CaptureMeta("documentary", "record_media", "无来源"))


def test_item_needs_provider_signature_or_refusal(unlocked: Store) -> None:
    case = new_case(unlocked)
    a = capture(unlocked, case, [CaptureSource("a.jpg", data=jpeg())], META).item_id
    b = capture(unlocked, case, [CaptureSource("b.txt", data=b"doc")], META).item_id
    with unlocked.session() as s:
        assert {st.item_id: st.complete for st in item_statuses(s, case)} == {a: False, b: False}
    with pytest.raises(UserError):
        record_signature(unlocked, case, a, Signer("赵某"), [], b"\x89PNG")  # an empty signature is refused
    png = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(png, "PNG")
    record_signature(unlocked, case, a, Signer("赵某", "提供者"), [[[0, 0, 0, 500, 0, 0], [30, 40, 16, 600, 0, 0]]],
                     png.getvalue())
    with pytest.raises(UserError):
        record_refusal(unlocked, case, b, " ")
    record_refusal(unlocked, case, b, "提供者拒绝签字", witness=Signer("周某", "见证人"))
    with unlocked.session() as s:
        states = {st.item_id: st.provider for st in item_statuses(s, case)}
    assert states == {a: "signed", b: "refused"}


def test_correction_supersedes_and_keeps_the_original(unlocked: Store) -> None:
    case = new_case(unlocked)
    first = capture(unlocked, case, [CaptureSource("a.txt", data=b"v1")], META).item_id
    with pytest.raises(UserError):
        capture(unlocked, case, [CaptureSource("a.txt", data=b"v2")], META, supersedes=(first, ""))
    second = capture(unlocked, case, [CaptureSource("a.txt", data=b"v2")], META,
                     supersedes=(first, "名称写错")).item_id
    with unlocked.session() as s:
        statuses = {st.item_id: st for st in item_statuses(s, case)}
    assert statuses[first].superseded_by == second
    assert manifest(unlocked, second)["supersedes"]["item"] == first
    assert manifest(unlocked, first)["title"] == "照片"


def test_after_closing_only_corrections_are_captured_and_signed(unlocked: Store) -> None:
    from sqlalchemy import update

    from app.models.schema import Case

    case = new_case(unlocked)
    first = capture(unlocked, case, [CaptureSource("a.txt", data=b"v1")], META).item_id
    with unlocked.transaction() as s:
        s.execute(update(Case).where(Case.id == case).values(status="closed"))
    png = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(png, "PNG")
    strokes = [[[0, 0, 0, 500, 0, 0], [30, 40, 16, 600, 0, 0]]]
    with pytest.raises(PermissionRefused, match="closed"):
        capture(unlocked, case, [CaptureSource("b.txt", data=b"new")], META)
    with pytest.raises(PermissionRefused, match="closed"):
        record_signature(unlocked, case, first, Signer("赵某"), strokes, png.getvalue())
    fixed = capture(unlocked, case, [CaptureSource("a.txt", data=b"v2")], META, supersedes=(first, "更正")).item_id
    record_signature(unlocked, case, fixed, Signer("赵某", "提供者"), strokes, png.getvalue())
    with unlocked.session() as s:
        assert {st.item_id: st.provider for st in item_statuses(s, case)}[fixed] == "signed"
