"""Shared part of the record pages: the signed versions, read-back, and the party's signature per page.

The read-back shows the record's document page by page exactly as it prints (``RecordInfo.pages``, from
``app.workflow.issuing.read_back``: same text, same page breaks), and a signature binds the hash of the page shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QTextBrowser, QWidget

from app.evidence.page_hash import text_sha256
from app.ui.snapshot import CaseSnapshot, RecordInfo
from app.ui.steps.base import RefusalDialog, SignatureDialog, StepPage, note_label
from app.ui.workspace import Workspace


class RecordPage(StepPage):
    """Subclasses set ``kind`` and build the editor above ``add_signing_section``."""

    kind = ""
    draft_exclude = ("version_box", "page_spin")  # which version and page are shown: not typed content
    draft_ends_on = frozenset({"record", "correction"})

    @staticmethod
    def record_pages(rec: RecordInfo) -> list[str]:
        """The pages the party reads and signs: the record's document as printed."""
        return rec.pages

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        self.sign_dialog: SignatureDialog | None = None
        self.refusal_dialog: RefusalDialog | None = None

    def add_signing_section(self) -> None:
        _box, form = self.group(self.tr("Read back and sign"))
        self.version_box = QComboBox()
        self.readback = QTextBrowser()
        self.readback.setMinimumHeight(260)
        self.page_spin = QSpinBox()
        self.page_spin.setMinimum(1)
        self.record_state = note_label()
        form.addRow(self.tr("Signed record"), self.version_box)
        form.addRow(self.readback)
        row = QHBoxLayout()
        row.addWidget(self.page_spin)
        self.sign_page_button = self.button(self.tr("Party signs this page"), self.sign_page, primary=True)
        row.addWidget(self.sign_page_button)
        row.addWidget(self.button(self.tr("Record refusal to sign"), self.refuse))
        row.addStretch(1)
        form.addRow(self.tr("Page"), row)
        form.addRow(self.record_state)
        self.version_box.currentIndexChanged.connect(lambda _i: self._show_record())
        self.page_spin.valueChanged.connect(lambda _v: self._show_record())

    def current_record(self) -> RecordInfo | None:
        rid = self.version_box.currentData()
        if self.snap is None or rid is None:
            return None
        return next((r for r in self.snap.records if r.id == rid), None)

    def _show_record(self) -> None:
        rec = self.current_record()
        if rec is None:
            self.readback.setPlainText("")
            self.record_state.setText(self.tr("No signed record yet: fill in the record and sign it."))
            return
        pages = self.record_pages(rec)
        if not pages:  # what the case still lacks for the record's document (a one-line user message)
            self.readback.setPlainText("")
            self.record_state.setText(rec.pages_error)
            return
        self.page_spin.setMaximum(len(pages))
        page = min(self.page_spin.value(), len(pages))
        self.readback.setPlainText(pages[page - 1])
        party = {"signed": self.tr("signed"), "refused": self.tr("refusal recorded")}.get(rec.party or "",
                                                                                      self.tr("not signed"))
        self.record_state.setText(self.tr("Version %1 · both inspectors signed · party: %2 · pages signed %3 of %4")
                                  .replace("%1", str(rec.version)).replace("%2", party)
                                  .replace("%3", str(rec.pages_signed)).replace("%4", str(len(pages))))

    def signer_defaults(self, rec: RecordInfo) -> tuple[str, str, str]:
        return "", "", ""

    def sign_page(self) -> None:
        rec = self.current_record()
        if rec is None:
            return
        pages = self.record_pages(rec)
        if not pages:
            return
        page = min(self.page_spin.value(), len(pages))
        last = page == len(pages)
        name, role, id_number = self.signer_defaults(rec)
        statement = rec.content.get("closing", "") if last and self.kind == "interview" else ""
        dialog = SignatureDialog(self, self.tr("Signature on page %1").replace("%1", str(page)), name=name,
                                 role=role, id_number=id_number, statement=statement)
        self.sign_dialog = dialog

        shown = text_sha256(pages[page - 1])
        record_id = rec.id
        actor = self.ws.actor

        def accepted() -> None:
            from app.workflow.issuing import sign_record_page

            signer, strokes, png = dialog.result_data()
            words = dialog.statement.text().strip()

            def done(_r: Any) -> None:
                if page < len(pages):
                    self.page_spin.setValue(page + 1)

            self.act(f"sign-page:{page}", lambda store: sign_record_page(
                store, self.case_id, record_id, actor, page, shown, signer, strokes, png, purpose=self.kind,
                statement=words), done)

        dialog.accepted.connect(accepted)
        dialog.open()

    def refuse(self) -> None:
        rec = self.current_record()
        if rec is None:
            return
        name = self.signer_defaults(rec)[0]
        dialog = RefusalDialog(self, self.tr("The party does not sign"), name=name)
        self.refusal_dialog = dialog
        record_id = rec.id

        def accepted() -> None:
            from app.evidence.provider import record_refusal

            reason, signer, witness = dialog.result_data()
            self.act("refusal", lambda store: record_refusal(store, self.case_id, record_id, reason, signer=signer,
                                                             witness=witness))

        dialog.accepted.connect(accepted)
        dialog.open()

    def show_records(self, snap: CaseSnapshot) -> None:
        keep = self.version_box.currentData()
        self.version_box.blockSignals(True)
        self.version_box.clear()
        for rec in [r for r in snap.records if r.kind == self.kind]:
            label = self.tr("Version %1").replace("%1", str(rec.version))
            if rec.superseded_by:
                label += self.tr(" (corrected)")
            self.version_box.addItem(f"{label} · {self.record_title(rec)}", rec.id)
        current = [r for r in snap.records if r.kind == self.kind and r.superseded_by is None]
        index = self.version_box.findData(keep) if keep else -1
        if index < 0 and current:
            index = self.version_box.findData(current[-1].id)
        self.version_box.setCurrentIndex(index)
        self.version_box.blockSignals(False)
        self._show_record()
        shown = self.current_record()
        self.sign_page_button.setEnabled(shown is not None and shown.superseded_by is None)

    def record_title(self, rec: RecordInfo) -> str:
        return ""
