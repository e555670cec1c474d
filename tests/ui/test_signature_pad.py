from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.ui.widgets.signature_pad import SignaturePad, SignaturePanel, StrokePoint


def _drag(qtbot, widget, points: list[tuple[int, int]]) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for p in points[1:]:
        qtbot.mouseMove(widget, QPoint(*p))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def _pad(qtbot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 240)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def _non_white_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(image.histogram()[:200])


def test_mouse_drag_records_integer_strokes(qtbot):
    pad = _pad(qtbot)
    assert pad.is_empty()
    with qtbot.waitSignal(pad.changed):
        _drag(qtbot, pad, [(20, 30), (60, 50), (120, 80), (200, 90)])
    strokes = pad.strokes()
    assert len(strokes) == 1
    stroke = strokes[0]
    assert stroke[0][:2] == (200, 300)  # 0.1 px units
    assert stroke[-1][:2] == (2000, 900)
    for point in stroke:
        assert isinstance(point, StrokePoint)
        assert all(type(v) is int for v in point)
        assert point.pressure == 500 and point.tilt_x == 0
    assert [p.t_ms for p in stroke] == sorted(p.t_ms for p in stroke)
    assert not pad.is_empty()


def test_undo_clear_and_changed_signal(qtbot):
    pad = _pad(qtbot)
    _drag(qtbot, pad, [(10, 10), (50, 50)])
    _drag(qtbot, pad, [(100, 10), (150, 60), (200, 20)])
    assert len(pad.strokes()) == 2
    with qtbot.waitSignal(pad.changed):
        pad.undo()
    assert len(pad.strokes()) == 1
    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty()
    with qtbot.assertNotEmitted(pad.changed):
        pad.clear()


def test_png_is_non_blank_and_deterministic(qtbot):
    pad = _pad(qtbot)
    _drag(qtbot, pad, [(20, 100), (80, 40), (140, 160), (220, 60), (300, 120)])
    png = pad.render_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert _non_white_pixels(png) > 200
    assert pad.render_png() == png
    # the same strokes on another pad give the same bytes
    other = _pad(qtbot)
    other.set_strokes(pad.strokes())
    assert other.render_png() == png
    full = Image.open(io.BytesIO(pad.render_png(scale=1.0, crop=False)))
    assert full.size == (600, 240)


def test_to_dict_is_integers_only(qtbot):
    pad = _pad(qtbot)
    _drag(qtbot, pad, [(20, 30), (40, 50)])
    data = pad.to_dict()

    def walk(value):
        if isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        else:
            assert isinstance(value, int | str) and not isinstance(value, float)

    walk(data)
    assert data["canvas"] == [6000, 2400]


def _stylus() -> QPointingDevice:
    caps = (
        QInputDevice.Capability.Position
        | QInputDevice.Capability.Pressure
        | QInputDevice.Capability.XTilt
        | QInputDevice.Capability.YTilt
    )
    return QPointingDevice(
        "test pen",
        4242,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        caps,
        1,
        3,
    )


def _tablet(pad, device, kind, x, y, pressure, xtilt, ytilt):
    local = QPointF(x, y)
    event = QTabletEvent(
        kind,
        device,
        local,
        QPointF(pad.mapToGlobal(local)),
        pressure,
        xtilt,
        ytilt,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton if kind != QTabletEvent.Type.TabletRelease else Qt.MouseButton.NoButton,
    )
    QApplication.sendEvent(pad, event)
    return event


def test_pen_records_pressure_and_tilt(qtbot):
    pad = _pad(qtbot)
    device = _stylus()
    _tablet(pad, device, QTabletEvent.Type.TabletPress, 30.0, 40.0, 0.2, 10.0, -5.0)
    _tablet(pad, device, QTabletEvent.Type.TabletMove, 60.0, 50.0, 0.55, 12.0, -6.0)
    _tablet(pad, device, QTabletEvent.Type.TabletMove, 90.0, 65.5, 0.9, 14.0, -8.0)
    release = _tablet(pad, device, QTabletEvent.Type.TabletRelease, 120.0, 70.0, 0.0, 14.0, -8.0)
    assert release.isAccepted()
    (stroke,) = pad.strokes()
    assert [(p.x, p.y) for p in stroke] == [(300, 400), (600, 500), (900, 655), (1200, 700)]
    assert [p.pressure for p in stroke] == [200, 550, 900, 0]
    assert [(p.tilt_x, p.tilt_y) for p in stroke][:3] == [(10, -5), (12, -6), (14, -8)]
    assert _non_white_pixels(pad.render_png()) > 50


def test_touch_draws_a_stroke(qtbot):
    pad = _pad(qtbot)
    device = QTest.createTouchDevice()
    QTest.touchEvent(pad, device).press(0, QPoint(40, 40)).commit()
    QTest.touchEvent(pad, device).move(0, QPoint(90, 70)).commit()
    QTest.touchEvent(pad, device).move(0, QPoint(150, 80)).commit()
    QTest.touchEvent(pad, device).release(0, QPoint(160, 90)).commit()
    (stroke,) = pad.strokes()
    # the touch point may arrive a pixel or two off (its contact area), so compare within 3 px
    assert abs(stroke[0].x - 400) <= 30 and abs(stroke[0].y - 400) <= 30
    assert abs(stroke[-1].x - 1600) <= 30 and abs(stroke[-1].y - 900) <= 30
    assert len(stroke) == 4
    assert all(p.pressure == 500 for p in stroke)


def test_panel_buttons(qtbot):
    panel = SignaturePanel(signer="张三")
    qtbot.addWidget(panel)
    panel.resize(700, 360)
    panel.show()
    qtbot.waitExposed(panel)
    assert not panel.clear_button.isEnabled()
    assert "张三" in panel._prompt.text()
    _drag(qtbot, panel.pad, [(20, 30), (60, 50), (90, 40)])
    assert panel.clear_button.isEnabled()
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert panel.pad.is_empty()
    assert not panel.undo_button.isEnabled()
