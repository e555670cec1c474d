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

from app.citations import join_citations
from app.facade.steps import step_action
from app.ui.i18n import pick
from app.ui.labels import violation_label, yuan
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, note_label, text_edit
from app.ui.steps.later_forms import OutcomeBox
from app.ui.workspace import Workspace

FLAG_STYLE = "QLabel { background: #fdecea; color: #8c1d18; border: 2px solid #b3261e; border-radius: 6px;" \
             " padding: 8px; font-weight: bold; font-size: 13pt; }"


class FindingsPage(StepPage):
    step = "findings"
    draft_ends_on = frozenset({"finding", "finding-update", "finding-correction"})

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
        # the longest violation's name would set the page's least width: it scrolled sideways at 200 %
        self.violation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.violation.setMinimumContentsLength(16)
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
        self.add_button = self.button(self.tr("Add finding (Ctrl+Enter)"), self.add, primary=True,
                                      shortcut="Ctrl+Return", edit=False)
        self.cancel_button = self.button(self.tr("Cancel editing"), self.cancel_edit, edit=False)
        self.cancel_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        form.addRow("", row)
        _box, form = self.group(self.tr("Problem list"))
        self.list = QListWidget()
        self.list.setMinimumHeight(160)
        self.list.setWordWrap(True)
        self.total = note_label()
        form.addRow(self.list)
        form.addRow(self.total)
        # until closing a finding is edited or withdrawn; after closing it is corrected (a new signed entry)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason for withdrawing or correcting the selected finding"))
        self.edit_button = self.button(self.tr("Edit selected"), self.edit_selected, edit=False)
        self.withdraw_button = self.button(self.tr("Withdraw selected"), self.withdraw_selected)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.edit_button)
        row.addWidget(self.withdraw_button)
        form.addRow(row)
        self.edit_state = note_label(role="error")
        form.addRow(self.edit_state)
        self.editing_id: str | None = None
        self.list.currentRowChanged.connect(lambda _row: self._refresh_buttons())
        self._outcome_box = OutcomeBox(self)  # what the notices after the visit propose
        self.outcome = self._outcome_box.inputs
        self.body.addStretch(1)
        self.violation.currentIndexChanged.connect(self._basis)
        self.amount.textChanged.connect(self._amount_changed)
        self._basis()

    def _basis(self) -> None:
        from app.workflow.reference_entries import violation_types

        vt = next((v for v in violation_types() if v.code == self.violation.currentData()), None)
        self.basis.setText(vt.basis if vt else "")

    def amount_fen(self) -> int | None:
        """The amount typed, in fen; ``None`` (the reason shown under the field) when it is not one."""
        from app.ui.i18n import pick
        from app.workflow.thresholds import InvalidAmount, yuan_to_fen

        try:
            return yuan_to_fen(self.amount.text()) if self.amount.text().strip() else 0
        except InvalidAmount as exc:
            self.amount_flags.setText(pick(exc.message_zh, exc.message_en))
            return None

    def _amount_changed(self) -> None:
        from app.workflow import thresholds

        fen = self.amount_fen()
        if fen is None:
            return
        notes = []
        if thresholds.needs_legal_review(fen, False):
            notes.append(self.tr("This amount needs 法制审核 (legal review)."))
        if thresholds.needs_collective_decision(fen, False):
            notes.append(self.tr("This amount needs 集体讨论 (collective decision)."))
        self.amount_flags.setText(" ".join(notes))

    def add(self) -> None:
        """Add the finding in the form, or save the one being edited (a correction after closing)."""
        from app.workflow import steps_findings as sf

        fen = self.amount_fen()
        if fen is None:
            return
        people = ([sf.Responsible(self.person.text().strip(), self.role.currentData(), self.department.text().strip())]
                  if self.person.text().strip() else [])
        ids = [self.evidence.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.evidence.count())
               if self.evidence.item(i).checkState() == Qt.CheckState.Checked]
        fields = {"description": self.description.toPlainText(), "amount_fen": fen, "responsible": people,
                  "evidence_ids": ids}
        if self.editing_id is None:
            self.act("finding", step_action("add_finding", self.case_id, self.ws.actor,
                                            violation_code=self.violation.currentData(), **fields),
                     lambda _r: self._clear())
        elif self.snap is not None and self.snap.is_closed:
            self.act("finding-correction", step_action("correct_finding", self.case_id, self.ws.actor, self.editing_id,
                                                       reason=self.reason.text(), **fields), lambda _r: self._clear())
        else:
            self.act("finding-update", step_action("update_finding", self.case_id, self.ws.actor, self.editing_id,
                                                   **fields), lambda _r: self._clear())

    def _clear(self) -> None:
        self.description.clear()
        self.amount.clear()
        self.person.clear()
        self.reason.clear()
        self.cancel_edit()

    def selected_finding(self) -> dict[str, object] | None:
        item = self.list.currentItem()
        fid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((f for f in self.snap.findings if f["id"] == fid), None) if self.snap and fid else None

    def edit_selected(self) -> None:
        """Load the selected finding into the form; saving it updates it (a signed correction after closing)."""
        f = self.selected_finding()
        if f is None:
            return
        self.editing_id = str(f["id"])
        self.violation.setCurrentIndex(max(0, self.violation.findData(f["violation"])))
        self.description.setPlainText(str(f["description"]))
        self.amount.setText(yuan(int(f["amount_fen"])).replace(",", ""))  # type: ignore[call-overload]
        people = f["responsible"] or [{}]
        first = people[0] if isinstance(people, list) and people else {}
        self.person.setText(first.get("name", ""))
        self.role.setCurrentIndex(max(0, self.role.findData(first.get("role", "other"))))
        self.department.setText(first.get("department", ""))
        linked = set(f.get("evidence_ids") or [])  # type: ignore[call-overload]
        for i in range(self.evidence.count()):
            item = self.evidence.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in linked
                               else Qt.CheckState.Unchecked)
        self._refresh_buttons()

    def cancel_edit(self) -> None:
        self.editing_id = None
        self._refresh_buttons()

    def withdraw_selected(self) -> None:
        f = self.selected_finding()
        if f is None:
            return
        if len(self.reason.text().strip()) < 2:
            self.edit_state.setText(self.tr("State why the finding is withdrawn."))
            return
        self.act("finding-withdraw", step_action("remove_finding", self.case_id, self.ws.actor, str(f["id"]),
                                                 reason=self.reason.text()), lambda _r: self._clear())

    def _refresh_buttons(self) -> None:
        closed = self.snap is not None and self.snap.is_closed
        editing = self.editing_id is not None
        self.edit_state.setText("")
        self.violation.setEnabled(not editing)  # the violation type of a finding stays; withdraw and add instead
        if editing and closed:
            self.add_button.setText(self.tr("Both inspectors sign the correction"))
        elif editing:
            self.add_button.setText(self.tr("Save changes (Ctrl+Enter)"))
        else:
            self.add_button.setText(self.tr("Add finding (Ctrl+Enter)"))
        self.add_button.setShortcut("Ctrl+Return")
        self.add_button.setEnabled(not closed or editing)
        self.cancel_button.setVisible(editing)
        selected = self.list.currentItem() is not None and self.list.currentItem().data(Qt.ItemDataRole.UserRole)
        self.edit_button.setText(self.tr("Correct selected") if closed else self.tr("Edit selected"))
        self.edit_button.setEnabled(bool(selected))
        self.withdraw_button.setProperty("blocked", not selected)
        self.withdraw_button.setEnabled(bool(selected) and not closed)

    def acknowledge(self) -> None:
        self.act("acknowledge", step_action("acknowledge_flags", self.case_id, self.ws.actor))

    def field_widgets(self) -> dict[str, QWidget]:
        return self._outcome_box.field_widgets()

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        self._outcome_box.show_snapshot(snap)
        keep = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        for f in snap.findings:
            people = "、".join(p.get("name", "") for p in f["responsible"])
            item = QListWidgetItem(f"{violation_label(f['violation'])} · {yuan(f['amount_fen'])} 元 · {people}\n"
                                   f"{f['description']}")
            item.setData(Qt.ItemDataRole.UserRole, f["id"])
            self.list.addItem(item)
            if f["id"] == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.editing_id is not None and not any(f["id"] == self.editing_id for f in snap.findings):
            self.editing_id = None
        self._refresh_buttons()
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
