"""Keeping what is typed into the step pages of one case as drafts in the encrypted store (``app.workflow.drafts``).

The ``DraftKeeper`` of a case page watches the input widgets of each step page (found by ``input_widgets``: the
page's line edits, text edits, combo boxes, date and number fields, check boxes, tables and checkable lists, by
attribute name, also inside a dict of them or a dict of rows of them, such as one row per inspector),
saves a page's fields on the store's worker half a second after the last change, and at once on ``flush()``
(Esc, Ctrl+L, the idle lock, quitting: the save is queued on the store's one worker before the lock that closes
the store). When the case is opened it loads the case's drafts and its last step and puts them back.

Many inputs are built or refilled from the case as it loads (a row per inspector, a checkable list of the evidence):
after each snapshot a page shows, the keeper finds the inputs that appeared, puts back what the draft holds for
them, and gives back to a checkable list the ticks the inspector set (a list refilled from the case keeps them).

A page ends its draft by naming, in ``draft_ends_on``, the actions that sign what was typed; everything else about
drafts (what may be kept, how much, where) is ``app.workflow.drafts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from app.ui.operations import Operation
    from app.ui.steps.base import StepPage
    from app.ui.workspace import Workspace

DEBOUNCE_MS = 500
_INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateTimeEdit, QSpinBox, QCheckBox, QRadioButton,
           QTableWidget, QListWidget)


def input_widgets(page: QObject) -> dict[str, QWidget]:
    """The page's input widgets by attribute name (``name.key`` for a dict of them), less ``draft_exclude``."""
    exclude = set(getattr(page, "draft_exclude", ()))
    found: dict[str, QWidget] = {}
    for name, value in vars(page).items():
        if name.startswith("_") or name in exclude:
            continue
        if isinstance(value, _INPUTS):
            found[name] = value
        elif isinstance(value, dict):
            for key, widget in value.items():
                if not isinstance(key, str):
                    continue
                if isinstance(widget, _INPUTS):
                    found[f"{name}.{key}"] = widget
                elif isinstance(widget, (tuple, list)):  # a row of inputs, e.g. one per inspector
                    for i, part in enumerate(widget):
                        if isinstance(part, _INPUTS):
                            found[f"{name}.{key}.{i}"] = part
    return found


def _checkable(widget: QListWidget) -> bool:
    return any(widget.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable for i in range(widget.count()))


def item_key(item: QListWidgetItem) -> str:
    """What a list item stands for (its id), kept in a draft instead of its row: the list is refilled from the case."""
    data = item.data(Qt.ItemDataRole.UserRole)
    if isinstance(data, dict):
        data = data.get("item", data.get("id"))
    return data if isinstance(data, str) else item.text()


def _commit_open_editor(table: QTableWidget) -> None:
    """A cell being typed into is committed first (its text is otherwise only in the editor)."""
    focus = QApplication.focusWidget()
    if focus is not None and table.viewport().isAncestorOf(focus):
        table.commitData(focus)


