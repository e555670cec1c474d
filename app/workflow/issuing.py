"""Documents issued once and frozen (ARCHITECTURE.md: documents are frozen signed objects).

The step that makes a document — signing a record, deciding a measure, issuing a notice, or at the latest the
first print or read-back of it — lays it out in full (:func:`app.documents.frozen.freeze`: every word, agency
wording included, 文号, date, signatories, page breaks) and journals it as a ``document.issued`` entry signed by the
acting inspector, whose payload is the *issue record*::

    {"v": 1, "type": "document", "case", "form", "source": {"record", "sha256"} | {"form"},
     "fingerprint", "issued_on", "title", "number", "co_issuer",
     "pages": [{"part", "page", "of", "sha256", "text"}], "document": {...}}

``co_issuer`` is the second inspector who issued it with the actor (both unlocked: :func:`signing_pair`; 条例
Art. 29); the actor's signature over the entry covers it, and the verifier checks it names another trusted
inspector. Issue records written before it was recorded have no ``co_issuer`` and verify as they did.

then the laptop signs a checkpoint over the journal, whose fingerprint every printed page of the document
carries. Reprints, the on-screen read-back and page verification all start from the issue record, so a reprint
on another day, or after ``agency.json`` was edited, is the same text with the same hash.

Once issued, a document is never silently replaced. The ``fingerprint`` is the SHA-256 over the parts of the case
the form read, with the issue date left out; when the case data it reads has changed since, printing still gives
the frozen document and says it is *stale* (:attr:`IssuedDocument.stale`). Replacing it is an explicit act
(:mod:`app.workflow.reissue`): before service a new document with a new 文号 and date, the old one marked
superseded by a ``document.superseded`` entry; after service a correction notice, never a replacement. A signed
record's document follows its record (a corrected record is a new record, so a new document); a 送达回证 is one
document per recorded service, keyed by the served document's 文号 (``source`` ``{"form": "service-receipt",
"served": <form>, "number": <文号>}``; a service recorded before services were kept per 文号 keeps its per-form
source ``{"form": "service-receipt", "served": <form>}``: :func:`app.workflow.print_context.served_entries`).
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.context import DocumentContext, DocumentError, canonical_content
from app.documents.form_registry import FORMS
from app.documents.frozen import PageMark, freeze, page_texts, pages, unsigned_context
from app.errors import UserError
from app.evidence import journal
from app.evidence.canonical import canonical_sha256, loads
from app.evidence.objects import signing_pair
from app.evidence.page_hash import text_sha256
from app.models.profile import Store
from app.models.schema import Checkpoint, JournalLeaf, Payload, SignedObject
from app.workflow.print_context import build_context, served_entries
from app.workflow.print_records import page_marks, record_bindings
from app.workflow.steps_base import get_case

ISSUED = "document.issued"
SUPERSEDED = "document.superseded"
RECORD_FORMS = {"interview": "interview", "onsite": "onsite-record"}

_read: contextvars.ContextVar[set[str]] = contextvars.ContextVar("document_fields_read")


class _Tracked(DocumentContext):
    """A context that notes which of its fields a form reads (the document's fingerprint covers those)."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            seen = _read.get(None)
            if seen is not None:
                seen.add(name)
        return object.__getattribute__(self, name)


def freeze_with_fingerprint(form: str, ctx: DocumentContext, cfg: AgencyConfig) -> tuple[dict[str, Any], str]:
    """The frozen document and the fingerprint of what it was made from (the issue date and checkpoint aside)."""
    bare = unsigned_context(ctx)
    plain = {f.name: getattr(bare, f.name) for f in dataclasses.fields(bare)}
    tracked = _Tracked(**plain)
    token = _read.set(set())
    try:
        doc = freeze(form, tracked, cfg, unsigned=True)
        read = _read.get()
    finally:
        _read.reset(token)
    used = sorted(read & set(plain) - {"issued_on", "checkpoint"})
    fields = {name: canonical_content(plain[name]) for name in used}
    return doc, canonical_sha256({"form": form, "read": fields})


@dataclass(frozen=True)
class IssuedDocument:
    sha256: str  # of the issue record (the journal payload)
    seq: int  # its journal entry
    body: dict[str, Any]
    checkpoint: str  # fingerprint of the checkpoint taken when it was issued
    stale: Stale | None = None  # set by issue_form: the case data the document reads changed since

    @property
    def number(self) -> str:
        """Its 文号 ('' for a document issued before the issue record named it, or one without a number)."""
        return str(self.body.get("number") or "")

    @property
    def issued_on(self) -> str:
        return str(self.body.get("issued_on") or "")

    @property
    def form(self) -> str:
        return str(self.body["form"])

    @property
    def ref(self) -> str:
        """What a printed page's QR code names it by."""
        return self.sha256[:20]

    @property
    def doc(self) -> dict[str, Any]:
        return dict(self.body["document"])

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.body.get("source") or {})


