"""Mutable case fields: the one way a field of a ``Case`` row changes after the case was created.

Every change is journaled as ``case.field_changed`` with the payload ``{"case", "field", "old", "new"}``
(``app.sync.protocol.FIELD_CHANGE_TYPE``; archive/PROTOCOL.md "Mutable fields and conflicts"). The archive folds
these entries per (case, field) and keeps two laptops' different edits of the same field from the same base side
by side as a conflict. The initial values travel in ``case.created``; a field change records only a later edit.

Which fields are mutable case fields (:data:`MUTABLE_FIELDS`):

* editable by the team (:data:`EDITABLE_FIELDS`): ``doc_no`` (文号), ``title``, ``period_from`` / ``period_to``
  (the period audited), ``matters``, ``basis``, ``planned_date`` and ``place``: plain values a person types, where
  two laptops can disagree and a person at the office has to choose;
* owned by a procedure action (:data:`PROCEDURE_FIELDS`): ``notice_served_on``, ``unannounced`` and
  ``unannounced_reason``. They are set together by ``steps.record_notice`` after it checked the notice rules
  (3 days ahead, the reason of an unannounced audit); it changes them through :func:`set_case_field` with
  ``procedure="arrival.notice"``, so they are field changes too (beside the unchanged ``arrival.notice`` event).
  Called without ``procedure`` they are refused: setting one alone would skip the rules.

What is *not* a field change, and why:

* ``status``, ``step`` and ``closed`` are consequences of signed procedure events (``arrival.*`` activates the
  case, ``step.completed`` moves the step on, ``case.closed`` + ``case.closed.confirmed`` close it). They only
  move forward, are not typed by a person, and a "conflict" between two laptops' procedures is not a choice
  between two values: each laptop's journal is its own account of what its team did. Folding them as
  last-writer-wins values would let a fold contradict a journal (a case "active" at the archive while a journal
  holds ``case.closed``), and a closed case is read-only (only signed corrections follow), so nothing may reopen it.
* the inspectors of a case change only through the recusal procedure (``recusal.inspector_replaced`` names the
  old and new inspector and who decided); who may sign is checked per journal and device, not a folded value.
* ``id``, ``kind``, ``form``, ``institution_id``, ``checklist_template_id`` and ``created`` identify the case
  and are fixed at ``case.created``; ``data`` holds step details, each written with its own step event;
  ``origin`` is this laptop's bookkeeping.

A closed case refuses every field change (``case_closed``); a change to the value the field already has is not
journaled (the archive would ignore it too). The caller owns the transaction: the row and the journal entry are
written in it together.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.models.profile import Store
from app.models.schema import Case
from app.workflow.steps_base import (
    CLOSED_EN,
    CLOSED_ZH,
    InvalidInput,
    event,
    get_case,
    refuse,
    require_actor,
    require_visible,
)

__all__ = ["DOC_NO", "EDITABLE_FIELDS", "FIELD_CHANGE_TYPE", "LONG_TEXT", "MUTABLE_FIELDS", "PROCEDURE_FIELDS", "FieldValue",
           "check_field_value", "doc_no_issuer", "doc_serial", "field_value", "set_case_field"]

#: The journal event type (the protocol's ``app.sync.protocol.FIELD_CHANGE_TYPE``; the workflow does not import the
#: sync layer, a test keeps the two equal).
FIELD_CHANGE_TYPE = "case.field_changed"

FieldValue = str | bool | None

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The longest paragraph field (稽核事项, 依据, the reason of an unannounced audit): a paragraph of a form, not a file.
LONG_TEXT = 2000


@dataclass(frozen=True)
class _Field:
    label_zh: str
    label_en: str
    normalise: Callable[[str, str, str, Any], FieldValue]  # (field, label_zh, label_en, value) -> stored value
    procedure: str | None = None  # the procedure action that owns the field, if any


def _text(limit: int | None) -> Callable[[str, str, str, Any], FieldValue]:
    def normalise(field: str, zh: str, en: str, value: Any) -> FieldValue:
        if not isinstance(value, str):
            raise InvalidInput(field, f"{zh}应为文字。", f"The {en} must be text.", code="invalid.type")
        text = require_visible(value.strip(), field)
        if limit is not None and len(text) > limit:
            raise InvalidInput(field, f"{zh}过长（最多{limit}字）。", f"The {en} is too long (at most {limit}).",
                               code="invalid.length")
        return text
    return normalise


#: A 文号 names its year in 六角括号 and its serial: 某医保稽通〔2026〕21号 (GB/T 9704-2012 7.2.4). Every form of
#: the case is numbered from it (``app.workflow.print_context``).
DOC_NO = re.compile(r"〔(\d{4})〕\s*(\d+)\s*号")
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕"})


def doc_serial(doc_no: str | None) -> tuple[int, int] | None:
    """(year, serial) of a case's 文号, or None when it names no year and no serial above 0: the forms of such a
    case cannot be numbered (``print_context``; the arrival step lists it as missing)."""
    m = DOC_NO.search(doc_no or "")
    if m is None or int(m.group(2)) == 0 or not 1990 <= int(m.group(1)) <= 2100:
        return None
    return int(m.group(1)), int(m.group(2))


def doc_no_issuer(doc_no: str | None) -> str:
    """The 机关代字 a 文号 names before its year (某医保稽通 in 某医保稽通〔2026〕21号), or "" when it was typed as
    the year and serial only: the notice then takes the agency's own pattern (``print_context``)."""
    m = DOC_NO.search(doc_no or "")
    return (doc_no or "")[:m.start()].strip() if m else ""


