"""The dialogs of synchronisation: the archive address before a sync, registration (enrolment code and the
archive key fingerprint to confirm), and the outcome. The work itself is in ``app.ui.sync_actions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import FieldAuditError
from app.ui.i18n import pick
from app.ui.sync_work import SyncStatus, SyncSummary, check_url, counts_text, explain, fetch_fingerprint
from app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from app.ui.operations import Operation
    from app.ui.workspace import Workspace

URL_PLACEHOLDER = "https://archive.example.gov.cn:8443"


def _buttons(ok: QPushButton, cancel: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(cancel)
    row.addWidget(ok)
    ok.setProperty("primary", True)
    ok.setDefault(True)
    return row


def _error_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    return label


class SyncDialog(QDialog):
    """Asks for the archive address (prefilled) before a sync; ``sync_requested(url)`` on Sync."""

    sync_requested = Signal(str)

    def __init__(self, parent: QWidget | None, status: SyncStatus) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Sync with the archive"))
        self.setMinimumWidth(560)
        intro = QLabel(self.tr("Sends the audits, evidence and journal of this laptop to the archive and fetches new "
                               "assignments. The archive checks every hash and signature before it accepts anything; "
                               "nothing is deleted here."))
        intro.setWordWrap(True)
        self.url = QLineEdit(status.url)
        self.url.setPlaceholderText(URL_PLACEHOLDER)
        self.url.setClearButtonEnabled(True)
        form = QFormLayout()
        form.addRow(self.tr("Archive address"), self.url)
        fingerprint = QLabel(status.fingerprint)
        fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Archive key"), fingerprint)
        form.addRow(self.tr("Audits waiting"), QLabel(str(status.pending_cases)))
        self.error = _error_label()
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.sync_button.clicked.connect(self._sync)
        self.cancel_button.clicked.connect(self.reject)
        self.url.textChanged.connect(lambda _t: self.error.clear())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(_buttons(self.sync_button, self.cancel_button))

    def _sync(self) -> None:
        try:
            url = check_url(self.url.text())
        except FieldAuditError as exc:
            self.error.setText(pick(exc.message_zh, exc.message_en))
            return
        self.accept()
        self.sync_requested.emit(url)


class RegisterDialog(QDialog):
    """Registration: the archive address, its key fingerprint to confirm, the one-time enrolment code.
    ``register_requested(url, code, fingerprint)``; the client pins the archive key only if it has that
    fingerprint."""

    register_requested = Signal(str, str, str)

    def __init__(self, parent: QWidget | None, workspace: Workspace, status: SyncStatus) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.fingerprint = ""
        self.fetch_op: Operation[Any] | None = None
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Register this laptop with the archive"))
        self.setMinimumWidth(640)
        intro = QLabel(self.tr("Registration is done once, at the office. It enrols this laptop and the keys of both "
                               "inspectors with the archive, so both must be present."))
        intro.setWordWrap(True)
        team = QLabel("、".join(name for _i, name in workspace.team))
        self.url = QLineEdit(status.url)
        self.url.setPlaceholderText(URL_PLACEHOLDER)
        self.url.setClearButtonEnabled(True)
        self.check_button = QPushButton(self.tr("Check the archive"))
        self.check_button.clicked.connect(self.check)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url, 1)
        url_row.addWidget(self.check_button)
        self.fingerprint_label = QLabel(self.tr("Check the archive to see its key fingerprint."))
        self.fingerprint_label.setWordWrap(True)
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirm = QCheckBox(self.tr("This fingerprint matches the one the archive office read out"))
        self.confirm.setEnabled(False)
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("One-time code from the archive office"))
        form = QFormLayout()
        form.addRow(self.tr("Inspectors"), team)
        form.addRow(self.tr("Archive address"), url_row)
        form.addRow(self.tr("Archive key"), self.fingerprint_label)
        form.addRow("", self.confirm)
        form.addRow(self.tr("Enrolment code"), self.code)
        self.error = _error_label()
        self.register_button = QPushButton(self.tr("Register"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.register_button.clicked.connect(self._register)
        self.cancel_button.clicked.connect(self.reject)
        self.url.textChanged.connect(lambda _t: self._forget_fingerprint())
        self.url.returnPressed.connect(self.check)
        self.confirm.toggled.connect(lambda _c: self._update())
        self.code.textChanged.connect(lambda _t: self._update())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(_buttons(self.register_button, self.cancel_button))
        self._update()

    def check(self) -> None:
        """Ask the archive for its key fingerprint (on the store's worker: the request is made by this device)."""
        self.error.clear()
        try:
            url = check_url(self.url.text())
        except FieldAuditError as exc:
            self.error.setText(pick(exc.message_zh, exc.message_en))
            return
        self.check_button.setEnabled(False)
        self.fingerprint_label.setText(self.tr("Contacting the archive…"))
        self.fetch_op = self.ws.run(self, lambda store: fetch_fingerprint(store, url),
                                    lambda fp: self._fetched(url, fp), mutate=False, failed=self._fetch_failed)

    def _fetched(self, url: str, fingerprint: str) -> None:
        self.check_button.setEnabled(True)
        if url != check_url(self.url.text()):  # edited meanwhile
            self._forget_fingerprint()
            return
        self.fingerprint = fingerprint
        self.fingerprint_label.setText(fingerprint)
        font = QFont("monospace")
        font.setPointSize(16)
        font.setBold(True)
        self.fingerprint_label.setFont(font)
        self.confirm.setEnabled(True)
        self._update()

    def _fetch_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self._forget_fingerprint()
        show_error(self, explain(exc))

    def _forget_fingerprint(self) -> None:
        self.fingerprint = ""
        self.fingerprint_label.setFont(self.font())
        self.fingerprint_label.setText(self.tr("Check the archive to see its key fingerprint."))
        self.confirm.setChecked(False)
        self.confirm.setEnabled(False)
        self._update()

    def _update(self) -> None:
        self.register_button.setEnabled(bool(self.fingerprint) and self.confirm.isChecked()
                                        and bool(self.code.text().strip()))

    def _register(self) -> None:
        if not self.register_button.isEnabled():
            return
        url = check_url(self.url.text())
        self.accept()
        self.register_requested.emit(url, self.code.text().strip(), self.fingerprint)


class SyncSummaryBox(QMessageBox):
    """The outcome of a completed sync, in plain words (call ``open()``)."""

    def __init__(self, parent: QWidget | None, summary: SyncSummary) -> None:
        super().__init__(parent)
        refused = len(summary.refused)
        self.setIcon(QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Information)
        self.setWindowTitle(self.tr("Sync finished"))
        lines = [self.tr("The archive accepted %1 audit(s).").replace("%1", str(len(summary.accepted)))]
        if refused:
            lines.append(self.tr("%1 audit(s) were refused and stay on this laptop unchanged; see the details.")
                         .replace("%1", str(refused)))
        self.setText("\n".join(lines))
        info = [counts_text(len(summary.accepted), refused, summary.conflicts),
                self.tr("Sent %1 MB (%2 evidence file(s)).").replace("%1", f"{summary.bytes_sent / 1e6:.1f}")
                .replace("%2", str(summary.blobs_uploaded))]
        if summary.conflicts:
            info.append(self.tr("Conflicting edits are kept side by side at the archive for a person to resolve."))
        if summary.cases_created:
            info.append(self.tr("New audits from the office: %1").replace("%1", "；".join(summary.cases_created)))
        if summary.assignments_pending:
            info.append(self.tr("%1 assignment(s) wait until their inspectors are enrolled on this laptop.")
                        .replace("%1", str(summary.assignments_pending)))
        if summary.skipped:
            info.append(self.tr("%1 office record(s) could not be used and were skipped: %2")
                        .replace("%1", str(len(summary.skipped)))
                        .replace("%2", "；".join(name for name, _why in summary.skipped)))
        self.setInformativeText("\n".join(info))
        details = [self.tr("Accepted: %1").replace("%1", label) for label in summary.accepted]
        details += [self.tr("Refused: %1 (%2)").replace("%1", label).replace("%2", codes)
                    for label, codes in summary.refused]
        details += [self.tr("Skipped: %1 (%2)").replace("%1", name).replace("%2", why)
                    for name, why in summary.skipped]
        if details:
            self.setDetailedText("\n".join(details))
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


class RegisteredBox(QMessageBox):
    """Registration done: the pinned fingerprint, the inspectors enrolled and a Sync now button."""

    def __init__(self, parent: QWidget | None, pin: dict[str, Any], names: list[str]) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Information)
        self.setWindowTitle(self.tr("Registered"))
        self.setText(self.tr("This laptop is registered with the archive at %1.").replace("%1", str(pin.get("url", ""))))
        self.setInformativeText(self.tr("Archive key fingerprint: %1\nInspectors enrolled: %2")
                                .replace("%1", str(pin.get("fingerprint", ""))).replace("%2", "、".join(names)))
        self.setStandardButtons(QMessageBox.StandardButton.Close)
        self.sync_now = self.addButton(self.tr("Sync now"), QMessageBox.ButtonRole.AcceptRole)
        self.setDefaultButton(self.sync_now)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
