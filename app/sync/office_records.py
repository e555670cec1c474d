"""Office records pulled from the archive (institutions, assignments, …): how the sync summary names one, and why
one cannot be used. One bad record is named and skipped; it never blocks a sync."""

from __future__ import annotations

from typing import Any

from app.models.validators import ValidationError, hidden_in, shown_text


def record_name(kind: str, item: Any) -> str:
    """How the sync summary names an office record: its kind and its name (or id)."""
    data = item.get("data") if isinstance(item, dict) else None
    name = ""
    if isinstance(data, dict):
        inst = data.get("institution") if kind == "assignments" else data
        name = str((inst or {}).get("name") or "") if isinstance(inst, dict) else ""
        name = name or str(data.get("title") or "")
    ident = str(item.get("id", "")) if isinstance(item, dict) else ""
    return shown_text(f"{kind} {name or ident or '?'}".strip())[:200]


def office_record_problem(kind: str, item: Any) -> str | None:
    """Why one pulled office record cannot be used (None if it can): a record without an id or data, a party
    without a name or with an invalid identifier (统一社会信用代码, or a person's 居民身份证号), an assignment whose
    party or inspectors are malformed, any text holding an invisible or reordering character. Which of the two
    identifiers a party's kind carries is the workflow's rule (``app.workflow.cases.check_party_identifier``),
    applied where the record is used; here it must be a valid one of the two."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        return "record without an id"
    data = item.get("data")
    if not isinstance(data, dict):
        return "record without data"
    inst: Any = data if kind == "institutions" else data.get("institution") if kind == "assignments" else None
    hidden = _hidden_text(data)
    if hidden is not None:
        return hidden
    if kind in ("institutions", "assignments"):
        if not isinstance(inst, dict) or not isinstance(inst.get("name"), str) or not inst["name"].strip():
            return "party without a name"
        uscc = inst.get("uscc")
        if uscc not in (None, ""):
            if not isinstance(uscc, str):
                return "invalid party identifier"
            return _identifier_problem(uscc)
    if kind == "assignments":
        inspectors = data.get("inspectors", [])
        if not isinstance(inspectors, list) or not all(isinstance(i, str) for i in inspectors):
            return "assignment with malformed inspectors"
    return None


def _identifier_problem(value: str) -> str | None:
    """None for a valid 统一社会信用代码 or 居民身份证号; else why not, as the one it looks like (17 digits first:
    an identity number) would say it."""
    from app.models.validators import normalise_resident_id, validate_resident_id, validate_uscc

    try:
        validate_uscc(value)
        return None
    except ValidationError as as_uscc:
        try:
            validate_resident_id(value)
            return None
        except ValidationError as as_id:
            return (as_id if normalise_resident_id(value)[:17].isdigit() else as_uscc).message_en


def _hidden_text(value: Any) -> str | None:
    """An office record's text is printed on forms and shown on screen as it is: a character that is invisible or
    reorders what is shown (``app.models.validators.check_visible_text``) makes the record unusable."""
    found = hidden_in(value)
    if found is None:
        return None
    where, _text, char = found
    return f"{where} 含有不可见或改变显示顺序的字符 {char} (invisible or reordering character {char} in {where})"