def _cell(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""


def read_value(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, str) else widget.currentIndex()
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTime().toString(Qt.DateFormat.ISODate)
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return widget.isChecked()
    if isinstance(widget, QTableWidget):
        _commit_open_editor(widget)
        return [[_cell(widget.item(r, c)) for c in range(widget.columnCount())] for r in range(widget.rowCount())]
    if isinstance(widget, QListWidget):
        # a checkable list: the ticks set and cleared by item id (an item added later keeps what the page gives it)
        if not _checkable(widget):
            return None
        items = [widget.item(i) for i in range(widget.count())]
        return {"checked": sorted(item_key(i) for i in items if i.checkState() == Qt.CheckState.Checked),
                "unchecked": sorted(item_key(i) for i in items if i.checkState() != Qt.CheckState.Checked)}
    return None


def ready(widget: QWidget) -> bool:
    """Whether a kept value can be put back now (a checkable list is filled from the case as it loads)."""
    return not isinstance(widget, QListWidget) or _checkable(widget)


def write_value(widget: QWidget, value: Any) -> None:
    """Put a kept value back; a value of the wrong shape is ignored (the widget keeps what it shows)."""
    if isinstance(widget, QLineEdit) and isinstance(value, str):
        widget.setText(value)
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and isinstance(value, str):
        if widget.toPlainText() != value:
            widget.setPlainText(value)
    elif isinstance(widget, QComboBox):
        index = widget.findData(value) if isinstance(value, str) else value
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < widget.count():
            widget.setCurrentIndex(index)
    elif isinstance(widget, QDateTimeEdit) and isinstance(value, str):
        when = QDateTime.fromString(value, Qt.DateFormat.ISODate)
        if when.isValid():
            widget.setDateTime(when)
    elif isinstance(widget, QSpinBox) and isinstance(value, int) and not isinstance(value, bool):
        widget.setValue(value)
    elif isinstance(widget, (QCheckBox, QRadioButton)) and isinstance(value, bool):
        widget.setChecked(value)
    elif isinstance(widget, QListWidget) and isinstance(value, dict):
        on = {k for k in value.get("checked", []) if isinstance(k, str)}
        off = {k for k in value.get("unchecked", []) if isinstance(k, str)}
        for i in range(widget.count()):
            item = widget.item(i)
            key = item_key(item)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and key in on | off:
                state = Qt.CheckState.Checked if key in on else Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
    elif isinstance(widget, QTableWidget) and isinstance(value, list):
        rows = [r for r in value if isinstance(r, list)]
        widget.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c in range(widget.columnCount()):
                text = cells[c] if c < len(cells) and isinstance(cells[c], str) else ""
                widget.setItem(r, c, QTableWidgetItem(text))


def _connect(widget: QWidget, slot: Callable[[], None]) -> None:
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QDateTimeEdit):
        widget.dateTimeChanged.connect(slot)
    elif isinstance(widget, QSpinBox):
        widget.valueChanged.connect(slot)
    elif isinstance(widget, (QCheckBox, QRadioButton)):
        widget.toggled.connect(slot)
    elif isinstance(widget, QTableWidget):
        widget.itemChanged.connect(slot)
        widget.model().rowsInserted.connect(slot)
        widget.model().rowsRemoved.connect(slot)
    elif isinstance(widget, QListWidget):
        widget.itemChanged.connect(slot)  # a tick set or cleared


def page_fields(page: QObject) -> dict[str, Any]:
    """What the page's inputs hold now (a page may override ``draft_fields`` / ``restore_draft``)."""
    custom = getattr(page, "draft_fields", None)
    if callable(custom):
        return dict(custom())
    values = {name: read_value(widget) for name, widget in input_widgets(page).items()}
    return {name: value for name, value in values.items() if value is not None}


def restore_fields(page: QObject, fields: dict[str, Any]) -> dict[str, Any]:
    """Put ``fields`` back into the page; returns those whose input is not there (or not filled) yet."""
    custom = getattr(page, "restore_draft", None)
    if callable(custom):
        custom(fields)
        return {}
    widgets = input_widgets(page)
    later: dict[str, Any] = {}
    for name, value in fields.items():
        widget = widgets.get(name)
        if widget is not None and ready(widget):
            write_value(widget, value)
        else:
            later[name] = value
    return later


