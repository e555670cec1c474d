"""Checklist: the case's items from the template with 符合 / 不符合 / 不适用, a note and linked evidence."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QTableView,
    QWidget,
)

from app.facade.steps import step_action
from app.ui.drafts import read_value, write_value
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, note_label, text_edit
from app.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
FINDINGS = ("compliant", "noncompliant", "na")


class ChecklistModel(QAbstractTableModel):
    """Rows: checklist entries; columns: 类别, 检查项目, 结论, 说明, 证据数."""

    EntryIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def entry(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal or not 0 <= section < 5:
            return None
        return (self.tr("Category"), self.tr("Item"), self.tr("Finding"), self.tr("Note"), self.tr("Evidence"))[section]

    def finding_label(self, code: str | None) -> str:
        return {"compliant": self.tr("Compliant"), "noncompliant": self.tr("Non-compliant"),
                "na": self.tr("Not applicable")}.get(code or "", self.tr("Open"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role == self.EntryIdRole:
            return e["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            return (e["category"], e["title"], self.finding_label(e["finding"]), e["note"] or "",
                    str(len(e["evidence_ids"])))[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return "\n".join([e["title"], *e["requirements"]])
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor({"noncompliant": "#b3261e", "compliant": "#1e7b34"}.get(e["finding"] or "", "#6b6b6b"))
        return None


class ChecklistPage(StepPage):
    step = "checklist"
    draft_ends_on = frozenset({"finding"})

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        self.model = ChecklistModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(44)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for stretched in (1, 3):  # the item and the note share what is left (wrapped): never sideways
            header.setSectionResizeMode(stretched, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(260)
        self.body.addWidget(self.table, 2)
        self.requirements = note_label()
        self.body.addWidget(self.requirements)
        _box, form = self.group(self.tr("Finding for the selected item"))
        self.choice = QButtonGroup(self)
        row = QHBoxLayout()
        self.radios: dict[str, QRadioButton] = {}
        for i, code in enumerate(FINDINGS):
            radio = QRadioButton(self.model.finding_label(code))
            radio.setShortcut(f"Alt+{i + 1}")
            self.choice.addButton(radio, i)
            self.radios[code] = radio
            self.editing(radio)
            row.addWidget(radio)
        row.addStretch(1)
        self.note = text_edit(self.tr("What was found (required for non-compliant)"), 70)
        self.evidence = QListWidget()
        self.evidence.setMaximumHeight(140)
        form.addRow(self.tr("Finding (Alt+1/2/3)"), row)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.tr("Linked evidence"), self.evidence)
        form.addRow("", self.button(self.tr("Save finding (Ctrl+S)"), self.save, primary=True, shortcut="Ctrl+S"))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))

    def current_entry(self) -> dict[str, Any] | None:
        row = self.table.currentIndex().row()
        return self.model.entry(row) if 0 <= row < self.model.rowCount() else None

    def _select(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        e = self.model.entry(row)
        self.requirements.setText("\n".join(f"· {r}" for r in e["requirements"]))
        self.choice.setExclusive(False)
        for code, radio in self.radios.items():
            radio.setChecked(code == e["finding"])
        self.choice.setExclusive(True)
        self.note.setPlainText(e["note"] or "")
        for i in range(self.evidence.count()):
            item = self.evidence.item(i)
            linked = item.data(Qt.ItemDataRole.UserRole) in e["evidence_ids"]
            item.setCheckState(Qt.CheckState.Checked if linked else Qt.CheckState.Unchecked)

    def save(self) -> None:
        e = self.current_entry()
        checked = self.choice.checkedId()
        if e is None or checked < 0:
            return
        ids = [self.evidence.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.evidence.count())
               if self.evidence.item(i).checkState() == Qt.CheckState.Checked]
        row = self.table.currentIndex().row()
        self.act("finding", step_action("set_checklist_finding", self.case_id, self.ws.actor, e["id"],
                                        finding=FINDINGS[checked], note=self.note.toPlainText(), evidence_ids=ids),
                 lambda _r: self._advance(row))

    # --- the draft: the selected item's finding and note, typed but not saved
    def draft_fields(self) -> dict[str, Any]:
        e = self.current_entry()
        code = next((c for c, radio in self.radios.items() if radio.isChecked()), None)
        return {"entry": e["id"] if e else None, "finding": code, "note": self.note.toPlainText(),
                "evidence": read_value(self.evidence)}

    def restore_draft(self, fields: dict[str, Any]) -> None:
        rows = [r for r in range(self.model.rowCount()) if self.model.entry(r)["id"] == fields.get("entry")]
        if not rows:
            return
        self.table.selectRow(rows[0])
        self._select(rows[0])
        code = fields.get("finding")
        if code in self.radios:
            self.radios[code].setChecked(True)
        if isinstance(fields.get("note"), str):
            self.note.setPlainText(fields["note"])
        write_value(self.evidence, fields.get("evidence"))

    def _advance(self, row: int) -> None:
        self._next_row = min(row + 1, self.model.rowCount() - 1)

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        row = getattr(self, "_next_row", max(0, self.table.currentIndex().row()))
        self.model.set_rows(snap.checklist)
        self.evidence.clear()
        for ev in snap.evidence:
            if ev.superseded_by is None:
                item = QListWidgetItem(ev.title)
                item.setData(Qt.ItemDataRole.UserRole, ev.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.evidence.addItem(item)
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))
            self._select(self.table.currentIndex().row())
