"""Drafts: what an inspector typed into a page of a case and has not signed yet (issue 10 §2).

A draft is kept in the encrypted store as it is typed (the UI saves it, debounced), so Esc, Ctrl+L, the idle lock
or a crash never lose it, and after unlocking the same case, step and draft come back. A draft is **not evidence**:
it is never journaled, never synced, never printed; it is replaced as the inspector types and ends when the page's
entry is signed (the record, finding or measure made from it is what the journal holds). Drafts live in the
``drafts`` table, one row per (case, page), holding the page's fields as canonical JSON.

Where the inspector was (the open case and each case's last step) is kept beside them, in ``meta``, so the
window comes back to the same place after an unlock.

Every function takes the unlocked ``Store`` and runs on the store's worker thread (the UI reaches them through
``Workspace.run``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import delete, select

from app.errors import UserError
from app.models.profile import Store, utc_now
from app.models.schema import Case, Draft, Meta

#: The JSON of one page's draft: far above any form (a long interview is ~100 KB), far below what hurts.
MAX_DRAFT_BYTES = 1 << 20
MAX_DEPTH = 4
PLACE_KEY = "ui.place"
#: Cases whose last step is remembered (the most recent first).
MAX_REMEMBERED_CASES = 50
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_FIELD = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")


class DraftRefused(UserError):
    code = "draft_refused"


#: The "case" of the 新建稽核 dialog's draft: the audit being typed has no case yet, and a lock or an Esc lost all
#: of it (the party, its code, the dates, the reason of an unannounced audit).
NEW_AUDIT = "new-audit"


def _check_page(page: str) -> str:
    if not isinstance(page, str) or not _NAME.match(page):
        raise DraftRefused("草稿所属页面无效。", "The draft's page name is not valid.")
    return page


def _check_value(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise DraftRefused("草稿结构过深。", "The draft is nested too deeply.")
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, list):
        for v in value:
            _check_value(v, depth + 1)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not _FIELD.match(k):
                raise DraftRefused("草稿字段名无效。", "A draft field name is not valid.")
            _check_value(v, depth + 1)
        return
    raise DraftRefused("草稿只能保存文字、数字和选项。", "A draft holds only text, numbers and choices.")


def encode(fields: dict[str, Any]) -> str:
    """The canonical JSON of a page's fields, refusing anything but text, integers, booleans, lists and maps."""
    if not isinstance(fields, dict):
        raise DraftRefused("草稿格式无效。", "The draft is not a set of fields.")
    _check_value(fields)
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if len(body.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise DraftRefused(f"草稿超过 {MAX_DRAFT_BYTES // 1024} KB，请先签署已填写的内容。",
                           f"The draft exceeds {MAX_DRAFT_BYTES // 1024} KB; sign what is filled in first.")
    return body


def save_draft(store: Store, case_id: str, page: str, fields: dict[str, Any]) -> None:
    """Keep ``fields`` as the draft of ``page`` of the case (replacing the previous draft); not journaled."""
    body = encode(fields)
    _check_page(page)
    with store.transaction() as s:
        if case_id != NEW_AUDIT and s.get(Case, case_id) is None:
            raise DraftRefused("草稿所属案件不存在。", "The draft's case does not exist.")
        row = s.get(Draft, (case_id, page))
        if row is None:
            s.add(Draft(case_id=case_id, page=page, body=body, updated=utc_now()))
        elif row.body != body:
            row.body = body
            row.updated = utc_now()


def load_drafts(store: Store, case_id: str) -> dict[str, dict[str, Any]]:
    """Every page's draft of the case, by page. A row that does not parse is left out (and stays in the store)."""
    out: dict[str, dict[str, Any]] = {}
    with store.session() as s:
        for row in s.scalars(select(Draft).where(Draft.case_id == case_id)):
            try:
                fields = json.loads(row.body)
            except ValueError:
                continue
            if isinstance(fields, dict):
                out[row.page] = fields
    return out


def discard_draft(store: Store, case_id: str, page: str) -> None:
    """The page's entry was signed: its draft ends."""
    with store.transaction() as s:
        s.execute(delete(Draft).where(Draft.case_id == case_id, Draft.page == _check_page(page)))


def _place(store: Store) -> dict[str, Any]:
    with store.session() as s:
        row = s.get(Meta, PLACE_KEY)
        try:
            place = json.loads(row.value) if row is not None else {}
        except ValueError:
            place = {}
    if not isinstance(place, dict) or not isinstance(place.get("steps", {}), dict):
        return {}
    return place


def remember_place(store: Store, case_id: str | None, step: str | None = None) -> None:
    """The inspector is on ``step`` of ``case_id`` (``None``: on the list of audits)."""
    place = _place(store)
    steps: dict[str, str] = {k: v for k, v in place.get("steps", {}).items()
                             if isinstance(k, str) and isinstance(v, str)}
    if case_id is not None and step is not None:
        steps.pop(case_id, None)
        steps = {case_id: _check_page(step), **steps}  # most recent first
        steps = dict(list(steps.items())[:MAX_REMEMBERED_CASES])
    value = json.dumps({"case": case_id, "steps": steps}, ensure_ascii=False, sort_keys=True)
    with store.transaction() as s:
        if case_id is not None and s.get(Case, case_id) is None:
            raise DraftRefused("案件不存在。", "The case does not exist.")
        row = s.get(Meta, PLACE_KEY)
        if row is None:
            s.add(Meta(key=PLACE_KEY, value=value))
        else:
            row.value = value


def last_place(store: Store) -> tuple[str | None, str | None]:
    """Where the inspector was: (open case or ``None``, that case's last step or ``None``)."""
    place = _place(store)
    case_id = place.get("case")
    if not isinstance(case_id, str):
        return None, None
    with store.session() as s:
        if s.get(Case, case_id) is None:
            return None, None
    return case_id, last_step(store, case_id, place)


def last_step(store: Store, case_id: str, place: dict[str, Any] | None = None) -> str | None:
    """The step the inspector last looked at in ``case_id``."""
    step = (place if place is not None else _place(store)).get("steps", {}).get(case_id)
    return step if isinstance(step, str) and _NAME.match(step) else None
