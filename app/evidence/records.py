"""Records (笔录): 询问笔录 (interview) and 现场检查笔录 (on-site record) as signed, versioned objects.

A record version is immutable once both inspectors sign it; a change is a new version that supersedes the previous
one with a reason. The party signs each page (a provider-signature binding with ``page``), or refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from app.errors import UserError
from app.evidence.canonical import loads
from app.evidence.capture import clock_claim
from app.evidence.objects import require_open, sign_and_store, signing_pair
from app.ids import uuid7
from app.models.profile import Store
from app.models.schema import SignedObject
from app.models.validators import check_visible_text

RECORD_KINDS = ("interview", "onsite")
CLOSING_STATEMENT = "以上笔录我已看过（已向我宣读过），与我所说的相符。"


def _validate(kind: str, content: dict[str, Any]) -> None:
    if kind not in RECORD_KINDS:
        raise UserError(f"未知的笔录类型：{kind}", f"Unknown record kind: {kind}")
    if kind == "interview":
        person = content.get("interviewee") or {}
        if not str(person.get("name", "")).strip():
            raise UserError("询问笔录须写明被询问人姓名。", "An interview record needs the interviewee's name.")
        qa = content.get("qa") or []
        if not qa or any(not str(p.get("q", "")).strip() for p in qa):
            raise UserError("询问笔录须至少有一组问答，且每个问题不能为空。",
                            "An interview record needs at least one question and answer; no empty question.")
    elif not str(content.get("findings_text", "")).strip():
        raise UserError("现场检查笔录须客观记录检查情况。", "An on-site record must describe what was found.")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a record's content (the text the party and the inspectors sign)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def sign_record(store: Store, case_id: str, kind: str, content: dict[str, Any], *,
                supersedes: tuple[str, str] | None = None) -> str:
    """Both unlocked inspectors sign a record version; returns its object id."""
    _validate(kind, content)
    check_visible_text(*_strings(content), *(() if supersedes is None else (supersedes[1],)))
    with store.transaction() as s:
        require_open(s, case_id, correction=supersedes is not None)
        signers = signing_pair(s, store, case_id)
        version = 1
        sup = None
        if supersedes is not None:
            old = s.get(SignedObject, supersedes[0])
            if old is None or old.type != "record":
                raise UserError("所更正的笔录不存在。", "The record to correct does not exist.")
            if not supersedes[1].strip():
                raise UserError("更正须说明理由。", "A correction must say why.")
            old_body = loads(old.body)
            if old_body["kind"] != kind:
                raise UserError("更正须为同类笔录。", "A correction must be of the same record kind.")
            version = int(old_body["version"]) + 1
            sup = {"record": old.id, "manifest_sha256": old.sha256, "reason": supersedes[1]}
        record_id = uuid7()
        body = {"v": 1, "type": "record", "case": case_id, "record": record_id, "kind": kind, "version": version,
                "content": content, "inspectors": signers, "time": clock_claim(s, case_id), "supersedes": sup}
        sign_and_store(s, store, case_id, "record", body, signers, object_id=record_id)
        return record_id


def record_content(store: Store, record_id: str) -> dict[str, Any]:
    with store.session() as s:
        row = s.get(SignedObject, record_id)
        if row is None or row.type != "record":
            raise UserError("笔录不存在。", "No such record.")
        return dict(loads(row.body))


def records_of_case(store: Store, case_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    with store.session() as s:
        q = select(SignedObject).where(SignedObject.case_id == case_id, SignedObject.type == "record")
        return [b for b in (dict(loads(r.body)) for r in s.scalars(q.order_by(SignedObject.created)))
                if kind is None or b["kind"] == kind]
