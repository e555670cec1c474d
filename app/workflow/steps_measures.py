"""先行登记保存 (preservation) and 封存 (sealing): Measure rows with items, approval, period, Deadline rows.

* 先行登记保存 needs the head's prior approval and a handling decision within 7 (working) days
  (001 Art. 35(5), 36(1); 行政处罚法 Art. 56).
* 封存 needs prior approval, or approval within 24 hours in an emergency (行政强制法 Art. 18–19); it lasts at most
  30 days and may be extended once by at most 30 days (001 Art. 36(2); 行政强制法 Art. 25).

Deciding a preservation, extending or releasing a sealing are follow-ups that stay possible after the on-site case
is closed: they record new decisions and never change what was recorded on site.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import Case, Deadline, Measure
from app.workflow import deadlines, work_calendar
from app.workflow.steps_base import (
    MEASURES,
    InvalidInput,
    Missing,
    StepStatus,
    activate,
    case_data,
    event,
    get_case,
    make_status,
    open_case,
    refuse,
    require_actor,
    require_text,
    save_data,
    section,
)

PRESERVATION_DECISIONS = ("copy", "appraisal", "seal", "release")  # 记录复制, 鉴定, 转封存, 解除


@dataclass(frozen=True)
class MeasureItem:
    """One line of a 清单: 名称, 规格/编号, 数量/页数, 状态, 备注."""

    name: str
    spec: str = ""
    quantity: str = ""
    state: str = ""
    note: str = ""


#: The coercive measures a case records, by ``Measure.kind``, and the on-site measure each one is (its code in
#: ``reference/onsite_measures.json``, which carries its names): the UI lists and labels them from here.
MEASURE_KINDS: dict[str, str] = {"preservation": "preserve", "sealing": "seal"}


def _items(items: Sequence[MeasureItem]) -> list[dict[str, str]]:
    if not items:
        raise InvalidInput("items", "清单至少要有一项物品或资料。", "The list needs at least one item.")
    result = []
    for i, it in enumerate(items, start=1):
        name = require_text(it.name, "items", f"清单第{i}项的名称", f"name of item {i}")
        result.append({"no": str(i), "name": name, "spec": it.spec.strip(), "quantity": it.quantity.strip(),
                       "state": it.state.strip(), "note": it.note.strip()})
    return result


def _check_power(session: Session, case: Case, approved_by: str, measure: str) -> None:
    """The measure only in the department's name, never entrusted if coercive, approved by the department's
    head (app.documents.powers; 行政强制法 Art. 17–18, 行政处罚法 Art. 56, 条例 Art. 27)."""
    from app.documents.config import load_agency_config
    from app.documents.powers import PowerError, check_approver, check_measure

    cfg = load_agency_config()
    from app.models.schema import Inspector
    from app.workflow.steps_base import case_inspector_ids

    track = str(section(case_data(case), "documents").get("track") or cfg.default_track)
    orgs = {row.organisation for i in case_inspector_ids(session, case.id)
            if (row := session.get(Inspector, i)) is not None}
    entrusted = bool(cfg.entrustment.organisation) and cfg.entrustment.organisation in orgs
    try:
        check_measure(measure, track, entrusted=entrusted)
        check_approver(approved_by, cfg, measure)
    except PowerError as exc:
        raise refuse(exc.zh + "。", exc.en + ".", code="measure.power") from None


def _check_approval(approved_by: str, approved_on: date, start_date: date, *, emergency: bool,
                    sealing: bool) -> str:
    who = require_text(approved_by, "approved_by", "批准的负责人", "approving head")
    if approved_on <= start_date:
        return who
    if sealing and emergency and approved_on <= start_date + timedelta(days=1):
        return who  # 行政强制法 Art. 19: approval sought within 24 hours after an emergency measure
    if sealing:
        raise refuse("封存须事先经负责人批准；情况紧急的，应在二十四小时内补办批准手续（行政强制法第十八、十九条）。",
                     "Sealing needs the head's prior approval, or approval within 24 hours in an emergency "
                     "(Administrative Coercion Law Art. 18–19).", code="measure.approval")
    raise refuse("先行登记保存须事先经负责人批准（行政处罚法第五十六条；第三十五条第（五）项）。",
                 "Preservation needs the head's prior approval "
                 "(Administrative Penalty Law Art. 56; Lanzhou Fund Supervision Measures Art. 35(5)).",
                 code="measure.approval")


def _deadline(session: Session, case: Case, measure_id: str, result: deadlines.DeadlineResult) -> Deadline:
    """A Deadline row for the measure; its id is kept in the measure's state in ``Case.data``."""
    row = Deadline(id=uuid7(), case_id=case.id, kind=result.rule, due=result.due.isoformat(),
                   basis=result.citation[:200])
    session.add(row)
    ids = list(_measure_state(case, measure_id).get("deadlines", []))
    _set_measure_state(case, measure_id, deadlines=[*ids, row.id])
    return row


