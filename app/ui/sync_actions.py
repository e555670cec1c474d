"""Synchronisation with the central archive from the GUI: the controller behind the 同步 action. It asks for the
archive address (or offers registration on a laptop not yet registered), runs the work of ``app.ui.sync_work`` on
the store's one worker thread (``Workspace.run_ctx`` on ``services.store_pool``) with a progress dialog whose
Cancel stops the sync resumably, and shows the outcome or the error with what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from app.errors import FieldAuditError
from app.ui.sync_work import (
    Observer,
    SyncStatus,
    SyncSummary,
    explain,
    load_sync_status,
    run_register,
    run_sync,
)
from app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from app.ui.operations import Operation
    from app.ui.sync_dialogs import RegisterDialog, SyncDialog
    from app.ui.workspace import Workspace


# --- the controller --------------------------------------------------------------------------------
class SyncController(QObject):
    """Sync and registration for one unlocked workspace. ``synced(SyncSummary)``, ``registered(dict)``.

    ``observer`` (optional) sees every ``SyncProgress`` on the worker thread before the dialog does; tests use it
    to hold a sync at a known point."""

    synced = Signal(object)
    registered = Signal(object)

    def __init__(self, workspace: Workspace, window: QWidget) -> None:
        super().__init__(window)
        self.ws = workspace
        self.window = window
        self.observer: Observer | None = None
        self.operation: Operation[Any] | None = None
        self.dialog: SyncDialog | RegisterDialog | None = None
        self.message: QMessageBox | None = None  # the last prompt, summary or error shown
        self.closed = False

    def busy(self) -> bool:
        return self.operation is not None and not self.operation.is_done

    def shutdown(self) -> None:
        """The store is being locked: stop a running sync (it resumes next time) and show nothing more."""
        self.closed = True
        if self.busy():
            assert self.operation is not None
            self.operation.cancel()

    # --- entry points
    def sync(self) -> None:
        """The Sync action: registration first if needed, else ask for the address and sync."""
        if self.closed or self.busy():
            return
        self.ws.run(self.window, load_sync_status, self._ask_sync, mutate=False)

    def register(self) -> None:
        if self.closed or self.busy():
            return
        self.ws.run(self.window, load_sync_status, self._ask_register, mutate=False)

    # --- sync
    def _ask_sync(self, status: SyncStatus) -> None:
        if self.closed:
            return
        if not status.registered:
            self._offer_registration(status)
            return
        from app.ui.sync_dialogs import SyncDialog

        dialog = SyncDialog(self.window, status)
        dialog.sync_requested.connect(self.start_sync)
        self.dialog = dialog
        dialog.open()

    def start_sync(self, url: str) -> None:
        if self.closed or self.busy():
            return
        observer = self.observer
        op = self.ws.run_ctx(self.window, lambda store, ctx: run_sync(store, url, ctx, observer), self._synced,
                             failed=self._sync_failed, busy=self.tr("Synchronising with the archive…"),
                             cancellable=True)
        op.cancelled(self._sync_cancelled)
        self.operation = op

    def _synced(self, summary: SyncSummary) -> None:
        if self.closed:
            return
        from app.ui.sync_dialogs import SyncSummaryBox

        self.message = SyncSummaryBox(self.window, summary)
        self.message.open()
        self.synced.emit(summary)

    def _sync_failed(self, exc: BaseException) -> None:
        from app.sync.errors import NotRegistered

        if self.closed:
            return
        self.ws.changed.emit()  # cases acknowledged before the failure are archived: show it
        if isinstance(exc, NotRegistered):
            self.ws.run(self.window, load_sync_status, self._offer_registration, mutate=False)
            return
        self.message = show_error(self.window, explain(exc))

    def _sync_cancelled(self) -> None:
        if self.closed:
            return
        from app.sync.errors import SyncCancelled

        self.ws.changed.emit()
        self.message = _info(self.window, self.tr("Sync cancelled"), pick_text(SyncCancelled()))

    # --- registration
    def _offer_registration(self, status: SyncStatus) -> None:
        if self.closed:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Register this laptop"),
                          self.tr("This laptop is not registered with the archive yet. It must be registered once, "
                                  "at the office, with the one-time enrolment code and both inspectors present."),
                          QMessageBox.StandardButton.Cancel, self.window)
        register: QPushButton = box.addButton(self.tr("Register…"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(register)
        register.clicked.connect(lambda: self._ask_register(status))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

    def _ask_register(self, status: SyncStatus) -> None:
        if self.closed:
            return
        from app.ui.sync_dialogs import RegisterDialog

        dialog = RegisterDialog(self.window, self.ws, status)
        dialog.register_requested.connect(self.start_register)
        self.dialog = dialog
        dialog.open()

    def start_register(self, url: str, code: str, fingerprint: str) -> None:
        if self.closed or self.busy():
            return
        op = self.ws.run_ctx(self.window, lambda store, ctx: run_register(store, url, code, fingerprint, ctx),
                             self._registered, failed=self._show_error,
                             busy=self.tr("Registering with the archive…"), cancellable=True)
        self.operation = op

    def _registered(self, pin: dict[str, Any]) -> None:
        if self.closed:
            return
        from app.ui.sync_dialogs import RegisteredBox

        box = RegisteredBox(self.window, pin, [name for _i, name in self.ws.team])
        url = str(pin.get("url", ""))
        box.sync_now.clicked.connect(lambda: self.start_sync(url))
        self.message = box
        box.open()
        self.registered.emit(pin)

    def _show_error(self, exc: BaseException) -> None:
        if not self.closed:
            self.message = show_error(self.window, explain(exc))


def pick_text(exc: FieldAuditError) -> str:
    from app.ui.i18n import pick

    return pick(exc.message_zh, exc.message_en)


def _info(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
