"""Conflicting edits of mutable case fields, kept side by side for a person to resolve."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from archive.db import FieldConflict, LogHead, PullItem, iso
from archive.errors import ApiError
from archive.service import Archive


def may_see_case(archive: Archive, case_id: str, device_id: str, inspector_ids: frozenset[str]) -> bool:
    """A device sees a case it has pushed to, or one assigned to one of its inspectors."""
    with archive.db.read() as s:
        if s.get(LogHead, (case_id, device_id)) is not None:
            return True
        for payload in s.execute(
            select(PullItem.payload).where(PullItem.kind == "assignments", PullItem.item_id == case_id)
        ).scalars():
            if inspector_ids & set(json.loads(payload).get("inspectors", [])):
                return True
    return False


def list_conflicts(
    archive: Archive, case_id: str, device_id: str, inspector_ids: frozenset[str]
) -> list[dict[str, Any]]:
    if not may_see_case(archive, case_id, device_id, inspector_ids):
        raise ApiError(404, "unknown_case", "案件不存在或无权查看", "no such case for this device")
    with archive.db.read() as s:
        rows = s.execute(
            select(FieldConflict).where(FieldConflict.case_id == case_id).order_by(FieldConflict.id)
        ).scalars()
        return [
            {
                "id": r.id,
                "case_id": r.case_id,
                "field": r.field,
                "base": json.loads(r.base),
                "value_a": json.loads(r.value_a),
                "device_a": r.device_a,
                "value_b": json.loads(r.value_b),
                "device_b": r.device_b,
                "created_at": iso(r.created_at),
            }
            for r in rows
        ]
