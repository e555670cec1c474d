"""What each item and record still needs: inspector signatures, and the provider's signature or a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.evidence.canonical import loads
from app.models.schema import SignedObject


@dataclass(frozen=True)
class ItemStatus:
    item_id: str
    kind: str
    title: str
    inspector_signatures: int
    provider: str | None  # "signed" | "refused" | None
    superseded_by: str | None
    derived: bool = False

    @property
    def complete(self) -> bool:
        return self.superseded_by is not None or self.derived or (
            self.inspector_signatures >= 2 and self.provider is not None)


@dataclass(frozen=True)
class RecordStatus:
    record_id: str
    kind: str
    version: int
    inspector_signatures: int
    party: str | None  # "signed" | "refused" | None
    superseded_by: str | None
    pages_signed: int = 0

    @property
    def complete(self) -> bool:
        return self.superseded_by is not None or (self.inspector_signatures >= 2 and self.party is not None)


@dataclass(frozen=True)
class _Row:
    """One signed object of the case as the status functions need it: its body parsed once."""

    id: str
    type: str
    body: dict[str, Any]
    signatures: int


@dataclass(frozen=True)
class _Index:
    rows: list[_Row]
    superseded: dict[str, str]  # object id -> id of the object superseding it
    provider: dict[str, list[_Row]]  # target id -> provider-signature / provider-refusal bindings


_CACHE = "fieldaudit.items_index"
_STATUS_TYPES = frozenset({"evidence", "record", "provider-signature", "provider-refusal", "provider-batch-signature"})


def _index(session: Session, case_id: str) -> _Index:
    """The case's signed objects, read and parsed once per session: a snapshot asks for them about ten times.

    Signed objects are only ever inserted, through the ORM; any flush (and the end of the transaction) forgets the
    cached index, and pending objects are flushed first, as the query's autoflush would have done."""
    if session.new or session.dirty or session.deleted:
        if not session.autoflush:
            return _read_index(session, case_id)
        session.flush()
    cache: dict[str, _Index] = session.info.setdefault(_CACHE, {})
    index = cache.get(case_id)
    if index is None:
        index = cache[case_id] = _read_index(session, case_id)
    return index


def _read_index(session: Session, case_id: str) -> _Index:
    rows: list[_Row] = []
    superseded: dict[str, str] = {}
    provider: dict[str, list[_Row]] = {}
    # plain rows, not ORM objects: nothing for the identity map to hold for a 1,000-object case
    for oid, type_, target_id, body_bytes, signatures in session.execute(
            select(SignedObject.id, SignedObject.type, SignedObject.target_id, SignedObject.body,
                   SignedObject.signatures)
            .where(SignedObject.case_id == case_id).order_by(SignedObject.created, SignedObject.id)):
        if type_ not in _STATUS_TYPES:
            continue
        body = loads(body_bytes)
        row = _Row(oid, type_, body, len(loads(signatures)) if type_ in ("evidence", "record") else 0)
        rows.append(row)
        if type_ in ("evidence", "record") and body.get("supersedes"):
            superseded[body["supersedes"]["item" if type_ == "evidence" else "record"]] = oid
        if type_ in ("provider-signature", "provider-refusal") and target_id:
            provider.setdefault(target_id, []).append(row)
        if type_ == "provider-batch-signature":  # one signature answering every item it lists
            for t in body.get("targets") or []:
                provider.setdefault(str(t["target"]), []).append(row)
    return _Index(rows, superseded, provider)


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session: Session, _context: Any) -> None:
    session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_transaction(session: Session, _transaction: Any) -> None:
    session.info.pop(_CACHE, None)


def _provider_state(rows: list[_Row]) -> str | None:
    types = {r.type for r in rows}
    if "provider-signature" in types or "provider-batch-signature" in types:
        return "signed"
    if "provider-refusal" in types:
        return "refused"
    return None


def item_statuses(session: Session, case_id: str, *, include_derived: bool = False) -> list[ItemStatus]:
    index = _index(session, case_id)
    out = []
    for r in index.rows:
        if r.type != "evidence":
            continue
        derived = r.body.get("parent") is not None
        if derived and not include_derived:
            continue
        out.append(ItemStatus(r.id, r.body["kind"], r.body["title"], r.signatures,
                              _provider_state(index.provider.get(r.id, [])), index.superseded.get(r.id), derived))
    return out


def evidence_bodies(session: Session, case_id: str) -> dict[str, dict[str, Any]]:
    """Each evidence manifest of the case by item id, parsed (shared with the status functions: read once)."""
    return {r.id: r.body for r in _index(session, case_id).rows if r.type == "evidence"}


def record_statuses(session: Session, case_id: str) -> list[RecordStatus]:
    index = _index(session, case_id)
    out = []
    for r in index.rows:
        if r.type != "record":
            continue
        bindings = index.provider.get(r.id, [])
        pages = {b.body.get("page") for b in bindings if b.type == "provider-signature"}
        out.append(RecordStatus(r.id, r.body["kind"], int(r.body["version"]), r.signatures,
                                _provider_state(bindings), index.superseded.get(r.id), len(pages)))
    return out
