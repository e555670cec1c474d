"""Replacing an issued document: an explicit act, never a side effect of printing.

A document, once issued, is frozen (:mod:`app.workflow.issuing`): printing reproduces it, and when the case data it
reads has changed since, the print says so (``IssuedDocument.stale``). What may then be done depends on whether the
document has reached the party:

* **before service** :func:`reissue_form` issues a new document from the current data with a *new* 文号 and the
  day of re-issue, and journals a ``document.superseded`` entry pointing at the old one (and the new issue record
  names the one it supersedes); the old one no longer prints;
* **after service** (a 送达 recorded for it; for the 稽核通知书 its service day) it is refused: a served document
  is changed only by a correction notice naming the original's 文号 (更正/补正), never by a silent replacement;
* a signed record (询问笔录, 现场检查笔录) is never re-issued: a corrected record is a new signed record, whose
  document is issued as its own.

Each refusal names its reason in Chinese and English.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.form_blocks import doc_number
from app.documents.form_registry import FORMS
from app.errors import UserError
from app.models.profile import Store
from app.models.schema import Case
from app.workflow.issuing import RECORD_FORMS, IssuedDocument, _issue, current_document, issued_documents
from app.workflow.print_context import build_context, served_entries, services_of
from app.workflow.printing_data import DOCUMENTS
from app.workflow.steps_base import case_data, get_case, require_actor, save_data, section


class ReissueRefused(UserError):
    """A document cannot be replaced; ``code`` says why (document.record / .not_issued / .unchanged / .served)."""

    code = "document.reissue_refused"


def served_on(case: Case, form: str) -> str:
    """When the document of ``form`` was served ('' when it was not): a recorded 送达, or the notice's day."""
    if form == "notice" and case.notice_served_on:
        return str(case.notice_served_on)[:10]
    for s in services_of(case):
        if s.form == form:
            return s.served_at.strftime("%Y-%m-%d %H:%M")
    return ""


def _named(form: str, doc: IssuedDocument) -> tuple[str, str]:
    title = str(doc.body.get("title") or FORMS[form].title)  # as issued
    return (f"《{title}》" + (f"（{doc.number}）" if doc.number else ""),
            f"the {form} document" + (f" ({doc.number})" if doc.number else ""))


