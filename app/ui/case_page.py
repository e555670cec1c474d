"""The walk-through of one audit: the steps on the left (done / missing, from the workflow's statuses), one page
per step on the right, and what the current step still needs at the bottom."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.drafts import DraftKeeper
from app.ui.i18n import pick
from app.ui.labels import audit_kind_label, case_status_label, local_time, step_label
from app.ui.snapshot import PAGES, CaseSnapshot, load_snapshot
from app.ui.steps.arrival import ArrivalPage
from app.ui.steps.base import StepPage
from app.ui.steps.checklist import ChecklistPage
from app.ui.steps.closing import ClosingPage
from app.ui.steps.evidence import EvidencePage
from app.ui.steps.findings import FindingsPage
from app.ui.steps.interview import InterviewPage
from app.ui.steps.measures import MeasuresPage
from app.ui.steps.onsite import OnsitePage
from app.ui.steps.recusal import RecusalPage
from app.ui.widgets.inputs import composing
from app.ui.widgets.inputs import install as install_input_guard
from app.ui.workspace import Workspace
from app.workflow.progress import DONE, EMPTY, MISSING, READY, Progress

Index = QModelIndex | QPersistentModelIndex
PAGE_CLASSES: dict[str, type[StepPage]] = {
    "arrival": ArrivalPage, "recusal": RecusalPage, "checklist": ChecklistPage, "evidence": EvidencePage,
    "interview": InterviewPage, "onsite": OnsitePage, "measures": MeasuresPage, "findings": FindingsPage,
    "closing": ClosingPage,
}
#: Below this height (logical pixels) of the case page, the 尚缺 list starts folded on a page that needs the
#: height (``StepPage.wants_height``: the evidence list and photo): 1366×768 and 1920×1080 at 150 % and 200 %.
SHORT_PAGE_PX = 800
#: At most this share of the case page's height goes to the 尚缺 list (it scrolls beyond), at least two rows.
MISSING_SHARE = 6


#: The list of steps' width on a laptop's screen: as its longest entry needs, within these (logical pixels) ...
STEP_LIST_WIDTH = (250, 330)
#: ... and never more than this share of the case page (960×540: the page keeps its room; entries wrap) nor less
STEP_LIST_SHARE, STEP_LIST_LEAST = 0.22, 180


class StepListModel(QAbstractListModel):
    """The steps, each marked from the workflow's page state: ✓ done, "N 项待办", "—" nothing recorded (not
    needed), "可结案" (closing: nothing missing, not yet closed)."""

    StepRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._states: dict[str, tuple[str, int]] = {}  # page -> (state, missing count)
        self._closed = False

    def set_progress(self, progress: Progress | None, closed: bool) -> None:
        self._states = ({p: (st.state, len(st.status.missing)) for p, st in progress.pages.items()}
                        if progress is not None else {})
        self._closed = closed
        if PAGES:
            self.dataChanged.emit(self.index(0), self.index(len(PAGES) - 1))

    def state(self, step: str) -> str:
        return self._states.get(step, ("", 0))[0]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PAGES)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(PAGES):
            return None
        step = PAGES[index.row()]
        state, missing = self._states.get(step, ("", 0))
        if role == self.StepRole:
            return step
        if role == Qt.ItemDataRole.DisplayRole:
            mark = {DONE: "✓", EMPTY: "—", READY: self.tr("ready to close"),
                    MISSING: self.tr("%1 missing").replace("%1", str(missing))}.get(state, "…")
            return f"{index.row() + 1}. {step_label(step)}   {mark}"
        if role == Qt.ItemDataRole.ForegroundRole and state == MISSING:
            return QColor("#b3261e")
        if role == Qt.ItemDataRole.ForegroundRole and state == DONE:
            return QColor("#1e7b34")
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = {DONE: self.tr("Complete"), EMPTY: self.tr("Nothing recorded; not required for closing"),
                   READY: self.tr("Nothing missing; the audit can be closed"),
                   MISSING: self.tr("Still missing something")}.get(state, "")
            return (tip + "  " if tip else "") + self.tr("Alt+%1").replace("%1", str(index.row() + 1))
        return None


class CasePage(QWidget):
    """``back_requested`` returns to the home page; ``loaded`` after every snapshot was shown."""

    back_requested = Signal()
    loaded = Signal()

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.case_id = case_id
        self.snap: CaseSnapshot | None = None
        self.loads = 0
        back = QPushButton(self.tr("← Audits (Esc)"))
        back.clicked.connect(self.back_requested)
        QShortcut(QKeySequence("Esc"), self, activated=self._escape)
        install_input_guard()
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #fff4d6; border: 1px solid #d9a400; padding: 8px; }")
        self.banner.hide()
        self.steps = StepListModel(self)
        self.step_view = QListView()
        self.step_view.setModel(self.steps)
        self.step_view.setFixedWidth(STEP_LIST_WIDTH[0])  # then as its entries need (_fit_steps)
        self.step_view.setStyleSheet("QListView::item { min-height: 52px; padding-left: 8px; }")
        # a long step name ("7. Preservation and sealing   2 missing") wraps onto a second line; never sideways
        self.step_view.setWordWrap(True)
        self.step_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.step_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        # a step's page is built the first time it is shown (most visits touch a few steps; nine pages of
        # widgets cost time and memory), and from then on follows every snapshot
        self.pages: dict[str, StepPage] = {}
        self._current = PAGES[0]
        self.drafts = DraftKeeper(workspace, case_id, self)  # what is typed, kept in the store as it is typed
        self.drafts.resume_step.connect(self.show_step)
        for i, step in enumerate(PAGES):
            QShortcut(QKeySequence(f"Alt+{i + 1}"), self, activated=lambda s=step: self.show_step(s))
        # 尚缺: always visible, each entry a link to where it is fixed; the title (with the count) folds the list
        # away, and the list is only as tall as its entries, at most a sixth of the page (a 1366×768 laptop)
        self.missing_title = QToolButton()
        self.missing_title.setProperty("role", "error")
        self.missing_title.setAutoRaise(True)
        self.missing_title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.missing_title.clicked.connect(self._missing_chosen)
        self._missing_choice: dict[str, bool] = {}  # step -> shown, where the inspector folded or unfolded it
        self.missing = QListWidget()
        self.missing.setWordWrap(True)
        self.missing.itemActivated.connect(self._go_missing)
        self.missing.itemClicked.connect(self._go_missing)
        self.next_button = QPushButton(self.tr("Next step →"))
        self.next_button.setProperty("primary", True)
        self.next_button.setShortcut(QKeySequence("Ctrl+PgDown"))  # Ctrl+Enter adds a finding
        self.next_button.setToolTip("Ctrl+PgDown")
        self.next_button.clicked.connect(self.next_step)
        self.step_view.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.show_step(PAGES[cur.row()]) if cur.isValid() else None)
        head = QHBoxLayout()
        head.addWidget(back)
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_title)
        bottom.addStretch(1)
        bottom.addWidget(self.next_button)
        right.addLayout(bottom)
        right.addWidget(self.missing)
        main = QHBoxLayout()
        main.addWidget(self.step_view)
        main.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addLayout(main, 1)
        workspace.changed.connect(self.reload)
        self.show_step("arrival")
        self.reload()
        # after the snapshot: a draft goes over what the snapshot filled in; ``finished`` once the page stands on
        # the step it was left on (the window shows a resumed case only then)
        self.drafts_loading = self.drafts.load()

    def page(self, step: str) -> StepPage:
        """The page of ``step``, built now if it was never shown."""
        page = self.pages.get(step)
        if page is None:
            page = PAGE_CLASSES[step](self.ws, self.case_id)
            page.navigate.connect(self.go_to)
            self.pages[step] = page
            self.stack.addWidget(page)
            if self.snap is not None:
                page.set_snapshot(self.snap)
            self.drafts.attach(step, page)
        return page

    def current_step(self) -> str:
        return self._current

    def show_step(self, step: str) -> None:
        row = PAGES.index(step)
        self.stack.setCurrentWidget(self.page(step))
        self._current = step
        if self.step_view.currentIndex().row() != row:
            self.step_view.setCurrentIndex(self.steps.index(row))
        self.drafts.shown(step)
        self._show_missing()

    def _escape(self) -> None:
        if not composing():  # Esc while an input method composes cancels the composition, not the page
            self.back_requested.emit()

    def reload(self) -> None:
        case_id = self.case_id
        self.ws.run(self, lambda store: load_snapshot(store, case_id), self._show, mutate=False)

    def _show(self, snap: CaseSnapshot) -> None:
        self.snap = snap
        self.title.setText(snap.title or snap.institution)
        self.subtitle.setText(" · ".join(x for x in (snap.doc_no, snap.institution, audit_kind_label(snap.kind),
                                                     case_status_label(snap.status)) if x))
        if snap.is_closed:
            self.banner.setText(self.tr("This audit was closed on %1. It is read-only: further entries are "
                                        "signed corrections.").replace("%1", local_time(snap.closed, date_only=True)))
        self.banner.setVisible(snap.is_closed)
        self.steps.set_progress(snap.progress, snap.is_closed)
        self._fit_steps()  # the entries' marks changed ("2 missing", "ready to close")
        for page in self.pages.values():
            page.set_snapshot(snap)
        if self.loads == 0 and snap.progress is not None and not snap.is_closed:
            self.show_step(snap.progress.current_page())  # opened where the audit stands
        self._show_missing()
        self.loads += 1
        self.loaded.emit()

    def next_step(self) -> None:
        """The page after this one (the walk-through's order; what is missing stays listed below)."""
        row = PAGES.index(self.current_step())
        if row + 1 < len(PAGES):
            self.show_step(PAGES[row + 1])

    def go_to(self, step: str, field: str = "") -> None:
        """Show ``step`` and put the focus where ``field`` (a case field or a missing-list code) is entered."""
        self.show_step(step)
        if field:
            self.page(step).focus_field(field)

    def _go_missing(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code and self.snap is not None and self.snap.progress is not None:
            self.go_to(self.snap.progress.page_of(code), code)

    def _missing_chosen(self) -> None:
        """The inspector folds or unfolds the 尚缺 list: kept for this page while the case is open."""
        if self.missing.count():
            self._missing_choice[self._current] = not self.missing_shown()
            self._fit_missing()

    def missing_shown(self) -> bool:
        """Is the 尚缺 list unfolded on the current page (the inspector's choice, else by the page's height)?"""
        chosen = self._missing_choice.get(self._current)
        if chosen is not None:
            return chosen
        page = self.pages.get(self._current)
        return not (page is not None and page.wants_height and self.height() < SHORT_PAGE_PX)

    def _fit_missing(self) -> None:
        """The 尚缺 list as tall as its entries, at most a share of the page; hidden when empty or folded."""
        rows = self.missing.count()
        shown = self.missing_shown()
        self.missing_title.setArrowType(Qt.ArrowType.NoArrow if not rows else
                                        Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.missing_title.setToolTip(self.tr("Show or hide the list") if rows else "")
        if not rows or not shown:
            self.missing.hide()
            return
        frame = 2 * self.missing.frameWidth()
        heights = [self._missing_row_height(i) for i in range(rows)]
        cap = self.height() // MISSING_SHARE - frame
        shown_rows = 1  # whole rows only: the rest scroll
        while shown_rows < rows and (shown_rows < 2 or sum(heights[:shown_rows + 1]) <= cap):
            shown_rows += 1
        self.missing.setFixedHeight(sum(heights[:shown_rows]) + frame)
        self.missing.show()

    def _missing_row_height(self, row: int) -> int:
        """An entry's height as it wraps at the list's width (the view's own row hint is one line)."""
        item = self.missing.item(row)
        metrics = self.missing.fontMetrics()
        one_line = max(self.missing.sizeHintForRow(row), metrics.height())
        width = self.missing.width() - 2 * self.missing.frameWidth() \
            - self.missing.verticalScrollBar().sizeHint().width() - 8  # the item's margins
        text = metrics.boundingRect(QRect(0, 0, max(1, width), 100_000), Qt.TextFlag.TextWordWrap, item.text())
        return one_line + max(0, text.height() - metrics.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_steps()
        self._fit_missing()

    def _fit_steps(self) -> None:
        """The list of steps as wide as its longest entry needs, within ``STEP_LIST_WIDTH``, and never more than
        ``STEP_LIST_SHARE`` of the page (a 960-px screen): a longer entry wraps onto a second line."""
        view = self.step_view
        metrics = view.fontMetrics()
        widest = max((metrics.horizontalAdvance(str(self.steps.data(self.steps.index(row))))
                      for row in range(self.steps.rowCount())), default=0)
        chrome = 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width() + 16  # the item's padding
        least, most = STEP_LIST_WIDTH
        width = min(most, max(least, widest + chrome), max(STEP_LIST_LEAST, round(self.width() * STEP_LIST_SHARE)))
        if view.width() != width:
            view.setFixedWidth(width)

    def missing_codes(self) -> list[str]:
        return [self.missing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.missing.count())]

    def _show_missing(self) -> None:
        """What the current page still needs (on the closing page: everything closing needs), each a link."""
        self.missing.clear()
        self.next_button.setEnabled(self.current_step() != PAGES[-1])
        if self.snap is None:
            self._fit_missing()
            return
        status = self.snap.statuses.get(self.current_step())
        if status is None or self.snap.is_closed:
            self.missing_title.setText(self.tr("Closed") if self.snap.is_closed else "")
            self._fit_missing()
            return
        progress = self.snap.progress
        for m in status.missing:
            page = progress.page_of(m.code) if progress is not None else self.current_step()
            where = "" if page == self.current_step() else f"  → {step_label(page)}"
            item = QListWidgetItem(pick(m.message_zh, m.message_en) + where)
            item.setData(Qt.ItemDataRole.UserRole, m.code)
            item.setForeground(QColor("#b3261e"))
            self.missing.addItem(item)
        for w in status.warnings:
            item = QListWidgetItem(self.tr("Note: %1").replace("%1", pick(w.message_zh, w.message_en)))
            item.setData(Qt.ItemDataRole.UserRole, w.code)
            self.missing.addItem(item)
        if status.missing:
            self.missing_title.setText(self.tr("Still missing (%1) — click an entry to go there")
                                       .replace("%1", str(len(status.missing))))
        else:
            self.missing_title.setText(self.tr("Nothing missing on this step"))
        self.missing_title.setProperty("role", "error" if status.missing else "ok")
        self.missing_title.style().unpolish(self.missing_title)  # the style sheet's colour follows the role
        self.missing_title.style().polish(self.missing_title)
        self._fit_missing()
