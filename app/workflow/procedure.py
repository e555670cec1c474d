"""The legal procedure of an on-site audit as an explicit, ordered list of steps (issue 4 §3).

For each step, :func:`status` says whether it is done and what is still missing, so the UI shows where the team
is; :func:`complete_step` checkpoints the journal at the end of a step; :func:`due_items` lists what is due across
all cases for the home screen. The mutations are in ``app.workflow.steps`` (arrival, recusal, checklist),
``steps_measures``, ``steps_findings`` and ``steps_closing``; evidence and records are captured by app/evidence.

Status transitions: assigned → active (at arrival) → closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence import journal
from app.models.profile import Store, utc_now
from app.models.schema import Case, Deadline, Institution
from app.workflow import advance_notice
from app.workflow.steps import arrival_status, checklist_status, recusal_status
from app.workflow.steps_base import (
    ARRIVAL,
    CHECKLIST,
    CLOSING,
    EVIDENCE,
    FINDINGS,
    MEASURES,
    RECORDS,
    RECUSAL,
    STEP_NAMES,
    Missing,
    StepStatus,
    activate,
    case_data,
    event,
    get_case,
    open_case,
    refuse,
    require_actor,
    save_data,
    section,
)
from app.workflow.steps_closing import closing_status, evidence_status, records_status
from app.workflow.steps_findings import findings_status
from app.workflow.steps_measures import measures_status

__all__ = ["STEPS", "DueItem", "Missing", "Step", "StepStatus", "complete_step", "current_step", "due_items",
           "overview", "status", "step_details"]


@dataclass(frozen=True)
class Step:
    name: str
    title_zh: str
    title_en: str
    basis: str
    status: Callable[[Session, str], StepStatus]
    optional: bool = False  # measures: only when needed

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang.startswith("en") else self.title_zh


STEPS: tuple[Step, ...] = (
    Step(ARRIVAL, "到达现场：通知、亮证、负责人、告知权利", "Arrival: notice, credentials, representative, rights",
         "Wuhan Audit Measures Art. 7(1)(2); Lanzhou Fund Supervision Measures Art. 32, 34; "
         "Regulations on the Supervision and Administration of the Use of Medical Security Funds Art. 29",
         arrival_status),
    Step(RECUSAL, "回避", "Recusal", "Wuhan Audit Measures Art. 13; Administrative Penalty Law Art. 43",
         recusal_status),
    Step(CHECKLIST, "检查清单", "Checklist",
         "Wuhan Audit Measures Art. 7(3); Nantong 2021 Inspection Plan; Yeji 2022 Self-Check Plan",
         checklist_status),
    Step(EVIDENCE, "证据采集", "Evidence",
         "Wuhan Audit Measures Art. 7(4); Lanzhou Fund Supervision Measures Art. 37", evidence_status),
    Step(RECORDS, "询问笔录与现场检查笔录", "Interview and on-site records",
         "Lanzhou Fund Supervision Measures Art. 22, 32(3); Administrative Penalty Law Art. 55", records_status),
    Step(MEASURES, "先行登记保存与封存", "Preservation and sealing",
         "Lanzhou Fund Supervision Measures Art. 35(5), 36; Administrative Penalty Law Art. 56; "
         "Administrative Coercion Law Art. 18–28",
         measures_status, optional=True),
    Step(FINDINGS, "问题清单", "Findings",
         "Wuhan Audit Measures Art. 14; Lanzhou Fund Supervision Measures Art. 21", findings_status),
    Step(CLOSING, "结案", "Closing", "Wuhan Audit Measures Art. 7(2), 18; Administrative Penalty Law Art. 47",
         closing_status),
)
assert tuple(s.name for s in STEPS) == STEP_NAMES
_BY_NAME = {s.name: s for s in STEPS}


def step(name: str) -> Step:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise refuse(f"未知的步骤：{name}。", f"Unknown step: {name}.", code="unknown_step") from None


def _completed(session: Session, case_id: str) -> dict[str, str]:
    return dict(section(case_data(get_case(session, case_id)), "completed"))


def status(session: Session, case_id: str, step_name: str, *, unlocked: Sequence[str] | None = None) -> StepStatus:
    """Where one step stands: done, what is missing, warnings, and when it was completed. Pass
    ``unlocked=store.unlocked_inspectors()`` so the closing step also says whether two inspectors are present."""
    if step_name == CLOSING:
        result = closing_status(session, case_id, unlocked=unlocked)
    else:
        result = step(step_name).status(session, case_id)
    completed = _completed(session, case_id).get(step_name)
    if completed and result.completed_at is None:
        return StepStatus(result.step, result.done, result.missing, result.warnings, completed)
    return result


def overview(session: Session, case_id: str, *, unlocked: Sequence[str] | None = None) -> list[StepStatus]:
    """All steps in order (``unlocked``: see :func:`status`)."""
    return [status(session, case_id, s.name, unlocked=unlocked) for s in STEPS]


def current_step(session: Session, case_id: str) -> str:
    """The first step that is not done (the closing step once everything else is)."""
    case = get_case(session, case_id)
    if case.status == "closed":
        return CLOSING
    for st in overview(session, case_id):
        if not st.done:
            return st.step
    return CLOSING


def complete_step(session: Session, store: Store, case_id: str, actor_id: str, step_name: str) -> StepStatus:
    """End a step: refuse while something is missing, else journal it, move ``Case.step`` on and checkpoint.
    Closing is done with ``steps_closing.close_case`` (it needs two inspectors)."""
    if step_name == CLOSING:
        raise refuse("结案请使用结案功能，须两名稽核人员共同确认。",
                     "Close the case with the closing action; it needs both inspectors.", code="closing.direct")
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    st = step(step_name).status(session, case_id)
    if not st.done:
        raise refuse("本步骤尚未完成：" + "；".join(m.message_zh for m in st.missing[:8]),
                     "This step is not finished: " + "; ".join(m.message_en for m in st.missing[:8]),
                     code=f"step.{step_name}.incomplete")
    now = utc_now()
    data = case_data(case)
    section(data, "completed")[step_name] = now
    save_data(case, data)
    index = STEP_NAMES.index(step_name)
    if case.step not in STEP_NAMES or STEP_NAMES.index(case.step) <= index:
        case.step = STEP_NAMES[index + 1]
    activate(case)
    event(session, store, case, actor_id, "step.completed",
          {"step": step_name, "warnings": [w.code for w in st.warnings], "at": now})
    journal.checkpoint(session, store, case_id, step_name)
    return StepStatus(st.step, True, [], st.warnings, now)


# ============================================================================================== due items


@dataclass(frozen=True)
class DueItem:
    """Something due on some case, for the home screen."""

    case_id: str
    institution: str
    kind: str  # notice / preservation_decision / sealing / sealing_extension / defence / ...
    due: date
    days_left: int  # negative when overdue
    label_zh: str
    label_en: str
    basis: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


_KIND_LABELS = {
    "preservation_decision": ("先行登记保存处理决定", "decision on preserved evidence"),
    "sealing": ("封存期限届满", "end of the sealing period"),
    "sealing_extension": ("延长后的封存期限届满", "end of the extended sealing period"),
    "defence": ("陈述申辩期限届满", "end of the statement and defence period"),
}


def due_items(session: Session, today: date, *, horizon_days: int | None = None) -> list[DueItem]:
    """Open deadlines across all cases, and notices still to serve for assigned cases, soonest first.
    ``horizon_days``: leave out items due later than that many days from ``today``."""
    items: list[DueItem] = []
    rows = session.execute(select(Deadline, Case, Institution).join(Case, Deadline.case_id == Case.id)
                           .join(Institution, Case.institution_id == Institution.id)
                           .where(Deadline.done.is_(None)))
    for d, case, inst in rows:
        due = date.fromisoformat(d.due)
        zh, en = _KIND_LABELS.get(d.kind, (d.kind, d.kind))
        items.append(DueItem(case.id, inst.name, d.kind, due, (due - today).days, zh, en, d.basis))
    notices = session.execute(select(Case, Institution).join(Institution, Case.institution_id == Institution.id)
                              .where(Case.status == "assigned", Case.unannounced.is_(False),
                                     Case.notice_served_on.is_(None), Case.planned_date != ""))
    for case, inst in notices:
        try:
            planned = date.fromisoformat(case.planned_date)
        except ValueError:
            continue
        latest = advance_notice.notice_latest_service_date(planned)
        items.append(DueItem(case.id, inst.name, "notice", latest.due, (latest.due - today).days,
                             f"稽核通知书最迟送达日（{planned.isoformat()}稽核）",
                             f"Last day to serve the audit notice (audit on {planned.isoformat()})",
                             latest.citation))
    if horizon_days is not None:
        limit = today + timedelta(days=horizon_days)
        items = [i for i in items if i.due <= limit]
    items.sort(key=lambda i: (i.due, i.case_id, i.kind))
    return items


def step_names() -> Sequence[str]:
    return STEP_NAMES


def step_details(session: Session, case_id: str, step_name: str) -> dict[str, Any]:
    """What was recorded for a step in ``Case.data`` (arrival: notice, credentials, representative, rights;
    recusal: declarations, requests, replacements; checklist: links; findings: flags_ack; ...), for display."""
    step(step_name)
    return dict(section(case_data(get_case(session, case_id)), step_name))
