"""Arrival: the notice (or why the audit is unannounced), 亮证 per inspector, the party's representative with a
validated ID number, and the rights and duties told (000 Art. 7(1)(2); 001 Art. 32(2); 条例 Art. 29)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.facade.steps import save_case_fields, step_action
from app.models.validators import validate_phone, validate_resident_id
from app.ui.i18n import pick
from app.ui.labels import local_time
from app.ui.snapshot import CaseSnapshot, arrival_section
from app.ui.steps.base import StepPage, note_label, text_edit
from app.ui.steps.common import check_as_typed, date_to_qdate, qdate_to_date, unset_date_edit
from app.ui.steps.later_forms import NoticeDetailsBox
from app.ui.workspace import Workspace


class ArrivalPage(StepPage):
    step = "arrival"

    def __init__(self, workspace: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(workspace, case_id, parent)
        # the case details every form states (an audit pulled from the office arrives without some of them)
        _box, form = self.group(self.tr("Case details (printed on every form)"))
        self.case_fields: dict[str, QWidget] = {}
        for name, label in (("doc_no", self.tr("Doc no.")), ("title", self.tr("Audit title")),
                            ("period_from", self.tr("Audited period from")),
                            ("period_to", self.tr("Audited period to")),
                            ("planned_date", self.tr("Planned audit date")), ("place", self.tr("Place")),
                            ("matters", self.tr("Matters audited")), ("basis", self.tr("Legal basis"))):
            widget: QWidget
            if name in ("period_from", "period_to", "planned_date"):
                widget = unset_date_edit(self.tr("not entered"))
            else:
                widget = QLineEdit()
            form.addRow(label, widget)
            self.case_fields[name] = widget
        self.case_state = note_label()
        form.addRow(self.case_state, self.button(self.tr("Save case details"), self.save_case_details))
        # notice
        _box, form = self.group(self.tr("Audit notice (3 days before; Wuhan Audit Measures Art. 7(1))"))
        self.audit_date = QDateEdit(QDate.currentDate())
        self.audit_date.setCalendarPopup(True)
        self.served_on = QDateEdit(QDate.currentDate().addDays(-3))
        self.served_on.setCalendarPopup(True)
        self.unannounced = QCheckBox(self.tr("Unannounced audit (no prior notice)"))
        self.unannounced_reason = text_edit(self.tr("Why the audit is unannounced"), 60)
        self.notice_state = note_label()
        form.addRow(self.tr("Audit date"), self.audit_date)
        form.addRow(self.tr("Notice served on"), self.served_on)
        form.addRow("", self.unannounced)
        form.addRow(self.tr("Reason"), self.unannounced_reason)
        form.addRow(self.notice_state, self.button(self.tr("Record notice"), self.record_notice))
        self.unannounced.toggled.connect(self._notice_mode)
        self._notice_mode(False)
        self._notice_box = NoticeDetailsBox(self)  # what the printed notice states besides the dates
        self.notice_details = self._notice_box.inputs
        # credentials
        _box, self.cred_form = self.group(self.tr("Credentials shown (each inspector in person)"))
        self.cred_rows: dict[str, tuple[QLabel, QPushButton]] = {}
        # representative
        self.rep_box, form = self.group(self.tr("The party's representative present"))
        self.rep_name = QLineEdit()
        self.rep_post = QLineEdit()
        self.rep_id = QLineEdit()
        self.rep_id.setMaxLength(18)
        self.rep_id_error = note_label(role="error")
        self.rep_phone = QLineEdit()
        self.rep_phone_error = note_label(role="error")
        self.rep_state = note_label()
        form.addRow(self.tr("Name"), self.rep_name)
        form.addRow(self.tr("Post"), self.rep_post)
        form.addRow(self.tr("ID number"), self.rep_id)
        form.addRow("", self.rep_id_error)
        form.addRow(self.tr("Phone"), self.rep_phone)
        form.addRow("", self.rep_phone_error)
        self.rep_button = self.button(self.tr("Record representative"), self.record_representative)
        form.addRow(self.rep_state, self.rep_button)
        self.rep_id.textChanged.connect(self._check_id)
        self.rep_phone.textChanged.connect(self._check_phone)
        # rights
        _box, form = self.group(self.tr("Rights and duties told"))
        self.rights = {
            "recusal": QCheckBox(self.tr("The right to ask for recusal")),
            "cooperate": QCheckBox(self.tr("The duty to cooperate and give true information")),
            "defence": QCheckBox(self.tr("The right to state and defend")),
        }
        for box in self.rights.values():
            form.addRow("", box)
        self.rights_answer = QLineEdit()
        self.rights_answer.setPlaceholderText(self.tr("e.g. 清楚，不申请回避"))
        self.rights_state = note_label()
        form.addRow(self.tr("The party's answer"), self.rights_answer)
        form.addRow(self.rights_state, self.button(self.tr("Record rights told"), self.record_rights))
        self.body.addStretch(1)

    # --- inline validation
    def _check_id(self, text: str) -> bool:
        return check_as_typed(self.rep_id_error, text, validate_resident_id, length=18,
                              short=self.tr("%1 of 18 characters"))

    def _check_phone(self, text: str) -> bool:
        return check_as_typed(self.rep_phone_error, text, validate_phone)

    def _notice_mode(self, unannounced: bool) -> None:
        self.served_on.setEnabled(not unannounced)
        self.unannounced_reason.setEnabled(unannounced)

    # --- actions
    def field_widgets(self) -> dict[str, QWidget]:
        widgets: dict[str, QWidget] = dict(self.case_fields)
        widgets.update({f"arrival.case.{k}": v for k, v in self.case_fields.items()})
        widgets.update({"arrival.notice": self.audit_date, "arrival.representative": self.rep_name,
                        "arrival.rights": self.rights_answer, "notice_served_on": self.served_on,
                        "unannounced": self.unannounced, "unannounced_reason": self.unannounced_reason})
        widgets.update(self._notice_box.field_widgets())
        return widgets

    def case_values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, widget in self.case_fields.items():
            if isinstance(widget, QDateEdit):
                out[name] = "" if widget.date() == widget.minimumDate() else qdate_to_date(widget.date()).isoformat()
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
        return out

    def save_case_details(self) -> None:
        """Each changed field through the facade (``set_case_field``, journaled ``case.field_changed``), in one
        transaction."""
        snap = self.snap
        if snap is None:
            return
        current = {"doc_no": snap.doc_no, "title": snap.title, "period_from": snap.period_from,
                   "period_to": snap.period_to, "planned_date": snap.planned_date, "place": snap.place,
                   "matters": snap.matters, "basis": snap.basis}
        changed = {k: v for k, v in self.case_values().items() if v != current.get(k, "")}
        case_id, actor = self.case_id, self.ws.actor
        self.act("case_details", lambda store: save_case_fields(store, case_id, actor, changed))

    def record_notice(self) -> None:
        unannounced = self.unannounced.isChecked()
        self.act("notice", step_action("record_notice", self.case_id, self.ws.actor,
                                       audit_date=qdate_to_date(self.audit_date.date()),
                                       served_on=None if unannounced else qdate_to_date(self.served_on.date()),
                                       unannounced=unannounced,
                                       unannounced_reason=self.unannounced_reason.toPlainText()))

    def show_credentials(self, inspector_id: str) -> None:
        snap = self.snap
        info = next((i for i in snap.inspectors if i.id == inspector_id), None) if snap else None
        if info is None:
            return
        call = step_action("record_credentials_shown", self.case_id, inspector_id)
        if info.unlocked:
            self.act(f"credentials:{inspector_id}", call)
            return
        # this inspector confirms in person, with their own passphrase
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Confirm in person"))
        dialog.setLabelText(self.tr("%1, enter your own passphrase:").replace("%1", info.name))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)

        def confirmed(secret: str) -> None:
            def work(store):  # type: ignore[no-untyped-def]
                store.unlock_inspector(secret, inspector_id)
                return call(store)

            self.act(f"credentials:{inspector_id}", work)

        dialog.textValueSelected.connect(confirmed)
        self.passphrase_dialog = dialog
        dialog.open()

    def record_representative(self) -> None:
        self.act("representative", step_action("identify_representative", self.case_id, self.ws.actor,
                                               name=self.rep_name.text(), post=self.rep_post.text(),
                                               id_number=self.rep_id.text(), phone=self.rep_phone.text()))

    def record_rights(self) -> None:
        told = [code for code, box in self.rights.items() if box.isChecked()]
        self.act("rights", step_action("record_rights_told", self.case_id, self.ws.actor,
                                       answer=self.rights_answer.text(), rights=told))

    # --- showing
    def show_snapshot(self, snap: CaseSnapshot) -> None:
        values = {"doc_no": snap.doc_no, "title": snap.title, "period_from": snap.period_from,
                  "period_to": snap.period_to, "planned_date": snap.planned_date, "place": snap.place,
                  "matters": snap.matters, "basis": snap.basis}
        for name, widget in self.case_fields.items():
            if isinstance(widget, QDateEdit):
                widget.setDate(date_to_qdate(values[name]) if values[name] else widget.minimumDate())
            elif isinstance(widget, QLineEdit):
                widget.setText(values[name])
        lacking = [m for m in snap.statuses["arrival"].missing if m.code.startswith("arrival.case.")] \
            if "arrival" in snap.statuses else []
        self.case_state.setText("；".join(pick(m.message_zh, m.message_en) for m in lacking) if lacking
                                else self.tr("Case details complete"))
        arrival = arrival_section(snap)
        notice = arrival.get("notice")
        self._notice_box.show_snapshot(snap)
        if snap.planned_date:
            self.audit_date.setDate(date_to_qdate(snap.planned_date))
        if snap.notice_served_on:
            self.served_on.setDate(date_to_qdate(snap.notice_served_on))
        if notice:
            text = (self.tr("Recorded: unannounced — %1").replace("%1", notice.get("reason", ""))
                    if notice.get("unannounced")
                    else self.tr("Recorded: served on %1").replace("%1", str(notice.get("served_on"))))
            self.notice_state.setText(text)
            self.notice_state.setProperty("role", "ok")
        shown = arrival.get("credentials", {})
        for info in snap.inspectors:
            if info.id not in self.cred_rows:
                label = note_label()
                button = self.button(self.tr("Show credential: %1").replace("%1", info.name),
                                     lambda iid=info.id: self.show_credentials(iid))
                row = QHBoxLayout()
                row.addWidget(label, 1)
                row.addWidget(button)
                self.cred_form.addRow(f"{info.name}（{info.credential_no}）", row)
                self.cred_rows[info.id] = (label, button)
            label, button = self.cred_rows[info.id]
            if info.id in shown:
                label.setText(self.tr("Shown at %1").replace("%1", local_time(shown[info.id]["shown"])))
            elif info.unlocked:
                label.setText(self.tr("Not shown yet"))
            else:
                label.setText(self.tr("Not shown yet; this inspector confirms with their own passphrase"))
        # a person audited is present as themself or through an agent, with no post to state
        self.rep_box.setTitle(self.tr("The person audited, or their agent, present") if snap.party_is_person
                              else self.tr("The party's representative present"))
        self.rep_post.setPlaceholderText(self.tr("Optional (e.g. agent, spouse)") if snap.party_is_person else "")
        self.rep_button.setText(self.tr("Record who is present") if snap.party_is_person
                                else self.tr("Record representative"))
        rep = arrival.get("representative")
        if rep:
            self.rep_state.setText(self.tr("Recorded: %1, %2").replace("%1", rep["name"]).replace("%2", rep["post"])
                                   if rep["post"] else self.tr("Recorded: %1").replace("%1", rep["name"]))
            if not self.rep_name.text():
                self.rep_name.setText(rep["name"])
                self.rep_post.setText(rep["post"])
                self.rep_id.setText(rep["id_number"])
                self.rep_phone.setText(rep["phone"])
        rights = arrival.get("rights")
        if rights:
            for code, box in self.rights.items():
                box.setChecked(code in rights.get("rights", []))
            self.rights_answer.setText(rights.get("answer", ""))
            self.rights_state.setText(self.tr("Recorded"))
