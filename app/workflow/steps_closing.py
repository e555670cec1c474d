"""Evidence and records as steps (status only: capture and signing are app/evidence's), printed documents,
closing, and the 陈述申辩 follow-up.

Closing needs two distinct inspectors of the case, both unlocked at that moment (000 Art. 7(2); 条例 Art. 29;
行政处罚法 Art. 42), and nothing missing in the steps before. After closing only corrections (app/evidence) and
follow-ups that add new facts (printing, measures' decisions, 陈述申辩) are possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from app.documents.form_table import FORM_INFO, FORM_NAMES
from app.evidence import journal
from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import Deadline
from app.workflow import deadlines, work_calendar
from app.workflow.steps_base import (
    CLOSING,
    EVIDENCE,
    RECORDS,
    InvalidInput,
    Missing,
    StepStatus,
    case_data,
    case_inspector_ids,
    event,
    get_case,
    inspector_name,
    make_status,
    open_case,
    refuse,
    require_actor,
    save_data,
    section,
)

#: The printable forms (ARCHITECTURE.md command-line surface, ``print --form``): the one form table's names.
FORMS = FORM_NAMES
PRINTED = "printed"
DEFENCE = "defence"


# ============================================================================================== evidence, records


def evidence_status(session: Session, case_id: str) -> StepStatus:
    """Every current (non-superseded) item signed by ≥ 2 inspectors and by its provider, or the refusal noted
    (000 Art. 7(4); 001 Art. 32(3))."""
    from app.evidence.items import item_statuses

    missing: list[Missing] = []
    for it in item_statuses(session, case_id):
        if it.superseded_by is not None:
            continue
        if it.inspector_signatures < 2:
            missing.append(Missing(f"evidence.inspectors.{it.item_id}", f"证据“{it.title}”缺少两名稽核人员签名。",
                                   f"Evidence '{it.title}' lacks the signatures of two inspectors."))
        if it.provider is None:
            missing.append(Missing(f"evidence.provider.{it.item_id}",
                                   f"证据“{it.title}”既无提供者签字，也未注明不能签字的原因（第七条第四项）。",
                                   f"Evidence '{it.title}' has neither the provider's signature nor the reason "
                                   "it could not be had (Wuhan Audit Measures Art. 7(4))."))
    return make_status(EVIDENCE, missing)


def records_status(session: Session, case_id: str) -> StepStatus:
    """A 现场检查笔录 at least (行政处罚法 Art. 55); every current record signed by both inspectors and by the
    party, or the refusal noted (001 Art. 32(3))."""
    from app.evidence.items import record_statuses

    missing: list[Missing] = []
    current = [r for r in record_statuses(session, case_id) if r.superseded_by is None]
    if not any(r.kind == "onsite" for r in current):
        missing.append(Missing("records.onsite", "尚无现场检查笔录（行政处罚法第五十五条）。",
                               "There is no on-site record yet (Administrative Penalty Law Art. 55)."))
    for r in current:
        what_zh, what_en = ("询问笔录", "interview record") if r.kind == "interview" else ("现场检查笔录", "on-site record")
        if r.inspector_signatures < 2:
            missing.append(Missing(f"records.inspectors.{r.record_id}", f"{what_zh}缺少两名稽核人员签名。",
                                   f"The {what_en} lacks the signatures of two inspectors."))
        if r.party is None:
            missing.append(Missing(f"records.party.{r.record_id}",
                                   f"{what_zh}既无当事人签字，也未注明拒签原因（第三十二条第（三）项）。",
                                   f"The {what_en} has neither the party's signature nor the reason for its "
                                   "refusal (Lanzhou Fund Supervision Measures Art. 32(3))."))
    return make_status(RECORDS, missing)


# ============================================================================================== printing


def record_print(session: Session, store: Store, case_id: str, actor: str, form: str, content_sha256: str,
                 pages: Sequence[dict[str, object]] = ()) -> None:
    """A document was printed: a 'document.printed' journal event (also after closing: reprints are facts) with
    each page's document, place, text hash and 核验码 (``pages``), kept even when one inspector is unlocked."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor)
    if form not in FORMS:
        raise InvalidInput("form", f"未知的文书：{form}。", f"Unknown form: {form}.")
    sha = content_sha256.strip().lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise InvalidInput("content_sha256", "文书内容哈希应为64位十六进制。", "content_sha256 must be 64 hex digits.")
    record = {"form": form, "content_sha256": sha, "by": actor, "at": utc_now()}
    data = case_data(case)
    section(data, PRINTED).setdefault(form, []).append(record)
    save_data(case, data)
    event(session, store, case, actor, "document.printed", {**record, "pages": [dict(p) for p in pages]}
          if pages else record)


