"""现场检查笔录: what was inspected and found, with the attachment list filled from the evidence; both inspectors
sign, the party signs (or refuses). After closing, a change is a signed correction with its reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDateTimeEdit, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.ui.snapshot import CaseSnapshot, RecordInfo, arrival_section
from app.ui.steps.base import StepPage, text_edit
from app.ui.steps.record_page import RecordPage
from app.ui.workspace import Workspace


class OnsitePage(RecordPage):
    step = "onsite"
    kind = "onsite"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        _box, form = self.group(self.tr("On-site record"))
        self.start = QDateTimeEdit(QDateTime.currentDateTime().addSecs(-3600))
        self.end = QDateTimeEdit(QDateTime.currentDateTime())
        self.place = QLineEdit()
        self.present = QLineEdit()
        self.findings = text_edit(self.tr("What was inspected and found, described objectively"), 160)
        self.attachments = QListWidget()
        self.attachments.setMinimumHeight(140)
        form.addRow(self.tr("Start"), self.start)
        form.addRow(self.tr("End"), self.end)
        form.addRow(self.tr("Place"), self.place)
        form.addRow(self.tr("People present"), self.present)
        form.addRow(self.tr("Findings"), self.findings)
        form.addRow(self.tr("Attachments (from the evidence)"), self.attachments)
        form.addRow("", self.button(self.tr("Both inspectors sign this record"), self.sign_record, primary=True))
        _box, form = self.group(self.tr("Correction (after closing)"))
        self.correction_reason = QLineEdit()
        self.correction_reason.setPlaceholderText(self.tr("Why the record is corrected"))
        self.correct_button = StepPage.button(self, self.tr("Sign a correction of the current record"),
                                              self.sign_correction, edit=False)
        form.addRow(self.tr("Reason"), self.correction_reason)
        form.addRow("", self.correct_button)
        self.add_signing_section()
        self.body.addStretch(1)

    def content(self) -> dict[str, Any]:
        attachments = []
        for i in range(self.attachments.count()):
            item = self.attachments.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                attachments.append(item.data(Qt.ItemDataRole.UserRole))
        fmt = "yyyy-MM-dd HH:mm"
        return {"start": self.start.dateTime().toString(fmt), "end": self.end.dateTime().toString(fmt),
                "place": self.place.text().strip(), "present": self.present.text().strip(),
                "findings_text": self.findings.toPlainText().strip(), "attachments": attachments}

    def sign_record(self) -> None:
        from app.workflow.issuing import sign_record_and_issue

        content = self.content()
        actor = self.ws.actor
        self.act("record", lambda store: sign_record_and_issue(store, self.case_id, "onsite", content, actor))

    def sign_correction(self) -> None:
        from app.workflow.issuing import sign_record_and_issue

        current = self.snap.current_records("onsite") if self.snap else []
        if not current:
            return
        content = self.content()
        reason = self.correction_reason.text()
        old = current[-1].id
        actor = self.ws.actor
        self.act("correction", lambda store: sign_record_and_issue(store, self.case_id, "onsite", content, actor,
                                                                   supersedes=(old, reason)))

    def signer_defaults(self, rec: RecordInfo) -> tuple[str, str, str]:
        rep = arrival_section(self.snap).get("representative", {}) if self.snap else {}
        return rep.get("name", ""), rep.get("post", ""), rep.get("id_number", "")

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        if not self.place.text():
            self.place.setText(snap.place)
            rep = arrival_section(snap).get("representative")
            names = "、".join(i.name for i in snap.inspectors)
            self.present.setText(f"{rep['name']}（{rep['post']}）、{names}" if rep else names)
        checked = {self.attachments.item(i).data(Qt.ItemDataRole.UserRole)["item"]
                   for i in range(self.attachments.count())
                   if self.attachments.item(i).checkState() == Qt.CheckState.Checked}
        fresh = self.attachments.count() == 0
        self.attachments.clear()
        for ev in snap.evidence:
            if ev.superseded_by is None:
                data = {"item": ev.id, "title": ev.title, "sha256": ev.streams[0]["sha256"] if ev.streams else ""}
                item = QListWidgetItem(ev.title)
                item.setData(Qt.ItemDataRole.UserRole, data)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                on = fresh or ev.id in checked or ev.id not in checked
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.attachments.addItem(item)
        self.correct_button.setEnabled(snap.is_closed and bool(snap.current_records("onsite")))
        self.show_records(snap)
