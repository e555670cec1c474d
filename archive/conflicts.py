"""Conflicting edits of mutable case fields, kept side by side for a person to resolve."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from archive.db import FieldConflict, iso
from archive.service import Archive
from archive.teams import require_member


def list_conflicts(
    archive: Archive, case_id: str, device_id: str, inspector_ids: frozenset[str]
) -> list[dict[str, Any]]:
    require_member(archive, case_id, device_id, inspector_ids, "conflicts", must_exist=True)
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
