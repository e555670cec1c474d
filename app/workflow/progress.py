"""Where a case stands, page by page of the walk-through: the one rule the step list, the home page and closing use.

The walk-through shows the records step (``steps_base.RECORDS``) as two pages, the interview and the on-site
record; every other page is one procedure step. :func:`case_progress` asks the steps' own status functions once
and says, for each page, what is missing (each entry with the page where it is fixed) and whether anything was
recorded at all: a page is *done* (✓) only when nothing is missing **and** something was recorded, or, for the
closing page, when the case is closed. A page with nothing missing and nothing recorded is *empty* (an interview
or a measure that was not needed); it never shows ✓. :func:`steps_closing.closing_status` is built from the
same page statuses, so what the step list shows is what closing checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.schema import ChecklistEntry, Finding, Measure
from app.workflow.steps_base import (
    ARRIVAL,
    CHECKLIST,
    CLOSING,
    EVIDENCE,
    FINDINGS,
    MEASURES,
    RECUSAL,
    Missing,
    StepStatus,
    case_data,
    get_case,
    section,
)

INTERVIEW = "interview"
ONSITE = "onsite"
#: The pages of the walk-through, in order.
PAGES = (ARRIVAL, RECUSAL, CHECKLIST, EVIDENCE, INTERVIEW, ONSITE, MEASURES, FINDINGS, CLOSING)
#: Pages a case may leave empty (nothing recorded, nothing missing): not every audit needs them.
OPTIONAL_PAGES = frozenset({INTERVIEW, MEASURES})

DONE, MISSING, EMPTY, READY = "done", "missing", "empty", "ready"


@dataclass(frozen=True)
class PageState:
    page: str
    status: StepStatus
    recorded: bool  # something was recorded on this page

    @property
    def state(self) -> str:
        """done (✓) / missing / empty (nothing recorded, nothing required) / ready (closing: may close now)."""
        if self.status.missing:
            return MISSING
        if self.page == CLOSING:
            return DONE if self.recorded else READY
        return DONE if self.recorded else EMPTY

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclass(frozen=True)
class Progress:
    pages: dict[str, PageState]
    where: dict[str, str] = field(default_factory=dict)  # missing code -> the page where it is fixed

    def statuses(self) -> dict[str, StepStatus]:
        return {p: s.status for p, s in self.pages.items()}

    def current_page(self) -> str:
        """The first page that still lacks something (or that has nothing recorded and is not optional)."""
        for page in PAGES:
            st = self.pages[page]
            if st.state == MISSING or (st.state == EMPTY and page not in OPTIONAL_PAGES):
                return page
        return CLOSING

    def page_of(self, code: str) -> str:
        return self.where.get(code, CLOSING)


def _split_records(status: StepStatus, interview_ids: set[str]) -> tuple[StepStatus, StepStatus]:
    def keep(pred: object) -> StepStatus:
        missing = [m for m in status.missing if pred(m)]  # type: ignore[operator]
        warnings = [w for w in status.warnings if pred(w)]  # type: ignore[operator]
        return StepStatus(status.step, not missing, missing, warnings, status.completed_at)

    def about_interview(m: Missing) -> bool:
        return any(i in m.code for i in interview_ids)

    return keep(about_interview), keep(lambda m: not about_interview(m))


def page_statuses(session: Session, case_id: str) -> tuple[dict[str, StepStatus], set[str]]:
    """The status of every page but closing, and the ids of the case's interview records."""
    from app.evidence.items import record_statuses
    from app.workflow.steps import arrival_status, checklist_status, recusal_status
    from app.workflow.steps_closing import evidence_status, records_status
    from app.workflow.steps_findings import findings_status
    from app.workflow.steps_measures import measures_status

    interview_ids = {r.record_id for r in record_statuses(session, case_id) if r.kind == INTERVIEW}
    interview, onsite = _split_records(records_status(session, case_id), interview_ids)
    return {
        ARRIVAL: arrival_status(session, case_id),
        RECUSAL: recusal_status(session, case_id),
        CHECKLIST: checklist_status(session, case_id),
        EVIDENCE: evidence_status(session, case_id),
        INTERVIEW: StepStatus(INTERVIEW, interview.done, interview.missing, interview.warnings),
        ONSITE: StepStatus(ONSITE, onsite.done, onsite.missing, onsite.warnings),
        MEASURES: measures_status(session, case_id),
        FINDINGS: findings_status(session, case_id),
    }, interview_ids


def _recorded(session: Session, case_id: str) -> dict[str, bool]:
    from app.evidence.items import item_statuses, record_statuses

    case = get_case(session, case_id)
    data = case_data(case)
    records = [r for r in record_statuses(session, case_id) if r.superseded_by is None]

    def count(model: type, *where: object) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]

    findings = count(Finding, Finding.case_id == case_id)
    return {
        ARRIVAL: bool(section(data, ARRIVAL)),
        RECUSAL: bool(section(section(data, RECUSAL), "declarations")),
        CHECKLIST: count(ChecklistEntry, ChecklistEntry.case_id == case_id,
                         ChecklistEntry.finding.is_not(None)) > 0,
        EVIDENCE: any(i.superseded_by is None for i in item_statuses(session, case_id)),
        INTERVIEW: any(r.kind == INTERVIEW for r in records),
        ONSITE: any(r.kind == ONSITE for r in records),
        MEASURES: count(Measure, Measure.case_id == case_id) > 0,
        FINDINGS: findings > 0,
        CLOSING: case.status == "closed",
    }


def case_progress(session: Session, case_id: str, *, unlocked: Sequence[str] | None = None) -> Progress:
    """Every page's state and where each missing thing is fixed (``unlocked``: the store's unlocked inspectors,
    so closing also says whether two are present)."""
    from app.workflow.steps_closing import closing_status

    statuses, _interviews = page_statuses(session, case_id)
    where: dict[str, str] = {}
    for page, st in statuses.items():
        for m in st.missing:
            where[m.code] = page
    closing = closing_status(session, case_id, unlocked=unlocked)
    for m in closing.missing:
        where.setdefault(m.code, CLOSING)
    statuses[CLOSING] = closing
    recorded = _recorded(session, case_id)
    return Progress({p: PageState(p, statuses[p], recorded[p]) for p in PAGES}, where)