def _measure_state(case: Case, measure_id: str) -> dict[str, Any]:
    data = case_data(case)
    return dict(section(section(data, MEASURES), measure_id))


def _set_measure_state(case: Case, measure_id: str, **values: Any) -> dict[str, Any]:
    data = case_data(case)
    state = section(section(data, MEASURES), measure_id)
    state.update(values)
    save_data(case, data)
    return dict(state)


def _measure_deadlines(session: Session, case: Case, measure_id: str) -> list[Deadline]:
    ids = _measure_state(case, measure_id).get("deadlines", [])
    rows = [session.get(Deadline, i) for i in ids]
    return [d for d in rows if d is not None]


def register_preservation(session: Session, store: Store, case_id: str, actor_id: str, *,
                          items: Sequence[MeasureItem], approved_by: str, approved_on: date, start_date: date,
                          storage_place: str, reason: str,
                          calendar: work_calendar.WorkCalendar | None = None) -> Measure:
    """先行登记保存 with the head's approval; the 7-working-day decision deadline becomes a Deadline row."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    lines = _items(items)
    _check_power(session, case, approved_by, "preservation")
    who = _check_approval(approved_by, approved_on, start_date, emergency=False, sealing=False)
    place = require_text(storage_place, "storage_place", "保存地点", "storage place")
    why = require_text(reason, "reason", "先行登记保存的理由（证据可能灭失或以后难以取得）",
                       "reason (evidence may be lost or hard to obtain later)")
    if calendar is None:
        from app.workflow.reference_holidays import load_work_calendar

        calendar = load_work_calendar()
    due = deadlines.preservation_decision_deadline(start_date, calendar)
    measure = Measure(id=uuid7(), case_id=case_id, kind="preservation", items=json.dumps(lines, ensure_ascii=False),
                      approved_by=who, approved_on=approved_on.isoformat(), start_date=start_date.isoformat(),
                      period_days=7, storage_place=place, reason=why, created=utc_now())
    session.add(measure)
    _deadline(session, case, measure.id, due)
    _set_measure_state(case, measure.id, status="registered", calendar_complete=due.calendar_complete)
    activate(case)
    event(session, store, case, actor_id, "measure.preservation",
          {"measure": measure.id, "items": lines, "approved_by": who, "approved_on": approved_on.isoformat(),
           "start": start_date.isoformat(), "decide_by": due.due.isoformat(), "storage_place": place,
           "reason": why})
    return measure


def decide_preservation(session: Session, store: Store, case_id: str, actor_id: str, measure_id: str, *,
                        decision: str, decided_on: date, note: str = "") -> None:
    """The handling decision on preserved evidence (记录复制, 鉴定, 转封存, 解除) within the 7 days."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    measure = _get_measure(session, case_id, measure_id, "preservation")
    if decision not in PRESERVATION_DECISIONS:
        raise InvalidInput("decision", "处理决定应为记录复制、鉴定、封存或解除。",
                           "The decision is copy, appraisal, seal or release.")
    state = _measure_state(case, measure_id)
    if state.get("status") == "decided":
        raise refuse("该先行登记保存已作出处理决定。", "This preservation has been decided already.",
                     code="measure.decided")
    late = False
    for d in _measure_deadlines(session, case, measure_id):
        late = late or decided_on.isoformat() > d.due
        d.done = decided_on.isoformat()
    state = _set_measure_state(case, measure.id, status="decided", decision=decision,
                               decided_on=decided_on.isoformat(), note=note.strip(), late=late)
    event(session, store, case, actor_id, "measure.preservation_decided", {"measure": measure_id, **state})


