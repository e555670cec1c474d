"""Recusal (回避): each inspector's own declaration, the party's requests and the head's decision
(000 Art. 13; 行政处罚法 Art. 43 — the audit goes on while a request is pending)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLabel, QLineEdit, QListWidget, QWidget

from app.facade.steps import step_action
from app.ui.snapshot import CaseSnapshot, recusal_section
from app.ui.steps.base import StepPage, note_label
from app.ui.steps.common import qdate_to_date
from app.ui.workspace import Workspace


class RecusalPage(StepPage):
    step = "recusal"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        _box, self.decl_form = self.group(self.tr("Each inspector's declaration"))
        self.decl_rows: dict[str, tuple[QCheckBox, QLineEdit, QLabel]] = {}
        _box, form = self.group(self.tr("Recusal requested by the party"))
        self.req_target = QComboBox()
        self.req_form = QComboBox()
        self.req_form.addItem(self.tr("Oral"), "oral")
        self.req_form.addItem(self.tr("Written"), "written")
        self.req_grounds = QLineEdit()
        form.addRow(self.tr("Inspector concerned"), self.req_target)
        form.addRow(self.tr("Form"), self.req_form)
        form.addRow(self.tr("Grounds"), self.req_grounds)
        form.addRow("", self.button(self.tr("Record request"), self.request))
        _box, form = self.group(self.tr("Requests and decisions"))
        self.requests = QListWidget()
        self.requests.setMinimumHeight(120)
        self.decision = QComboBox()
        self.decision.addItem(self.tr("Granted: the inspector steps aside"), "granted")
        self.decision.addItem(self.tr("Rejected"), "rejected")
        self.decided_by = QLineEdit()
        self.decided_on = QDateEdit(QDate.currentDate())
        form.addRow(self.requests)
        form.addRow(self.tr("Decision"), self.decision)
        form.addRow(self.tr("Decided by (head of unit)"), self.decided_by)
        form.addRow(self.tr("Decided on"), self.decided_on)
        form.addRow("", self.button(self.tr("Record decision"), self.decide))
        self.body.addStretch(1)

    def declare(self, inspector_id: str) -> None:
        related, details, _state = self.decl_rows[inspector_id]
        self.act(f"declare:{inspector_id}", step_action("declare_recusal", self.case_id, inspector_id,
                                                        related=related.isChecked(), details=details.text()))

    def request(self) -> None:
        self.act("request", step_action("request_recusal", self.case_id, self.ws.actor,
                                        target_inspector_id=self.req_target.currentData(),
                                        form=self.req_form.currentData(), grounds=self.req_grounds.text()))

    def decide(self) -> None:
        item = self.requests.currentItem()
        if item is None:
            return
        from PySide6.QtCore import Qt

        self.act("decide", step_action("decide_recusal", self.case_id, self.ws.actor,
                                       item.data(Qt.ItemDataRole.UserRole), decision=self.decision.currentData(),
                                       decided_by=self.decided_by.text(),
                                       decided_on=qdate_to_date(self.decided_on.date())))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        from PySide6.QtCore import Qt

        rec = recusal_section(snap)
        declarations = rec.get("declarations", {})
        if self.req_target.count() == 0:
            for info in snap.inspectors:
                self.req_target.addItem(info.name, info.id)
        for info in snap.inspectors:
            if info.id not in self.decl_rows:
                related = QCheckBox(self.tr("Related to the party or has an interest"))
                details = QLineEdit()
                details.setPlaceholderText(self.tr("Details, when related"))
                state = note_label()
                self.editing(related)
                self.decl_form.addRow(info.name, related)
                self.decl_form.addRow("", details)
                self.decl_form.addRow(state, self.button(self.tr("Declare: %1").replace("%1", info.name),
                                                         lambda iid=info.id: self.declare(iid)))
                self.decl_rows[info.id] = (related, details, state)
            _related, _details, state = self.decl_rows[info.id]
            d = declarations.get(info.id)
            if d is None:
                state.setText(self.tr("Not declared yet"))
            elif d.get("related"):
                state.setText(self.tr("Declared a relation: %1").replace("%1", d.get("details", "")))
            else:
                state.setText(self.tr("Declared: no relation or interest"))
        names = {i.id: i.name for i in snap.inspectors}
        self.requests.clear()
        for req in rec.get("requests", []):
            outcome = {"pending": self.tr("pending"), "granted": self.tr("granted"),
                       "rejected": self.tr("rejected")}.get(req["outcome"], req["outcome"])
            source = self.tr("self-declared") if req["source"] == "self" else self.tr("by the party")
            self.requests.addItem(f"{names.get(req['target'], '')} — {source} — {req['grounds']} — {outcome}")
            self.requests.item(self.requests.count() - 1).setData(Qt.ItemDataRole.UserRole, req["id"])
