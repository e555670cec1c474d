"""Evidence import from the stranger's side: files that are not regular files, and a file whose content is not
what its size said when the import began. The stored stream must be the whole file or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import UserError
from app.evidence.blobstore import BlobStore
from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.models.profile import Store
from tests.evidence.test_capture import manifest, new_case

META = CaptureMeta("electronic", "record_media", "导出文件", source="现场")


def test_a_symlink_to_a_device_is_refused_not_stored_truncated(unlocked: Store, tmp_path: Path) -> None:
    """A file named like a video that is a link to /dev/zero (an SD card can hold one): its size says 0 bytes; the
    import read 64 MiB + 1 byte of it and signed that as the evidence."""
    link = tmp_path / "VID_0001.mp4"
    os.symlink("/dev/zero", link)
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [CaptureSource(link.name, path=link)], META)
    assert "链接" in err.value.message_zh or "普通文件" in err.value.message_zh


def test_a_fifo_is_refused_at_once(unlocked: Store, tmp_path: Path) -> None:
    """A named pipe would block the import for ever (nobody writes to it)."""
    fifo = tmp_path / "REC_0001.wav"
    os.mkfifo(fifo)
    case = new_case(unlocked)
    with pytest.raises(UserError):
        capture(unlocked, case, [CaptureSource(fifo.name, path=fifo)], META)


class _Growing(CaptureSource):
    """A file still being written while it is imported (a camera's video still being copied): its size when the
    import starts is smaller than what is there when it is read."""

    def size(self) -> int:
        return 1000


def test_a_file_that_grew_during_import_is_refused_not_truncated(unlocked: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"x" * ((64 << 20) + 4096))
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [_Growing(path.name, path=path)], META)
    assert "变化" in err.value.message_zh


def test_a_link_on_a_card_is_not_followed_out_of_it(unlocked: Store, tmp_path: Path) -> None:
    """A card prepared by the audited party: IMG_0002.jpg is a link to a file of the inspector's laptop (here a
    stand-in for a key or another case's export). Importing the card's folder imported that file as evidence of
    this case, signed and bound for the archive."""
    secret = tmp_path / "home" / "another-case-export.csv"
    secret.parent.mkdir()
    secret.write_text("name,id\n张三,420100...\n", encoding="utf-8")
    card = tmp_path / "card"
    card.mkdir()
    os.symlink(secret, card / "IMG_0002.jpg")
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [CaptureSource("IMG_0002.jpg", path=card / "IMG_0002.jpg")], META)
    assert "链接" in err.value.message_zh


def test_a_regular_file_is_stored_whole(unlocked: Store, tmp_path: Path) -> None:
    """The control: a regular file is stored byte for byte."""
    real = tmp_path / "export.csv"
    real.write_bytes(b"a,b\n1,2\n")
    case = new_case(unlocked)
    result = capture(unlocked, case, [CaptureSource(real.name, path=real)], META)
    m = manifest(unlocked, result.item_id)
    assert BlobStore(unlocked).read(m["streams"][0]["sha256"]) == real.read_bytes()


def test_an_empty_file_is_refused(unlocked: Store, tmp_path: Path) -> None:
    """A 0-byte IMG_0001.jpg (a copy from the card that failed) was signed as evidence, with a note nobody sees."""
    empty = tmp_path / "IMG_0001.jpg"
    empty.write_bytes(b"")
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [CaptureSource(empty.name, path=empty)], META)
    assert "0 字节" in err.value.message_zh
    with pytest.raises(UserError):
        capture(unlocked, case, [CaptureSource("camera.jpg", data=b"")], META)


@pytest.mark.parametrize("field", ["title", "source", "provider", "reason"])
def test_text_that_shows_other_than_it_is_refused(unlocked: Store, field: str) -> None:
    """"住院费用清单\\u202e元00001" is stored and signed as such, printed as "住院费用清单元00001" and shown by Qt as
    "住院费用清单10000元": the provider signs on screen what the paper does not say."""
    from app.evidence.capture import Provider

    case = new_case(unlocked)
    first = capture(unlocked, case, [CaptureSource("a.csv", data=b"a")], META).item_id
    rlo = "元00001\u202e"
    meta = CaptureMeta("documentary", "request_material", "清单" + (rlo if field == "title" else ""),
                       source="收费处" + (rlo if field == "source" else ""),
                       provider=Provider("孙\u200b演示") if field == "provider" else None)
    with pytest.raises(UserError) as err:
        capture(unlocked, case, [CaptureSource("b.csv", data=b"b")], meta,
                supersedes=(first, "更正\u202e") if field == "reason" else None)
    assert "U+" in err.value.message_zh


def test_a_file_name_with_a_reordering_character_is_neutralised(unlocked: Store) -> None:
    """IMG_\\u202egpj.exe shows as IMG_exe.jpg on screen."""
    case = new_case(unlocked)
    result = capture(unlocked, case, [CaptureSource("IMG_\u202egpj.exe", data=b"MZ")], META)
    assert manifest(unlocked, result.item_id)["streams"][0]["name"] == "IMG__gpj.exe"
