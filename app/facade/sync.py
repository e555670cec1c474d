"""The sync state the GUI shows and keeps: the registration, the last sync, what waits; the address last reached.

Kept in ``app.sync.state``: ``setting.archive_url`` (the address last reached, to prefill) and ``last_sync`` (time and
counts of the last completed sync). Neither is written when the archive could not be reached, so a failed attempt
changes nothing in the profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.models.profile import Store, utc_now
from app.models.schema import JournalLeaf
from app.sync import state
from app.workflow.cases import list_cases

URL_KEY = "setting.archive_url"
LAST_KEY = "last_sync"


@dataclass(frozen=True)
class SyncStatus:
    registered: bool = False
    url: str = ""  # to prefill: the address last reached, else the one registered with
    fingerprint: str = ""
    registered_at: str = ""
    last: dict[str, Any] = field(default_factory=dict)  # the last completed sync (LAST_KEY)
    last_receipt: str = ""  # archive time of the newest receipt (a CLI sync counts too)
    pending_cases: int = 0  # cases with journal entries the archive has not acknowledged


def load_sync_status(store: Store) -> SyncStatus:
    """Read the registration, the last sync and what is waiting (worker thread)."""
    with store.session() as s:
        pin = state.get(s, "archive") or {}
        url = state.get(s, URL_KEY) or pin.get("url", "")
        last = state.get(s, LAST_KEY) or {}
        receipts = state.with_prefix(s, "receipt.")
        pending = s.scalar(select(func.count(func.distinct(JournalLeaf.log_id)))
                           .where(JournalLeaf.archived.is_(False))) or 0
    times = [str(doc.get("payload", {}).get("archive_time", "")) for doc in receipts.values() if isinstance(doc, dict)]
    return SyncStatus(bool(pin), str(url), str(pin.get("fingerprint", "")), str(pin.get("registered_at", "")),
                      dict(last), max(times, default=""), int(pending))


def case_labels(store: Store) -> dict[str, str]:
    """Each case's label for sync messages: its 文号 (else title, else id) and the party."""
    with store.session() as s:
        return {case.id: f"{case.doc_no or case.title or case.id} — {inst.name}" for case, inst in list_cases(s)}


def remember_archive(store: Store, url: str, last: dict[str, Any] | None = None) -> None:
    """Keep the address just reached and, after a completed sync, its record (stamped now)."""
    with store.transaction() as s:
        state.put(s, URL_KEY, url)
        if last is not None:
            state.put(s, LAST_KEY, {"time": utc_now(), **last})