def printed_forms(session: Session, case_id: str) -> dict[str, list[dict[str, str]]]:
    return dict(section(case_data(get_case(session, case_id)), PRINTED))


def required_forms(session: Session, case_id: str) -> list[str]:
    """Documents that must be printed (and handed over or filed) before closing."""
    from app.evidence.items import item_statuses, record_statuses
    from app.workflow.steps_measures import measures

    forms = ["onsite-record"]
    if any(i.superseded_by is None for i in item_statuses(session, case_id)):
        forms.append("evidence-list")
    if any(r.kind == "interview" and r.superseded_by is None for r in record_statuses(session, case_id)):
        forms.append("interview")
    kinds = {m.kind for m in measures(session, case_id)}
    forms += [k for k in ("preservation", "sealing") if k in kinds]  # handed over on the spot
    return forms


FORM_LABELS = {f.name: (f.title, f.title_en) for f in FORM_INFO.values()}


# ============================================================================================== closing


def _crosscheck_missing(session: Session, store: Store | None, case_id: str) -> list[Missing]:
    """The record's cross-checks (app.workflow.crosschecks): each problem blocks closing with its article."""
    from app.documents.context import DocumentError
    from app.errors import UserError
    from app.workflow.crosschecks import case_problems

    if store is None:
        return []
    try:
        problems = case_problems(session, store, case_id)
    except (DocumentError, UserError, ValueError, KeyError):
        # a case not complete enough to print (e.g. a record without its times) is reported by the steps' own
        # checks; the cross-checks need what the forms would print
        return []
    return [Missing(f"crosscheck.{p.code}.{k}", p.zh + "。", p.en + ".") for k, p in enumerate(problems)]


def closing_status(session: Session, case_id: str, *, unlocked: Sequence[str] | None = None,
                   store: Store | None = None) -> StepStatus:
    """Everything closing needs. ``unlocked``: the store's unlocked inspectors, when known; with ``store`` the
    record's cross-checks too (app.workflow.crosschecks: dates, overlapping sessions, ID numbers, 文号)."""
    from app.workflow.progress import page_statuses

    case = get_case(session, case_id)
    missing: list[Missing] = []
    if case.status == "closed":
        return make_status(CLOSING, [], completed_at=case.closed)
    for status in page_statuses(session, case_id)[0].values():  # the same statuses the step list shows
        missing += status.missing
    missing += _crosscheck_missing(session, store, case_id)
    printed = printed_forms(session, case_id)
    for form in required_forms(session, case_id):
        if not printed.get(form):
            zh, en = FORM_LABELS.get(form, (form, form))
            missing.append(Missing(f"closing.print.{form}", f"尚未打印{zh}。", f"The {en} has not been printed."))
    if unlocked is not None:
        present = [i for i in case_inspector_ids(session, case_id) if i in unlocked]
        if len(present) < 2:
            missing.append(_two_inspectors_missing())
    return make_status(CLOSING, missing)


def _two_inspectors_missing() -> Missing:
    return Missing("closing.two_inspectors",
                   "结案须由两名稽核人员各自输入本人口令后共同确认（第七条第二项；条例第二十九条）。",
                   "Closing needs two inspectors of the case, each unlocked with their own passphrase "
                   "(Wuhan Audit Measures Art. 7(2); Regulations on the Supervision and Administration of the Use "
                   "of Medical Security Funds Art. 29).")


