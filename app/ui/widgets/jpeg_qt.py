"""A plain camera JPEG decoded by Qt's own JPEG reader and its EXIF read here, so that showing a photo does not load
Pillow into the GUI process (its libraries and modules are about 5 MiB resident once loaded).

Only what this module reads exactly as Pillow does is taken this way: a baseline or progressive 8-bit JPEG with one
or three components, at most one EXIF block, no XMP (Pillow takes the orientation from XMP too), no MPO index, no
Adobe colour transform, ending at its end-of-image marker, and an EXIF whose fields ``read_photo`` uses all have
their standard types. For anything else ``decode_plain_jpeg`` returns None and ``read_photo`` decodes with Pillow,
as before: an unusual, damaged or truncated file is judged by Pillow alone."""

from __future__ import annotations

import math
import struct
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QTransform

_SOF_PLAIN = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended sequential, progressive (Huffman)
_SOF_OTHER = frozenset({0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_MAX_PIXELS = 89_478_485  # Pillow's MAX_IMAGE_PIXELS: larger images are left to Pillow's own checks

# the fields read_photo uses: tag -> (TIFF type, count or None for any)
_Wanted = dict[int, tuple[int, int | None]]
_IFD0: _Wanted = {0x010F: (2, None), 0x0110: (2, None), 0x0112: (3, 1), 0x0132: (2, None), 0x8769: (4, 1), 0x8825: (4, 1)}
_EXIF: _Wanted = {0x9003: (2, None), 0x9011: (2, None)}
_GPS: _Wanted = {1: (2, None), 2: (5, 3), 3: (2, None), 4: (5, 3), 5: (1, 1), 6: (5, 1)}
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8}


class _NotPlain(Exception):
    """Not read here: Pillow decides."""


class PlainExif:
    """The EXIF fields ``read_photo`` asks for, with the values Pillow's ``Image.Exif`` gives for them."""

    def __init__(self, ifd0: dict[int, Any], exif: dict[int, Any], gps: dict[int, Any]) -> None:
        self._ifd0, self._ifds = ifd0, {0x8769: exif, 0x8825: gps}

    def get(self, tag: int) -> Any:
        return self._ifd0.get(tag)

    def get_ifd(self, tag: int) -> dict[int, Any]:
        return self._ifds.get(tag, {})


def _segments(data: bytes) -> tuple[int, int, bytes | None]:
    """Width, height and the EXIF block (without its ``Exif\\0\\0`` header) of a plain JPEG."""
    if not data.startswith(b"\xff\xd8") or not data.endswith(b"\xff\xd9"):
        raise _NotPlain
    pos, size, exif = 2, None, None
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise _NotPlain
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD9:
            raise _NotPlain
        length = struct.unpack_from(">H", data, pos + 2)[0]
        if length < 2 or pos + 2 + length > len(data):
            raise _NotPlain
        body = data[pos + 4:pos + 2 + length]
        if marker == 0xDA:  # start of scan: the headers are done
            break
        if marker == 0xE1:
            if not body.startswith(b"Exif\x00\x00") or exif is not None:
                raise _NotPlain  # XMP (an orientation Pillow would apply) or a second EXIF block
            exif = body[6:]
        elif (marker == 0xE2 and body.startswith(b"MPF\x00")) or marker == 0xEE:
            raise _NotPlain  # an MPO index (Pillow opens it as MPO) or an Adobe colour transform
        elif marker in _SOF_OTHER:
            raise _NotPlain
        elif marker in _SOF_PLAIN:
            if size is not None or len(body) < 6:
                raise _NotPlain
            precision, height, width, components = struct.unpack_from(">BHHB", body)
            if precision != 8 or components not in (1, 3) or not width or not height:
                raise _NotPlain
            size = (width, height)
        pos += 2 + length
    if size is None or size[0] * size[1] > _MAX_PIXELS:
        raise _NotPlain
    return size[0], size[1], exif


def _value(tiff: bytes, endian: str, type_: int, count: int, raw: int) -> Any:
    """One field's value as Pillow gives it (ASCII as latin-1 without one trailing NUL; one number unwrapped)."""
    need = _TYPE_SIZE[type_] * count
    at = raw + 8 if need <= 4 else struct.unpack_from(endian + "I", tiff, raw + 8)[0]
    if at + need > len(tiff):
        raise _NotPlain
    chunk = tiff[at:at + need]
    if type_ == 2:
        return (chunk[:-1] if chunk.endswith(b"\x00") else chunk).decode("latin-1", "replace")
    if type_ == 1:
        return chunk[0]
    if type_ in (3, 4):
        return struct.unpack_from(endian + ("H" if type_ == 3 else "I"), chunk)[0]
    pairs = struct.unpack(endian + "2I" * count, chunk)
    values = tuple(float("nan") if den == 0 else num / den for num, den in zip(pairs[::2], pairs[1::2], strict=True))
    return values[0] if count == 1 else values


def _ifd(tiff: bytes, endian: str, offset: int, wanted: _Wanted) -> dict[int, Any]:
    if offset < 8 or offset + 2 > len(tiff):
        raise _NotPlain
    count = struct.unpack_from(endian + "H", tiff, offset)[0]
    if offset + 2 + 12 * count > len(tiff):
        raise _NotPlain
    out: dict[int, Any] = {}
    for n in range(count):
        raw = offset + 2 + 12 * n
        tag, type_, length = struct.unpack_from(endian + "HHI", tiff, raw)
        if type_ not in _TYPE_SIZE:
            if tag in wanted:
                raise _NotPlain
            continue
        # every field must lie inside the block (Pillow warns about one that does not: it is not read here)
        need = _TYPE_SIZE[type_] * length
        if need > 4 and struct.unpack_from(endian + "I", tiff, raw + 8)[0] + need > len(tiff):
            raise _NotPlain
        if tag in wanted:
            want_type, want_count = wanted[tag]
            if type_ != want_type or (want_count is not None and length != want_count) or length == 0:
                raise _NotPlain
            out[tag] = _value(tiff, endian, type_, length, raw)
    return out


def _exif(tiff: bytes | None) -> PlainExif:
    if not tiff:
        return PlainExif({}, {}, {})
    if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        raise _NotPlain
    endian = "<" if tiff[:2] == b"II" else ">"
    ifd0 = _ifd(tiff, endian, struct.unpack_from(endian + "I", tiff, 4)[0], _IFD0)
    exif = _ifd(tiff, endian, ifd0[0x8769], _EXIF) if 0x8769 in ifd0 else {}
    gps = _ifd(tiff, endian, ifd0[0x8825], _GPS) if 0x8825 in ifd0 else {}
    return PlainExif(ifd0, exif, gps)


def _preview_size(width: int, height: int, max_edge: int) -> tuple[int, int]:
    """Pillow's ``thumbnail((max_edge, max_edge))`` size for an image of ``width`` × ``height``."""
    aspect = width / height
    x = y = max_edge
    if x / y >= aspect:
        x = max(min(math.floor(y * aspect), math.ceil(y * aspect), key=lambda n: abs(aspect - n / y)), 1)
    else:
        y = max(min(math.floor(x / aspect), math.ceil(x / aspect),
                    key=lambda n: 0 if n == 0 else abs(aspect - x / n)), 1)
    return x, y


def _oriented(image: QImage, orientation: Any) -> QImage:
    """EXIF orientation applied as Pillow's ``ImageOps.exif_transpose`` does."""
    if orientation in (5, 6, 7, 8):
        image = image.transformed(QTransform().rotate(90 if orientation in (5, 6, 7) else 270))
    if orientation in (2, 5):
        image = image.flipped(Qt.Orientation.Horizontal)
    elif orientation in (4, 7):
        image = image.flipped(Qt.Orientation.Vertical)
    elif orientation == 3:
        image = image.flipped(Qt.Orientation.Horizontal | Qt.Orientation.Vertical)
    return image


def decode_plain_jpeg(data: bytes, max_edge: int | None) -> tuple[QImage, PlainExif, int, int] | None:
    """The oriented image (at most ``max_edge`` on its longer side), its EXIF and its full oriented size; None
    when the file is not a plain JPEG this module reads exactly as Pillow would (Pillow then decodes it)."""
    try:
        width, height, block = _segments(data)
        exif = _exif(block)
    except (_NotPlain, struct.error, KeyError):
        return None
    orientation = exif.get(0x0112)
    turned = orientation in (5, 6, 7, 8)
    full = (height, width) if turned else (width, height)
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, QByteArray(b"jpeg"))
    reader.setAutoTransform(False)  # the orientation is applied below, from the EXIF read here
    if max_edge and max(full) > max_edge:
        shown = _preview_size(full[0], full[1], max_edge)
        reader.setScaledSize(QSize(*(reversed(shown) if turned else shown)))
    image = reader.read()
    buffer.close()
    if image.isNull():
        return None
    return _oriented(image, orientation), exif, full[0], full[1]