@dataclass(frozen=True)
class Stale:
    """A printed document whose case data has changed since it was issued: it still prints as issued, and
    replacing it is an explicit act (``reissue``: before service; a correction notice after)."""

    form: str
    number: str
    message_zh: str
    message_en: str
    reason_zh: str = ""  # why the current data cannot make the document at all (when it cannot)
    reason_en: str = ""
    served_form: str = ""  # a 送达回证: the served form whose receipt it is
    served_number: str = ""  # a 送达回证 recorded per served document: that document's 文号

    def __str__(self) -> str:
        return f"{self.message_zh} | {self.message_en}"


def _checkpoint_after(session: Session, case_id: str, seq: int) -> str:
    row = session.scalars(select(Checkpoint).where(Checkpoint.log_id == case_id, Checkpoint.size > seq)
                          .order_by(Checkpoint.size).limit(1)).first()
    return journal.fingerprint(row.size, row.root) if row is not None else ""


def issued_documents(session: Session, case_id: str, form: str | None = None) -> list[IssuedDocument]:
    """Every document issued in the case (of ``form``), in the order issued."""
    out = []
    rows = session.execute(select(JournalLeaf.seq, JournalLeaf.payload_sha256).where(
        JournalLeaf.log_id == case_id, JournalLeaf.type == ISSUED).order_by(JournalLeaf.seq)).all()
    for seq, sha in rows:
        payload = session.get(Payload, sha)
        if payload is None:
            continue
        body = dict(loads(payload.body))
        if form is None or body.get("form") == form:
            out.append(IssuedDocument(sha, seq, body, _checkpoint_after(session, case_id, seq)))
    return out


def superseded_by(session: Session, case_id: str) -> dict[str, dict[str, Any]]:
    """issue-record SHA-256 → the ``document.superseded`` entry that replaced it."""
    out: dict[str, dict[str, Any]] = {}
    for (sha,) in session.execute(select(JournalLeaf.payload_sha256).where(
            JournalLeaf.log_id == case_id, JournalLeaf.type == SUPERSEDED).order_by(JournalLeaf.seq)).all():
        payload = session.get(Payload, sha)
        if payload is not None:
            body = dict(loads(payload.body))
            out[str(body["document"])] = body
    return out


def current_document(session: Session, case_id: str, form: str, source: dict[str, Any]) -> IssuedDocument | None:
    """The document in force for ``source`` of ``form``: the last issued and not superseded."""
    gone = superseded_by(session, case_id)
    for prev in reversed(issued_documents(session, case_id, form)):
        if prev.source == source and prev.sha256 not in gone:
            return prev
    return None


def _freeze(form: str, ctx: DocumentContext, cfg: AgencyConfig) -> tuple[dict[str, Any], str]:
    try:
        return freeze_with_fingerprint(form, ctx, cfg)
    except DocumentError as exc:
        en = getattr(exc, "en", "")  # a PowerError says in English which body may issue the form
        raise UserError(f"无法生成{FORMS[form].title}：{exc}。",
                        f"Cannot make the {form} document: {en}." if en else
                        f"Cannot make the {form} document: the case lacks what it needs ({exc}).") from None


def stale_note(form: str, prev: IssuedDocument, cause: UserError | None = None) -> Stale:
    """What the person printing is told about a document whose case data changed since it was issued."""
    title = str(prev.body.get("title") or FORMS[form].title)  # as issued (the agency file may retitle a form)
    number = prev.number
    named = f"《{title}》" + (f"（{number}）" if number else "")
    zh = (f"{named}已于{prev.issued_on}出具，此后其引用的案件数据已变更：打印的仍是原文书。"
          f"如需按现有数据出具，送达前可重新出具（新文号、新日期，原文书作废）；送达后须出具更正通知书。")
    en = (f"The {form} document{f' ({number})' if number else ''} was issued on {prev.issued_on}; the case data it "
          "reads has changed since, and the document as issued is what prints. To issue it from the current data: "
          "before service, re-issue it (a new number and date; the old one is superseded); after service, issue a "
          "correction notice.")
    served = str(prev.source.get("served") or "")
    served_number = str(prev.source.get("number") or "")
    if cause is not None:
        return Stale(form, number, zh, en, cause.message_zh, cause.message_en, served, served_number)
    return Stale(form, number, zh, en, served_form=served, served_number=served_number)


