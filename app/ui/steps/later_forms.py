"""What the forms printed after the visit read, entered on the step that owns it (``app.workflow.document_fields``):
the notice's hour and materials (arrival), the proposed handling and rectification (findings), a 送达 (closing).

Each box is a group on its page; its inputs are also a dict on the page (``inputs``), so drafts keep them, and its
``field_widgets`` let a "去填写" from a missing-field message land on the input. These details stay possible after
closing (printing_data): the boxes are not disabled with the page's editing buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QWidget,
)

from app.facade.steps import step_action
from app.ui.labels import form_label, local_time
from app.ui.steps.base import note_label, text_edit
from app.ui.steps.common import qdate_to_date

if TYPE_CHECKING:
    from app.ui.snapshot import CaseSnapshot
    from app.ui.steps.base import StepPage


class _Box(QGroupBox):
    def __init__(self, page: StepPage, title: str) -> None:
        super().__init__(title)
        self.page = page
        self.form = QFormLayout(self)
        self.state = note_label()
        self.inputs: dict[str, QWidget] = {}
        page.body.addWidget(self)

    def add_button(self, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _c=False: slot())
        self.form.addRow(self.state, button)
        return button

    def recorded(self, text: str) -> None:
        self.state.setText(text)
        self.state.setProperty("role", "ok" if text else "")


class NoticeDetailsBox(_Box):
    """The printed 稽核通知书: the hour on the audit day, the materials to prepare, where (default: the case's
    place)."""

    def __init__(self, page: StepPage) -> None:
        super().__init__(page, self.tr("For the printed notice"))
        self.time = QTimeEdit(QTime(9, 0))
        self.time.setDisplayFormat("HH:mm")
        self.materials = text_edit(self.tr("Materials the party prepares, one a line"), 70)
        self.materials.setMaximumHeight(110)
        self.place = QLineEdit()
        self.place.setPlaceholderText(self.tr("Where (default: the audit's place)"))
        self.form.addRow(self.tr("Time on the audit day"), self.time)
        self.form.addRow(self.tr("Materials to prepare"), self.materials)
        self.form.addRow(self.tr("Place"), self.place)
        self.inputs = {"time": self.time, "materials": self.materials, "place": self.place}
        self.add_button(self.tr("Save notice details"), self.save)

    def field_widgets(self) -> dict[str, QWidget]:
        from app.workflow.document_fields import NOTICE, NOTICE_MATERIALS

        return {NOTICE: self.time, NOTICE_MATERIALS: self.materials}

    def save(self) -> None:
        page = self.page
        page.act("notice-details", step_action("save_notice_details", page.case_id, page.ws.actor,
                                               audit_time=self.time.time().toString("HH:mm"),
                                               materials=self.materials.toPlainText(), place=self.place.text()))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from app.workflow.document_fields import details

        notice = details(snap.data).get("notice")
        self.setVisible(not snap.unannounced)
        if not isinstance(notice, dict):
            self.recorded("")
            return
        if not self.materials.toPlainText().strip():
            self.time.setTime(QTime.fromString(str(notice.get("audit_time", "09:00")), "HH:mm"))
            self.materials.setPlainText("\n".join(notice.get("materials") or []))
            self.place.setText(str(notice.get("place", "")))
        self.recorded(self.tr("Recorded: %1; materials: %2").replace("%1", str(notice.get("audit_time", "")))
                      .replace("%2", "、".join(notice.get("materials") or [])))


class OutcomeBox(_Box):
    """The proposed handling the 告知书 and the 责令改正通知书 state; the department's proposed penalty."""

    def __init__(self, page: StepPage) -> None:
        super().__init__(page, self.tr("Proposed handling (printed on the notices after the visit)"))
        self.handling = text_edit(self.tr("e.g. 责令退回医疗保障基金，责令限期改正"), 60)
        self.rectification = text_edit(self.tr("What is to be corrected, one item a line"), 60)
        for edit in (self.handling, self.rectification):
            edit.setMaximumHeight(90)
        self.deadline = QDateEdit(QDate.currentDate().addDays(30))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.consequence = QLineEdit()
        self.consequence.setPlaceholderText(self.tr("What follows if it is not corrected"))
        self.penalty = QLineEdit()
        self.penalty.setPlaceholderText(self.tr("Kind of the proposed penalty (department only)"))
        self.fine = QLineEdit()
        self.fine.setPlaceholderText(self.tr("Fine in yuan, e.g. 20000.00"))
        self.hearing = QCheckBox(self.tr("The party may ask for a hearing"))
        self.suspends = QCheckBox(self.tr("Suspends the services under the agreement"))
        self.form.addRow(self.tr("Handling"), self.handling)
        self.form.addRow(self.tr("To rectify"), self.rectification)
        self.form.addRow(self.tr("Rectify by"), self.deadline)
        self.form.addRow(self.tr("Consequence"), self.consequence)
        row = QHBoxLayout()
        row.addWidget(self.penalty, 2)
        row.addWidget(self.fine, 1)
        self.form.addRow(self.tr("Penalty / fine"), row)
        self.form.addRow("", self.hearing)
        self.form.addRow("", self.suspends)
        self.inputs = {"handling": self.handling, "rectification": self.rectification, "deadline": self.deadline,
                       "consequence": self.consequence, "penalty": self.penalty, "fine": self.fine,
                       "hearing": self.hearing, "suspends": self.suspends}
        self.add_button(self.tr("Save proposed handling"), self.save)

    def field_widgets(self) -> dict[str, QWidget]:
        from app.workflow.document_fields import OUTCOME, PENALTY, RECTIFICATION

        return {OUTCOME: self.handling, RECTIFICATION: self.rectification, PENALTY: self.penalty}

    def save(self) -> None:
        page = self.page
        items = self.rectification.toPlainText().strip()
        page.act("outcome-details", step_action(
            "save_outcome_details", page.case_id, page.ws.actor, handling=self.handling.toPlainText(),
            rectification=items, rectification_deadline=qdate_to_date(self.deadline.date()) if items else None,
            consequence=self.consequence.text(), hearing_applies=self.hearing.isChecked(),
            penalty=self.penalty.text(), fine_yuan=self.fine.text(), suspends_services=self.suspends.isChecked()))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from app.workflow.document_fields import details

        outcome = details(snap.data).get("outcome")
        if not isinstance(outcome, dict):
            self.recorded("")
            return
        if not self.handling.toPlainText().strip():
            self.handling.setPlainText(str(outcome.get("handling", "")))
            self.rectification.setPlainText("\n".join(outcome.get("rectification") or []))
            if outcome.get("rectification_deadline"):
                self.deadline.setDate(QDate.fromString(str(outcome["rectification_deadline"]), "yyyy-MM-dd"))
            self.consequence.setText(str(outcome.get("consequence", "")))
            self.penalty.setText(str(outcome.get("penalty", "")))
            fen = int(outcome.get("fine_fen") or 0)
            self.fine.setText(f"{fen // 100}.{fen % 100:02d}" if fen else "")
            self.hearing.setChecked(bool(outcome.get("hearing_applies")))
            self.suspends.setChecked(bool(outcome.get("suspends_services")))
        self.recorded(self.tr("Recorded"))