def seal(session: Session, store: Store, case_id: str, actor_id: str, *, items: Sequence[MeasureItem],
         approved_by: str, approved_on: date, start_date: date, reason: str, storage_place: str = "",
         period_days: int = deadlines.SEALING_DAYS, emergency: bool = False, taken_at: str = "",
         present: str = "", party_statement: str = "") -> Measure:
    """封存 of material that may be moved, hidden or lost, at most 30 days (001 Art. 36(2)); the decision and the
    list are handed over on the spot (print the 'sealing' form before closing).

    The 现场笔录 of the act (行政强制法 Art. 18(四)–(九)) prints ``taken_at`` (HH:MM on ``start_date``), who of
    the party was ``present`` and the ``party_statement`` heard on the spot; what is not recorded is left blank
    on the paper for the hand."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    lines = _items(items)
    _check_power(session, case, approved_by, "sealing")
    who = _check_approval(approved_by, approved_on, start_date, emergency=emergency, sealing=True)
    why = require_text(reason, "reason", "封存的理由和依据", "reason and basis")
    try:
        end = deadlines.sealing_end(start_date, period_days)
    except ValueError:
        raise refuse(f"封存期限不得超过{deadlines.SEALING_DAYS}日（第三十六条第（二）项；行政强制法第二十五条）。",
                     f"A sealing lasts at most {deadlines.SEALING_DAYS} days "
                     "(Lanzhou Fund Supervision Measures Art. 36(2); Administrative Coercion Law Art. 25).",
                     code="measure.period") from None
    measure = Measure(id=uuid7(), case_id=case_id, kind="sealing", items=json.dumps(lines, ensure_ascii=False),
                      approved_by=who, approved_on=approved_on.isoformat(), start_date=start_date.isoformat(),
                      period_days=period_days, storage_place=storage_place.strip(), reason=why, created=utc_now())
    session.add(measure)
    _deadline(session, case, measure.id, end)
    if taken_at.strip():
        try:
            hh, mm = (int(x) for x in taken_at.strip().split(":"))
            if not (0 <= hh < 24 and 0 <= mm < 60):
                raise ValueError
        except ValueError:
            raise InvalidInput("taken_at", f"时间“{taken_at}”无效，应为HH:MM。",
                               f"Invalid time '{taken_at}': expected HH:MM.") from None
    _set_measure_state(case, measure.id, status="sealed", emergency=emergency, taken_at=taken_at.strip(),
                       present=present.strip(), party_statement=party_statement.strip())
    activate(case)
    event(session, store, case, actor_id, "measure.sealing",
          {"measure": measure.id, "items": lines, "approved_by": who, "approved_on": approved_on.isoformat(),
           "start": start_date.isoformat(), "days": period_days, "ends": end.due.isoformat(), "reason": why,
           "emergency": emergency, "taken_at": taken_at.strip(), "present": present.strip(),
           "party_statement": party_statement.strip()})
    return measure


def sealing_deadline(measure: Measure) -> deadlines.DeadlineResult:
    """The current end of a sealing (after its extension, when there is one)."""
    first = deadlines.sealing_end(date.fromisoformat(measure.start_date), measure.period_days)
    if measure.extended_days:
        return deadlines.sealing_extension_end(first, measure.extended_days)
    return first


def extend_sealing(session: Session, store: Store, case_id: str, actor_id: str, measure_id: str, *, days: int,
                   approved_by: str, approved_on: date, reason: str) -> deadlines.DeadlineResult:
    """The one extension of a sealing (≤ 30 days, approved before the period ends)."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    measure = _get_measure(session, case_id, measure_id, "sealing")
    if _measure_state(case, measure_id).get("status") == "released":
        raise refuse("该封存已解除。", "This sealing has been released.", code="measure.released")
    if measure.extended_days:
        raise refuse("封存只能延长一次（第三十六条第（二）项；行政强制法第二十五条）。",
                     "A sealing may be extended only once "
                     "(Lanzhou Fund Supervision Measures Art. 36(2); Administrative Coercion Law Art. 25).",
                     code="measure.extended")
    who = require_text(approved_by, "approved_by", "批准延长的负责人", "head approving the extension")
    why = require_text(reason, "reason", "延长理由（情况复杂）", "reason (complex circumstances)")
    first = deadlines.sealing_end(date.fromisoformat(measure.start_date), measure.period_days)
    try:
        ext = deadlines.sealing_extension_end(first, days, approved_on=approved_on)
    except ValueError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise refuse(f"{zh}（第三十六条第（二）项）。",
                     f"{en or zh} (Lanzhou Fund Supervision Measures Art. 36(2)).",
                     code="measure.extension") from None
    measure.extended_days = days
    for d in _measure_deadlines(session, case, measure_id):
        if d.done is None:
            d.done = f"extended {approved_on.isoformat()}"
    _deadline(session, case, measure_id, ext)
    state = _set_measure_state(case, measure_id, extended_by=who, extended_on=approved_on.isoformat(),
                               extension_reason=why)
    event(session, store, case, actor_id, "measure.sealing_extended",
          {"measure": measure_id, "days": days, "ends": ext.due.isoformat(), **state})
    return ext


