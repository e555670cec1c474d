"""Closing: what is still missing, the documents to print, who is present, and the final checkpoint.

Closing needs two inspectors present (each unlocked with their own passphrase) and nothing missing
(000 Art. 7(2); 条例 Art. 29); after it the case is read-only and further entries are signed corrections."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.ui.labels import form_label
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, missing_field_box, note_label
from app.ui.steps.later_forms import ServiceBox
from app.ui.workspace import Workspace

if TYPE_CHECKING:
    from app.ui.print_preview import PrintPreviewDialog  # QtPdf is loaded on the first print
    from app.workflow.printing import RenderedForm

PDF_TARGET = ""  # the print-target combo's data for "PDF files in a folder"


class ClosingPage(StepPage):
    step = "closing"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        # what closing still needs is the case page's 尚缺 list below (each entry a link)
        _box, self.print_form = self.group(self.tr("Documents to print"))
        self.print_rows: dict[str, tuple[QPushButton, object]] = {}
        # where "print" sends the forms: a printer, or PDF files written into a folder (counted once written)
        self.target = QComboBox()
        self.target.addItem(self.tr("PDF files in a folder"), PDF_TARGET)
        from PySide6.QtPrintSupport import QPrinterInfo

        for name in QPrinterInfo.availablePrinterNames():
            self.target.addItem(name, name)
        self.pdf_folder = QLineEdit()
        self.pdf_folder.setPlaceholderText(self.tr("Folder for the PDF files"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(self.pdf_folder, 2)
        row.addWidget(browse)
        self.print_form.addRow(self.tr("Print to"), row)
        self.target.currentIndexChanged.connect(
            lambda _i: self.pdf_folder.setEnabled(self.target.currentData() == PDF_TARGET))
        self.print_all_button = self.button(self.tr("Print all on-the-spot forms"), self.print_all, primary=True,
                                            edit=False)
        self.print_state = note_label()
        self.print_form.addRow(self.print_state, self.print_all_button)
        # the documents after the visit (notices, 送达回证): previewed and printed here, their details entered on
        # the step that owns them (app.workflow.document_fields)
        _box, self.later_form = self.group(self.tr("Documents after the visit"))
        self.later_rows: dict[str, QPushButton] = {}
        self._service_box = ServiceBox(self)
        self.service = self._service_box.inputs
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
        """Render one form and show its preview; only printing it from the preview counts."""
        printer = self.ws.printer
        case_id, actor = self.case_id, self.ws.actor
        self.ws.run(self, lambda store: printer(store, case_id, form, actor), self.show_preview, mutate=False,
                    busy=self.tr("Rendering…"), failed=self.print_failed)

    def show_preview(self, rendered: RenderedForm) -> None:
        """The preview of the form just rendered, with "打印…" to a printer (one preview open at a time). A print
        the printer accepted is journaled; looking at the preview is not a print."""
        from app.ui.print_preview import PrintPreviewDialog

        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        notice = stale_text(rendered)
        self.preview = PrintPreviewDialog(self, rendered.pdf, form_label(rendered.form), notice)
        self.preview.printed.connect(lambda _pages, r=rendered: self.record_prints([r]))
        if rendered.stale:
            self.preview.add_action(self.tr("Re-issue…"), lambda r=rendered: self.ask_reissue(r))
            self.preview.add_action(self.tr("Correction notice…"), lambda r=rendered: self.ask_correction(r))
        self.preview.open()

    def ask_reissue(self, rendered: RenderedForm) -> None:
        """Replace the stale documents of ``rendered`` from the current case data (asks why; the workflow decides
        whether it may, and its refusal is shown as it words it), then preview the form again."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Re-issue the document"))
        dialog.setLabelText(self.tr("Why is the document re-issued? (It gets a new number and date; the old one is "
                                    "superseded.)"))
        form, case_id, actor = rendered.form, self.case_id, self.ws.actor
        stale = list(rendered.stale)

        def chosen(reason: str) -> None:
            def work(store):  # type: ignore[no-untyped-def]
                from app.workflow.reissue import reissue

                return [reissue(store, case_id, s.form, actor, reason=reason, served_form=s.served_form,
                                served_number=s.served_number)
                        for s in stale]

            self.act("reissue", work, lambda _docs: self.print_form_now(form))

        dialog.textValueSelected.connect(chosen)
        self.reissue_dialog = dialog
        dialog.open()

    def ask_correction(self, rendered: RenderedForm) -> None:
        """A served document is changed by a 更正（补正）通知书: asks for each correction (one “原文=>更正为” a line)
        and the reason; the workflow decides whether it may (its refusal shown as it words it: before service,
        re-issue), then previews the correction notices."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPlainTextEdit

        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Correction notice"))
        form_layout = QFormLayout(dialog)
        items, reason = QPlainTextEdit(dialog), QLineEdit(dialog)
        items.setPlaceholderText(self.tr("original text=>corrected text (one a line)"))
        form_layout.addRow(self.tr("Corrections"), items)
        form_layout.addRow(self.tr("Reason"), reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   parent=dialog)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form_layout.addRow(buttons)
        case_id, actor = self.case_id, self.ws.actor
        forms = [s.form for s in rendered.stale if s.form != "service-receipt"] or [rendered.form]

        def chosen() -> None:
            lines = [line for line in items.toPlainText().splitlines() if line.strip()]
            why = reason.text()

            def work(store):  # type: ignore[no-untyped-def]
                from app.workflow.correction import correct, parse_item

                pairs = [parse_item(line) for line in lines]
                return [correct(store, case_id, actor, form, pairs, why) for form in dict.fromkeys(forms)]

            self.act("correct", work, lambda _docs: self.print_form_now("correction"))

        dialog.accepted.connect(chosen)
        self.correction_dialog = dialog
        self.correction_items, self.correction_reason = items, reason
        dialog.open()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the PDF files"), self.pdf_folder.text())
        if folder:
            self.pdf_folder.setText(folder)

    def print_all(self) -> None:
        """Render every on-the-spot form the case needs and send them all to the chosen target in one action."""
        snap = self.snap
        if snap is None:
            return
        forms = list(snap.required_forms)
        target = self.target.currentData()
        folder = self.pdf_folder.text().strip()
        if target == PDF_TARGET and not folder:
            self.print_state.setText(self.tr("Choose the folder for the PDF files first."))
            self.pdf_folder.setFocus()
            return
        if target == PDF_TARGET:
            try:
                folder = str(check_pdf_folder(folder))
            except PdfFolderProblem as exc:
                from app.ui.widgets.errors import show_error

                self.print_state.setText(self.tr("Not printed: %1").replace("%1", self.tr(", ").join(map(form_label, forms))))
                show_error(self, exc)
                self.pdf_folder.setFocus()
                return
        printer = self.ws.printer
        case_id, actor = self.case_id, self.ws.actor
        self.print_state.setText(self.tr("Rendering %1 form(s)…").replace("%1", str(len(forms))))

        def rendered(items: list[RenderedForm]) -> None:
            accepted = self.send(items, target, Path(folder) if folder else None)
            if accepted:
                self.record_prints(accepted)
            notes = [stale_text(r) for r in items if r.stale]
            if notes:
                self.print_state.setText("\n".join([self.print_state.text(), *notes]))

        self.ws.run(self, lambda store: [printer(store, case_id, f, actor) for f in forms], rendered, mutate=False,
                    busy=self.tr("Rendering…"), failed=self.print_failed)

    def send(self, items: list[RenderedForm], target: str, folder: Path | None) -> list[RenderedForm]:
        """Hand each form to the printer or the PDF writer; returns those accepted (errors are shown plainly)."""
        from app.ui.widgets.errors import show_error

        accepted: list[RenderedForm] = []
        failed: list[str] = []
        written: list[str] = []
        for item in items:
            try:
                if target == PDF_TARGET:
                    assert folder is not None
                    written.append(write_pdf(folder, item).name)
                else:
                    print_on(target, item)
            except Exception as exc:  # shown plainly (the first only: one cause, one box); the others still go out
                if not failed:
                    show_error(self, exc)
                failed.append(form_label(item.form))
                continue
            accepted.append(item)
        text = self.tr("%1 form(s) printed.").replace("%1", str(len(accepted)))
        if written:  # where they went: the folder field may show only the end of a long path
            text += " " + self.tr("Saved in %1 as: %2").replace("%1", str(folder)).replace(
                "%2", self.tr(", ").join(written))
        if failed:
            text += " " + self.tr("Not printed: %1").replace("%1", self.tr(", ").join(failed))
        self.print_state.setText(text)
        return accepted

    def field_widgets(self) -> dict[str, QWidget]:
        widgets: dict[str, QWidget] = {f"closing.print.{f}": self.print_all_button for f in self.print_rows}
        widgets.update({"closing.two_inspectors": self.close_button})
        widgets.update(self._service_box.field_widgets())
        return widgets

    def print_failed(self, exc: BaseException) -> None:
        """A form lacks a case field: say which, and offer to go where it is entered."""
        self.print_state.setText("")
        field, step = getattr(exc, "field", None), getattr(exc, "step", None)
        if not field or not step:
            from app.ui.widgets.errors import show_error

            show_error(self, exc)
            return
        self.missing_field_box = missing_field_box(self, exc, lambda: self.navigate.emit(step, field))

    def record_prints(self, items: list[RenderedForm]) -> None:
        """Journal the prints a printer or the PDF writer accepted (one ``document.printed`` each)."""
        from app.workflow.printing import record_accepted

        actor = self.ws.actor
        self.act("print", lambda store: [record_accepted(store, r, actor) for r in items])

    def close_case(self) -> None:
        from app.facade.steps import close_case

        actors = self.ws.team_ids()
        case_id = self.case_id
        self.act("close", lambda store: close_case(store, case_id, actors))

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
    def _show_later(self, forms: list[str]) -> None:
        for form in forms:
            if form not in self.later_rows:
                button = self.button(self.tr("Preview: %1").replace("%1", form_label(form)),
                                     lambda f=form: self.print_form_now(f), edit=False)
                self.later_form.addRow(button)
                self.later_rows[form] = button
        for form, button in self.later_rows.items():
            button.setVisible(form in forms)

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from app.workflow.document_fields import later_forms_of

        case_id = self.case_id
        self.ws.run(self, lambda store: later_forms_of(store, case_id), self._show_later, mutate=False)
        self._service_box.show_snapshot(snap)
        for form in snap.required_forms:
            if form not in self.print_rows:
                state = note_label()
                button = self.button(self.tr("Preview: %1").replace("%1", form_label(form)),
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


def stale_text(rendered: RenderedForm) -> str:
    """What the workflow says about the documents of ``rendered`` printed as issued although the case data they
    read changed since, in the current language ('' when none is)."""
    from app.ui.i18n import pick

    lines = []
    for s in rendered.stale:
        line = pick(s.message_zh, s.message_en)
        if s.reason_zh:
            line += " " + pick(s.reason_zh, s.reason_en)
        lines.append(line)
    return "\n".join(lines)


class PdfFolderProblem(Exception):
    message_zh = "无法写入PDF文件：所选文件夹不存在或不可写。"
    message_en = "The PDF file cannot be written: the folder does not exist or is not writable."
    hint_zh = "请选择一个可写的文件夹后重试。"
    hint_en = "Choose a writable folder and try again."

    def __init__(self, message_zh: str = "", message_en: str = "") -> None:
        super().__init__(message_en or self.message_en)
        if message_zh:
            self.message_zh, self.message_en = message_zh, message_en


def check_pdf_folder(text: str) -> Path:
    """The folder typed or chosen for the PDF files, or ``PdfFolderProblem`` saying what is wrong with it — before
    anything is rendered (each form's failure was its own message box, five of them for one typo). A relative
    path would be resolved against wherever the program happened to start, a folder the inspector never sees."""
    folder = Path(text.strip()).expanduser()
    if not folder.is_absolute():
        raise PdfFolderProblem(f"“{text.strip()}”不是完整的文件夹路径：请点“选择…”选定文件夹。",
                               f"'{text.strip()}' is not a full folder path: use Choose… to pick the folder.")
    if folder.exists() and not folder.is_dir():
        raise PdfFolderProblem(f"“{folder}”是一个文件，不是文件夹：请选择文件夹。",
                               f"'{folder}' is a file, not a folder: choose a folder.")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise PdfFolderProblem
    return folder


def write_pdf(folder: Path, item: RenderedForm) -> Path:
    """The PDF writer: the exact rendered bytes, written atomically (owner-only) as ``<form>-<case>.pdf``, a
    reprint as ``<form>-<case>-2.pdf`` … (``printing.write_print``: an earlier printed copy is never replaced).
    Returns the path written."""
    from app.workflow.printing import write_print

    if not folder.is_dir():
        raise PdfFolderProblem
    path = folder / f"{item.form}-{item.case_id[:8]}.pdf"
    if path.is_dir():  # the rename onto it fails; "the folder is not writable" sent the inspector the wrong way
        raise PdfFolderProblem(f"文件夹中已有一个名为“{path.name}”的文件夹，PDF文件无法以此名称保存：请改名或移走它，或选择其他文件夹。",
                               f"The folder holds a folder named '{path.name}', so the PDF cannot be saved under "
                               "that name: rename or move it, or choose another folder.")
    try:
        return write_print(path, item.pdf)
    except OSError as exc:
        raise PdfFolderProblem from exc


def print_on(printer_name: str, item: RenderedForm) -> int:
    """Send every page of ``item`` to the named printer; raises ``PrintFailed`` when it does not take the job."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from app.ui.print_preview import print_document

    data = QByteArray(item.pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(printer_name)
    printer.setDocName(form_label(item.form))
    return print_document(document, printer)
