"""Client-side sync bookkeeping in the profile's ``sync_state`` table (JSON values under string keys).

Keys used by the client:

``archive``                 {"url", "public_key", "fingerprint", "device_id", "registered_at"} — the pinned archive
``roster``                  the last verified roster payload merged by id ({"version", "inspectors", "devices"})
``roster.doc``              the last signed roster document as received
``pull.<kind>.cursor``      the pull cursor of one kind
``pull.<kind>.<id>``        the latest data of one pulled item
``assignment.pending.<id>`` an assignment not turned into a local case, with the reason
``assignment.case.<id>``    an assignment that became a local case
``receipt.<case>``          the last verified signed receipt for one case journal
``upload.<sha256>``         a resumable upload in progress: {"id", "length", "offset"}
``blob.verified.<sha256>``  the time a separate /v1/blobs/missing check found the blob at the archive
``blob.purged.<sha256>``    {"time", "receipt_size", "case"}: the local encrypted copy was deleted by the purge policy
``setting.retention_days``  the retention period before a purge (default 30)
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.schema import SyncState


def get(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(SyncState, key)
    if row is None:
        return default
    return json.loads(row.value)


def put(session: Session, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=text))
    else:
        row.value = text
    session.flush()


def delete(session: Session, key: str) -> None:
    row = session.get(SyncState, key)
    if row is not None:
        session.delete(row)
        session.flush()


def with_prefix(session: Session, prefix: str) -> dict[str, Any]:
    rows = session.scalars(select(SyncState).where(SyncState.key.startswith(prefix, autoescape=True)))
    return {r.key[len(prefix):]: json.loads(r.value) for r in rows}