def release_sealing(session: Session, store: Store, case_id: str, actor_id: str, measure_id: str, *,
                    released_on: date, decided_by: str, reason: str) -> None:
    """解除封存 (行政强制法 Art. 28): the decision, by whom and why; closes the sealing's deadline."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    _get_measure(session, case_id, measure_id, "sealing")
    if _measure_state(case, measure_id).get("status") == "released":
        raise refuse("该封存已解除。", "This sealing has been released.", code="measure.released")
    who = require_text(decided_by, "decided_by", "作出解除决定的负责人", "head who decided the release")
    why = require_text(reason, "reason", "解除理由", "reason")
    for d in _measure_deadlines(session, case, measure_id):
        if d.done is None:
            d.done = released_on.isoformat()
    state = _set_measure_state(case, measure_id, status="released", released_on=released_on.isoformat(),
                               released_by=who, release_reason=why)
    event(session, store, case, actor_id, "measure.sealing_released", {"measure": measure_id, **state})


def _get_measure(session: Session, case_id: str, measure_id: str, kind: str) -> Measure:
    measure = session.get(Measure, measure_id)
    if measure is None or measure.case_id != case_id or measure.kind != kind:
        raise InvalidInput("measure_id", "本案没有该项措施。", "No such measure in this case.")
    return measure


def measures(session: Session, case_id: str) -> list[Measure]:
    return list(session.scalars(select(Measure).where(Measure.case_id == case_id).order_by(Measure.created)))


def measure_state(session: Session, case_id: str, measure_id: str) -> dict[str, Any]:
    """Status, decision, extension and release details of one measure (for the UI)."""
    return _measure_state(get_case(session, case_id), measure_id)


def measures_status(session: Session, case_id: str) -> StepStatus:
    """Measures are optional; pending decisions and running sealings are shown as warnings."""
    case = get_case(session, case_id)
    warnings: list[Missing] = []
    for m in measures(session, case_id):
        state = _measure_state(case, m.id)
        open_deadlines = [d for d in _measure_deadlines(session, case, m.id) if d.done is None]
        for d in open_deadlines:
            if m.kind == "preservation":
                warnings.append(Missing(f"measures.decide.{m.id}", f"先行登记保存须在{d.due}前作出处理决定。",
                                        f"Decide on the preserved evidence by {d.due}."))
            else:
                warnings.append(Missing(f"measures.sealing.{m.id}", f"封存期限至{d.due}，届满前须解除或延长一次。",
                                        f"The sealing ends on {d.due}; release it or extend it once before."))
        if state.get("late"):
            warnings.append(Missing(f"measures.late.{m.id}", "先行登记保存的处理决定超过7日期限。",
                                    "The preservation decision came after the 7-day limit."))
    return make_status(MEASURES, [], warnings)
