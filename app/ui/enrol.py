"""First run: enrol the inspectors of this laptop (at least two: every audit needs two, 000 Art. 7(2)).

Each inspector types their own passphrase twice; from the second on, an already enrolled inspector confirms
with theirs (a keyslot needs the data key). Enrolment derives keys with a memory-hard KDF, so it runs on the
store's worker thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.models.keyslots import MIN_PASSPHRASE, WeakPassphrase, check_new_passphrase
from app.ui.i18n import pick
from app.ui.operations import Operation
from app.ui.store_service import StoreUnlockService


class EnrolmentPage(QWidget):
    """``finished`` once two or more inspectors are enrolled."""

    finished = Signal()

    def __init__(self, service: StoreUnlockService, pool: QThreadPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.pool = pool
        title = QLabel(self.tr("First run: enrol the inspectors"))
        title.setProperty("role", "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.name = QLineEdit()
        self.credential = QLineEdit()
        self.organisation = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.existing = QLineEdit()
        self.existing.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.enrol_button = QPushButton(self.tr("Enrol"))
        self.enrol_button.setProperty("primary", True)
        self.enrol_button.clicked.connect(self.enrol)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Credential no. (执法证号)"), self.credential)
        form.addRow(self.tr("Organisation"), self.organisation)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        form.addRow(self.tr("Passphrase again"), self.repeat)
        self.existing_label = QLabel(self.tr("An enrolled inspector's passphrase"))
        form.addRow(self.existing_label, self.existing)
        card = QFrame()
        card.setMaximumWidth(760)
        inner = QVBoxLayout(card)
        inner.addWidget(title)
        inner.addWidget(self.intro)
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.enrol_button, alignment=Qt.AlignmentFlag.AlignRight)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        enrolled = self.service.inspectors()
        names = "、".join(name for _i, name in enrolled) or self.tr("none yet")
        self.intro.setText(self.tr("Every audit needs two inspectors, each with their own passphrase (at least "
                                   "%1 characters). Enrolled: %2.").replace("%1", str(MIN_PASSPHRASE))
                           .replace("%2", names))
        self.existing_label.setVisible(bool(enrolled))
        self.existing.setVisible(bool(enrolled))

    def enrol(self) -> None:
        fields = (self.name.text().strip(), self.credential.text().strip(), self.organisation.text().strip())
        if not all(fields):
            self.error.setText(self.tr("Fill in name, credential number and organisation."))
            return
        secret = self.passphrase.text()
        try:
            check_new_passphrase(secret)  # the store's rule, said before the slow key derivation starts
        except WeakPassphrase as exc:
            self.error.setText(pick(exc.message_zh, exc.message_en))
            return
        if secret != self.repeat.text():
            self.error.setText(self.tr("The two passphrases differ."))
            return
        existing = self.existing.text() or None if self.service.inspectors() else None
        service = self.service
        self.enrol_button.setEnabled(False)
        self.error.setText(self.tr("Enrolling… (deriving keys takes a few seconds)"))

        def failed(exc: BaseException) -> None:
            from app.ui.widgets.errors import describe_error, show_error

            self.enrol_button.setEnabled(True)
            text = describe_error(exc)
            if text is None:  # a bug: the crash reporter, not a Python class name on the page
                self.error.setText("")
                show_error(self, exc)
                return
            self.error.setText(text.message)

        def done(_r: object) -> None:
            for edit in (self.name, self.credential, self.passphrase, self.repeat, self.existing):
                edit.clear()
            self.enrol_button.setEnabled(True)
            self.error.setText("")
            self.refresh()
            if not service.needs_enrolment():
                self.finished.emit()

        Operation(self, lambda _ctx: service.enroll(*fields, secret, existing)).success(done).failure(failed).run(
            self.pool)
