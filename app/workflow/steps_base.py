"""Shared plumbing of the procedure steps: step status types, guards, step details in ``Case.data``, events.

Every mutation of a step follows the same pattern (ARCHITECTURE.md 'Layers', issue 4 §3):

1. :func:`open_case` loads the case and refuses when it is closed, :func:`require_actor` refuses an actor who is not
   assigned to the case or has not unlocked with their own passphrase;
2. the step checks its rule and raises :class:`~app.errors.PermissionRefused` / :class:`~app.errors.UserError`
   with a bilingual message citing the source;
3. it writes the state (ordinary tables, or the step's details in ``Case.data``);
4. :func:`event` appends a journal entry signed by the acting inspector.

The caller owns the transaction (``with store.transaction() as s: ...``): a refusal raised after a partial write
rolls the whole action back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import PermissionRefused, UserError
from app.evidence import journal
from app.models.profile import Store
from app.models.schema import Case, CaseInspector, Inspector
from app.models.validators import HiddenCharacter, ValidationError, check_visible_text

# Step names, in procedure order (procedure.STEPS holds their titles and status functions).
ARRIVAL = "arrival"
RECUSAL = "recusal"
CHECKLIST = "checklist"
EVIDENCE = "evidence"
RECORDS = "records"
MEASURES = "measures"
FINDINGS = "findings"
CLOSING = "closing"
STEP_NAMES = (ARRIVAL, RECUSAL, CHECKLIST, EVIDENCE, RECORDS, MEASURES, FINDINGS, CLOSING)

CLOSED_ZH = "已结案，只能以更正方式补充。"
CLOSED_EN = "The case is closed; it can only be supplemented by a correction."


@dataclass(frozen=True)
class Missing:
    """One thing that still stands between a step and its completion (or a warning that does not block)."""

    code: str
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang.startswith("en") else self.message_zh


@dataclass(frozen=True)
class StepStatus:
    """Where one step stands. ``done`` means nothing is missing; ``warnings`` never block."""

    step: str
    done: bool
    missing: list[Missing] = field(default_factory=list)
    warnings: list[Missing] = field(default_factory=list)
    completed_at: str | None = None  # when complete_step() checkpointed it


def make_status(step: str, missing: list[Missing], warnings: list[Missing] | None = None,
                completed_at: str | None = None) -> StepStatus:
    return StepStatus(step, not missing, missing, warnings or [], completed_at)


class InvalidInput(UserError):
    """A field the inspector typed is wrong; ``field`` names it and ``position`` is 1-based where known."""

    code = "invalid_input"

    def __init__(self, field_name: str, message_zh: str, message_en: str, *, position: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message_zh, message_en, code=code)
        self.field = field_name
        self.position = position

    @classmethod
    def wrap(cls, field_name: str, exc: ValidationError) -> InvalidInput:
        return cls(field_name, exc.message_zh, exc.message_en, position=exc.position, code=f"invalid.{exc.code}")


def refuse(message_zh: str, message_en: str, code: str = "refused") -> PermissionRefused:
    return PermissionRefused(message_zh, message_en, code=code)


def require_visible(text: str, field_name: str) -> str:
    """``text`` unless it holds an invisible or reordering character (``check_visible_text``), named by field."""
    try:
        check_visible_text(text)
    except HiddenCharacter as exc:
        raise InvalidInput(field_name, exc.message_zh, exc.message_en, position=exc.position,
                           code="invalid.hidden_character") from None
    return text


def require_text(value: str, field_name: str, what_zh: str, what_en: str) -> str:
    text = require_visible((value or "").strip(), field_name)
    if not text:
        raise InvalidInput(field_name, f"请填写{what_zh}。", f"The {what_en} is required.", code="invalid.empty")
    return text


def parse_day(value: date | str, field_name: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(field_name, f"日期“{value}”无效，应为YYYY-MM-DD。",
                           f"Invalid date '{value}': expected YYYY-MM-DD.", code="invalid.date") from None


def require_not_future(day: date, today: date, field_name: str, what_zh: str, what_en: str) -> date:
    """``day`` unless it is after ``today`` (the laptop's date): what has been done (a notice served, a paper
    received) cannot have been done tomorrow."""
    if day > today:
        raise InvalidInput(field_name, f"{what_zh}（{day}）晚于今天（{today}）：尚未发生的事不能记录为已发生。"
                           "请核对日期，并核对本机时钟是否正确。",
                           f"The {what_en} ({day}) is after today ({today}): what has not happened yet cannot be "
                           "recorded as done. Check the date, and that the laptop's clock is right.",
                           code="invalid.future_date")
    return day


# ----------------------------------------------------------------------------------------------- loading


def get_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise UserError("稽核案件不存在。", "The case does not exist.", code="no_case")
    return case


def open_case(session: Session, case_id: str) -> Case:
    """The case, refusing when it is closed (only corrections may follow a closing)."""
    case = get_case(session, case_id)
    if case.status == "closed":
        raise refuse(CLOSED_ZH, CLOSED_EN, code="case_closed")
    return case


def case_inspector_ids(session: Session, case_id: str) -> list[str]:
    return list(session.scalars(select(CaseInspector.inspector_id).where(CaseInspector.case_id == case_id)
                                .order_by(CaseInspector.position)))


def inspector_name(session: Session, inspector_id: str) -> str:
    row = session.get(Inspector, inspector_id)
    return row.name if row is not None else inspector_id


def require_actor(session: Session, store: Store, case: Case, actor_id: str) -> None:
    """The actor is assigned to this case and has unlocked with their own passphrase in this session."""
    if actor_id not in case_inspector_ids(session, case.id):
        raise refuse(
            "只有指派到本案的稽核人员才能办理本案（《武汉市医疗保险稽核办法（试行）》第七条第二项）。",
            "Only the inspectors assigned to this case may act on it (Wuhan Audit Measures Art. 7(2)).",
            code="not_assigned",
        )
    store.signing_key(actor_id)  # PermissionRefused when this inspector has not entered their passphrase


# ----------------------------------------------------------------------------------------------- step data


def case_data(case: Case) -> dict[str, Any]:
    try:
        data = json.loads(case.data or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def save_data(case: Case, data: dict[str, Any]) -> None:
    case.data = json.dumps(data, ensure_ascii=False, sort_keys=True)


def section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        value = {}
        data[name] = value
    return value


def activate(case: Case) -> None:
    """assigned → active: the team has arrived on site."""
    if case.status == "assigned":
        case.status = "active"


def event(session: Session, store: Store, case: Case, actor_id: str, type_: str, payload: dict[str, Any]) -> None:
    """Flush the state and append the signed journal entry describing it."""
    session.flush()
    journal.append(session, store, case.id, actor_id, type_, {"case": case.id, **payload})


def check_evidence_ids(session: Session, case_id: str, evidence_ids: Iterable[str]) -> list[str]:
    """Evidence item ids, each existing in this case (duplicates dropped, order kept)."""
    from app.models.schema import EvidenceItem

    ids = list(dict.fromkeys(evidence_ids))
    for eid in ids:
        item = session.get(EvidenceItem, eid)
        if item is None or item.case_id != case_id:
            raise InvalidInput("evidence_ids", f"证据{eid}不属于本案。",
                               f"Evidence item {eid} does not belong to this case.", code="invalid.evidence")
    return ids
