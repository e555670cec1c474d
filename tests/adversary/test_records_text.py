"""The interview record the party signs: an answer holding a right-to-left override reads differently on the
screen the party signs on (Qt applies it) than on the printed record (which does not)."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.evidence.records import sign_record
from app.models.profile import Store
from tests.evidence.test_capture import new_case


def _interview(answer: str) -> dict[str, object]:
    return {"interviewee": {"name": "孙演示", "post": "医保办主任"},
            "qa": [{"q": "12 床当日是否有患者在床？", "a": answer}]}


def test_an_answer_with_a_reordering_character_is_refused(unlocked: Store) -> None:
    case = new_case(unlocked)
    with pytest.raises(UserError) as err:
        sign_record(unlocked, case, "interview", _interview("有，费用\u202e元00021\u202c属实"))
    assert "U+202E" in err.value.message_zh


def test_a_plain_answer_with_line_breaks_is_signed(unlocked: Store) -> None:
    case = new_case(unlocked)
    assert sign_record(unlocked, case, "interview", _interview("没有。\n当日患者请假回家。\t（附请假条）"))


def test_an_institution_name_with_a_reordering_character_is_refused(unlocked: Store) -> None:
    from app.workflow.cases import add_institution

    with pytest.raises(UserError), unlocked.transaction() as s:
        add_institution(s, name="某市第一人民医院\u202e院医民人二第", kind="designated_hospital")


def test_a_case_field_typed_on_the_laptop_with_a_reordering_character_is_refused(unlocked: Store) -> None:
    from app.workflow.case_fields import set_case_field
    from app.workflow.steps_base import InvalidInput

    case = new_case(unlocked)
    with pytest.raises(InvalidInput) as err, unlocked.transaction() as s:
        set_case_field(s, unlocked, case, unlocked.unlocked_inspectors()[0], "place", "住院部\u202e楼3\u202c")
    assert err.value.field == "place" and "U+202E" in err.value.message_zh
    with unlocked.session() as s:
        from app.models.schema import Case

        row = s.get(Case, case)
        assert row is not None and "\u202e" not in (row.place or "")


def test_an_arrival_answer_with_a_zero_width_character_is_refused(unlocked: Store) -> None:
    from app.workflow.steps import record_rights_told
    from app.workflow.steps_base import InvalidInput

    case = new_case(unlocked)
    with pytest.raises(InvalidInput) as err, unlocked.transaction() as s:
        record_rights_told(s, unlocked, case, unlocked.unlocked_inspectors()[0], answer="无异\u200b议")
    assert err.value.field == "answer" and "U+200B" in err.value.message_zh


def test_an_office_record_with_a_reordering_character_is_named_and_skipped() -> None:
    from app.sync.office_records import office_record_problem, record_name

    item = {"id": "i1", "data": {"name": "某市\u202e院医民人", "uscc": ""}}
    why = office_record_problem("institutions", item)
    assert why is not None and "U+202E" in why and "name" in why and "不可见" in why
    assert "\u202e" not in record_name("institutions", item) and "[U+202E]" in record_name("institutions", item)
    nested = {"id": "a1", "data": {"institution": {"name": "某医院", "address": "某路\u2067"}, "inspectors": []}}
    assert "institution.address" in (office_record_problem("assignments", nested) or "")
    assert office_record_problem("institutions", {"id": "i2", "data": {"name": "某市第一医院\n分院"}}) is None


def test_details_printed_on_later_forms_refuse_a_reordering_character(unlocked: Store) -> None:
    """The notice's materials and the proposed penalty print on paper: a reordering or invisible character in
    either is refused, naming the field, and nothing is saved."""
    from app.workflow.printing_data import document_details, set_notice_details, set_outcome_details
    from app.workflow.steps_base import InvalidInput

    case = new_case(unlocked)
    actor = unlocked.unlocked_inspectors()[0]
    with pytest.raises(InvalidInput) as err, unlocked.transaction() as s:
        set_notice_details(s, unlocked, case, actor, audit_time="09:00", materials=["收费票据\u202e元00001"])
    assert err.value.field == "materials" and "U+202E" in err.value.message_zh
    with pytest.raises(InvalidInput) as err, unlocked.transaction() as s:
        set_outcome_details(s, unlocked, case, actor, handling="退回基金", penalty="罚款\u200b", fine_fen=100)
    assert err.value.field == "penalty"
    with unlocked.session() as s:
        assert document_details(s, case) == {}
