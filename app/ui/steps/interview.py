"""询问笔录: interviewee identity, the opening script, question-and-answer pairs, the closing statement; both
inspectors sign the version, the interviewee signs every page on the pad (or the refusal is recorded)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.ui.snapshot import CaseSnapshot, RecordInfo
from app.ui.steps.base import text_edit
from app.ui.steps.record_page import RecordPage
from app.ui.workspace import Workspace

OPENING = ("我们是{org}的稽核人员{names}，执法证号{creds}，现依法向你了解有关情况。你有如实回答询问、"
           "协助调查的义务，也有申请回避的权利。你是否申请回避？")


class InterviewPage(RecordPage):
    step = "interview"
    kind = "interview"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        from app.evidence.records import CLOSING_STATEMENT

        _box, form = self.group(self.tr("Interviewee"))
        self.fields: dict[str, QLineEdit] = {}
        for key, label in (("name", self.tr("Name")), ("sex", self.tr("Sex")), ("id_number", self.tr("ID number")),
                           ("employer", self.tr("Employer")), ("post", self.tr("Post")),
                           ("phone", self.tr("Phone")), ("relation", self.tr("Relation to the case"))):
            edit = QLineEdit()
            self.fields[key] = edit
            form.addRow(label, edit)
        _box, form = self.group(self.tr("Record"))
        # when and where: the printed 询问笔录 states them (start–end time; place)
        self.start = QDateTimeEdit(QDateTime.currentDateTime().addSecs(-1800))
        self.end = QDateTimeEdit(QDateTime.currentDateTime())
        for when in (self.start, self.end):
            when.setCalendarPopup(True)
            when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.place = QLineEdit()
        row = QHBoxLayout()
        row.addWidget(self.start, 1)
        row.addWidget(self.end, 1)
        form.addRow(self.tr("Start, end"), row)
        form.addRow(self.tr("Place"), self.place)
        self.opening = text_edit(height=80)
        form.addRow(self.tr("Opening"), self.opening)
        self.qa = QTableWidget(0, 2)
        self.qa.setHorizontalHeaderLabels([self.tr("Question"), self.tr("Answer")])
        self.qa.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.qa.verticalHeader().setDefaultSectionSize(48)
        self.qa.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.qa.setMinimumHeight(220)
        form.addRow(self.qa)
        row = QHBoxLayout()
        row.addWidget(self.button(self.tr("Add question (Ctrl+Q)"), self.add_pair, shortcut="Ctrl+Q"))
        row.addWidget(self.button(self.tr("Remove question"), self.remove_pair))
        row.addStretch(1)
        form.addRow(row)
        self.closing = QLineEdit(CLOSING_STATEMENT)
        form.addRow(self.tr("Closing statement"), self.closing)
        form.addRow("", self.button(self.tr("Both inspectors sign this record"), self.sign_record, primary=True))
        self.add_signing_section()
        self.body.addStretch(1)
        self.add_pair()

    def add_pair(self, q: str = "", a: str = "") -> None:
        row = self.qa.rowCount()
        self.qa.insertRow(row)
        self.qa.setItem(row, 0, QTableWidgetItem(q))
        self.qa.setItem(row, 1, QTableWidgetItem(a))
        self.qa.setCurrentCell(row, 0)

    def remove_pair(self) -> None:
        row = self.qa.currentRow()
        if row >= 0:
            self.qa.removeRow(row)

    def content(self) -> dict[str, Any]:
        pairs = []
        for row in range(self.qa.rowCount()):
            q = self.qa.item(row, 0)
            a = self.qa.item(row, 1)
            if (q and q.text().strip()) or (a and a.text().strip()):
                pairs.append({"q": q.text().strip() if q else "", "a": a.text().strip() if a else ""})
        person = {key: edit.text().strip() for key, edit in self.fields.items()}
        number = 1 + len(self.snap.current_records("interview")) if self.snap else 1
        fmt = "yyyy-MM-dd HH:mm"
        return {"interviewee": person, "opening": self.opening.toPlainText().strip(), "qa": pairs,
                "closing": self.closing.text().strip(), "closing_statement": self.closing.text().strip(),
                "number": number, "sequence": number, "start": self.start.dateTime().toString(fmt),
                "end": self.end.dateTime().toString(fmt), "place": self.place.text().strip()}

    def sign_record(self) -> None:
        from app.workflow.issuing import sign_record_and_issue

        content = self.content()
        actor = self.ws.actor
        self.act("record", lambda store: sign_record_and_issue(store, self.case_id, "interview", content, actor))

    def signer_defaults(self, rec: RecordInfo) -> tuple[str, str, str]:
        person = rec.content.get("interviewee", {})
        return person.get("name", ""), self.tr("Interviewee"), person.get("id_number", "")

    def record_title(self, rec: RecordInfo) -> str:
        return str(rec.content.get("interviewee", {}).get("name", ""))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        if not self.place.text():
            self.place.setText(snap.place)
        if not self.opening.toPlainText():
            org = snap.inspectors[0].organisation if snap.inspectors else ""
            self.opening.setPlainText(OPENING.format(org=org, names="、".join(i.name for i in snap.inspectors),
                                                     creds="、".join(i.credential_no for i in snap.inspectors)))
        self.show_records(snap)
