"""Records (笔录): 询问笔录 (interview) and 现场检查笔录 (on-site record) as signed, versioned objects.

A record version is immutable once both inspectors sign it; a change is a new version that supersedes the previous
one with a reason. The party signs each page (a provider-signature binding with ``page``), or refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.errors import UserError
from app.evidence.canonical import loads
from app.evidence.clock import clock_claim
from app.evidence.objects import require_open, sign_and_store, signing_pair
from app.ids import uuid7
from app.models.profile import Store
from app.models.schema import SignedObject
from app.models.validators import check_visible_text

RECORD_KINDS = ("interview", "onsite")
CLOSING_STATEMENT = "以上笔录我已看过（已向我宣读过），与我所说的相符。"


#: The longest a record may span (an interview or an inspection is a sitting, not a week: more is a slip of the day).
MAX_RECORD_HOURS = 24


def local_time(value: str) -> datetime:
    """A record's time as the naive local time written on it ('...Z' and offsets are converted). ValueError when
    it is not a time."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone().replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def _check_times(content: dict[str, Any], now: datetime) -> None:
    """The start and end a record states (when it states them): real times, the end not before the start, within
    ``MAX_RECORD_HOURS``, and not begun after ``now`` (the laptop's time): a record is signed once its sitting took
    place. Checked before signing: a signed record cannot be taken back, and one ending before it began could
    never be printed."""
    raw_start, raw_end = str(content.get("start") or ""), str(content.get("end") or "")
    if not raw_start and not raw_end:
        return
    try:
        start, end = local_time(raw_start), local_time(raw_end)
    except ValueError:
        raise UserError(f"笔录的开始或结束时间无效：“{raw_start}”至“{raw_end}”。",
                        f"The record's start or end time is not a time: '{raw_start}' to '{raw_end}'.") from None
    if end < start:
        raise UserError(f"笔录的结束时间（{end:%Y-%m-%d %H:%M}）早于开始时间（{start:%Y-%m-%d %H:%M}），请核对。",
                        f"The record ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M}); check "
                        "the times.")
    if end - start > timedelta(hours=MAX_RECORD_HOURS):
        raise UserError(f"笔录从 {start:%Y-%m-%d %H:%M} 到 {end:%Y-%m-%d %H:%M}，超过 {MAX_RECORD_HOURS} 小时，请核对日期。",
                        f"The record runs from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}, more than "
                        f"{MAX_RECORD_HOURS} hours; check the dates.")
    if start > now:
        raise UserError(f"笔录的开始时间（{start:%Y-%m-%d %H:%M}）晚于现在（{now:%Y-%m-%d %H:%M}）：尚未开始的询问或检查"
                        "不能签名。请核对时间，并核对本机时钟是否正确。",
                        f"The record starts ({start:%Y-%m-%d %H:%M}) after now ({now:%Y-%m-%d %H:%M}): what has "
                        "not begun cannot be signed. Check the time, and that the laptop's clock is right.")


def _validate(kind: str, content: dict[str, Any], now: datetime | None = None) -> None:
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
        unanswered = next((i for i, p in enumerate(qa, 1) if not str(p.get("a", "")).strip()), None)
        if unanswered is not None:  # a blank under a signed question can be filled in by hand afterwards
            raise UserError(f"第 {unanswered} 个问题没有回答。被询问人不回答的，请如实写明（如“拒绝回答”），不要留空。",
                            f"Question {unanswered} has no answer. Where the interviewee does not answer, write so "
                            "(e.g. \"refuses to answer\"); leave no blank.")
    elif not str(content.get("findings_text", "")).strip():
        raise UserError("现场检查笔录须客观记录检查情况。", "An on-site record must describe what was found.")
    _check_times(content, now or datetime.now())


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
                supersedes: tuple[str, str] | None = None, now: datetime | None = None) -> str:
    """Both unlocked inspectors sign a record version; returns its object id. ``now``: the local time the record
    is signed at (the laptop's clock; the demo, built "as of" the end of its day, passes its own)."""
    _validate(kind, content, now)
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
