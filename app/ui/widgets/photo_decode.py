"""Decoding an evidence photo held in memory into a QImage and the facts a reviewer asks about (EXIF time,
camera, GPS), optionally as a screen-sized preview. Safe on a worker thread (QImage, not QPixmap)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QImage

_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825


class PhotoDecodeError(Exception):
    """The bytes are not a readable image."""


@dataclass(frozen=True)
class PhotoInfo:
    width: int
    height: int
    format: str
    taken_at: str | None  # "YYYY-MM-DD HH:MM:SS[+08:00]" as the camera recorded it
    camera: str | None
    gps: tuple[float, float] | None  # decimal degrees (display only)
    altitude_m: float | None


def _dms_to_degrees(value: object, ref: object) -> float | None:
    try:
        d, m, s = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return -degrees if str(ref).upper() in ("S", "W") else degrees


def _clean(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def read_photo(data: bytes, max_edge: int | None = None) -> tuple[QImage, PhotoInfo]:
    """Decode ``data`` (EXIF orientation applied) into a QImage plus its EXIF facts.

    With ``max_edge`` the image is at most that many pixels on its longer side (a JPEG is decoded at a reduced
    DCT scale, which is also faster): a preview for the screen. ``PhotoInfo`` always gives the full size.

    A plain camera JPEG is decoded by Qt and its EXIF read by ``jpeg_qt`` (Pillow is then never loaded into the
    GUI); every other file, or one that module does not read exactly as Pillow would, is decoded with Pillow."""
    from app.ui.widgets.jpeg_qt import decode_plain_jpeg

    plain = decode_plain_jpeg(data, max_edge)
    if plain is not None:
        qimage, plain_exif, full_width, full_height = plain
        return qimage, _info(plain_exif, full_width, full_height, "JPEG")
    return _read_with_pillow(data, max_edge)


def _read_with_pillow(data: bytes, max_edge: int | None) -> tuple[QImage, PhotoInfo]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            fmt = image.format or "?"
            full_width, full_height = image.size
            if max_edge and fmt == "JPEG":
                image.draft("RGB", (max_edge, max_edge))  # the smallest scale still at least max_edge
            image.load()
            exif = image.getexif()
            image = ImageOps.exif_transpose(image) or image
            if max_edge and max(image.size) > max_edge:
                image.thumbnail((max_edge, max_edge), Image.Resampling.BICUBIC)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoDecodeError(type(exc).__name__) from exc
    if exif.get(_TAG_ORIENTATION) in (5, 6, 7, 8):  # shown turned by a quarter
        full_width, full_height = full_height, full_width
    info = _info(exif, full_width, full_height, fmt)

    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    if image.mode == "RGBA":
        qformat, bpp = QImage.Format.Format_RGBA8888, 4
    else:
        qformat, bpp = QImage.Format.Format_RGB888, 3
    raw = image.tobytes()
    qimage = QImage(raw, image.width, image.height, image.width * bpp, qformat).copy()
    return qimage, info


def _info(exif: Any, full_width: int, full_height: int, fmt: str) -> PhotoInfo:
    """The facts of a photo from its EXIF (Pillow's ``Image.Exif`` or ``jpeg_qt.PlainExif``, read alike)."""
    make = _clean(exif.get(_TAG_MAKE))
    model = _clean(exif.get(_TAG_MODEL))
    if make and model and not model.lower().startswith(make.lower()):
        camera = f"{make} {model}"
    else:
        camera = model or make or ""
    exif_ifd = exif.get_ifd(_IFD_EXIF)
    taken = _clean(exif_ifd.get(_TAG_DATETIME_ORIGINAL)) or _clean(exif.get(_TAG_DATETIME))
    if taken and len(taken) >= 19 and taken[4] == ":" and taken[7] == ":":
        taken = f"{taken[:4]}-{taken[5:7]}-{taken[8:]}"
    offset = _clean(exif_ifd.get(_TAG_OFFSET_TIME_ORIGINAL))
    if taken and offset:
        taken = f"{taken}{offset}"
    gps_ifd = exif.get_ifd(_IFD_GPS)
    gps = None
    altitude = None
    if gps_ifd:
        lat = _dms_to_degrees(gps_ifd.get(2), gps_ifd.get(1))
        lon = _dms_to_degrees(gps_ifd.get(4), gps_ifd.get(3))
        if lat is not None and lon is not None:
            gps = (lat, lon)
        try:
            if gps_ifd.get(6) is not None:
                altitude = float(gps_ifd[6]) * (-1 if gps_ifd.get(5) in (1, b"\x01") else 1)
        except (TypeError, ValueError, ZeroDivisionError):
            altitude = None
    return PhotoInfo(full_width, full_height, fmt, taken, camera or None, gps, altitude)