class ServiceBox(_Box):
    """送达 of a document: who received it, where, how, when and by whom (one 送达回证 each)."""

    def __init__(self, page: StepPage) -> None:
        from app.workflow.document_fields import SERVED_FORMS
        from app.workflow.printing_data import SERVICE_METHODS

        super().__init__(page, self.tr("Service of a document (送达)"))
        self.document = QComboBox()
        for form in SERVED_FORMS:
            self.document.addItem(form_label(form), form)
        self.number = QLineEdit()
        self.number.setPlaceholderText(self.tr("Its document number (文号)"))
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText(self.tr("The party served"))
        self.received_by = QLineEdit()
        self.received_by.setPlaceholderText(self.tr("Who signed for it"))
        self.place = QLineEdit()
        self.method = QComboBox()
        for method in SERVICE_METHODS:
            self.method.addItem(method, method)
        self.served_at = QDateTimeEdit(QDateTime.currentDateTime())
        self.served_at.setCalendarPopup(True)
        self.served_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.servers = QLineEdit()
        self.servers.setPlaceholderText(self.tr("Served by, e.g. 王建国、李晓梅"))
        self.refusal = QLineEdit()
        self.refusal.setPlaceholderText(self.tr("Why it was refused (left at the premises)"))
        self.witness = QLineEdit()
        self.witness.setPlaceholderText(self.tr("Witness (left at the premises)"))
        self.consent = QLineEdit()
        self.consent.setPlaceholderText(self.tr("The party's consent (electronic service)"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Confirmed address (electronic service)"))
        row = QHBoxLayout()
        row.addWidget(self.document, 2)
        row.addWidget(self.number, 1)
        self.form.addRow(self.tr("Document"), row)
        row = QHBoxLayout()
        row.addWidget(self.recipient, 1)
        row.addWidget(self.received_by, 1)
        self.form.addRow(self.tr("Recipient"), row)
        self.form.addRow(self.tr("Place"), self.place)
        row = QHBoxLayout()
        row.addWidget(self.method, 1)
        row.addWidget(self.served_at, 1)
        self.form.addRow(self.tr("Method / time"), row)
        self.form.addRow(self.tr("Served by"), self.servers)
        row = QHBoxLayout()
        row.addWidget(self.refusal, 1)
        row.addWidget(self.witness, 1)
        self.form.addRow(self.tr("Refusal"), row)
        row = QHBoxLayout()
        row.addWidget(self.consent, 1)
        row.addWidget(self.address, 1)
        self.form.addRow(self.tr("Electronic"), row)
        self.inputs = {"document": self.document, "number": self.number, "recipient": self.recipient,
                       "received_by": self.received_by, "place": self.place, "method": self.method,
                       "served_at": self.served_at, "servers": self.servers, "refusal": self.refusal,
                       "witness": self.witness, "consent": self.consent, "address": self.address}
        self.add_button(self.tr("Record service"), self.save)

    def field_widgets(self) -> dict[str, QWidget]:
        from app.workflow.document_fields import SERVICE

        return {SERVICE: self.recipient}

    def save(self) -> None:
        page = self.page
        page.act("service", step_action(
            "save_service", page.case_id, page.ws.actor, document_form=self.document.currentData(),
            document_number=self.number.text(), recipient=self.recipient.text(), place=self.place.text(),
            method=self.method.currentData(), served_at=self.served_at.dateTime().toPython(),
            servers=self.servers.text(), refusal_reason=self.refusal.text(), witness=self.witness.text(),
            received_by=self.received_by.text(), consent=self.consent.text(), address=self.address.text()))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from app.workflow.document_fields import service_list

        if not self.place.text():
            self.place.setText(snap.place)
        if not self.recipient.text():
            self.recipient.setText(snap.institution)
        if not self.servers.text():
            self.servers.setText("、".join(i.name for i in snap.inspectors))
        # every service recorded, each with its document's 文号 (one 送达回证 each), at the laptop's local time
        self.recorded("\n".join(self.tr("Served: %1 %2, %3").replace("%1", form_label(form)).replace("%2", number)
                                 .replace("%3", local_time(at)) for form, number, at in service_list(snap.data)))
