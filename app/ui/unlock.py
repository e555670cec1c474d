"""The unlock page: choose a profile, then both inspectors unlock with their own passphrase.

The law wants two inspectors on site (DOMAIN.md: 000 Art. 7(2), 001 Art. 32(2)); the page therefore has two
panels, refuses the same inspector in both, and emits ``unlocked`` only once both have unlocked. Passphrase
checks run on the store's worker thread (a memory-hard KDF takes a noticeable moment);
the passphrase field is cleared at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QThreadPool, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.operations import OpContext, Operation
from app.ui.ports import UnlockService
from app.ui.widgets.errors import describe_error, show_error


class InspectorPanel(QGroupBox):
    """One inspector: who (chooser and name), passphrase, Unlock, and the outcome."""

    unlock_requested = Signal(str, str)  # inspector_id, passphrase

    def __init__(self, slot: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot = slot  # 0: inspector A, 1: inspector B
        self.chooser = QComboBox()
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.name_label = QLabel()
        self.name_label.setProperty("role", "title")
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setClearButtonEnabled(False)
        self.unlock_button = QPushButton()
        self.unlock_button.setProperty("primary", True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self._who_label = QLabel()
        self._pass_label = QLabel()
        self._who_label.setBuddy(self.chooser)
        self._pass_label.setBuddy(self.passphrase)
        grid = QGridLayout(self)
        grid.addWidget(self.name_label, 0, 0, 1, 2)
        grid.addWidget(self._who_label, 1, 0)
        grid.addWidget(self.chooser, 1, 1)
        grid.addWidget(self._pass_label, 2, 0)
        grid.addWidget(self.passphrase, 2, 1)
        grid.addWidget(self.unlock_button, 3, 0, 1, 2)
        grid.addWidget(self.status, 4, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.chooser.currentIndexChanged.connect(self._on_choice)
        self.unlock_button.clicked.connect(self._request)
        self.passphrase.returnPressed.connect(self._request)
        self.passphrase.textChanged.connect(self._update_enabled)
        self._unlocked_as: tuple[str, str] | None = None
        self._busy = False
        self._blocked = False  # the same inspector is chosen in the other panel
        self._status_kind = ""  # "", "busy", "ok", "error", "same"
        self._error_text = ""
        self._retranslate()
        self._update_enabled()

    # --- state
    def set_inspectors(self, inspectors: list[tuple[str, str]]) -> None:
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for inspector_id, name in inspectors:
            self.chooser.addItem(name, inspector_id)
        if inspectors:
            self.chooser.setCurrentIndex(min(self.slot, len(inspectors) - 1))
        self.chooser.blockSignals(False)
        self.reset()

    def reset(self) -> None:
        self.passphrase.clear()
        self._unlocked_as = None
        self._busy = False
        self._set_status("")
        self._on_choice()

    def selected(self) -> tuple[str, str] | None:
        index = self.chooser.currentIndex()
        if index < 0:
            return None
        return str(self.chooser.itemData(index)), self.chooser.itemText(index)

    def unlocked_as(self) -> tuple[str, str] | None:
        return self._unlocked_as

    def set_busy(self) -> None:
        self._busy = True
        self._set_status("busy")

    def set_unlocked(self) -> None:
        self._busy = False
        self._unlocked_as = self.selected()
        self._set_status("ok")

    def set_failed(self, text: str) -> None:
        self._busy = False
        self._error_text = text
        self._set_status("error")
        self.passphrase.setFocus()

    def set_blocked(self, blocked: bool) -> None:
        """Block unlocking while the other panel holds the same inspector."""
        self._blocked = blocked
        if blocked:
            self._set_status("same")
        elif self._status_kind == "same":
            self._set_status("")
        self._update_enabled()

    # --- internals
    def _request(self) -> None:
        chosen = self.selected()
        secret = self.passphrase.text()
        if chosen is None or not secret or self._busy or self._unlocked_as or self._blocked:
            return
        self.passphrase.clear()  # do not keep the passphrase in the widget
        self.unlock_requested.emit(chosen[0], secret)

    def _on_choice(self) -> None:
        chosen = self.selected()
        self.name_label.setText(chosen[1] if chosen else "—")
        if self._status_kind == "error":
            self._set_status("")
        self._update_enabled()

    def _set_status(self, kind: str) -> None:
        self._status_kind = kind
        self.status.setProperty("role", {"ok": "ok", "error": "error", "same": "error"}.get(kind, ""))
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self._retranslate()
        self._update_enabled()

    def _update_enabled(self) -> None:
        open_ = self._unlocked_as is None and not self._busy and self.chooser.count() > 0
        self.chooser.setEnabled(open_)
        self.passphrase.setEnabled(open_)
        self.unlock_button.setEnabled(open_ and not self._blocked and bool(self.passphrase.text()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setTitle(self.tr("Inspector A") if self.slot == 0 else self.tr("Inspector B"))
        self._who_label.setText(self.tr("&Inspector"))
        self._pass_label.setText(self.tr("&Passphrase"))
        self.passphrase.setPlaceholderText(self.tr("Your own passphrase"))
        self.unlock_button.setText(self.tr("Unlock"))
        texts = {
            "": "",
            "busy": self.tr("Checking the passphrase..."),
            "ok": self.tr("Unlocked"),
            "error": self._error_text,
            "same": self.tr(
                "This inspector has already unlocked in the other panel; the second inspector must "
                "unlock with their own passphrase."
            ),
        }
        self.status.setText(texts.get(self._status_kind, ""))


class UnlockPage(QWidget):
    """Profile chooser and the two inspector panels.

    ``unlocked`` carries ``[(id, name), (id, name)]`` once both inspectors have unlocked.
    ``profile_chosen`` asks the owner to open another profile (it then calls ``set_service``).
    """

    unlocked = Signal(list)
    profile_chosen = Signal(Path)
    first_painted = Signal()

    def __init__(
        self,
        service: UnlockService,
        *,
        pool: QThreadPool | None = None,
        profiles: list[Path] | None = None,
        current_profile: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._pool = pool
        self._painted = False
        self._title = QLabel()
        self._title.setProperty("role", "title")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._subtitle = QLabel()
        self._subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._subtitle.setWordWrap(True)
        self._profile_label = QLabel()
        self.profile_box = QComboBox()
        self.profile_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.browse_button = QPushButton()
        self._profile_label.setBuddy(self.profile_box)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setProperty("role", "error")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.panels = (InspectorPanel(0), InspectorPanel(1))
        for panel in self.panels:
            panel.unlock_requested.connect(lambda iid, secret, p=panel: self._unlock(p, iid, secret))
            panel.chooser.currentIndexChanged.connect(self._check_distinct)

        profile_row = QHBoxLayout()
        profile_row.addWidget(self._profile_label)
        profile_row.addWidget(self.profile_box, 1)
        profile_row.addWidget(self.browse_button)
        panels_row = QHBoxLayout()
        panels_row.setSpacing(24)
        for panel in self.panels:
            panels_row.addWidget(panel, 1)
        card = QFrame()
        card.setMaximumWidth(1100)
        inner = QVBoxLayout(card)
        inner.setSpacing(18)
        inner.addWidget(self._title)
        inner.addWidget(self._subtitle)
        inner.addLayout(profile_row)
        inner.addWidget(self.notice)
        inner.addLayout(panels_row)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 10)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.profile_box.activated.connect(self._on_profile_activated)
        self.browse_button.clicked.connect(self._browse)
        self.set_profiles(profiles or [], current_profile)
        self._retranslate()
        self.set_service(service)

    # --- public
    def set_profiles(self, profiles: list[Path], current: Path | None) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        seen: list[Path] = []
        for path in [*profiles, *([current] if current else [])]:
            if path not in seen:
                seen.append(path)
        for path in seen:
            self.profile_box.addItem(path.name or str(path), str(path))
            self.profile_box.setItemData(self.profile_box.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)
        if current is not None:
            self.profile_box.setCurrentIndex(seen.index(current))
        self.profile_box.blockSignals(False)

    def set_service(self, service: UnlockService, pool: QThreadPool | None = None) -> None:
        self._service = service
        if pool is not None:
            self._pool = pool
        inspectors = service.inspectors()
        for panel in self.panels:
            panel.set_inspectors(inspectors)
        self._no_inspectors = not inspectors
        self._retranslate()
        self._check_distinct()

    def reset(self) -> None:
        """Back to the initial state (after a lock): nothing unlocked, no passphrase kept."""
        for panel in self.panels:
            panel.reset()
        self._check_distinct()
        self.panels[0].passphrase.setFocus()

    def is_fully_unlocked(self) -> bool:
        return all(p.unlocked_as() is not None for p in self.panels)

    # --- internals
    def _other(self, panel: InspectorPanel) -> InspectorPanel:
        return self.panels[1 - panel.slot]

    def _check_distinct(self) -> bool:
        a, b = (p.selected() for p in self.panels)
        same = a is not None and b is not None and a[0] == b[0]
        # block the panel that has not unlocked yet (B when neither has)
        target = self.panels[1] if self.panels[1].unlocked_as() is None else self.panels[0]
        target.set_blocked(same)
        self._other(target).set_blocked(False)
        return not same

    def _unlock(self, panel: InspectorPanel, inspector_id: str, secret: str) -> None:
        other = self._other(panel)
        taken = other.unlocked_as() or other.selected()
        if taken is not None and taken[0] == inspector_id:
            panel.set_blocked(True)
            return
        panel.set_busy()
        service = self._service

        def work(_ctx: OpContext) -> None:
            service.unlock(inspector_id, secret)

        def failed(exc: BaseException) -> None:
            text = describe_error(exc)
            if text is None:
                panel.reset()
                show_error(self, exc)
                return
            message = text.message if not text.action else f"{text.message}\n{text.action}"
            panel.set_failed(message)

        def done(_result: object) -> None:
            panel.set_unlocked()
            if self.is_fully_unlocked():
                self.unlocked.emit([p.unlocked_as() for p in self.panels])
            else:
                other.passphrase.setFocus()

        Operation(self, work).success(done).failure(failed).run(self._pool)

    def _on_profile_activated(self, index: int) -> None:
        path = self.profile_box.itemData(index)
        if path:
            self.profile_chosen.emit(Path(path))

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a profile folder"))
        if chosen:
            path = Path(chosen)
            profiles = [Path(self.profile_box.itemData(i)) for i in range(self.profile_box.count())]
            self.set_profiles(profiles, path)
            self.profile_chosen.emit(path)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._title.setText(self.tr("Medical insurance audit — on-site evidence"))
        self._subtitle.setText(
            self.tr("Two inspectors must be present. Each unlocks with their own passphrase.")
        )
        self._profile_label.setText(self.tr("P&rofile"))
        self.browse_button.setText(self.tr("Open other..."))
        if getattr(self, "_no_inspectors", False):
            self.notice.setText(
                self.tr(
                    "No inspector is enrolled in this profile yet. Enrol two inspectors first "
                    "(python -m app.cli enroll)."
                )
            )
            self.notice.show()
        else:
            self.notice.clear()
            self.notice.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()


class LockPage(QWidget):
    """Shown after auto-lock or Ctrl+L: nothing of the case is on screen."""

    unlock_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel()
        self._title.setProperty("role", "title")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._text = QLabel()
        self._text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._text.setWordWrap(True)
        self.unlock_button = QPushButton()
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setMinimumWidth(240)
        self.unlock_button.clicked.connect(self.unlock_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self._title)
        layout.addWidget(self._text)
        layout.addSpacing(24)
        layout.addWidget(self.unlock_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._title.setText(self.tr("Locked"))
        self._text.setText(
            self.tr("The screen was cleared to protect case data. Both inspectors unlock again to continue.")
        )
        self.unlock_button.setText(self.tr("Unlock"))
