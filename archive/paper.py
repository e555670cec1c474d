"""A printed page looked up by its 核验码 (the code printed beside its QR code).

Every print is journaled on the laptop as a ``document.printed`` entry listing each page's document, place, text
hash and 核验码; the document itself is the ``document.issued`` entry it names. Both arrive with the case's pushes
and are stored as objects, so the archive answers "which page is this?" with the case, the document's title and
form, the page, its text hash, when and by whom it was printed, and the page's text as issued, for a person to
compare with the paper. Devices see only the cases of their team (``conflicts.may_see_case``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from archive.db import StoredObject
from archive.service import Archive

CODE = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}$")
MAX_HITS = 50


def normalise_code(code: str) -> str | None:
    """``abcd efgh`` / ``ABCD-EFGH`` → ``ABCD-EFGH``; None when it cannot be a 核验码."""
    text = re.sub(r"[\s-]", "", code.strip().upper())
    text = f"{text[:4]}-{text[4:]}"
    return text if CODE.match(text) else None


def _page_text(issued: dict[str, Any], part: str, page: int) -> str:
    """The page's text as the issue record states it (its hash is the page's; the laptop made both)."""
    for p in issued.get("pages") or []:
        if p.get("part") == part and p.get("page") == page:
            return str(p.get("text", ""))
    return ""


def lookup(archive: Archive, code: str, *, device_id: str | None = None,
           inspector_ids: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every printed page carrying ``code`` (normalised), oldest print first; with ``device_id`` only those of
    cases the device may see."""
    from archive.teams import active, load_team

    found: dict[tuple[str, str, str, int, str], dict[str, Any]] = {}
    with archive.db.read() as s:
        inspector_ids = active(s, inspector_ids)
        rows = s.execute(select(StoredObject).where(
            StoredObject.kind == "document.printed", StoredObject.body.contains(f'"code":"{code}"'))
            .order_by(StoredObject.created_at).limit(10 * MAX_HITS)).scalars().all()
        for row in rows:
            if device_id is not None:
                team = load_team(s, row.case_id)
                if team is None or not team.admits(device_id, inspector_ids):
                    continue
            body = json.loads(row.body)
            for p in body.get("pages") or []:
                if p.get("code") != code:
                    continue
                key = (row.case_id, str(p["document"]), str(p["part"]), int(p["page"]), str(p["sha256"]))
                hit = found.get(key)
                if hit is None:
                    issued_row = s.execute(select(StoredObject).where(
                        StoredObject.kind == "document.issued", StoredObject.case_id == row.case_id,
                        StoredObject.sha256.startswith(str(p["document"]), autoescape=True))).scalars().first()
                    issued = json.loads(issued_row.body) if issued_row is not None else {}
                    hit = found[key] = {
                        "code": code, "case_id": row.case_id, "form": body.get("form", ""),
                        "title": issued.get("title", ""), "issued_on": issued.get("issued_on", ""),
                        "document": p["document"], "page": p["page"], "of": p.get("of"), "sha256": p["sha256"],
                        "issued_in_archive": issued_row is not None,
                        "text": _page_text(issued, str(p["part"]), int(p["page"])), "prints": [],
                    }
                hit["prints"].append({"at": body.get("at", ""), "by": body.get("by", ""), "device": row.device_id})
            if len(found) >= MAX_HITS:
                break
    return list(found.values())
