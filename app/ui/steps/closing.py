"""Closing: what is still missing, the documents to print, who is present, and the final checkpoint.

Closing needs two inspectors present (each unlocked with their own passphrase) and nothing missing
(000 Art. 7(2); 条例 Art. 29); after it the case is read-only and further entries are signed corrections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from app.models.profile import Store
from app.ui.i18n import pick
from app.ui.labels import form_label
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, note_label
from app.ui.widgets.icons import icon
from app.ui.workspace import Workspace

if TYPE_CHECKING:
    from app.ui.print_preview import PrintPreviewDialog  # QtPdf is loaded on the first print


class ClosingPage(StepPage):
    step = "closing"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        _box, form = self.group(self.tr("Still missing"))
        self.missing = QListWidget()
        self.missing.setMinimumHeight(180)
        self.missing.setWordWrap(True)
        form.addRow(self.missing)
        _box, self.print_form = self.group(self.tr("Documents to print"))
        self.print_rows: dict[str, tuple[QPushButton, object]] = {}
        _box, self.team_form = self.group(self.tr("Inspectors present"))
        self.team_rows: dict[str, tuple[object, QPushButton, QPushButton]] = {}
        self.preview: PrintPreviewDialog | None = None
        self.state = note_label()
        self.close_button = self.button(self.tr("Close the on-site audit"), self.close_case, primary=True)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.close_button)
        self.body.addLayout(row)
        self.body.addStretch(1)

    # --- actions
    def print_form_now(self, form: str) -> None:
        """Render through the printer dependency (which journals the print), then show the print preview."""
        printer = self.ws.printer
        case_id, actor = self.case_id, self.ws.actor

        def work(store: Store) -> bytes:
            return printer(store, case_id, form, actor)

        self.act(f"print:{form}", work, lambda pdf: self.show_preview(form, pdf), busy=self.tr("Printing…"))

    def show_preview(self, form: str, pdf: bytes) -> None:
        """The preview of the PDF just rendered, with "打印…" to a printer (one preview open at a time)."""
        from app.ui.print_preview import PrintPreviewDialog

        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        self.preview = PrintPreviewDialog(self, pdf, form_label(form))
        self.preview.open()

    def close_case(self) -> None:
        from app.workflow.steps_closing import close_case

        actors = self.ws.team_ids()
        case_id = self.case_id

        def work(store):  # type: ignore[no-untyped-def]
            with store.transaction() as s:
                return close_case(s, store, case_id, actors)

        self.act("close", work)

    def leave(self, inspector_id: str) -> None:
        """An inspector leaves the site: their signing key is forgotten until they confirm again."""
        self.ws.run(self, lambda store: store.forget_signer(inspector_id), lambda _r: self.acted.emit("leave"))

    def rejoin(self, inspector_id: str, name: str) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Confirm in person"))
        dialog.setLabelText(self.tr("%1, enter your own passphrase:").replace("%1", name))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.textValueSelected.connect(lambda secret: self.act(
            "rejoin", lambda store: store.unlock_inspector(secret, inspector_id)))
        self.passphrase_dialog = dialog
        dialog.open()

    # --- showing
    def show_snapshot(self, snap: CaseSnapshot) -> None:
        status = snap.statuses.get("closing")
        self.missing.clear()
        if snap.is_closed:
            self.missing.addItem(self.tr("Closed at %1. The case is read-only; further entries are corrections.")
                                 .replace("%1", snap.closed[:19].replace("T", " ")))
        elif status is not None:
            for m in status.missing:
                self.missing.addItem(QListWidgetItem(icon("missing"), pick(m.message_zh, m.message_en)))
            if status.done:
                self.missing.addItem(self.tr("Nothing is missing: the audit can be closed."))
        for form in snap.required_forms:
            if form not in self.print_rows:
                state = note_label()
                button = self.button(self.tr("Print: %1").replace("%1", form_label(form)),
                                     lambda f=form: self.print_form_now(f), edit=False)
                self.print_form.addRow(state, button)
                self.print_rows[form] = (button, state)
            button, state = self.print_rows[form]  # type: ignore[assignment]
            done = snap.printed.get(form)
            state.setText(self.tr("Printed %1 time(s)").replace("%1", str(len(done))) if done  # type: ignore[attr-defined]
                          else self.tr("Not printed"))
        for info in snap.inspectors:
            if info.id not in self.team_rows:
                state = note_label()
                leave = self.button(self.tr("Leaves the site"), lambda iid=info.id: self.leave(iid))
                rejoin = self.button(self.tr("Confirm presence"), lambda iid=info.id, n=info.name: self.rejoin(iid, n))
                row = QHBoxLayout()
                row.addWidget(state, 1)
                row.addWidget(leave)
                row.addWidget(rejoin)
                self.team_form.addRow(f"{info.name}（{info.credential_no}）", row)
                self.team_rows[info.id] = (state, leave, rejoin)
            state, leave, rejoin = self.team_rows[info.id]  # type: ignore[assignment]
            state.setText(self.tr("present (passphrase entered)") if info.unlocked  # type: ignore[attr-defined]
                          else self.tr("not present"))
            leave.setProperty("blocked", not info.unlocked)
            rejoin.setProperty("blocked", info.unlocked)
        self.state.setText(self.tr("Closed") if snap.is_closed else "")