def close_case(session: Session, store: Store, case_id: str, actor_ids: Sequence[str]) -> str:
    """Close the on-site case: two distinct unlocked inspectors of the case act, nothing is missing. Sets the
    status 'closed' and the closed time, journals both inspectors' confirmations and takes the final
    checkpoint. Returns the closed time."""
    case = open_case(session, case_id)
    actors = list(dict.fromkeys(actor_ids))
    assigned = case_inspector_ids(session, case_id)
    unlocked = store.unlocked_inspectors()
    if len(actors) < 2 or any(a not in assigned or a not in unlocked for a in actors):
        m = _two_inspectors_missing()
        raise refuse(m.message_zh, m.message_en, code="closing.two_inspectors")
    status = closing_status(session, case_id, unlocked=unlocked, store=store)
    if not status.done:
        shown = status.missing[:8]
        more_zh = f"等{len(status.missing)}项" if len(status.missing) > 8 else ""
        raise refuse("尚不能结案：" + "；".join(m.message_zh for m in shown) + more_zh,
                     "The case cannot be closed yet: " + "; ".join(m.message_en for m in shown),
                     code="closing.incomplete")
    closed = utc_now()
    case.status, case.closed, case.step = "closed", closed, CLOSING
    summary = {"closed": closed, "inspectors": actors,
               "names": [inspector_name(session, a) for a in actors],
               "printed": {k: v[-1]["content_sha256"] for k, v in printed_forms(session, case_id).items() if v}}
    event(session, store, case, actors[0], "case.closed", summary)
    for other in actors[1:]:
        event(session, store, case, other, "case.closed.confirmed", {"closed": closed, "inspector": other})
    journal.checkpoint(session, store, case_id, CLOSING)
    return closed


# ============================================================================================== 陈述申辩


def record_defence_notice(session: Session, store: Store, case_id: str, actor_id: str, *, served_on: date,
                          calendar: work_calendar.WorkCalendar | None = None) -> Deadline:
    """The 陈述申辩告知书 was served: a Deadline of 5 working days (001 Art. 22; 条例 Art. 31). A follow-up,
    also possible after the on-site case is closed."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    if calendar is None:
        from app.workflow.reference_holidays import load_work_calendar

        calendar = load_work_calendar()
    due = deadlines.defence_deadline(served_on, calendar)
    row = Deadline(id=uuid7(), case_id=case_id, kind=DEFENCE, due=due.due.isoformat(), basis=due.citation[:200])
    session.add(row)
    data = case_data(case)
    section(data, DEFENCE).update(served_on=served_on.isoformat(), due=row.due, deadline=row.id)
    save_data(case, data)
    event(session, store, case, actor_id, "defence.notice_served",
          {"served_on": served_on.isoformat(), "due": row.due, "calendar_complete": due.calendar_complete})
    return row


def record_defence(session: Session, store: Store, case_id: str, actor_id: str, *, on: date, summary: str = "",
                   waived: bool = False) -> None:
    """The party's statement and defence received on ``on`` (put in a record, 001 Art. 22), or — ``waived`` —
    the period ran out on ``on`` without one."""
    case = get_case(session, case_id)
    require_actor(session, store, case, actor_id)
    state = section(case_data(case), DEFENCE)
    if "deadline" not in state:
        raise refuse("尚未送达陈述申辩告知书。", "The notice of the right to state and defend has not been served.",
                     code="defence.no_notice")
    if not waived and not summary.strip():
        raise InvalidInput("summary", "请填写陈述申辩的内容摘要。", "Enter a summary of the statement and defence.")
    if waived and on.isoformat() <= state["due"]:
        raise refuse(f"陈述申辩期限至{state['due']}，期满前不能视为放弃（第二十二条）。",
                     f"The period runs until {state['due']}; it is not waived before then "
                     "(Lanzhou Fund Supervision Measures Art. 22).",
                     code="defence.not_lapsed")
    row = session.get(Deadline, state["deadline"])
    if row is not None:
        row.done = on.isoformat()
    data = case_data(case)
    record = {"on": on.isoformat(), "summary": summary.strip(), "waived": waived}
    section(data, DEFENCE).update(record)
    save_data(case, data)
    event(session, store, case, actor_id, "defence.recorded", record)
