"""Printing a case's forms: render the issued documents, journal the print, keep a copy.

The content comes from the issued, frozen documents (:mod:`app.workflow.issuing`, whose context is
:func:`app.workflow.print_context.build_context`). :func:`print_case` renders in memory, journals the print
(``steps_closing.record_print``), stores the PDF as a derived item of the case when two inspectors are unlocked,
and only then writes the requested output (atomically, mode 0600). Nothing of the case is written in clear
anywhere else; signature images are decrypted in memory only.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.form_registry import FORMS
from app.errors import UserError
from app.evidence.items import item_statuses
from app.fsutil import atomic_write_bytes, write_new_bytes
from app.models.profile import Store
from app.workflow.print_context import MissingCaseField, build_context
from app.workflow.print_records import page_marks, record_bindings
from app.workflow.steps_base import case_inspector_ids, get_case

if TYPE_CHECKING:
    from app.workflow.issuing import Stale

__all__ = ["MissingCaseField", "PrintResult", "RenderedForm", "build_context", "page_marks", "print_case",
           "record_accepted", "record_bindings", "render_form"]  # build_context etc.: their homes are imported here


@dataclass(frozen=True)
class PrintResult:
    form: str
    case_id: str
    pages: int
    content_sha256: str
    pdf_sha256: str
    size: int
    checkpoint: str  # the fingerprint printed on every page
    derived_item_id: str | None  # the stored copy of the PDF, when one was stored
    notes: tuple[str, ...] = ()  # "中文 | English": a stale document, a copy not stored
    page_hashes: tuple[str, ...] = ()  # the SHA-256 of each printed page's text (white space removed)
    codes: tuple[str, ...] = ()  # each page's 核验码


# ============================================================================================== printing


MAX_COPIES = 999  # files of one name: ``form.pdf``, ``form-2.pdf`` … ``form-999.pdf``


def copy_path(path: Path, copy: int) -> Path:
    """The name of the ``copy``-th printed file asked for as ``path``: ``path`` itself, then ``stem-2.pdf`` …"""
    return path if copy == 1 else path.with_name(f"{path.stem}-{copy}{path.suffix}")


def write_print(path: Path, data: bytes) -> Path:
    """Write a printed PDF as ``path``, or, when that name is taken (an earlier print handed out: paper is
    evidence), as the first free ``stem-2.pdf``, ``stem-3.pdf`` …; never over an existing file. Owner-only, no
    half-written PDF ever visible. Returns the path written. ``path`` naming a folder, or under a file, is the
    ``OSError`` it is (the caller names the path)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)  # a parent that is a file: its own error, not "all names taken"
    for copy in range(1, MAX_COPIES + 1):
        candidate = copy_path(path, copy)
        if candidate.exists() or candidate.is_symlink():
            continue
        try:
            write_new_bytes(candidate, data, 0o600)
        except FileExistsError as exc:
            if exc.filename is not None and Path(exc.filename) != candidate:
                raise
            continue  # taken between the look and the write: the next name, never over it
        return candidate
    raise UserError(f"“{path.name}”及其 {MAX_COPIES - 1} 个编号副本均已存在，打印件不会覆盖已有文件：请另选文件夹或文件名。",
                    f"'{path.name}' and {MAX_COPIES - 1} numbered copies of it already exist; a print never "
                    "replaces an existing file: choose another folder or file name.")


def _anchor_item(session: Session, case_id: str, form: str) -> str | None:
    """The parent of the stored PDF: the record the form renders, else the case's first current evidence item."""
    from app.evidence.items import record_statuses

    kind = {"onsite-record": "onsite", "interview": "interview"}.get(form)
    if kind is not None:
        for rs in reversed(record_statuses(session, case_id)):
            if rs.kind == kind and rs.superseded_by is None:
                return rs.record_id
    for st in item_statuses(session, case_id):
        if st.superseded_by is None:
            return st.item_id
    return None


@dataclass(frozen=True)
class RenderedForm:
    """A form rendered from its issued documents for preview or printing; no print is journaled until a printer or
    the PDF writer accepted it (:func:`record_accepted`). Issuing itself (the document frozen, dated and
    journaled) happens at the first rendering, preview or not: what is previewed is what will print."""

    form: str
    case_id: str
    pdf: bytes
    pages: int
    content_sha256: str
    pdf_sha256: str
    checkpoint: str
    page_records: tuple[dict[str, Any], ...] = ()
    page_hashes: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    stale: tuple[Stale, ...] = ()  # documents printed as issued although the case data they read changed since


