"""新建稽核: start an audit on this laptop — the party (from the list or typed, its 统一社会信用代码 checked as it is
typed), the kind and form, the checklist template, the audited period, the planned date, the notice or the reason
for an unannounced audit, and the two inspectors. The rules are the workflow's (``app.workflow.new_audit``); a
refusal names its field, which gets the focus."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.facade.audits import (
    NewAuditChoices,
    check_party_identifier,
    create_audit,
    load_choices,
    party_is_person,
)
from app.ui.i18n import pick
from app.ui.labels import audit_kind_label
from app.ui.steps.base import note_label, text_edit
from app.ui.steps.common import check_as_typed, qdate_to_date, unset_date_edit
from app.ui.workspace import Workspace

NEW_PARTY = "__new__"


class NewAuditDialog(QDialog):
    """``created(case_id)`` once the audit was created (the dialog then closes)."""

    created = Signal(str)

    def __init__(self, workspace: Workspace, choices: NewAuditChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.workflow.checklist_templates import list_checklist_templates
        from app.workflow.reference_entries import audit_kinds, institution_kinds

        self.ws = workspace
        self.choices = choices
        self.setWindowTitle(self.tr("New audit"))
        self.setModal(True)
        kinds = audit_kinds()
        # the party
        self.party = QComboBox()
        for c in choices.institutions:
            suffix = self.tr(" (office list)") if c.source == "office" else ""
            self.party.addItem(f"{c.name}{'  ' + c.uscc if c.uscc else ''}{suffix}", c)
        self.party.addItem(self.tr("New party (type it below)"), NEW_PARTY)
        self.party_name = QLineEdit()
        self.party_kind = QComboBox()
        for k in institution_kinds():
            self.party_kind.addItem(pick(k.zh, k.en), k.code)
        self.uscc = QLineEdit()
        self.uscc.setMaxLength(18)
        self.uscc.setPlaceholderText(self.tr("18 characters, check digit verified"))
        self.uscc_error = note_label(role="error")
        self.address = QLineEdit()
        self.legal_rep = QLineEdit()
        self.phone = QLineEdit()
        # the audit
        self.kind = QComboBox()
        for k in kinds.sources:
            self.kind.addItem(audit_kind_label(k.code), k.code)
        self.form = QComboBox()
        for f in kinds.forms:
            self.form.addItem(pick(f.zh, f.en), f.code)
        self.template = QComboBox()
        for t in list_checklist_templates():
            self.template.addItem(pick(t.title, t.title_en), t.id)
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("Default: the party's name"))
        self.doc_no = QLineEdit()
        self.doc_no.setPlaceholderText(self.tr("e.g. 某医保稽通〔2026〕12号"))
        self.matters = QLineEdit()
        self.basis = QLineEdit()
        self.place = QLineEdit()
        self.place.setPlaceholderText(self.tr("Default: the party's address"))
        self.period_from = unset_date_edit(self.tr("not entered"))
        self.period_to = unset_date_edit(self.tr("not entered"))
        today = date.today()
        self.planned = QDateEdit(QDate(today.year, today.month, today.day).addDays(7))
        self.planned.setCalendarPopup(True)
        self.planned.setDisplayFormat("yyyy-MM-dd")
        self.notice_mode = QComboBox()
        self.notice_mode.addItem(self.tr("Notice not served yet (recorded on arrival)"), "later")
        self.notice_mode.addItem(self.tr("Notice served on"), "served")
        self.notice_mode.addItem(self.tr("Unannounced (no prior notice), with the reason"), "unannounced")
        self.served_on = QDateEdit(QDate(today.year, today.month, today.day))
        self.served_on.setCalendarPopup(True)
        self.served_on.setDisplayFormat("yyyy-MM-dd")
        self.unannounced_reason = text_edit(self.tr("Why the audit is unannounced"), 56)
        self.inspector_a = QComboBox()
        self.inspector_b = QComboBox()
        for combo in (self.inspector_a, self.inspector_b):
            for iid, name, cred in choices.inspectors:
                combo.addItem(f"{name}（{cred}）", iid)
        team = workspace.team_ids()
        for combo, iid in zip((self.inspector_a, self.inspector_b), team[:2], strict=False):
            combo.setCurrentIndex(max(0, combo.findData(iid)))
        self.error = note_label(role="error")

        party_box = QGroupBox(self.tr("Audited party"))
        pf = QFormLayout(party_box)
        pf.addRow(self.tr("Choose"), self.party)
        pf.addRow(self.tr("Name"), self.party_name)
        pf.addRow(self.tr("Kind"), self.party_kind)
        self.uscc_label = QLabel()  # the identifier the kind carries (_party_kind_chosen)
        pf.addRow(self.uscc_label, self.uscc)
        pf.addRow("", self.uscc_error)
        pf.addRow(self.tr("Address"), self.address)
        pf.addRow(self.tr("Legal representative / head"), self.legal_rep)
        self._party_form = pf
        pf.addRow(self.tr("Phone"), self.phone)
        audit_box = QGroupBox(self.tr("The audit"))
        af = QFormLayout(audit_box)
        row = QHBoxLayout()
        row.addWidget(self.kind, 1)
        row.addWidget(self.form, 1)
        af.addRow(self.tr("Kind / form"), row)
        af.addRow(self.tr("Checklist template"), self.template)
        af.addRow(self.tr("Audit title"), self.title)
        af.addRow(self.tr("Doc no."), self.doc_no)
        row = QHBoxLayout()
        row.addWidget(self.period_from, 1)
        row.addWidget(self.period_to, 1)
        af.addRow(self.tr("Audited period (from, to)"), row)
        af.addRow(self.tr("Matters audited"), self.matters)
        af.addRow(self.tr("Legal basis"), self.basis)
        af.addRow(self.tr("Planned audit date"), self.planned)
        af.addRow(self.tr("Place"), self.place)
        row = QHBoxLayout()
        row.addWidget(self.notice_mode, 2)
        row.addWidget(self.served_on, 1)
        af.addRow(self.tr("Notice"), row)
        af.addRow(self.tr("Reason"), self.unannounced_reason)
        row = QHBoxLayout()
        row.addWidget(self.inspector_a, 1)
        row.addWidget(self.inspector_b, 1)
        af.addRow(self.tr("Inspectors"), row)
        inner = QWidget()
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, inner)
        self._columns.addWidget(party_box, 1)
        self._columns.addWidget(audit_box, 1)
        self._boxes = (party_box, audit_box)
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(self.tr("Create the audit"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setProperty("primary", True)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error)
        outer.addWidget(buttons)
        self.fields: dict[str, QWidget] = {
            "institution": self.party, "institution.name": self.party_name, "institution.kind": self.party_kind,
            "institution.uscc": self.uscc, "institution.phone": self.phone, "institution.address": self.address,
            "institution.legal_rep": self.legal_rep, "kind": self.kind, "form": self.form, "title": self.title,
            "doc_no": self.doc_no, "matters": self.matters, "basis": self.basis, "place": self.place,
            "checklist_template_id": self.template, "period_from": self.period_from, "period_to": self.period_to,
            "planned_date": self.planned, "notice_served_on": self.served_on, "unannounced": self.notice_mode,
            "unannounced_reason": self.unannounced_reason, "inspector_ids": self.inspector_b,
        }
        # what is typed is kept as a draft in the encrypted store (the idle lock or an Esc lost it all)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(500)
        self._draft_timer.timeout.connect(self.save_draft)
        self._restoring = False
        self.created_id = ""
        self.party.currentIndexChanged.connect(self._party_chosen)
        self.uscc.textChanged.connect(self._check_uscc)
        self.party_kind.currentIndexChanged.connect(self._party_kind_chosen)
        self._party_kind_chosen()
        self.notice_mode.currentIndexChanged.connect(self._notice_mode)
        self._party_chosen()
        self._notice_mode()
        # never larger than the screen it opens on, its frame and title bar included
        screen = (parent or self).screen().availableGeometry()
        self.resize(min(1100, screen.width() - 24), min(640, screen.height() - 48))

    # --- the draft
    def watch_draft(self) -> None:
        """Save the fields half a second after each change (call once the draft, if any, was put back)."""
        from app.ui.drafts import _connect, input_widgets

        for widget in input_widgets(self).values():
            _connect(widget, self._draft_timer.start)

    def restore_draft_fields(self, fields: dict[str, Any]) -> None:
        from app.ui.drafts import restore_fields

        self._restoring = True
        try:
            restore_fields(self, fields)
        finally:
            self._restoring = False

    def save_draft(self) -> None:
        """Keep what is typed now (at once: before a lock closes the store, or when the dialog is left)."""
        from app.ui.drafts import page_fields
        from app.workflow.drafts import NEW_AUDIT, save_draft

        self._draft_timer.stop()
        if self._restoring or self.created_id:
            return
        fields = page_fields(self)
        self.ws.run(self, lambda store: save_draft(store, NEW_AUDIT, "new_audit", fields), lambda _r: None,
                    mutate=False, failed=lambda _exc: None)  # a draft that cannot be kept never stops the typing

    def reject(self) -> None:
        self.save_draft()  # Esc or Cancel: the draft stays for the next 新建稽核
        super().reject()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side where both boxes fit, one above the other where they do not (a 1920×1080 screen at 200 %
        leaves 960 logical pixels): the form never scrolls sideways."""
        super().resizeEvent(event)
        margins = self._columns.contentsMargins()
        needed = sum(b.minimumSizeHint().width() for b in self._boxes) + self._columns.spacing() \
            + margins.left() + margins.right() + self._scroll.verticalScrollBar().sizeHint().width()
        direction = QBoxLayout.Direction.LeftToRight if self._scroll.width() >= needed \
            else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)

    # --- inline checks
    def _party_chosen(self) -> None:
        data = self.party.currentData()
        typed = data == NEW_PARTY
        for w in (self.party_name, self.party_kind, self.uscc, self.address, self.legal_rep, self.phone):
            w.setEnabled(typed or (getattr(data, "source", "") == "office"))
        if not typed and data is not None:
            self.party_name.setText(data.name)
            self.party_kind.setCurrentIndex(max(0, self.party_kind.findData(data.kind)))
            self.uscc.setText(data.uscc)
            self.address.setText(data.address)
            self.legal_rep.setText(data.legal_rep)
            self.phone.setText(data.phone)
        elif typed:
            for w in (self.party_name, self.uscc, self.address, self.legal_rep, self.phone):
                w.clear()

    def _party_kind_chosen(self) -> None:
        """An organisation is named by its 统一社会信用代码 and has a legal representative; an insured person
        (参保人员) by the resident identity number, and has none."""
        person = party_is_person(self.party_kind.currentData() or "")
        self.uscc_label.setText(self.tr("Resident ID number") if person else self.tr("Unified social credit code"))
        self._party_form.setRowVisible(self.legal_rep, not person)  # what was typed there stays (not printed)
        self._check_uscc(self.uscc.text())

    def _check_uscc(self, text: str) -> bool:
        kind = self.party_kind.currentData() or ""
        return check_as_typed(self.uscc_error, text, lambda value: check_party_identifier(kind, value), length=18,
                              short=self.tr("%1 of 18 characters"))

    def _notice_mode(self) -> None:
        mode = self.notice_mode.currentData()
        self.served_on.setEnabled(mode == "served")
        self.unannounced_reason.setEnabled(mode == "unannounced")

    # --- creating
    def spec(self) -> Any:
        from app.workflow.new_audit import InstitutionInput, NewAudit

        data = self.party.currentData()
        institution_id = data.id if data not in (None, NEW_PARTY) and data.id else ""
        institution = None if institution_id else InstitutionInput(
            self.party_name.text(), self.party_kind.currentData() or "", self.uscc.text(), self.address.text(),
            self.legal_rep.text(), self.phone.text())

        def day(edit: QDateEdit) -> str:
            return "" if edit.date() == edit.minimumDate() and edit.specialValueText() else \
                qdate_to_date(edit.date()).isoformat()

        mode = self.notice_mode.currentData()
        return NewAudit(
            kind=self.kind.currentData() or "", form=self.form.currentData() or "onsite",
            inspector_ids=[self.inspector_a.currentData() or "", self.inspector_b.currentData() or ""],
            institution_id=institution_id, institution=institution,
            checklist_template_id=self.template.currentData() or "", title=self.title.text(),
            doc_no=self.doc_no.text(), matters=self.matters.text(), basis=self.basis.text(), place=self.place.text(),
            period_from=day(self.period_from), period_to=day(self.period_to), planned_date=day(self.planned),
            notice_served_on=day(self.served_on) if mode == "served" else "", unannounced=mode == "unannounced",
            unannounced_reason=self.unannounced_reason.toPlainText() if mode == "unannounced" else "")

    def submit(self) -> None:
        spec = self.spec()
        actor = self.ws.actor if self.ws.actor in spec.inspector_ids else spec.inspector_ids[0]
        self.error.setText("")
        self.create_button.setEnabled(False)

        def done(case_id: str) -> None:
            from app.workflow.drafts import NEW_AUDIT, discard_draft

            self.create_button.setEnabled(True)
            self.created_id = case_id
            self._draft_timer.stop()
            self.ws.run(self.parentWidget() or self, lambda store: discard_draft(store, NEW_AUDIT, "new_audit"),
                        lambda _r: None, mutate=False, failed=lambda _exc: None)
            self.accept()
            self.created.emit(case_id)

        self.ws.run(self, lambda store: create_audit(store, actor, spec), done, failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        from app.ui.widgets.errors import describe_error, show_error

        self.create_button.setEnabled(True)
        text = describe_error(exc)
        if text is None:
            show_error(self, exc)
            return
        self.error.setText(text.message)
        widget = self.fields.get(str(getattr(exc, "field", "")))
        if widget is not None:
            widget.setFocus()


__all__ = ["NewAuditChoices", "NewAuditDialog", "load_choices"]
