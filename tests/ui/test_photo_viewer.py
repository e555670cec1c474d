from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from app.ui.widgets.photo_decode import PhotoDecodeError, read_photo
from app.ui.widgets.photo_viewer import PhotoViewer


def _jpeg(width: int = 400, height: int = 200, *, exif: bool = True, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    for x in range(width // 2):
        image.putpixel((x, 5), (0, 0, 255))
    data = Image.Exif()
    if exif:
        data[0x010F] = "Canon"
        data[0x0110] = "Canon EOS R6"
        data[0x0112] = orientation
        data.get_ifd(ExifTags.IFD.Exif)[0x9003] = "2024:05:06 10:11:12"
        gps = data.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1] = "N"
        gps[2] = (30.0, 35.0, 36.0)
        gps[3] = "E"
        gps[4] = (114.0, 18.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=data, quality=90)
    return buffer.getvalue()


@pytest.fixture
def viewer(qtbot) -> PhotoViewer:
    widget = PhotoViewer()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_read_photo_exif():
    image, info = read_photo(_jpeg())
    assert (image.width(), image.height()) == (400, 200)
    assert info.taken_at == "2024-05-06 10:11:12"
    assert info.camera == "Canon EOS R6"
    assert info.gps is not None
    assert info.gps[0] == pytest.approx(30.59333, abs=1e-4)
    assert info.gps[1] == pytest.approx(114.3, abs=1e-4)


def test_exif_orientation_is_applied():
    image, info = read_photo(_jpeg(orientation=6))
    assert (image.width(), image.height()) == (200, 400)
    assert (info.width, info.height) == (200, 400)


def test_read_photo_rejects_garbage():
    with pytest.raises(PhotoDecodeError):
        read_photo(b"not an image at all")
    with pytest.raises(PhotoDecodeError):
        read_photo(_jpeg()[:300])  # truncated


def test_viewer_shows_photo_and_exif(viewer: PhotoViewer):
    assert viewer.set_image_bytes(_jpeg())
    assert viewer.has_image()
    assert viewer.exif_text("taken_at") == "2024-05-06 10:11:12"
    assert viewer.exif_text("camera") == "Canon EOS R6"
    assert "30.593333° N" in viewer.exif_text("gps")
    assert "114.300000° E" in viewer.exif_text("gps")
    assert viewer.is_fit()
    # fitted: 400 px wide image in a ~700 px wide view is zoomed in
    assert viewer.zoom_factor() > 1.0


def test_zoom_buttons_wheel_and_rotation(qtbot, viewer: PhotoViewer):
    viewer.set_image_bytes(_jpeg())
    qtbot.mouseClick(viewer.actual_button, Qt.MouseButton.LeftButton)
    assert viewer.zoom_factor() == 1.0 and not viewer.is_fit()
    qtbot.mouseClick(viewer.zoom_in_button, Qt.MouseButton.LeftButton)
    assert viewer.zoom_factor() == pytest.approx(1.25)
    qtbot.mouseClick(viewer.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(viewer.zoom_out_button, Qt.MouseButton.LeftButton)
    assert viewer.zoom_factor() == pytest.approx(0.8)
    assert viewer.zoom_label.text() == "80 %"
    vp = viewer._view.viewport()
    center = QPointF(vp.width() / 2, vp.height() / 2)
    wheel = QWheelEvent(
        center,
        QPointF(vp.mapToGlobal(center.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, wheel)
    assert viewer.zoom_factor() == pytest.approx(1.0)
    qtbot.mouseClick(viewer.rotate_right_button, Qt.MouseButton.LeftButton)
    assert viewer.rotation() == 90
    qtbot.mouseClick(viewer.rotate_left_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(viewer.rotate_left_button, Qt.MouseButton.LeftButton)
    assert viewer.rotation() == 270
    qtbot.mouseClick(viewer.fit_button, Qt.MouseButton.LeftButton)
    assert viewer.is_fit()
    # rotated 270°: the 400×200 photo stands upright, fit by its 400 px height
    view_h = vp.height()
    assert viewer.zoom_factor() == pytest.approx((view_h - 2) / 400, rel=0.02)


def test_keyboard_shortcuts(qtbot, viewer: PhotoViewer):
    viewer.set_image_bytes(_jpeg())
    viewer._view.setFocus()
    qtbot.keyClick(viewer._view, Qt.Key.Key_1)
    assert viewer.zoom_factor() == 1.0
    qtbot.keyClick(viewer._view, Qt.Key.Key_Plus)
    assert viewer.zoom_factor() == pytest.approx(1.25)
    qtbot.keyClick(viewer._view, Qt.Key.Key_R)
    assert viewer.rotation() == 90
    qtbot.keyClick(viewer._view, Qt.Key.Key_0)
    assert viewer.is_fit()


def test_corrupt_bytes_show_chinese_message(viewer: PhotoViewer):
    assert not viewer.set_image_bytes(b"\xff\xd8\xff\xe0 broken jpeg")
    assert not viewer.has_image()
    assert "无法显示" in viewer.message_text()
    assert viewer.exif_text("camera") == "—"
    # a good photo afterwards is shown again
    assert viewer.set_image_bytes(_jpeg(exif=False))
    assert viewer.message_text() == ""
    assert viewer.exif_text("camera") == "未记录"


def test_clear_forgets_the_photo(viewer: PhotoViewer):
    viewer.set_image_bytes(_jpeg())
    viewer.clear()
    assert not viewer.has_image()
    assert viewer.exif_text("taken_at") == "—"
