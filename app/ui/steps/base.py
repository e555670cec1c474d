"""What every step page shares: the workspace, the case, read-only after closing, and small form helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.profile import Store
from app.ui.snapshot import CaseSnapshot
from app.ui.widgets.screen import fit_to_screen
from app.ui.widgets.signature_pad import SignaturePanel
from app.ui.workspace import Workspace

T = TypeVar("T")


class StepPage(QWidget):
    """A page of one step. Subclasses build widgets in ``__init__`` and fill them in ``show_snapshot``.

    Buttons registered with ``editing(button)`` change the case: they are disabled once the case is closed
    (after closing only corrections are possible, DOMAIN.md 'What the software must never do').
    """

    step = ""
    #: input widgets (attribute names) that are not part of the page's draft (app.ui.drafts)
    draft_exclude: tuple[str, ...] = ()
    #: actions (``acted`` names, before any ":") that sign what was typed: the page's draft ends with them
    draft_ends_on: frozenset[str] = frozenset()
    #: the page fills the height it gets (the evidence list and photo): on a short window the case page's
    #: 尚缺 list starts folded under it
    wants_height = False
    acted = Signal(str)  # the name of the action that succeeded (tests and the case page listen)
    navigate = Signal(str, str)  # (page, field): show that page with that field in focus
    refilling = Signal(bool)  # True before a snapshot fills the page, False after (app.ui.drafts keeps ticks)

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.case_id = case_id
        self.snap: CaseSnapshot | None = None
        self.showing_snapshot = False
        self._editing: list[QWidget] = []
        self._body = QWidget()
        self.body = QVBoxLayout(self._body)
        self.body.setSpacing(12)
        scroll = QScrollArea()
        self._scroll = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # --- building helpers
    def editing(self, widget: QWidget) -> QWidget:
        self._editing.append(widget)
        return widget

    def button(self, text: str, slot: Callable[[], None], *, primary: bool = False, edit: bool = True,
               shortcut: str | None = None) -> QPushButton:
        button = QPushButton(text)
        if primary:
            button.setProperty("primary", True)
        if shortcut:
            button.setShortcut(shortcut)
            button.setToolTip(shortcut)
        button.clicked.connect(lambda _checked=False: slot())
        if edit:
            self.editing(button)
        return button

    def group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.body.addWidget(box)
        return box, form

    # --- acting
    def act(self, name: str, fn: Callable[[Store], T], done: Callable[[T], None] | None = None, *,
            busy: str | None = None) -> None:
        """Run a change of the case on the store's worker; on success emit ``acted(name)``."""

        def ok(result: T) -> None:
            if done is not None:
                done(result)
            self.acted.emit(name)

        self.ws.run(self, fn, ok, busy=busy)

    # --- snapshot
    def set_snapshot(self, snap: CaseSnapshot) -> None:
        self.snap = snap
        self.refilling.emit(True)
        self.showing_snapshot = True  # what the snapshot fills in is not typed: not a draft (app.ui.drafts)
        try:
            self.show_snapshot(snap)
        finally:
            self.showing_snapshot = False
        self.refilling.emit(False)
        for widget in self._editing:
            widget.setEnabled(not snap.is_closed and widget.property("blocked") is not True)

    def show_snapshot(self, snap: CaseSnapshot) -> None:
        raise NotImplementedError

    def focus_field(self, field: str) -> bool:
        """Put the focus on the input of ``field`` (a case field or a missing-list code); False if not here."""
        widget = self.field_widgets().get(field)
        if widget is None:
            return False
        self._scroll.ensureWidgetVisible(widget)
        widget.setFocus()
        return True

    def field_widgets(self) -> dict[str, QWidget]:
        return {}