def _issue(session: Session, store: Store, case_id: str, actor: str, form: str, source: dict[str, Any],
           ctx: DocumentContext, cfg: AgencyConfig, *, supersedes: dict[str, Any] | None = None) -> IssuedDocument:
    """The document ``ctx`` renders: the one in force for ``source`` (frozen; ``stale`` when what it reads
    changed since), else a new one. ``supersedes`` (``reissue``): always a new one, replacing the one in force.
    A new document needs two of the case's inspectors unlocked (:func:`signing_pair`); returning the one in force
    (a reprint, identical by construction) needs only the one acting."""
    from app.documents.form_blocks import doc_number

    prev = current_document(session, case_id, form, source)
    if prev is not None and supersedes is None:
        try:
            _doc, fingerprint = _freeze(form, ctx, cfg)
        except UserError as exc:
            return dataclasses.replace(prev, stale=stale_note(form, prev, exc))
        if prev.body.get("fingerprint") != fingerprint:
            return dataclasses.replace(prev, stale=stale_note(form, prev))
        return prev
    doc, fingerprint = _freeze(form, ctx, cfg)
    # issuing (and re-issuing) is done by two inspectors (rule 3, Art. 29): the second is named in the issue record
    co_issuer = next(i for i in signing_pair(session, store, case_id) if i != actor)
    number = "" if form in ("service-receipt", *RECORD_FORMS.values()) else doc_number(ctx, cfg, form)
    body = {"v": 1, "type": "document", "case": case_id, "form": form, "source": source,
            "fingerprint": fingerprint, "issued_on": ctx.issued_on.isoformat(), "title": doc["title"],
            "number": number, "co_issuer": co_issuer,
            "pages": [{"part": p.part, "page": p.page, "of": p.of, "sha256": text_sha256(p.text), "text": p.text}
                      for p in pages(doc)],
            "document": doc}
    if supersedes is not None:
        body["supersedes"] = supersedes
    entry = journal.append(session, store, case_id, actor, ISSUED, body)
    if supersedes is not None:
        journal.append(session, store, case_id, actor, SUPERSEDED,
                       {"v": 1, "type": "document-superseded", "case": case_id, "form": form, **supersedes,
                        "by": entry.payload_sha256, "by_number": number, "by_issued_on": body["issued_on"]})
    cp = journal.checkpoint(session, store, case_id, "document")
    record = cp["checkpoint"]
    assert isinstance(record, dict)
    fp = journal.fingerprint(int(str(record["size"])), str(record["root"]))
    return IssuedDocument(entry.payload_sha256, entry.seq, body, fp)


def _record_source(session: Session, record_id: str) -> dict[str, Any]:
    row = session.get(SignedObject, record_id)
    if row is None or row.type != "record":
        raise UserError("笔录不存在。", "No such record.")
    return {"record": record_id, "sha256": row.sha256}


def issue_form(session: Session, store: Store, case_id: str, form: str, actor: str, *,
               config: AgencyConfig | None = None, today: date | None = None,
               served_number: str | None = None) -> list[IssuedDocument]:
    """The documents a print of ``form`` consists of, issuing what has not been issued yet: one per current
    interview record for ``interview``, one per recorded service for ``service-receipt`` (``served_number``: only
    the receipt of the document served under that 文号), else one. A document issued before is returned as
    frozen, with ``stale`` set when the case data it reads changed since."""
    cfg = config or load_agency_config()
    if form == "interview":
        from app.workflow.print_records import _current_records

        records = _current_records(session, case_id, "interview")
        if not records:
            raise UserError("没有可打印的询问笔录。", "There is no interview record to print.")
        return [issue_record(session, store, case_id, rid, actor, config=cfg, today=today) for rid, _b in records]
    if form == "onsite-record":
        from app.workflow.print_records import _current_records

        current = _current_records(session, case_id, "onsite")
        if not current:
            raise UserError("尚无现场检查笔录。", "There is no on-site record yet.")
        return [issue_record(session, store, case_id, current[-1][0], actor, config=cfg, today=today)]
    from app.workflow.document_fields import require_form_details

    if form == "correction":  # one document per correction notice issued (app.workflow.correction)
        from app.workflow.correction import correction_documents

        return correction_documents(session, store, case_id, actor, cfg, today)
    if form == "service-receipt":
        require_form_details(session, case_id, form)  # no service recorded: the step to record it
        case = get_case(session, case_id)
        entries = served_entries(case)
        if not entries:
            raise UserError("没有送达记录，无法出具送达回证。", "No service is recorded; there is no proof of service to print.")
        if served_number is not None:
            entries = tuple(e for e in entries if e.number == served_number)
            if not entries:
                known = "、".join(e.number for e in served_entries(case) if e.number) or "—"
                raise UserError(f"没有文号为“{served_number}”的文书的送达记录（已登记送达的文号：{known}）。",
                                f"No service is recorded for the document numbered '{served_number}' (numbers "
                                f"served: {known}).")
        return [_issue(session, store, case_id, actor, form, e.source,
                       build_context(session, store, case_id, form, cfg, today=today, served=e.source), cfg)
                for e in entries]
    ctx = build_context(session, store, case_id, form, cfg, today=today)  # names a missing case field first
    require_form_details(session, case_id, form)  # then a detail no step recorded, with the step to enter it
    return [_issue(session, store, case_id, actor, form, {"form": form}, ctx, cfg)]


