"""先行登记保存 (decision within 7 working days) and 封存 (≤ 30 days, list handed over on the spot):
item lists, the approval, periods and deadlines (001 Art. 35(5), 36; 行政强制法 Art. 18–25)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QListWidget, QListWidgetItem, QSpinBox, QWidget

from app.facade.steps import step_action
from app.ui.labels import deadline_kind_label, measure_kind_label
from app.ui.snapshot import CaseSnapshot
from app.ui.steps.base import StepPage, text_edit
from app.ui.steps.common import qdate_to_date
from app.ui.widgets.icons import icon
from app.ui.workspace import Workspace
from app.workflow.deadlines import SEALING_DAYS
from app.workflow.steps_measures import MEASURE_KINDS


def parse_items(text: str) -> list[Any]:
    """One item per line: 名称 | 规格/编号 | 数量 | 状态 | 备注 (only the name is required)."""
    from app.workflow.steps_measures import MeasureItem

    items = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if parts and parts[0]:
            items.append(MeasureItem(*(parts + [""] * 5)[:5]))
    return items


class MeasuresPage(StepPage):
    step = "measures"
    draft_ends_on = frozenset({"measure"})

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        _box, form = self.group(self.tr("New measure"))
        self.kind = QComboBox()
        for kind in MEASURE_KINDS:  # the workflow's list; the deadlines each one starts show below once recorded
            self.kind.addItem(measure_kind_label(kind), kind)
        self.items = text_edit(self.tr("One item per line: name | spec/number | quantity | state | note"), 100)
        self.approved_by = QLineEdit()
        self.approved_on = QDateEdit(QDate.currentDate())
        self.start = QDateEdit(QDate.currentDate())
        self.days = QSpinBox()
        self.days.setRange(1, SEALING_DAYS)
        self.days.setValue(SEALING_DAYS)
        self.place = QLineEdit()
        self.reason = text_edit(self.tr("Reason and basis"), 60)
        form.addRow(self.tr("Measure"), self.kind)
        form.addRow(self.tr("Items"), self.items)
        form.addRow(self.tr("Approved by (head)"), self.approved_by)
        form.addRow(self.tr("Approved on"), self.approved_on)
        form.addRow(self.tr("Start"), self.start)
        form.addRow(self.tr("Sealing days"), self.days)
        form.addRow(self.tr("Storage place"), self.place)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow("", self.button(self.tr("Record measure"), self.record, primary=True))
        _box, form = self.group(self.tr("Measures and deadlines"))
        self.list = QListWidget()
        self.list.setMinimumHeight(160)
        self.list.setWordWrap(True)  # a measure's long line wraps; the list never scrolls sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form.addRow(self.list)
        self.body.addStretch(1)

    def record(self) -> None:
        common = {"items": parse_items(self.items.toPlainText()), "approved_by": self.approved_by.text(),
                  "approved_on": qdate_to_date(self.approved_on.date()), "start_date": qdate_to_date(self.start.date()),
                  "reason": self.reason.toPlainText()}
        if self.kind.currentData() == "preservation":
            call = step_action("register_preservation", self.case_id, self.ws.actor, storage_place=self.place.text(),
                               **common)
        else:
            call = step_action("seal", self.case_id, self.ws.actor, storage_place=self.place.text(),
                               period_days=self.days.value(), **common)
        self.act("measure", call)

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        self.list.clear()
        for m in snap.measures:
            kind = measure_kind_label(m["kind"])
            names = "、".join(i.get("name", "") for i in m["items"])
            self.list.addItem(f"{kind} · {m['start_date']} · {names} · {m['approved_by']}")
        for d in snap.deadlines:
            state = self.tr("done") if d["done"] else self.tr("open")
            self.list.addItem(QListWidgetItem(icon("clock"), f"{d['due']} {deadline_kind_label(d['kind'])} · {state}"))
        if not snap.measures:
            self.list.addItem(self.tr("No preservation or sealing in this audit."))
