"""Findings (问题清单): violation type, basis, amount, responsible people and evidence; amounts at or above
50,000 yuan flag 集体讨论 (001 Art. 21) and at or above 100,000 yuan 法制审核 (000 Art. 14), visibly."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.ui.i18n import pick
from app.ui.labels import violation_label, yuan
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, note_label, text_edit
from app.ui.steps.common import in_tx
from app.ui.workspace import Workspace
from app.workflow.citations import join_citations

FLAG_STYLE = "QLabel { background: #fdecea; color: #8c1d18; border: 2px solid #b3261e; border-radius: 6px;" \
             " padding: 8px; font-weight: bold; font-size: 13pt; }"


class FindingsPage(StepPage):
    step = "findings"
    draft_ends_on = frozenset({"finding"})

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        from app.workflow.reference_entries import violation_types
        from app.workflow.steps_findings import ROLES

        self.legal_flag = QLabel()
        self.collective_flag = QLabel()
        for flag in (self.legal_flag, self.collective_flag):
            flag.setStyleSheet(FLAG_STYLE)
            flag.setWordWrap(True)
            flag.hide()
            self.body.addWidget(flag)
        self.ack_button = self.button(self.tr("Acknowledge the flags for the file"), self.acknowledge)
        self.ack_state = note_label()
        row = QHBoxLayout()
        row.addWidget(self.ack_state, 1)
        row.addWidget(self.ack_button)
        self.body.addLayout(row)
        _box, form = self.group(self.tr("New finding"))
        self.violation = QComboBox()
        for vt in violation_types():
            self.violation.addItem(pick(vt.zh, vt.en), vt.code)
        self.basis = note_label()
        self.description = text_edit(self.tr("What happened, when, how much"), 80)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("Amount involved in yuan, e.g. 120000.00"))
        self.amount_flags = note_label(role="error")
        self.person = QLineEdit()
        self.person.setPlaceholderText(self.tr("Responsible person's name"))
        self.role = QComboBox()
        for code, (zh, en) in ROLES.items():
            self.role.addItem(pick(zh, en), code)
        self.department = QLineEdit()
        self.department.setPlaceholderText(self.tr("Department"))
        self.evidence = QListWidget()
        self.evidence.setMaximumHeight(140)
        form.addRow(self.tr("Violation"), self.violation)
        form.addRow(self.tr("Basis"), self.basis)
        form.addRow(self.tr("Description"), self.description)
        form.addRow(self.tr("Amount (yuan)"), self.amount)
        form.addRow("", self.amount_flags)
        row = QHBoxLayout()
        row.addWidget(self.person, 2)
        row.addWidget(self.role, 1)
        row.addWidget(self.department, 1)
        form.addRow(self.tr("Responsible"), row)
        form.addRow(self.tr("Evidence"), self.evidence)
        form.addRow("", self.button(self.tr("Add finding (Ctrl+Enter)"), self.add, primary=True,
                                    shortcut="Ctrl+Return"))
        _box, form = self.group(self.tr("Problem list"))
        self.list = QListWidget()
        self.list.setMinimumHeight(160)
        self.total = note_label()
        form.addRow(self.list)
        form.addRow(self.total)
        self.body.addStretch(1)
        self.violation.currentIndexChanged.connect(self._basis)
        self.amount.textChanged.connect(self._amount_changed)
        self._basis()

    def _basis(self) -> None:
        from app.workflow.reference_entries import violation_types

        vt = next((v for v in violation_types() if v.code == self.violation.currentData()), None)
        self.basis.setText(vt.basis if vt else "")

    def amount_fen(self) -> int | None:
        from app.workflow.thresholds import yuan_to_fen

        try:
            return yuan_to_fen(self.amount.text()) if self.amount.text().strip() else 0
        except ValueError:
            return None

    def _amount_changed(self) -> None:
        from app.workflow import thresholds

        fen = self.amount_fen()
        if fen is None:
            self.amount_flags.setText(self.tr("Not an amount: use digits with at most two decimals."))
            return
        notes = []
        if thresholds.needs_legal_review(fen, False):
            notes.append(self.tr("This amount needs 法制审核 (legal review)."))
        if thresholds.needs_collective_decision(fen, False):
            notes.append(self.tr("This amount needs 集体讨论 (collective decision)."))
        self.amount_flags.setText(" ".join(notes))

    def add(self) -> None:
        from app.workflow import steps_findings as sf

        fen = self.amount_fen()
        if fen is None:
            self._amount_changed()
            return
        people = ([sf.Responsible(self.person.text().strip(), self.role.currentData(), self.department.text().strip())]
                  if self.person.text().strip() else [])
        ids = [self.evidence.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.evidence.count())
               if self.evidence.item(i).checkState() == Qt.CheckState.Checked]
        self.act("finding", in_tx(sf.add_finding, self.case_id, self.ws.actor,
                                  violation_code=self.violation.currentData(),
                                  description=self.description.toPlainText(), amount_fen=fen,
                                  responsible=people, evidence_ids=ids), lambda _r: self._clear())

    def _clear(self) -> None:
        self.description.clear()
        self.amount.clear()
        self.person.clear()

    def acknowledge(self) -> None:
        from app.workflow import steps_findings as sf

        self.act("acknowledge", in_tx(sf.acknowledge_flags, self.case_id, self.ws.actor))

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        self.list.clear()
        for f in snap.findings:
            people = "、".join(p.get("name", "") for p in f["responsible"])
            self.list.addItem(f"{violation_label(f['violation'])} · {yuan(f['amount_fen'])} 元 · {people}\n"
                              f"{f['description']}")
        flags = snap.flags
        self.total.setText(self.tr("Total: %1 yuan").replace("%1", yuan(flags.total.amount_fen)))
        legal = flags.total.legal_review
        collective = flags.total.collective_decision
        self.legal_flag.setVisible(bool(legal))
        self.collective_flag.setVisible(bool(collective))
        if legal:
            self.legal_flag.setText(self.tr("法制审核 (legal review) required: %1 (%2)")
                                    .replace("%1", "；".join(pick(z, e) for z, e in zip(legal.reasons_zh,
                                                                                      legal.reasons_en, strict=True)))
                                    .replace("%2", pick(legal.citation, join_citations(legal.citations, "en"))))
        if collective:
            self.collective_flag.setText(self.tr("集体讨论 (collective decision) required: %1 (%2)")
                                         .replace("%1", "；".join(pick(z, e) for z, e in zip(
                                             collective.reasons_zh, collective.reasons_en, strict=True)))
                                         .replace("%2", pick(collective.citation,
                                                             join_citations(collective.citations, "en"))))
        if flags.required:
            self.ack_state.setText(self.tr("Flags acknowledged.") if flags.acknowledged
                                   else self.tr("The flags must be acknowledged before closing."))
        else:
            self.ack_state.setText("")
        self.ack_button.setProperty("blocked", not flags.required or flags.acknowledged)
        self.evidence.clear()
        for ev in snap.evidence:
            if ev.superseded_by is None:
                item = QListWidgetItem(ev.title)
                item.setData(Qt.ItemDataRole.UserRole, ev.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.evidence.addItem(item)
