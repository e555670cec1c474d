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


@pytest.mark.xfail(strict=True, reason="an institution name (typed or pulled from the office) with a right-to-left "
                                       "override is accepted; it is printed on every form and shown on screen "
                                       "reordered")
def test_an_institution_name_with_a_reordering_character_is_refused(unlocked: Store) -> None:
    from app.workflow.cases import add_institution

    with pytest.raises(UserError), unlocked.transaction() as s:
        add_institution(s, name="某市第一人民医院\u202e院医民人二第", kind="designated_hospital")