def record_form(session: Session, record_id: str) -> str:
    row = session.get(SignedObject, record_id)
    if row is None or row.type != "record":
        raise UserError("笔录不存在。", "No such record.")
    return RECORD_FORMS[str(loads(row.body)["kind"])]


def issue_record(session: Session, store: Store, case_id: str, record_id: str, actor: str, *,
                 config: AgencyConfig | None = None, today: date | None = None) -> IssuedDocument:
    """The document of one signed record (issued once; the same one ever after)."""
    cfg = config or load_agency_config()
    form = record_form(session, record_id)
    source = _record_source(session, record_id)
    for prev in reversed(issued_documents(session, case_id, form)):
        if prev.source == source:
            return prev  # a record never changes: its document is the one first issued
    ctx = build_context(session, store, case_id, form, cfg, today=today, record_id=record_id)
    return _issue(session, store, case_id, actor, form, source, ctx, cfg)


# ============================================================================================== read-back


@dataclass(frozen=True)
class ReadBack:
    """A record's pages as the party reads and signs them: text, and the hash a signature on each binds."""

    texts: list[str]
    sha256: list[str]
    issued: bool  # False: laid out now the same way, not issued yet (issued before the first signature)


def marks_of(store: Store, session: Session, case_id: str, doc: dict[str, Any], record_id: str, *,
             images: bool = True) -> dict[tuple[str, int], list[PageMark]]:
    """The signatures given on the pages of a record's document (``images``: decrypt their images, for print)."""
    secs = doc.get("sections", [])
    if not secs:
        return {}
    sec = secs[0]
    return page_marks(store, session, record_bindings(session, case_id, record_id), str(sec["part"]),
                      len(sec["pages"]), images=images)


def read_back(session: Session, store: Store, case_id: str, record_id: str, *,
              config: AgencyConfig | None = None, today: date | None = None) -> ReadBack:
    """The pages of a record's document with the signatures given so far (read only): the GUI shows exactly
    this, and the printed pages give it back through ``pdftotext``."""
    get_case(session, case_id)
    form = record_form(session, record_id)
    source = _record_source(session, record_id)
    issued = next((d for d in reversed(issued_documents(session, case_id, form)) if d.source == source), None)
    if issued is not None:
        doc = issued.doc
    else:
        cfg = config or load_agency_config()
        ctx = build_context(session, store, case_id, form, cfg, today=today, record_id=record_id)
        try:
            doc = freeze(form, ctx, cfg)
        except DocumentError as exc:
            raise UserError(f"无法生成{FORMS[form].title}：{exc}。",
                            f"Cannot lay out the {form} record: {exc}.") from None
    texts = page_texts(doc, marks=marks_of(store, session, case_id, doc, record_id, images=False))
    return ReadBack(texts, [text_sha256(t) for t in texts], issued is not None)


def sign_record_page(store: Store, case_id: str, record_id: str, actor: str, page: int, shown_sha256: str,
                     signer: Any, strokes: Sequence[Any], image_png: bytes, *, purpose: str = "",
                     statement: str = "") -> str:
    """The party signs page ``page`` of a record as shown: the record's document is issued first (if it was not),
    and the signature binds the hash of exactly that page; a page that differs from what was shown is refused."""
    from app.evidence.provider import record_signature

    with store.transaction() as s:
        issue_record(s, store, case_id, record_id, actor)
    with store.session() as s:
        rb = read_back(s, store, case_id, record_id)
    if not 1 <= page <= len(rb.sha256) or rb.sha256[page - 1] != shown_sha256:
        raise UserError("签名页面与笔录文书的该页不一致，请刷新后重新核对。",
                        "The page signed differs from that page of the record's document; refresh and read it "
                        "back again.")
    return record_signature(store, case_id, record_id, signer, strokes, image_png, purpose=purpose or "笔录签名",
                            shown_sha256=shown_sha256, page=page, statement=statement)


def sign_record_and_issue(store: Store, case_id: str, kind: str, content: dict[str, Any], actor: str, *,
                          supersedes: tuple[str, str] | None = None, now: datetime | None = None) -> str:
    """Both inspectors sign a record version and its document is issued at once (the step that closes a
    record). When the case still lacks what the document needs, it is issued at its first read-back instead."""
    from app.evidence.records import sign_record

    record_id = sign_record(store, case_id, kind, content, supersedes=supersedes, now=now)
    try:
        with store.transaction() as s:
            issue_record(s, store, case_id, record_id, actor)
    except UserError:
        pass
    return record_id
