"""Keeping what is typed into the step pages of one case as drafts in the encrypted store (``app.workflow.drafts``).

The ``DraftKeeper`` of a case page watches the input widgets of each step page (found by ``input_widgets``: the
page's line edits, text edits, combo boxes, date and number fields, check boxes and tables, by attribute name),
saves a page's fields on the store's worker half a second after the last change, and at once on ``flush()``
(Esc, Ctrl+L, the idle lock, quitting: the save is queued on the store's one worker before the lock that closes
the store). When the case is opened it loads the case's drafts and its last step and puts them back.

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
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from app.ui.steps.base import StepPage
    from app.ui.workspace import Workspace

DEBOUNCE_MS = 500
_INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateTimeEdit, QSpinBox, QCheckBox, QRadioButton,
           QTableWidget)


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
                if isinstance(key, str) and isinstance(widget, _INPUTS):
                    found[f"{name}.{key}"] = widget
    return found


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
    return None


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


def page_fields(page: QObject) -> dict[str, Any]:
    """What the page's inputs hold now (a page may override ``draft_fields`` / ``restore_draft``)."""
    custom = getattr(page, "draft_fields", None)
    if callable(custom):
        return dict(custom())
    return {name: read_value(widget) for name, widget in input_widgets(page).items()}


def restore_fields(page: QObject, fields: dict[str, Any]) -> None:
    custom = getattr(page, "restore_draft", None)
    if callable(custom):
        custom(fields)
        return
    for name, widget in input_widgets(page).items():
        if name in fields:
            write_value(widget, fields[name])


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
    def load(self) -> None:
        from app.workflow.drafts import last_step, load_drafts

        case_id = self.case_id
        self.ws.run(self._owner, lambda store: (load_drafts(store, case_id), last_step(store, case_id)),
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
            restore_fields(self._pages[name], fields)
        finally:
            self._restoring = False
        self._dirty.discard(name)

    # --- watching
    def attach(self, name: str, page: StepPage) -> None:
        self._pages[name] = page
        for widget in input_widgets(page).values():
            _connect(widget, lambda *_args, n=name: self._changed(n))
        page.acted.connect(lambda action, *_args, n=name: self._acted(n, action))
        if self._drafts is not None:
            self._restore(name)

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
