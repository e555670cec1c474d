"""Home: the audits on this laptop (model/view with search and filters), what is due, and the sync status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.facade.home import CaseRow, HomeData, load_home
from app.ui.labels import audit_kind_label, case_status_label, deadline_kind_label
from app.ui.sync_work import status_text
from app.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex


class CaseTableModel(QAbstractTableModel):
    """The audits as a table: 文号, 名称, 被稽核单位, 类型, 状态, 计划日期, 最近期限."""

    COLUMNS = ("doc_no", "title", "institution", "kind", "status", "planned_date", "next_due")
    CaseIdRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseRow] = []
        self.today = date.today()

    def set_rows(self, rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        labels = (self.tr("Doc no."), self.tr("Audit"), self.tr("Audited party"), self.tr("Kind"),
                  self.tr("Status"), self.tr("Planned"), self.tr("Next deadline"))
        return labels[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == self.CaseIdRole:
            return row.case_id
        if role == self.SortRole:
            return str(getattr(row, col))
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "kind":
                return audit_kind_label(row.kind)
            if col == "status":
                return case_status_label(row.status)
            if col == "next_due" and row.next_due:
                return f"{row.next_due} {deadline_kind_label(row.next_due_kind)}"
            return str(getattr(row, col))
        overdue = bool(row.next_due) and row.next_due < self.today.isoformat()
        if role == Qt.ItemDataRole.ForegroundRole and col == "next_due" and overdue:
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.ToolTipRole and col == "title":
            return row.title
        return None


class CaseFilterProxy(QSortFilterProxyModel):
    """Search text over 文号/名称/单位, and filters by status, kind, institution and deadline."""

    DEADLINE_ANY, DEADLINE_OVERDUE, DEADLINE_WEEK, DEADLINE_NONE = "", "overdue", "week", "none"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = ""
        self.status = ""
        self.kind = ""
        self.institution = ""
        self.deadline = ""
        self.today = date.today()
        self.setSortRole(CaseTableModel.SortRole)

    def set_filters(self, **values: str) -> None:
        self.beginFilterChange()
        for key, value in values.items():
            setattr(self, key, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, CaseTableModel):
            return True
        row = model.row_at(source_row)
        if self.search:
            needle = self.search.casefold()
            if not any(needle in v.casefold() for v in (row.doc_no, row.title, row.institution)):
                return False
        if self.status and row.status != self.status:
            return False
        if self.kind and row.kind != self.kind:
            return False
        if self.institution and row.institution != self.institution:
            return False
        if self.deadline == self.DEADLINE_OVERDUE:
            return bool(row.next_due) and row.next_due < self.today.isoformat()
        if self.deadline == self.DEADLINE_WEEK:
            return bool(row.next_due) and row.next_due <= (self.today + timedelta(days=7)).isoformat()
        if self.deadline == self.DEADLINE_NONE:
            return not row.next_due
        return True


#: The deadlines and sync column's width beside the table; below this page width they go under it.
RIGHT_WIDTH = 340
NARROW_WIDTH = 1100


class HomePage(QWidget):
    """``case_opened(case_id)`` when an audit is opened (double-click, Enter or the button);
    ``sync_requested()`` from the sync box's button."""

    case_opened = Signal(str)
    sync_requested = Signal()
    new_requested = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.data: HomeData | None = None
        self.model = CaseTableModel(self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        title = QLabel(self.tr("Audits on this laptop"))
        title.setProperty("role", "title")
        team = QLabel(self.tr("Team: %1").replace("%1", "、".join(name for _i, name in workspace.team)))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search doc no., audit or party (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), "")
        for code in ("assigned", "active", "closed"):
            self.status_filter.addItem(case_status_label(code), code)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(self.tr("All kinds"), "")
        for code in ("routine", "special", "targeted", "complaint"):
            self.kind_filter.addItem(audit_kind_label(code), code)
        self.institution_filter = QComboBox()
        self.institution_filter.addItem(self.tr("All parties"), "")
        self.deadline_filter = QComboBox()
        for label, code in ((self.tr("Any deadline"), ""), (self.tr("Overdue"), "overdue"),
                            (self.tr("Due within 7 days"), "week"), (self.tr("No open deadline"), "none")):
            self.deadline_filter.addItem(label, code)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.status_filter, self.kind_filter, self.institution_filter, self.deadline_filter):
            # as wide as the row allows, not as the longest institution name: the row fits 960 px (200 %)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
            filters.addWidget(combo, 1)
            combo.currentIndexChanged.connect(self._apply_filters)
        self.search.textChanged.connect(self._apply_filters)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(48)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the audit's matters, the institution and the next deadline share what the short columns leave (wrapped,
        # then elided), so the table never scrolls sideways
        for stretched in (1, 2, 6):
            self.table.horizontalHeader().setSectionResizeMode(stretched, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.activated.connect(lambda _i: self.open_selected())
        self.open_button = QPushButton(self.tr("Open audit (Enter)"))
        self.open_button.setProperty("primary", True)
        self.open_button.clicked.connect(self.open_selected)
        self.count_label = QLabel()
        self.new_button = QPushButton(self.tr("New audit (Ctrl+N)"))
        self.new_button.setShortcut(QKeySequence("Ctrl+N"))
        self.new_button.clicked.connect(self.new_requested.emit)

        self.due_list = QListWidget()
        self.due_list.setWordWrap(True)  # a long institution's name wraps; the list never scrolls sideways
        self.due_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.due_list.itemActivated.connect(lambda item: self.case_opened.emit(item.data(Qt.ItemDataRole.UserRole)))
        due_box = QGroupBox(self.tr("Due"))
        QVBoxLayout(due_box).addWidget(self.due_list)
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("Sync (Ctrl+Shift+S)"))
        self.sync_button.clicked.connect(self.sync_requested.emit)
        sync_box = QGroupBox(self.tr("Sync with the archive"))
        self._boxes = (due_box, sync_box)
        sync_layout = QVBoxLayout(sync_box)
        sync_layout.addWidget(self.sync_label, 1)
        sync_layout.addWidget(self.sync_button, alignment=Qt.AlignmentFlag.AlignRight)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.open_button)
        left_layout.addLayout(bottom)
        right = QWidget()
        self._right = right
        right.setMinimumWidth(RIGHT_WIDTH)
        right_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, right)
        self._right_layout = right_layout
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(due_box, 3)
        right_layout.addWidget(sync_box, 1)
        splitter = QSplitter()
        self._splitter = splitter
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(team)
        layout.addLayout(head)
        layout.addWidget(splitter, 1)
        workspace.changed.connect(self.reload)
        self.reload()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        # on a narrow page (1920x1080 at 200 %) the deadlines and sync boxes go below the table, side by side, and
        # the table has the page's whole width: beside it, its columns did not fit and it scrolled sideways
        narrow = self.width() < NARROW_WIDTH
        if narrow != (self._splitter.orientation() == Qt.Orientation.Vertical):
            self._splitter.setOrientation(Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal)
            self._right_layout.setDirection(QBoxLayout.Direction.LeftToRight if narrow
                                            else QBoxLayout.Direction.TopToBottom)
            self._right.setMinimumWidth(0 if narrow else RIGHT_WIDTH)
            self._right.setMinimumHeight(0)
            for at, stretch in enumerate((1, 1) if narrow else (3, 1)):
                self._right_layout.setStretch(at, stretch)
        self._fit_boxes()

    def _fit_boxes(self) -> None:
        """Below the table, side by side, the boxes are as high as their wrapped words need, never cut."""
        if self._splitter.orientation() != Qt.Orientation.Vertical:
            return
        half = (self.width() - self._right_layout.spacing()) // 2
        self._right.setMinimumHeight(max(
            box.heightForWidth(half) if box.hasHeightForWidth() else box.minimumSizeHint().height()
            for box in self._boxes))

    def reload(self) -> None:
        self.ws.run(self, load_home, self._show, mutate=False)

    def _show(self, data: HomeData) -> None:
        self.data = data
        self.model.set_rows(data.cases)
        current = self.institution_filter.currentData()
        self.institution_filter.blockSignals(True)
        while self.institution_filter.count() > 1:
            self.institution_filter.removeItem(1)
        for name in sorted({r.institution for r in data.cases}):
            self.institution_filter.addItem(name, name)
        index = self.institution_filter.findData(current)
        self.institution_filter.setCurrentIndex(max(0, index))
        self.institution_filter.blockSignals(False)
        self.due_list.clear()
        today = date.today().isoformat()
        for item in data.due:
            late = self.tr(" (overdue)") if item.due < today else ""
            text = f"{item.due}{late}  {deadline_kind_label(item.kind)} — {item.institution}"
            self.due_list.addItem(text)
            row = self.due_list.item(self.due_list.count() - 1)
            row.setData(Qt.ItemDataRole.UserRole, item.case_id)
            if late:
                row.setForeground(QColor("#b3261e"))
        if not data.due:
            self.due_list.addItem(self.tr("Nothing due."))
        self.sync_label.setText(status_text(data.sync))
        self._fit_boxes()
        self._apply_filters()
        if self.proxy.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _apply_filters(self) -> None:
        self.proxy.set_filters(search=self.search.text().strip(), status=self.status_filter.currentData() or "",
                               kind=self.kind_filter.currentData() or "",
                               institution=self.institution_filter.currentData() or "",
                               deadline=self.deadline_filter.currentData() or "")
        self.count_label.setText(self.tr("%1 of %2 audits").replace("%1", str(self.proxy.rowCount()))
                                 .replace("%2", str(self.model.rowCount())))

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.case_opened.emit(rows[0].data(CaseTableModel.CaseIdRole))
