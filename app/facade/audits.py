"""Starting an audit on this laptop: what the 新建稽核 dialog offers (parties, inspectors) and the creation itself.

The rules are the workflow's (``app.workflow.new_audit``); this module owns the session and the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.models.profile import Store
from app.models.schema import Inspector
from app.workflow.cases import check_party_identifier, party_is_person
from app.workflow.new_audit import InstitutionChoice, NewAudit, institution_choices, start_audit

__all__ = ["NewAuditChoices", "active_inspectors", "check_party_identifier", "create_audit", "load_choices",
           "party_is_person"]


@dataclass(frozen=True)
class NewAuditChoices:
    institutions: list[InstitutionChoice]
    inspectors: list[tuple[str, str, str]]  # (id, name, credential no.)


def active_inspectors(store: Store) -> list[tuple[str, str, str]]:
    """The inspectors of this profile who are not revoked, by name: ``(id, name, credential no.)``."""
    with store.session() as s:
        return [(i.id, i.name, i.credential_no) for i in s.scalars(select(Inspector).order_by(Inspector.name))
                if not i.revoked]


def load_choices(store: Store) -> NewAuditChoices:
    """The parties (this laptop's and the office list's) and the inspectors to choose from (worker thread)."""
    with store.session() as s:
        parties = institution_choices(s)
    return NewAuditChoices(parties, active_inspectors(store))


def create_audit(store: Store, actor: str, spec: NewAudit) -> str:
    """Start the audit ``spec`` describes, by ``actor``, in one transaction; the new case's id."""
    with store.transaction() as s:
        return start_audit(s, store, actor, spec)