def _doc_no(field: str, zh: str, en: str, value: Any) -> FieldValue:
    """Empty until the office gives one; else a 文号 with a year and a serial above 0 (square brackets typed
    for 〔〕 are taken as meant). Without them every form printed "〔2026〕0号"."""
    text = _text(64)(field, zh, en, value)
    if not text:
        return text
    text = str(text).translate(_BRACKETS)
    if doc_serial(text) is not None:
        return text
    m = DOC_NO.search(text)
    if m is None:
        zh, en = "应写明年份和序号", "must give the year in 〔 〕 and the serial"
    elif int(m.group(2)) == 0:  # it has both: say which part is wrong, not that one is missing
        zh, en = "的序号应大于0", "must have a serial above 0"
    else:
        zh, en = "的年份应在1990年至2100年之间", "must have a year between 1990 and 2100"
    raise InvalidInput(field, f"文号“{text}”{zh}，如“某医保稽通〔2026〕21号”。",
                       f"The document number '{text}' {en}, e.g. 某医保稽通〔2026〕21号.", code="invalid.doc_no")


def _day(*, nullable: bool) -> Callable[[str, str, str, Any], FieldValue]:
    def normalise(field: str, zh: str, en: str, value: Any) -> FieldValue:
        if isinstance(value, date):
            return value.isoformat()
        if value is None or value == "":
            return None if nullable else ""
        if isinstance(value, str) and _DAY.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise InvalidInput(field, f"{zh}“{value}”无效，应为YYYY-MM-DD。",
                           f"Invalid {en} '{value}': expected YYYY-MM-DD.", code="invalid.date")
    return normalise


def _flag(field: str, zh: str, en: str, value: Any) -> FieldValue:
    if not isinstance(value, bool):
        raise InvalidInput(field, f"{zh}应为是或否。", f"The {en} must be yes or no.", code="invalid.type")
    return value


_FIELDS: dict[str, _Field] = {
    "doc_no": _Field("文号", "document number", _doc_no),
    "title": _Field("案件名称", "title", _text(300)),
    "period_from": _Field("稽核期间起始日", "start of the audited period", _day(nullable=False)),
    "period_to": _Field("稽核期间截止日", "end of the audited period", _day(nullable=False)),
    "matters": _Field("稽核事项", "matters audited", _text(LONG_TEXT)),
    "basis": _Field("稽核依据", "legal basis", _text(LONG_TEXT)),
    "planned_date": _Field("计划稽核日期", "planned audit date", _day(nullable=False)),
    "place": _Field("稽核地点", "place", _text(300)),
    "notice_served_on": _Field("稽核通知书送达日期", "notice service date", _day(nullable=True), "arrival.notice"),
    "unannounced": _Field("不事先通知", "unannounced audit", _flag, "arrival.notice"),
    "unannounced_reason": _Field("不事先通知的理由", "reason for an unannounced audit", _text(LONG_TEXT),
                                 "arrival.notice"),
}

#: Every mutable case field, in display order.
MUTABLE_FIELDS: tuple[str, ...] = tuple(_FIELDS)
#: The fields a person edits directly.
EDITABLE_FIELDS: tuple[str, ...] = tuple(n for n, f in _FIELDS.items() if f.procedure is None)
#: The fields only their procedure action changes (after checking its rules).
PROCEDURE_FIELDS: tuple[str, ...] = tuple(n for n, f in _FIELDS.items() if f.procedure is not None)

