"""更正（补正）通知书: the change of a document after it was served.

A served document is never replaced (:mod:`app.workflow.reissue` refuses it). What it got wrong is corrected by
a correction notice of the body that issued it, naming the original's title, 文号 and date, each correction
(原文 → 更正为) and the reason: :func:`issue_correction`. The original stays valid and is not superseded; the
correction is a document of its own, issued by two inspectors like every document (:func:`signing_pair` in
:func:`app.workflow.issuing._issue`), journaled as a ``document.issued`` entry whose source points at the
original (``{"form": "correction", "corrects": <issue record SHA-256>, "number": <原文号>, "n": <k>}``), and served
with its own 送达回证 (``record_service(document_form="correction")``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.form_registry import FORMS
from app.errors import UserError
from app.models.profile import Store, utc_now
from app.workflow.issuing import RECORD_FORMS, IssuedDocument, _issue, current_document
from app.workflow.print_context import CORRECTIONS, build_context, corrections_of
from app.workflow.printing_data import DOCUMENTS
from app.workflow.reissue import ReissueRefused, served_on
from app.workflow.steps_base import case_data, get_case, require_actor, save_data, section

FORM = "correction"
_NOT_CORRECTED = ("service-receipt", FORM, *RECORD_FORMS.values())


class CorrectionRefused(ReissueRefused):
    """A correction notice cannot be issued; ``code`` says why (correction.form / .not_issued / .not_served /
    .items / .reason)."""

    code = "document.correction_refused"


def parse_item(text: str) -> tuple[str, str]:
    """``原文=>更正为`` (the CLI's ``--item``) as a pair; a clear error otherwise."""
    old, sep, new = text.partition("=>")
    if not sep or not old.strip() or not new.strip():
        raise CorrectionRefused(f"更正事项应写作“原文=>更正为”，两边都不能为空：{text}",
                                f"A correction is written 'original=>corrected', neither side empty: {text}",
                                code="correction.items")
    return old.strip(), new.strip()


def issue_correction(session: Session, store: Store, case_id: str, actor: str, original_form: str,
                     items: Sequence[tuple[str, str]], reason: str, *, config: AgencyConfig | None = None,
                     today: date | None = None) -> IssuedDocument:
    """Issue a 更正（补正）通知书 for the served document in force of ``original_form``: ``items`` are the
    (原文, 更正为) pairs, ``reason`` why. Refused for a form that is not corrected this way (a signed record, a
    送达回证, a correction), a document not issued yet, and one not served yet (re-issue it instead)."""
    if original_form not in FORMS:
        raise UserError(f"未知的文书类型：{original_form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {original_form} (one of: {', '.join(FORMS)}).")
    case = get_case(session, case_id)
    require_actor(session, store, case, actor)
    title = FORMS[original_form].title
    if original_form in _NOT_CORRECTED:
        raise CorrectionRefused(f"《{title}》不以更正（补正）通知书更正：笔录的更正是重新签名的笔录，送达回证随送达记录，"
                                "更正通知书有误的再出具一份更正通知书更正原文书。",
                                f"The {original_form} document is not corrected by a correction notice.",
                                code="correction.form")
    pairs = [(str(old).strip(), str(new).strip()) for old, new in items]
    if not pairs or not all(old and new for old, new in pairs):
        raise CorrectionRefused("请逐项写明更正事项：原文和更正后的内容。",
                                "Name each correction: the original text and the corrected text.",
                                code="correction.items")
    why = reason.strip()
    if not why:
        raise CorrectionRefused("请写明更正理由。", "State why the document is corrected.", code="correction.reason")
    original = current_document(session, case_id, original_form, {"form": original_form})
    if original is None:
        raise CorrectionRefused(f"《{title}》尚未出具，无需更正；打印即按现有数据出具。",
                                f"The {original_form} document has not been issued yet; printing issues it from "
                                "the current data.", code="correction.not_issued")
    named = f"《{original.body.get('title') or title}》" + (f"（{original.number}）" if original.number else "")
    if not served_on(case, original_form):
        raise CorrectionRefused(
            f"{named}尚未送达，不需要更正通知书：请重新出具（python -m app.cli reissue，新文号，原文书作废）。",
            f"The {original_form} document has not been served; re-issue it instead (python -m app.cli reissue: a "
            "new number, the old one superseded).", code="correction.not_served")
    cfg = config or load_agency_config()
    day = today or date.today()
    n = len(corrections_of(case)) + 1
    entry: dict[str, Any] = {
        "n": n, "form": original_form, "original": original.sha256, "title": str(original.body.get("title") or title),
        "number": original.number, "issued_on": original.issued_on, "items": [list(p) for p in pairs],
        "reason": why, "on": day.isoformat(), "by": actor, "at": utc_now()}
    data = case_data(case)
    section(data, DOCUMENTS).setdefault(CORRECTIONS, []).append(entry)
    save_data(case, data)  # journaled by the document.issued entry of the correction, which prints all of it
    (_stored, correction), = corrections_of(case)[-1:]
    ctx = build_context(session, store, case_id, FORM, cfg, today=day)
    ctx = dataclasses.replace(ctx, correction=correction, issued_on=day)
    return _issue(session, store, case_id, actor, FORM, _source(entry), ctx, cfg)


def _source(entry: dict[str, Any]) -> dict[str, Any]:
    return {"form": FORM, "corrects": str(entry["original"]), "number": str(entry["number"]), "n": int(entry["n"])}


def correction_documents(session: Session, store: Store, case_id: str, actor: str, cfg: AgencyConfig,
                         today: date | None = None) -> list[IssuedDocument]:
    """The correction notices of the case, as issued (a print of ``correction``: one document each)."""
    case = get_case(session, case_id)
    stored = corrections_of(case)
    if not stored:
        raise UserError("本案没有出具更正（补正）通知书：送达后的文书需更正时请使用 python -m app.cli correct。",
                        "No correction notice was issued in this case; issue one with python -m app.cli correct.")
    base = build_context(session, store, case_id, FORM, cfg, today=today)
    return [_issue(session, store, case_id, actor, FORM, _source(entry),
                   dataclasses.replace(base, correction=c, issued_on=date.fromisoformat(str(entry["on"]))), cfg)
            for entry, c in stored]


def correct(store: Store, case_id: str, actor: str, original_form: str, items: Sequence[tuple[str, str]],
            reason: str, *, today: date | None = None) -> IssuedDocument:
    """:func:`issue_correction` in its own transaction (the CLI's and the GUI's entry)."""
    with store.transaction() as s:
        return issue_correction(s, store, case_id, actor, original_form, items, reason, today=today)