def reissue_form(session: Session, store: Store, case_id: str, form: str, actor: str, *, reason: str,
                 served_form: str = "", served_number: str = "", config: AgencyConfig | None = None,
                 today: date | None = None) -> IssuedDocument:
    """Replace the document in force for ``form`` (``served_form``: the one 送达回证 of that service;
    ``served_number``: of the service of the document with that 文号, when it was recorded per 文号) by a new one
    from the current case data, before it was served: a new 文号 and date, the old one superseded (journaled,
    pointing at it). Refused for a signed record, a form not issued yet, a document whose data did not change,
    and a served document (a correction notice is needed)."""
    if form not in FORMS:
        raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {form} (one of: {', '.join(FORMS)}).")
    case = get_case(session, case_id)
    require_actor(session, store, case, actor)
    if form in RECORD_FORMS.values():
        raise ReissueRefused(f"《{FORMS[form].title}》是签名确认的笔录，不能重新出具；如需更正，请制作更正笔录并重新签名。",
                             f"The {form} document is a signed record and is never re-issued; correct the record "
                             "(a new signed version), whose document is issued as its own.", code="document.record")
    if form == "correction":
        raise ReissueRefused("更正（补正）通知书不重新出具；其内容有误的，再出具一份更正通知书更正原文书。",
                             "A correction notice is not re-issued; issue another correction notice of the "
                             "original.", code="document.correction")
    why = reason.strip()
    if not why:
        raise ReissueRefused("请写明重新出具的理由。", "State why the document is re-issued.",
                             code="document.reason_missing")
    cfg = config or load_agency_config()
    source: dict[str, str] = {"form": form}
    if form == "service-receipt":
        source = _receipt_source(case, served_form, served_number)
    receipt = source if form == "service-receipt" else None
    prev = current_document(session, case_id, form, source)
    if prev is None:
        raise ReissueRefused(f"《{FORMS[form].title}》尚未出具，打印即按现有数据出具，无需重新出具。",
                             f"The {form} document has not been issued yet; printing issues it from the current "
                             "data.", code="document.not_issued")
    named_zh, named_en = _named(form, prev)
    served = served_on(case, form)
    number_en = f" ({prev.number})" if prev.number else ""
    if served:
        raise ReissueRefused(
            f"{named_zh}已于{served}送达，不得以新文书替换（送达后的文书不得变更内容）。如需变更，"
            f"请出具更正（补正）通知书，写明原文书的文号{prev.number}和更正内容"
            f"（python -m app.cli correct PROFILE --case {case_id} --form {form} --item \"原文=>更正为\" --reason …；"
            "或在打印预览中选“出具更正（补正）通知书…”）。",
            f"{named_en[0].upper()}{named_en[1:]} was served on {served} and cannot be replaced; a change to a "
            f"served document needs a correction notice naming the original's number{number_en} and what is "
            f"corrected (python -m app.cli correct PROFILE --case {case_id} --form {form} --item "
            "\"original=>corrected\" --reason …, or the print preview's “Correction notice…”).",
            code="document.served")
    ctx = build_context(session, store, case_id, form, cfg, today=today, served=receipt)
    if _issue(session, store, case_id, actor, form, source, ctx, cfg).stale is None:
        raise ReissueRefused(f"{named_zh}出具后其引用的案件数据未变更，无需重新出具；重新打印即得原文书。",
                             f"The case data {named_en} reads has not changed since it was issued; a reprint "
                             "gives the same document.", code="document.unchanged")
    number = ""
    if form != "service-receipt":
        version = len([d for d in issued_documents(session, case_id, form) if d.source == source]) + 1
        plain = dataclasses.replace(ctx.case, doc_numbers={k: v for k, v in ctx.case.doc_numbers.items() if k != form})
        number = doc_number(dataclasses.replace(ctx, case=plain), cfg, form, sub=version)
        data = case_data(case)
        section(data, DOCUMENTS).setdefault("numbers", {})[form] = number
        save_data(case, data)  # journaled by the document.superseded entry, which names the new number
        ctx = build_context(session, store, case_id, form, cfg, today=today, served=receipt)
    ctx = dataclasses.replace(ctx, issued_on=today or date.today())
    return _issue(session, store, case_id, actor, form, source, ctx, cfg,
                  supersedes={"document": prev.sha256, "number": prev.number, "issued_on": prev.issued_on,
                              "reason": why})


def reissue(store: Store, case_id: str, form: str, actor: str, *, reason: str, served_form: str = "",
            served_number: str = "", today: date | None = None) -> IssuedDocument:
    """:func:`reissue_form` in its own transaction (the GUI's and the CLI's entry)."""
    with store.transaction() as s:
        return reissue_form(s, store, case_id, form, actor, reason=reason, served_form=served_form,
                            served_number=served_number, today=today)


def _receipt_source(case: Case, served_form: str, served_number: str) -> dict[str, str]:
    """The source of the 送达回证 to re-issue: the service of ``served_number`` (a 文号), else the one service of
    ``served_form`` (of several, the one recorded without a number, which no number can name); several numbered
    ones and no number is refused, naming their numbers."""
    entries = [e for e in served_entries(case) if (not served_form or e.service.form == served_form)
               and (not served_number or e.number == served_number)]
    unnumbered = [e for e in entries if not e.number]
    if len(entries) > 1 and not served_number and len(unnumbered) == 1:
        entries = unnumbered
    if len(entries) == 1:
        return entries[0].source
    if len(entries) > 1:
        numbers = "、".join(e.number or e.service.form for e in entries)
        raise ReissueRefused(f"有多份送达回证（{numbers}），请指明所送达文书的文号。",
                             f"There are several proofs of service ({numbers}); name the served document's number.",
                             code="document.which_receipt")
    return {"form": "service-receipt", "served": served_form}  # no such service: "not issued" below
