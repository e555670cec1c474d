"""A window-modal progress dialog with a cancel button, driven by an ``Operation``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.ui.operations import Progress


class BusyDialog(QDialog):
    """Shows a label, a progress bar (indeterminate while the total is unknown) and Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, label: str, *, cancellable: bool = True) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self._label = QLabel(label)
        self._label.setWordWrap(True)
        self._detail = QLabel("")
        self._detail.setWordWrap(True)
        self._bar = QProgressBar()
        self._bar.setRange(0, 0)
        self._bar.setTextVisible(True)
        self._cancel = QPushButton()
        self._cancel.setVisible(cancellable)
        self._cancel.clicked.connect(self._on_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        layout.addWidget(self._bar)
        layout.addWidget(self._detail)
        layout.addWidget(self._cancel, alignment=Qt.AlignmentFlag.AlignRight)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.show)
        self._retranslate()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Please wait"))
        if self._cancel.isEnabled():
            self._cancel.setText(self.tr("Cancel"))
        else:
            self._cancel.setText(self.tr("Cancelling..."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def show_after(self, delay_ms: int) -> None:
        if delay_ms <= 0:
            self.show()
        else:
            self._timer.start(delay_ms)

    def set_progress(self, progress: Progress) -> None:
        if progress.total > 0:
            self._bar.setRange(0, progress.total)
            self._bar.setValue(min(progress.done, progress.total))
        else:
            self._bar.setRange(0, 0)
        if progress.message:
            self._detail.setText(progress.message)

    def progress_value(self) -> tuple[int, int]:
        return self._bar.value(), self._bar.maximum()

    def cancel_button(self) -> QPushButton:
        return self._cancel

    def _on_cancel(self) -> None:
        self._cancel.setEnabled(False)
        self._retranslate()
        self.cancel_requested.emit()

    def reject(self) -> None:  # Esc / window close means cancel, the dialog stays until the work stops
        if self._cancel.isVisible() and self._cancel.isEnabled():
            self._on_cancel()

    def finish(self) -> None:
        self._timer.stop()
        self.hide()
        self.deleteLater()