class DraftKeeper(QObject):
    """The drafts of one case's pages. ``resume_step(step)`` once loaded, when the case was last left on ``step``."""

    resume_step = Signal(str)
    saved = Signal()  # a save (or discard) reached the store (tests wait for it)

    def __init__(self, workspace: Workspace, case_id: str, owner: QWidget) -> None:
        super().__init__(owner)
        self.ws = workspace
        self.case_id = case_id
        self._owner = owner
        self._pages: dict[str, StepPage] = {}
        self._watched: dict[str, set[int]] = {}  # per page: the inputs already connected (by id)
        self._later: dict[str, dict[str, Any]] = {}  # per page: kept values whose input is not there yet
        self._ticks: dict[str, dict[str, Any]] = {}  # per page: checkable lists' ticks while the page refills
        self._dirty: set[str] = set()
        self._drafts: dict[str, dict[str, Any]] | None = None
        self._restoring = False
        self._step: str | None = None
        self._shown = 0  # steps shown since the page opened
        self._failed_shown = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

    # --- loading
    def load(self) -> Operation[Any]:
        """Read the drafts and the step last shown; the operation's ``finished`` comes once they are applied."""
        from app.workflow.drafts import last_step, load_drafts

        case_id = self.case_id
        return self.ws.run(self._owner, lambda store: (load_drafts(store, case_id), last_step(store, case_id)),
                           self._loaded, mutate=False)

    def loaded(self) -> bool:
        return self._drafts is not None

    def _loaded(self, result: tuple[dict[str, dict[str, Any]], str | None]) -> None:
        drafts, step = result
        self._drafts = drafts
        for name in list(self._pages):
            self._restore(name)
        if step is not None and step != self._step and self._shown <= 1:  # not when the user moved on meanwhile
            self.resume_step.emit(step)  # the case page shows it, which calls ``shown``
        elif self._step is not None:
            self.shown(self._step)

    def _restore(self, name: str) -> None:
        fields = (self._drafts or {}).get(name)
        if fields is None:
            return
        self._restoring = True
        try:
            self._later[name] = restore_fields(self._pages[name], fields)
        finally:
            self._restoring = False
        self._dirty.discard(name)

    # --- watching
    def attach(self, name: str, page: StepPage) -> None:
        self._pages[name] = page
        self._watch(name)
        page.acted.connect(lambda action, *_args, n=name: self._acted(n, action))
        page.refilling.connect(lambda starting, n=name: self._refilling(n, starting))
        if self._drafts is not None:
            self._restore(name)

    def _watch(self, name: str) -> dict[str, QWidget]:
        """Connect the page's inputs not connected yet (rows built as the case loads); returns all of them."""
        watched = self._watched.setdefault(name, set())
        widgets = input_widgets(self._pages[name])
        for widget in widgets.values():
            if id(widget) not in watched:
                watched.add(id(widget))
                _connect(widget, lambda *_args, n=name: self._changed(n))
        return widgets

    def _refilling(self, name: str, starting: bool) -> None:
        """The page shows a new snapshot: before, note the ticks of its checkable lists; after, give them back
        and put back what the draft holds for inputs that have just appeared."""
        page = self._pages[name]
        if callable(getattr(page, "draft_fields", None)):
            return  # the page keeps its own draft
        if starting:
            self._ticks[name] = {f: v for f, w in input_widgets(page).items()
                                 if isinstance(w, QListWidget) and (v := read_value(w)) is not None}
            return
        widgets = self._watch(name)
        kept = {**self._ticks.pop(name, {}), **self._later.pop(name, {})}
        if not kept:
            return
        later: dict[str, Any] = {}
        self._restoring = True
        try:
            for field, value in kept.items():
                widget = widgets.get(field)
                if widget is not None and ready(widget):
                    write_value(widget, value)
                else:
                    later[field] = value
        finally:
            self._restoring = False
        if later:
            self._later[name] = later

    def _changed(self, name: str) -> None:
        if self._restoring or self._pages[name].showing_snapshot:
            return
        self._dirty.add(name)
        self._timer.start()

    def _acted(self, name: str, action: str) -> None:
        from app.workflow.drafts import discard_draft

        if action.split(":", 1)[0] not in getattr(self._pages[name], "draft_ends_on", ()):
            return
        self._dirty.discard(name)
        if self._drafts is not None:
            self._drafts.pop(name, None)
        case_id = self.case_id
        self.ws.run(self._owner, lambda store: discard_draft(store, case_id, name), lambda _r: self.saved.emit(),
                    mutate=False)

    def dirty(self) -> bool:
        return bool(self._dirty)

    # --- saving
    def flush(self) -> None:
        """Save every changed page now (queued on the store's worker, ahead of anything queued later)."""
        from app.workflow.drafts import save_draft

        self._timer.stop()
        if self._drafts is None:  # not loaded yet: saving now would replace the kept draft with a half-shown page
            if self._dirty:
                self._timer.start()
            return
        case_id = self.case_id
        for name in sorted(self._dirty):
            fields = page_fields(self._pages[name])
            self._drafts[name] = fields
            self.ws.run(self._owner, lambda store, n=name, f=fields: save_draft(store, case_id, n, f),
                        self._saved, mutate=False, failed=self._save_failed)
        self._dirty.clear()

    def _saved(self, _result: object) -> None:
        self._failed_shown = False
        self.saved.emit()

    def _save_failed(self, exc: BaseException) -> None:
        if not self._failed_shown:  # once until a save succeeds again, not on every keystroke
            self._failed_shown = True
            from app.ui.widgets.errors import show_error

            show_error(self._owner, exc)

    # --- where the inspector is
    def shown(self, step: str) -> None:
        from app.workflow.drafts import remember_place

        if step != self._step:
            self._shown += 1
        self._step = step
        if self._drafts is None:
            return  # remembered once loaded (the case page first shows its first step)
        case_id = self.case_id
        self.ws.run(self._owner, lambda store: remember_place(store, case_id, step), mutate=False,
                    failed=lambda _exc: None)

    def left(self) -> None:
        """Back to the list of audits: the unlock comes back there."""
        from app.workflow.drafts import remember_place

        self.flush()
        self.ws.run(self._owner, lambda store: remember_place(store, None), mutate=False, failed=lambda _exc: None)
