"""What each item and record still needs: inspector signatures, and the provider's signature or a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
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


def _index(session: Session, case_id: str) -> tuple[list[SignedObject], dict[str, str], dict[str, list[SignedObject]]]:
    rows = list(session.scalars(select(SignedObject).where(SignedObject.case_id == case_id)
                                .order_by(SignedObject.created, SignedObject.id)))
    superseded: dict[str, str] = {}
    provider: dict[str, list[SignedObject]] = {}
    for r in rows:
        body = loads(r.body)
        if r.type in ("evidence", "record") and body.get("supersedes"):
            superseded[body["supersedes"]["item" if r.type == "evidence" else "record"]] = r.id
        if r.type in ("provider-signature", "provider-refusal") and r.target_id:
            provider.setdefault(r.target_id, []).append(r)
    return rows, superseded, provider


def _provider_state(rows: list[SignedObject]) -> str | None:
    types = {r.type for r in rows}
    if "provider-signature" in types:
        return "signed"
    if "provider-refusal" in types:
        return "refused"
    return None


def item_statuses(session: Session, case_id: str, *, include_derived: bool = False) -> list[ItemStatus]:
    rows, superseded, provider = _index(session, case_id)
    out = []
    for r in rows:
        if r.type != "evidence":
            continue
        body = loads(r.body)
        derived = body.get("parent") is not None
        if derived and not include_derived:
            continue
        out.append(ItemStatus(r.id, body["kind"], body["title"], len(loads(r.signatures)),
                              _provider_state(provider.get(r.id, [])), superseded.get(r.id), derived))
    return out


def record_statuses(session: Session, case_id: str) -> list[RecordStatus]:
    rows, superseded, provider = _index(session, case_id)
    out = []
    for r in rows:
        if r.type != "record":
            continue
        body = loads(r.body)
        bindings = provider.get(r.id, [])
        pages = {loads(b.body).get("page") for b in bindings if b.type == "provider-signature"}
        out.append(RecordStatus(r.id, body["kind"], int(body["version"]), len(loads(r.signatures)),
                                _provider_state(bindings), superseded.get(r.id), len(pages)))
    return out