def render_form(store: Store, case_id: str, form: str, actor_id: str,
                config: AgencyConfig | None = None, *, today: date | None = None,
                served_number: str | None = None) -> RenderedForm:
    """Render ``form`` of the case in memory from its issued documents (issuing what is not issued yet, dated
    ``today``; ``served_number``: a 送达回证 of the document served under that 文号 only). A preview: no print is
    journaled."""
    from app.documents.renderer import Issued, render_documents, result_of
    from app.workflow.issuing import issue_form, marks_of

    cfg = config or load_agency_config()
    with store.transaction() as s:
        get_case(s, case_id)
        if actor_id not in case_inspector_ids(s, case_id):
            raise UserError("只有指派到本案的稽核人员才能打印本案文书。",
                            "Only the inspectors assigned to this case may print its documents.")
        if form not in FORMS:
            raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                            f"Unknown form: {form} (one of: {', '.join(FORMS)}).")
        if served_number is not None and form != "service-receipt":
            raise UserError("只有送达回证按所送达文书的文号打印。",
                            "Only a proof of service is printed by the served document's number.")
        docs = issue_form(s, store, case_id, form, actor_id, config=cfg, today=today, served_number=served_number)
    with store.session() as s:
        issued = [Issued(d.doc, d.ref, d.checkpoint,
                         marks_of(store, s, case_id, d.doc, str(d.source["record"])) if "record" in d.source
                         else {}) for d in docs]
    data, printed = render_documents(form, issued, case_id, store.device_key.sign)
    result = result_of(form, data, printed)
    refs = [d.ref for d in docs for _p in d.body.get("pages", [])]
    pages = tuple({"document": ref, "part": p.part, "page": p.page, "of": p.of, "sha256": p.sha256, "code": p.code}
                  for ref, p in zip(refs, printed, strict=True))
    return RenderedForm(form, case_id, data, result.pages, result.content_sha256, result.pdf_sha256,
                        docs[-1].checkpoint, pages, tuple(p.sha256 for p in printed), tuple(p.code for p in printed),
                        tuple(d.stale for d in docs if d.stale is not None))


def record_accepted(store: Store, rendered: RenderedForm, actor_id: str) -> tuple[str | None, tuple[str, ...]]:
    """A printer or the PDF writer accepted ``rendered``: journal the print with the hash of every page
    (``steps_closing.record_print``, also with one inspector unlocked) and store the PDF as a derived item of the
    case when two inspectors are unlocked. Returns (derived item id, notes)."""
    from app.evidence.capture import derive
    from app.workflow.steps_closing import record_print

    case_id, form = rendered.case_id, rendered.form
    with store.transaction() as s:
        record_print(s, store, case_id, actor_id, form, rendered.content_sha256, pages=list(rendered.page_records))
    with store.session() as s:
        unlocked = [i for i in case_inspector_ids(s, case_id) if i in store.unlocked_inspectors()]
        anchor = _anchor_item(s, case_id, form)
    if anchor is None:
        return None, ("本案尚无证据，打印件未存入案卷（各页摘要已记入日志）。"
                      "| The case has no evidence item; the PDF was not stored (its page hashes are journaled).",)
    if len(unlocked) < 2:
        return None, ("存入案卷须两名稽核人员签名，本次打印件未存入案卷（各页摘要已记入日志）。"
                      "| Storing the PDF needs both inspectors unlocked; it was not stored (its page hashes are "
                      "journaled).",)
    return derive(store, case_id, anchor, "print", rendered.pdf), ()


def print_case(store: Store, case_id: str, form: str, out: Path | BinaryIO, actor_id: str,
               config: AgencyConfig | None = None, *, today: date | None = None,
               served_number: str | None = None) -> PrintResult:
    """Render ``form`` of the case from its issued documents, write ``out`` (the GUI names its files with
    :func:`write_print`, which never replaces an earlier copy), and once it is written journal the
    print with the hash of every page and store the PDF as a derived item (``served_number``: a 送达回证 of the
    document served under that 文号 only)."""
    rendered = render_form(store, case_id, form, actor_id, config, today=today, served_number=served_number)
    if isinstance(out, Path):  # the file the caller named (the CLI's --out, a contract): written whole, atomically
        atomic_write_bytes(out, rendered.pdf, 0o600)
    else:
        out.write(rendered.pdf)
    derived, notes = record_accepted(store, rendered, actor_id)
    notes = (*(str(n) for n in rendered.stale), *notes)
    return PrintResult(form=form, case_id=case_id, pages=rendered.pages, content_sha256=rendered.content_sha256,
                       pdf_sha256=rendered.pdf_sha256, size=len(rendered.pdf), checkpoint=rendered.checkpoint,
                       derived_item_id=derived, notes=notes, page_hashes=rendered.page_hashes, codes=rendered.codes)
