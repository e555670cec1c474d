"""Camera capture with QtMultimedia, used only where a camera exists (``camera_available``).

The photo is taken into memory (``QImageCapture.capture``, never ``captureToFile``) and handed over as JPEG
bytes; it reaches the disk only encrypted, through ``capture``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QSize, Signal
from PySide6.QtGui import QImage, QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.ui.widgets.screen import fit_to_screen


def camera_available() -> bool:
    """Whether QtMultimedia sees a camera; False when the module or a backend is missing.

    On Linux, no /dev/video* device means no camera, and QtMultimedia (which loads FFmpeg, VA-API and
    PipeWire and warns about each it lacks) is not even loaded."""
    import sys

    if sys.platform.startswith("linux") and not any(Path("/dev").glob("video*")):
        return False
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return False
    try:
        return bool(QMediaDevices.videoInputs())
    except RuntimeError:
        return False


class CameraDialog(QDialog):
    captured = Signal(bytes)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices
        from PySide6.QtMultimediaWidgets import QVideoWidget

        self.setWindowTitle(self.tr("Take photo"))
        self.camera = QCamera(QMediaDevices.defaultVideoInput())
        self.session = QMediaCaptureSession()
        self.session.setCamera(self.camera)
        self.image_capture = QImageCapture()
        self.session.setImageCapture(self.image_capture)
        video = QVideoWidget()
        self.session.setVideoOutput(video)
        shoot = QPushButton(self.tr("Take photo (Space)"))
        shoot.setProperty("primary", True)
        shoot.setShortcut("Space")
        shoot.clicked.connect(self.image_capture.capture)
        close = QPushButton(self.tr("Done"))
        close.clicked.connect(self.accept)
        self.image_capture.imageCaptured.connect(self._on_image)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(shoot)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(video, 1)
        layout.addLayout(row)
        self.resize(960, 720)  # fitted to the screen when shown (showEvent)
        self.camera.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self, QSize(960, 720))  # never larger than the screen (its frame included)

    def _on_image(self, _id: int, image: QImage) -> None:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPEG", 92)
        self.captured.emit(bytes(buffer.data().data()))

    def done(self, result: int) -> None:
        self.camera.stop()
        super().done(result)
