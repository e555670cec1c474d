"""The home page's read model: the audits on this laptop, what is due (``procedure.due_items``: the workflow
computes every deadline, the notice's included) and the sync state, read on the store's worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.facade.sync import SyncStatus, load_sync_status
from app.models.profile import Store
from app.workflow.cases import list_cases
from app.workflow.procedure import due_items


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    doc_no: str
    title: str
    institution: str
    kind: str
    status: str
    planned_date: str
    next_due: str  # earliest open deadline (YYYY-MM-DD) or ""
    next_due_kind: str = ""


@dataclass(frozen=True)
class DueItem:
    case_id: str
    institution: str
    kind: str
    due: str
    basis: str


@dataclass(frozen=True)
class HomeData:
    cases: list[CaseRow]
    due: list[DueItem]
    sync: SyncStatus


def load_home(store: Store, today: date | None = None) -> HomeData:
    """The case list with each case's next deadline, what is due as of ``today`` and the sync state."""
    with store.session() as s:
        pairs = list_cases(s)
        items = due_items(s, today or date.today())
        first: dict[str, Any] = {}
        for d in items:
            first.setdefault(d.case_id, d)
        cases = [CaseRow(c.id, c.doc_no, c.title, inst.name, c.kind, c.status, c.planned_date,
                         first[c.id].due.isoformat() if c.id in first else "",
                         first[c.id].kind if c.id in first else "")
                 for c, inst in pairs]
        due = [DueItem(d.case_id, d.institution, d.kind, d.due.isoformat(), d.basis) for d in items]
    return HomeData(cases, due, load_sync_status(store))
