"""What a file is, judged from its bytes (never its name), and what can safely be read from it.

Originals are stored byte for byte and never re-encoded. Images are opened only to read EXIF and make a thumbnail,
inside limits: a decompression bomb, a truncated JPEG or a ``.jpg`` that is not an image is kept as a plain file with
a note, never decoded further and never a crash.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

MAX_IMAGE_PIXELS = 120_000_000  # 120 MP: larger than any camera on site, far below a bomb
THUMB_EDGE = 480
_OPEN_LOCK = threading.Lock()

SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"GIF8", 0, "image/gif"),
    (b"RIFF", 0, "application/octet-stream"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heif"),
    (b"ftypisom", 4, "video/mp4"),
    (b"ftypmp42", 4, "video/mp4"),
    (b"ftypqt  ", 4, "video/quicktime"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\x1aE\xdf\xa3", 0, "video/x-matroska"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
]


def sniff(head: bytes) -> str:
    for magic, offset, media in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if magic == b"RIFF":
                kind = head[8:12]
                return {b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo", b"WEBP": "image/webp"}.get(kind, media)
            return media
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head[:512]):
        return "text/plain"
    return "application/octet-stream"


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")  # + bidi, zero-width


def safe_name(name: str) -> str:
    """A display name with no path: ``../../etc/passwd`` becomes ``passwd``; control characters go."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).split("/")[-1]
    name = _UNSAFE.sub("_", name).strip(". ")
    return name[:200] or "unnamed"


@dataclass
class ImageInfo:
    ok: bool
    width: int = 0
    height: int = 0
    exif: dict[str, Any] = field(default_factory=dict)
    thumbnail_jpeg: bytes | None = None
    problem_zh: str = ""
    problem_en: str = ""


def _ratio(v: Any) -> tuple[int, int]:
    try:
        return int(v.numerator), int(v.denominator)
    except AttributeError:
        n, d = v
        return int(n), int(d)


def _gps(ifd: dict[int, Any]) -> dict[str, Any]:
    def dms(values: Any) -> list[list[int]]:
        return [list(_ratio(v)) for v in values]

    out: dict[str, Any] = {}
    try:
        if 2 in ifd and 4 in ifd:
            out = {"lat_ref": str(ifd.get(1, "")), "lat": dms(ifd[2]), "lon_ref": str(ifd.get(3, "")), "lon": dms(ifd[4])}
    except (TypeError, ValueError, ZeroDivisionError):
        return {}
    return out


def read_exif(img: Image.Image) -> dict[str, Any]:
    """Time, GPS and camera from EXIF, as strings and integer ratios (manifests hold no floats)."""
    try:
        exif = img.getexif()
    except Exception:
        return {}
    out: dict[str, Any] = {}
    for tag, key in ((ExifTags.Base.Make, "make"), (ExifTags.Base.Model, "model"),
                     (ExifTags.Base.DateTime, "datetime"), (ExifTags.Base.Orientation, "orientation")):
        if tag in exif:
            out[key] = str(exif[tag])[:100] if key != "orientation" else int(exif[tag])
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        if ExifTags.Base.DateTimeOriginal in sub:
            out["datetime_original"] = str(sub[ExifTags.Base.DateTimeOriginal])[:40]
        if ExifTags.Base.OffsetTimeOriginal in sub:
            out["offset_time_original"] = str(sub[ExifTags.Base.OffsetTimeOriginal])[:10]
        gps = _gps(exif.get_ifd(ExifTags.IFD.GPSInfo))
        if gps:
            out["gps"] = gps
    except Exception:
        pass
    return out


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def thumbnail_size(width: int, height: int, edge: int = THUMB_EDGE) -> tuple[int, int]:
    """The size of the thumbnail of a ``width`` x ``height`` image: the longer side ``edge``, never enlarged."""
    scale = min(1.0, edge / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _thumbnail(img: ImageFile.ImageFile, data_size: int, orientation: int, edge: int = THUMB_EDGE) -> bytes:
    """A JPEG thumbnail of an opened, not yet loaded image, decoded from the original bytes (never from the
    camera's embedded preview, which may differ from the picture).

    The JPEG decoder runs at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the thumbnail's own size,
    not the ``edge`` x ``edge`` box: a 4000 x 3000 photo decodes at 1/8 (500 x 375). A decode whose longer side
    is within 5/4 of ``edge`` is the thumbnail as it is: its pixels are exact 8 x 8 block means (a box filter),
    and a Lanczos pass to shave 500 to 480 would cost 4 ms, more than the encoder.
    The whole buffer goes to the decoder in one call, so the GIL is released once for the whole decode; fed in
    the default 64 KiB blocks, a decoder thread queues for the GIL ~60 times per photo behind whatever Python
    work the committing thread is doing, which made the decode 10 x slower than alone."""
    target = thumbnail_size(*img.size, edge)
    img.draft("RGB", target)
    img.decodermaxblock = max(img.decodermaxblock, data_size + 1)
    img.load()
    small = img if img.mode == "RGB" else img.convert("RGB")
    if max(small.size) > edge * 5 // 4:  # not decoded near the size already (not a JPEG, or no DCT scale fits)
        # 2x box reductions first (Image.reduce), the last step with Lanczos: sharp, and cheap at that size.
        small = small.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
    if orientation in _TRANSPOSE:  # shown upright, like the photo viewer shows the original
        small = small.transpose(_TRANSPOSE[orientation])
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def inspect_image(data: bytes, *, thumbnail: bool = True) -> ImageInfo:
    """Open ``data`` as an image within limits; EXIF and the thumbnail come from the same open. Never raises for
    hostile input. Thread-safe; Pillow releases the GIL while it decodes, resizes and encodes."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        # warnings.catch_warnings() swaps process-wide state: two threads inside it at once could leave the
        # "error" filter installed for good. Only the open (header parsing, where Pillow's bomb check warns) needs
        # it; past our own pixel check below nothing else warns, so the decode runs outside the lock.
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > MAX_IMAGE_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
        exif = read_exif(img)
        thumb = None
        if thumbnail:
            orientation = exif.get("orientation", 1)
            thumb = _thumbnail(img, len(data), orientation if isinstance(orientation, int) else 1)
        else:
            img.verify()
        return ImageInfo(True, width, height, exif, thumb)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageInfo(False, problem_zh="图像像素数异常（可能是“解压炸弹”），已作为普通文件原样保存，未解码。",
                         problem_en="The image declares too many pixels (a possible decompression bomb); kept as a "
                                    "plain file, not decoded.")
    except UnidentifiedImageError:
        return ImageInfo(False, problem_zh="文件不是可识别的图像，已作为普通文件原样保存。",
                         problem_en="The file is not a recognisable image; kept as a plain file.")
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        truncated = "truncated" in str(exc)
        return ImageInfo(False,
                         problem_zh="图像文件不完整（被截断），已原样保存，无法生成缩略图。" if truncated
                         else "图像文件已损坏，已原样保存，无法生成缩略图。",
                         problem_en="The image is truncated; stored as is, no thumbnail." if truncated
                         else "The image is damaged; stored as is, no thumbnail.")