def missing_field_box(parent: QWidget, exc: BaseException, go: Callable[[], None]) -> QMessageBox:
    """The error names the missing field; "去填写" goes to where it is entered."""
    from app.ui.widgets.errors import describe_error

    text = describe_error(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(text.title if text else "")
    box.setText(text.message if text else str(exc))
    go_button = box.addButton(QCoreApplication.translate("StepPage", "Go and fill it in"),
                              QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    go_button.clicked.connect(lambda _c=False: go())
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def text_edit(placeholder: str = "", height: int = 96) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(height)
    edit.setTabChangesFocus(True)
    return edit


def note_label(text: str = "", role: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


class SignatureDialog(QDialog):
    """The provider (or interviewee) signs on the pad: name, role and ID number, then the strokes."""

    def __init__(self, parent: QWidget | None, title: str, *, name: str = "", role: str = "",
                 id_number: str = "", statement: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.name = QLineEdit(name)
        self.role = QLineEdit(role)
        self.id_number = QLineEdit(id_number)
        self.statement = QLineEdit(statement)
        # who signs on one row: the height goes to the pad (a 1920×1080 screen at 200 % leaves 540 px)
        form = QGridLayout()
        for column, (label, edit) in enumerate(((self.tr("Signer's name"), self.name), (self.tr("Role"), self.role),
                                                (self.tr("ID number"), self.id_number))):
            form.addWidget(QLabel(label), 0, 2 * column)
            form.addWidget(edit, 0, 2 * column + 1)
            form.setColumnStretch(2 * column + 1, 2 if edit is self.id_number else 1)
        if statement:
            form.addWidget(QLabel(self.tr("Statement in own words")), 1, 0, 1, 2)
            form.addWidget(self.statement, 1, 2, 1, 4)
        self.panel = SignaturePanel(self, signer=name)
        self.name.textChanged.connect(self.panel.set_signer)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(self.tr("Confirm signature"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setProperty("primary", True)
        self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error = note_label(role="error")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._preferred = QSize(820, 560)

    def showEvent(self, event: QShowEvent) -> None:
        """As large as preferred where the screen has room, never larger than the screen (its frame included)."""
        super().showEvent(event)
        fit_to_screen(self, self._preferred)

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("Enter the signer's name."))
            return
        if self.panel.pad.point_count() < 2:
            self.error.setText(self.tr("The pad is empty: the signer signs first."))
            return
        self.accept()

    def result_data(self) -> tuple[Any, list[list[list[int]]], bytes]:
        from app.evidence.provider import Signer

        signer = Signer(self.name.text().strip(), self.role.text().strip(), self.id_number.text().strip())
        strokes = [[list(p) for p in stroke] for stroke in self.panel.pad.strokes()]
        return signer, strokes, self.panel.pad.render_png()


class BatchSignatureDialog(SignatureDialog):
    """The provider sees the list of items (number, title, kind, SHA-256) and signs once for those ticked."""

    def __init__(self, parent: QWidget | None, items: list[Any], *, name: str = "", role: str = "",
                 id_number: str = "") -> None:
        super().__init__(parent, QCoreApplication.translate("BatchSignatureDialog",
                                                            "Provider's signature for a list of evidence"),
                         name=name, role=role, id_number=id_number)
        from app.ui.labels import evidence_kind_label

        self.items = QListWidget()
        for seq, e in enumerate(items, 1):
            sha = e.streams[0]["sha256"][:16] + "…" if e.streams else ""
            row = QListWidgetItem(f"{seq}. {e.title}　{evidence_kind_label(e.kind)}　SHA-256 {sha}")
            row.setData(Qt.ItemDataRole.UserRole, e.id)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            self.items.addItem(row)
        self.items.setMaximumHeight(160)
        self.items.setMinimumHeight(2 * max(self.items.sizeHintForRow(0), 1) + 2 * self.items.frameWidth())
        self.items.itemChanged.connect(lambda _i: self._count())
        self.count = note_label()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.count)
        layout.insertWidget(1, self.items)
        self._count()
        self._preferred = QSize(860, 680)

    def chosen(self) -> list[str]:
        return [self.items.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.items.count())
                if self.items.item(i).checkState() == Qt.CheckState.Checked]

    def _count(self) -> None:
        self.count.setText(QCoreApplication.translate("BatchSignatureDialog",
                                                      "The provider confirms these %1 item(s) with one signature:")
                           .replace("%1", str(len(self.chosen()))))

    def _accept(self) -> None:
        if not self.chosen():
            self.error.setText(QCoreApplication.translate("BatchSignatureDialog", "Tick at least one item."))
            return
        super()._accept()


class RefusalDialog(QDialog):
    """The signature could not be had: the reason, and a witness where there is one."""

    def __init__(self, parent: QWidget | None, title: str, *, name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.name = QLineEdit(name)
        self.reason = text_edit(self.tr("e.g. the provider refused to sign and gave no reason"))
        self.witness = QLineEdit()
        self.witness_id = QLineEdit()
        form = QFormLayout(self)
        form.addRow(self.tr("Person who did not sign"), self.name)
        form.addRow(self.tr("Reason (required)"), self.reason)
        form.addRow(self.tr("Witness"), self.witness)
        form.addRow(self.tr("Witness ID number"), self.witness_id)
        self.error = note_label(role="error")
        form.addRow(self.error)
        buttons = QDialogButtonBox()
        ok = buttons.addButton(self.tr("Record refusal"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setProperty("primary", True)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._preferred = QSize(640, 380)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self, self._preferred)

    def _accept(self) -> None:
        if len(self.reason.toPlainText().strip()) < 2:
            self.error.setText(self.tr("State why the signature could not be obtained."))
            return
        self.accept()

    def result_data(self) -> tuple[str, Any, Any]:
        from app.evidence.provider import Signer

        signer = Signer(self.name.text().strip(), self.tr("Provider")) if self.name.text().strip() else None
        witness = (Signer(self.witness.text().strip(), self.tr("Witness"), self.witness_id.text().strip())
                   if self.witness.text().strip() else None)
        return self.reason.toPlainText().strip(), signer, witness
