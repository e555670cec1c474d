"""Starting an audit on the laptop (新建稽核): each refusal names its field; a started audit is journaled with its
checklist, and no page of it shows done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models.profile import Store
from app.models.schema import Case, ChecklistEntry, JournalLeaf
from app.workflow.checklist_templates import list_checklist_templates, load_checklist_template
from app.workflow.new_audit import InstitutionInput, NewAudit, institution_choices, start_audit
from app.workflow.progress import DONE, EMPTY, MISSING, case_progress
from app.workflow.steps_base import InvalidInput

USCC = "91420100M000300Q5R"
TODAY = date(2026, 11, 23)


def spec(store: Store, **changes: object) -> NewAudit:
    a, b = store.unlocked_inspectors()[:2]
    base = NewAudit(kind="routine", inspector_ids=[a, b],
                    institution=InstitutionInput("某市虚构医院", "designated_hospital", USCC, "某路 1 号"),
                    checklist_template_id=list_checklist_templates()[0].id, period_from="2025-01-01",
                    period_to="2025-12-31", planned_date=TODAY.isoformat(),
                    notice_served_on=(TODAY - timedelta(days=3)).isoformat())
    for k, v in changes.items():
        setattr(base, k, v)
    return base


def start(store: Store, s: NewAudit) -> str:
    with store.transaction() as session:
        return start_audit(session, store, s.inspector_ids[0] or store.unlocked_inspectors()[0], s, today=TODAY)


def test_a_started_audit_has_its_checklist_and_nothing_done(unlocked: Store) -> None:
    store = unlocked
    case_id = start(store, spec(store))
    tpl = load_checklist_template(list_checklist_templates()[0].id)
    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.status == "assigned" and case.title == "某市虚构医院"
        assert case.place == "某路 1 号" and case.notice_served_on == "2026-11-20"
        entries = s.scalar(select(func.count()).select_from(ChecklistEntry).where(ChecklistEntry.case_id == case_id))
        assert entries == len(tpl.items)
        assert s.scalar(select(func.count()).select_from(JournalLeaf).where(JournalLeaf.log_id == case_id)) >= 1
        progress = case_progress(s, case_id, unlocked=store.unlocked_inspectors())
        states = {p: st.state for p, st in progress.pages.items()}
        assert DONE not in states.values()
        assert states["arrival"] == MISSING and states["interview"] == EMPTY and states["closing"] == MISSING
        assert progress.current_page() == "arrival"
        assert progress.page_of("arrival.notice") == "arrival"
        # the party is now in the list to choose from
        assert [c.name for c in institution_choices(s)] == ["某市虚构医院"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"inspector_ids": ["x", "x"]}, "inspector_ids"),
    ({"kind": "weekly"}, "kind"),
    ({"period_from": ""}, "period_from"),
    ({"period_from": "2025-12-31", "period_to": "2025-01-01"}, "period_to"),
    ({"period_to": "2026-12-31"}, "period_to"),  # ends after the audit
    ({"planned_date": "2026-02-30"}, "planned_date"),
    ({"notice_served_on": "2026-11-22"}, "notice_served_on"),  # 1 day ahead, 3 needed
    ({"unannounced": True, "unannounced_reason": " "}, "unannounced_reason"),
    ({"unannounced": True, "unannounced_reason": "举报线索", "form": "written"}, "unannounced"),
    ({"checklist_template_id": "no-such-template"}, "checklist_template_id"),
    ({"institution": None}, "institution"),
    ({"institution": InstitutionInput("某医院", "designated_hospital", USCC[:17] + "0")}, "institution.uscc"),
    ({"institution": InstitutionInput("某医院", "designated_hospital", "")}, "institution.uscc"),
    ({"institution": InstitutionInput(" ", "designated_hospital", USCC)}, "institution.name"),
    # an invisible or reordering character (U+202E, U+200B) is refused where it was typed
    ({"institution": InstitutionInput("某市\u202e院医", "designated_hospital", USCC)}, "institution.name"),
    ({"institution": InstitutionInput("某医院", "designated_hospital", USCC, "某路\u200b1 号")}, "institution.address"),
    ({"title": "专项\u202e核稽"}, "title"),
    ({"matters": "住院\u2066费用"}, "matters"),
])
def test_refusals_name_their_field_and_write_nothing(unlocked: Store, changes: dict[str, object],
                                                     field: str) -> None:
    store = unlocked
    s = spec(store, **changes)
    if s.inspector_ids == ["x", "x"]:
        s.inspector_ids = [store.unlocked_inspectors()[0]] * 2
    with pytest.raises(InvalidInput) as exc:
        start(store, s)
    assert exc.value.field == field, exc.value.message_en
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_typed_code_of_another_party_is_refused(unlocked: Store) -> None:
    store = unlocked
    start(store, spec(store))
    other = spec(store, institution=InstitutionInput("另一家医院", "designated_hospital", USCC))
    with pytest.raises(InvalidInput) as exc:
        start(store, other)
    assert exc.value.field == "institution.uscc" and "某市虚构医院" in exc.value.message_zh
    # the same party chosen again is fine
    with store.session() as s:
        choice = institution_choices(s)[0]
    start(store, spec(store, institution=None, institution_id=choice.id))