_NOT_MUTABLE = {
    "status": ("状态随现场程序（到达、结案）变化，不能直接修改", "the status follows the procedure (arrival, closing)"),
    "step": ("步骤随完成各步骤变化，不能直接修改", "the step moves on when a step is completed"),
    "closed": ("结案时间由结案确认记录", "the closing time is recorded by closing the case"),
    "inspectors": ("更换稽核人员须经回避决定", "inspectors are replaced only after a granted recusal"),
}


def check_field_value(field: str, value: Any) -> FieldValue:
    """``value`` as field ``field`` stores it, or ``InvalidInput`` naming the field (the same rule whether the
    case is being created or edited later)."""
    spec = _FIELDS[field]
    return spec.normalise(field, spec.label_zh, spec.label_en, value)


def field_value(case: Case, field: str) -> FieldValue:
    """The current value of a mutable field as journaled (dates as YYYY-MM-DD strings)."""
    if field not in _FIELDS:
        raise InvalidInput(field, f"“{field}”不是可修改的案件字段。", f"'{field}' is not a mutable case field.",
                           code="invalid.field")
    value = getattr(case, field)
    if field == "unannounced":
        return bool(value)
    return value if value is None else str(value)


def set_case_field(session: Session, store: Store, case: Case | str, actor_id: str, field: str, new: Any, *,
                   procedure: str | None = None, today: date | None = None) -> bool:
    """Set one mutable field of an open case and journal ``case.field_changed`` signed by ``actor_id``.

    Refuses a closed case, an actor not assigned to it (or not unlocked), a field that is not mutable, a
    procedure-owned field without its ``procedure``, and an invalid value (a planned date more than a year from
    ``today``, the laptop's date: :func:`check_planned_date`, as for a new audit). Returns False (and journals
    nothing) when the field already has that value. The caller owns the transaction."""
    row = get_case(session, case) if isinstance(case, str) else case
    if row.status == "closed":
        raise refuse(CLOSED_ZH, CLOSED_EN, code="case_closed")
    spec = _FIELDS.get(field)
    if spec is None:
        if field in _NOT_MUTABLE or field in Case.__table__.columns:
            zh, en = _NOT_MUTABLE.get(field, ("立案时确定，不能修改", "it is fixed when the case is created"))
            raise refuse(f"案件字段“{field}”不能修改：{zh}。", f"The case field '{field}' cannot be set: {en}.",
                         code="field.not_mutable")
        raise InvalidInput(field, f"“{field}”不是可修改的案件字段。", f"'{field}' is not a mutable case field.",
                           code="invalid.field")
    if spec.procedure is not None and procedure != spec.procedure:
        raise refuse(f"{spec.label_zh}只能通过相应的程序步骤记录（{spec.procedure}）。",
                     f"The {spec.label_en} is recorded only by its procedure step ({spec.procedure}).",
                     code="field.procedure")
    require_actor(session, store, row, actor_id)
    value = spec.normalise(field, spec.label_zh, spec.label_en, new)
    _check_period(row, field, value)
    old = field_value(row, field)
    if old == value and type(old) is type(value):
        return False
    if field == "planned_date" and isinstance(value, str):
        check_planned_date(date.fromisoformat(value), today or date.today())
    setattr(row, field, value)
    event(session, store, row, actor_id, FIELD_CHANGE_TYPE, {"field": field, "old": old, "new": value})
    return True


#: How far from the laptop's today an audit may be planned: further is a slip of the year or a clock set wrong.
PLANNED_WITHIN_DAYS = 366


def check_planned_date(planned: date, today: date) -> None:
    """The planned audit date is within a year of the laptop's ``today`` (the one rule for a new audit and a later
    edit of the date), else ``InvalidInput`` naming the field."""
    if abs((planned - today).days) > PLANNED_WITHIN_DAYS:
        raise InvalidInput("planned_date", f"计划稽核日期（{planned}）与本机今天的日期（{today}）相差一年以上：请核对日期，"
                           "并核对本机时钟是否正确。",
                           f"The planned audit date ({planned}) is more than a year from this laptop's date "
                           f"({today}): check the date, and check that the laptop's clock is right.",
                           code="invalid.planned_date")


def _check_period(case: Case, field: str, value: FieldValue) -> None:
    """The audited period does not end before it starts."""
    if field not in ("period_from", "period_to") or not value:
        return
    start = value if field == "period_from" else case.period_from
    end = value if field == "period_to" else case.period_to
    if start and end and str(start) > str(end):
        raise InvalidInput(field, f"稽核期间起始日（{start}）晚于截止日（{end}）。",
                           f"The audited period starts ({start}) after it ends ({end}).", code="invalid.period")
