"""Alerts: something a person at the office must look at (a forked journal, the same id with other bytes, a
device reaching for another team's case…). Listed by ``archive admin alerts``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db import Alert, iso, utcnow
from archive.logs import log
from archive.service import Archive


def add_alert(
    s: Session, kind: str, device_id: str | None, case_id: str | None, object_id: str | None, detail: str
) -> None:
    """An alert row inside the caller's transaction."""
    s.add(
        Alert(
            kind=kind[:64],
            device_id=device_id,
            case_id=None if case_id is None else case_id[:128],
            object_id=object_id,
            detail=detail,
            created_at=utcnow(),
        )
    )
    log("alert", kind=kind, device=device_id, case=case_id)


def alert(
    archive: Archive, kind: str, device_id: str | None, case_id: str | None, object_id: str | None, detail: str
) -> None:
    """An alert in its own transaction (the refusal it goes with is not stored)."""
    with archive.db.write() as s:
        add_alert(s, kind, device_id, case_id, object_id, detail)


def list_alerts(archive: Archive, since_id: int = 0) -> list[dict[str, Any]]:
    with archive.db.read() as s:
        rows = s.execute(select(Alert).where(Alert.id > since_id).order_by(Alert.id)).scalars().all()
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "device": r.device_id,
                "case": r.case_id,
                "object": r.object_id,
                "detail": r.detail,
                "time": iso(r.created_at),
            }
            for r in rows
        ]
