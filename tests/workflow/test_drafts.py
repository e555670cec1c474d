"""Drafts in the store: kept and replaced, refused when malformed or oversized, not journaled, ended by signing;
the place (case and step) remembered; a store from before drafts existed is migrated."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.models.migrations import SCHEMA_VERSION, current_version
from app.models.profile import Profile
from app.models.schema import JournalLeaf
from app.workflow import drafts
from app.workflow.cases import CaseSpec, add_institution, create_case


def _case(store) -> str:
    ids = store.unlocked_inspectors()
    with store.transaction() as s:
        inst = add_institution(s, name="某市虚构第三医院（测试）", kind="designated_hospital", address="测试路 3 号")
        return create_case(s, store, ids[0], CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=ids,
                                                     planned_date="2026-11-23", notice_served_on="2026-11-18")).id


def _leaves(store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(JournalLeaf)) or 0)


def test_a_draft_is_kept_replaced_and_ended_without_touching_the_journal(unlocked):
    case_id = _case(unlocked)
    before = _leaves(unlocked)
    drafts.save_draft(unlocked, case_id, "interview", {"fields.name": "孙测试", "qa": [["问", "答"]]})
    drafts.save_draft(unlocked, case_id, "interview", {"fields.name": "孙测试二", "qa": [["问", "答"]]})
    drafts.save_draft(unlocked, case_id, "onsite", {"findings": "无", "start": "2026-11-23T09:30:00"})
    assert drafts.load_drafts(unlocked, case_id) == {
        "interview": {"fields.name": "孙测试二", "qa": [["问", "答"]]},
        "onsite": {"findings": "无", "start": "2026-11-23T09:30:00"}}
    drafts.discard_draft(unlocked, case_id, "interview")
    assert set(drafts.load_drafts(unlocked, case_id)) == {"onsite"}
    assert _leaves(unlocked) == before  # a draft is not evidence: nothing journaled


@pytest.mark.parametrize("fields", [
    {"x": 1.5},  # no floats
    {"x": b"bytes"},
    {"bad key!": "v"},
    {"x": [[[[[["too deep"]]]]]]},
    {"x": "字" * (drafts.MAX_DRAFT_BYTES // 3 + 1)},  # over the size limit in UTF-8
    ["not", "a", "map"],
])
def test_malformed_or_oversized_drafts_are_refused(unlocked, fields):
    case_id = _case(unlocked)
    with pytest.raises(drafts.DraftRefused):
        drafts.save_draft(unlocked, case_id, "onsite", fields)
    assert drafts.load_drafts(unlocked, case_id) == {}


def test_a_draft_needs_a_real_case_and_page(unlocked):
    case_id = _case(unlocked)
    with pytest.raises(drafts.DraftRefused):
        drafts.save_draft(unlocked, "no-such-case", "onsite", {"x": "y"})
    for page in ("", "Onsite", "../x", "a" * 40):
        with pytest.raises(drafts.DraftRefused):
            drafts.save_draft(unlocked, case_id, page, {"x": "y"})


def test_the_place_is_remembered_per_case(unlocked):
    a, b = _case(unlocked), _case(unlocked)
    assert drafts.last_place(unlocked) == (None, None)
    drafts.remember_place(unlocked, a, "interview")
    drafts.remember_place(unlocked, b, "evidence")
    assert drafts.last_place(unlocked) == (b, "evidence")
    drafts.remember_place(unlocked, None)  # back on the list of audits
    assert drafts.last_place(unlocked) == (None, None)
    assert drafts.last_step(unlocked, a) == "interview"
    with pytest.raises(drafts.DraftRefused):
        drafts.remember_place(unlocked, "no-such-case", "arrival")


def test_a_store_from_before_drafts_is_migrated(two_inspectors):
    root = two_inspectors.root
    # as release 1 left it: no drafts table, version 1
    with Profile.open(root).unlock(two_inspectors.pass_a) as store, store.engine.begin() as conn:
        conn.execute(text("DROP TABLE drafts"))
        conn.execute(text("PRAGMA user_version = 1"))
    with Profile.open(root).unlock(two_inspectors.pass_a) as store:
        assert current_version(store.engine) == SCHEMA_VERSION == 2
        store.unlock_inspector(two_inspectors.pass_b)
        case_id = _case(store)
        drafts.save_draft(store, case_id, "arrival", {"rep_name": "赵测试"})
        assert drafts.load_drafts(store, case_id) == {"arrival": {"rep_name": "赵测试"}}
