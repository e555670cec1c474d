"""Evidence page, the provider's answer: one signature per item, one signature over a list of items (as on a
paper evidence list, bound to the hashes of all of them), or the refusal recorded with its reason and witness
(000 Art. 7(4); 001 Art. 32(3); 条例 Art. 27)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from app.ui.steps.base import BatchSignatureDialog, RefusalDialog, SignatureDialog

if TYPE_CHECKING:
    from app.ui.snapshot import EvidenceInfo
    from app.ui.steps.base import StepPage as _Page
else:
    _Page = object


class ProviderActions(_Page):
    """Mixed into ``EvidencePage`` (its strings keep that page's translation context)."""

    if TYPE_CHECKING:
        sign_dialog: SignatureDialog | None
        batch_dialog: BatchSignatureDialog | None
        refusal_dialog: RefusalDialog | None

        def current(self) -> EvidenceInfo | None: ...

        def _say(self, text: str) -> None: ...

    def sign(self) -> None:
        e = self.current()
        if e is None:
            return
        p = e.provider or {}
        dialog = SignatureDialog(self, QCoreApplication.translate("EvidencePage", "Provider's signature: %1").replace("%1", e.title),
                                 name=p.get("name", ""), role=p.get("role", "") or QCoreApplication.translate("EvidencePage", "Provider"),
                                 id_number=p.get("id_number", ""))
        self.sign_dialog = dialog
        item_id = e.id

        def accepted() -> None:
            from app.evidence.provider import record_signature

            signer, strokes, png = dialog.result_data()
            self.act("signature", lambda store: record_signature(
                store, self.case_id, item_id, signer, strokes, png, purpose="证据确认"))

        dialog.accepted.connect(accepted)
        dialog.open()

    def sign_batch(self) -> None:
        """The provider signs once for the items still awaiting an answer, shown as a list (each checkable)."""
        snap = self.snap
        if snap is None:
            return
        waiting = [e for e in snap.evidence if e.provider_state is None and e.superseded_by is None]
        if not waiting:
            self._say(QCoreApplication.translate("EvidencePage", "Every item already has the provider's signature or a refusal."))
            return
        first = next((e.provider for e in waiting if e.provider), None) or {}
        dialog = BatchSignatureDialog(self, waiting, name=first.get("name", ""),
                                      role=first.get("role", "") or QCoreApplication.translate("EvidencePage", "Provider"),
                                      id_number=first.get("id_number", ""))
        self.batch_dialog = dialog

        def accepted() -> None:
            from app.evidence.provider import record_batch_signature

            ids = dialog.chosen()
            signer, strokes, png = dialog.result_data()
            self.act("batch_signature", lambda store: record_batch_signature(
                store, self.case_id, ids, signer, strokes, png, purpose="证据确认"))

        dialog.accepted.connect(accepted)
        dialog.open()

    def refuse(self) -> None:
        e = self.current()
        if e is None:
            return
        dialog = RefusalDialog(self, QCoreApplication.translate("EvidencePage", "Signature not obtained: %1").replace("%1", e.title),
                               name=(e.provider or {}).get("name", ""))
        self.refusal_dialog = dialog
        item_id = e.id

        def accepted() -> None:
            from app.evidence.provider import record_refusal

            reason, signer, witness = dialog.result_data()
            self.act("refusal", lambda store: record_refusal(store, self.case_id, item_id, reason, signer=signer,
                                                             witness=witness))

        dialog.accepted.connect(accepted)
        dialog.open()
