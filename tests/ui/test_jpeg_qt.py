"""A plain JPEG decoded by Qt with its EXIF read by ``jpeg_qt`` gives what Pillow gives (size, orientation, the
EXIF facts); everything that module does not read exactly is left to Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from PySide6.QtGui import QColor, QImage

from app.ui.widgets.jpeg_qt import decode_plain_jpeg
from app.ui.widgets.photo_decode import PhotoDecodeError, _read_with_pillow, read_photo


def _jpeg(width: int = 300, height: int = 200, *, mode: str = "RGB", exif: Image.Exif | None = None,
          **save: object) -> bytes:
    image = Image.new(mode, (width, height), "white" if mode != "CMYK" else (0, 0, 0, 0))
    for x in range(width // 3):  # a dark block in the top-left corner, to see where it ends up
        for y in range(height // 4):
            image.putpixel((x, y), 0 if mode == "L" else (0, 0, 0, 255) if mode == "CMYK" else (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, **({"exif": exif} if exif is not None else {}), **save)
    return buffer.getvalue()


def _exif(orientation: int | None = None, *, camera: bool = True, gps: bool = True, offset: str | None = None,
          altitude_ref: int | None = 1) -> Image.Exif:
    data = Image.Exif()
    if camera:
        data[0x010F] = "Canon"
        data[0x0110] = "Canon EOS R6"
        data[0x0132] = "2024:05:06 10:11:13"
    if orientation is not None:
        data[0x0112] = orientation
    exif_ifd = data.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[0x9003] = "2024:05:06 10:11:12"
    if offset:
        exif_ifd[0x9011] = offset
    if gps:
        gps_ifd = data.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[1] = "S"
        gps_ifd[2] = (30.0, 35.0, 36.5)
        gps_ifd[3] = "E"
        gps_ifd[4] = (114.0, 18.0, 0.25)
        gps_ifd[6] = 12.5
        if altitude_ref is not None:
            gps_ifd[5] = altitude_ref
    return data


def _dark_corner(image: QImage) -> tuple[bool, bool, bool, bool]:
    """Which corners are dark: top-left, top-right, bottom-left, bottom-right."""
    w, h = image.width() - 2, image.height() - 2
    return tuple(QColor(image.pixel(x, y)).lightness() < 128  # type: ignore[return-value]
                 for x, y in ((1, 1), (w, 1), (1, h), (w, h)))


PLAIN = [
    pytest.param(_jpeg(), id="no-exif"),
    pytest.param(_jpeg(exif=_exif()), id="exif-gps"),
    pytest.param(_jpeg(exif=_exif(offset="+08:00", altitude_ref=0)), id="offset-above-sea"),
    pytest.param(_jpeg(exif=_exif(camera=False, gps=False)), id="time-only"),
    pytest.param(_jpeg(mode="L", exif=_exif()), id="grey"),
    pytest.param(_jpeg(exif=_exif(), progressive=True), id="progressive"),
    *(pytest.param(_jpeg(301, 199, exif=_exif(o)), id=f"orientation-{o}") for o in range(1, 9)),
]


@pytest.mark.parametrize("data", PLAIN)
@pytest.mark.parametrize("max_edge", [None, 100])
def test_plain_jpeg_reads_as_pillow_does(qapp, data: bytes, max_edge: int | None):
    plain = decode_plain_jpeg(data, max_edge)
    assert plain is not None  # taken by Qt, not by Pillow
    image, info = read_photo(data, max_edge)
    pil_image, pil_info = _read_with_pillow(data, max_edge)
    assert info == pil_info
    assert abs(image.width() - pil_image.width()) <= 1 and abs(image.height() - pil_image.height()) <= 1
    assert _dark_corner(image) == _dark_corner(pil_image)  # the same orientation applied


def test_exif_facts(qapp):
    _image, info = read_photo(_jpeg(exif=_exif(6, offset="+08:00")))
    assert (info.width, info.height, info.format) == (200, 300, "JPEG")
    assert info.taken_at == "2024-05-06 10:11:12+08:00"
    assert info.camera == "Canon EOS R6"
    assert info.gps == pytest.approx((-30.5934722, 114.3000694), abs=1e-6)
    assert info.altitude_m == -12.5


def _xmp_orientation() -> bytes:
    data = _jpeg()
    xmp = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
           b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
           b"xmlns:tiff='http://ns.adobe.com/tiff/1.0/' tiff:Orientation=\"6\"/></rdf:RDF></x:xmpmeta>")
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    return data[:2] + segment + data[2:]


@pytest.mark.parametrize("data", [
    pytest.param(_jpeg(mode="CMYK"), id="cmyk-adobe"),
    pytest.param(_xmp_orientation(), id="xmp-orientation"),
    pytest.param(_jpeg()[:-2], id="no-end-marker"),
    pytest.param(_jpeg()[:400] + b"\xff\xd9", id="truncated"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="not-jpeg"),
])
def test_left_to_pillow(qapp, data: bytes):
    assert decode_plain_jpeg(data, None) is None
    try:
        expected = _read_with_pillow(data, None)
    except PhotoDecodeError:
        with pytest.raises(PhotoDecodeError):
            read_photo(data)
        return
    image, info = read_photo(data)
    assert info == expected[1] and image.size() == expected[0].size()


def test_xmp_orientation_still_applied(qapp):
    image, info = read_photo(_xmp_orientation())
    assert (info.width, info.height) == (200, 300) and image.width() == 200
