"""The later forms' details on a real encrypted store: what each form lacks (named with the step where it is
entered), the text the pages send (one entry a line, an amount in yuan) and the refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.models.profile import Store
from app.workflow import document_fields as df
from app.workflow.new_audit import FIELD_STEP
from app.workflow.steps_base import InvalidInput, case_data, get_case
from tests.workflow.test_steps import make_case, store_fixture  # noqa: F401  (the module-scoped 'store' fixture)


def _lacks(store: Store, case_id: str, form: str) -> str | None:
    with store.session() as s:
        missing = df.missing_detail(s, case_id, form)
    return missing[0] if missing else None


def test_each_later_form_names_what_it_lacks_and_where(store: Store) -> None:
    case_id, a, _b = make_case(store)
    for field in (df.NOTICE, df.OUTCOME, df.SERVICE):
        assert FIELD_STEP[field] == df.DOCUMENT_FIELD_STEP[field]
    assert _lacks(store, case_id, "notice") == df.NOTICE
    assert _lacks(store, case_id, "result-notice") == df.OUTCOME
    assert _lacks(store, case_id, "service-receipt") == df.SERVICE
    assert _lacks(store, case_id, "onsite-record") is None
    with store.session() as s:
        assert df.later_forms(s, case_id) == ["notice", "service-receipt"]  # no finding: no outcome notices

    with store.transaction() as s:
        with pytest.raises(InvalidInput) as refused:
            df.save_notice_details(s, store, case_id, a, audit_time="09:30", materials=" \n ")
        assert refused.value.field == df.NOTICE_MATERIALS
        df.save_notice_details(s, store, case_id, a, audit_time="9:30", materials="住院病历\n\n费用清单；结算单")
    assert _lacks(store, case_id, "notice") is None
    with store.session() as s:
        notice = df.details(case_data(get_case(s, case_id)))["notice"]
    assert notice["audit_time"] == "09:30" and notice["materials"] == ["住院病历", "费用清单", "结算单"]

    with store.transaction() as s:
        with pytest.raises(InvalidInput) as refused:
            df.save_outcome_details(s, store, case_id, a, handling="责令退回", fine_yuan="二万")
        assert refused.value.field == df.PENALTY
        df.save_outcome_details(s, store, case_id, a, handling="责令退回", fine_yuan="20,000.50",
                                penalty="罚款")
    assert _lacks(store, case_id, "result-notice") is None
    assert _lacks(store, case_id, "rectification") == df.RECTIFICATION  # no items or deadline yet
    with store.transaction() as s:
        df.save_outcome_details(s, store, case_id, a, handling="责令退回", rectification="规范收费\n完善病历",
                                rectification_deadline=date(2027, 1, 5))
    assert _lacks(store, case_id, "rectification") is None
    with store.session() as s:
        outcome = df.details(case_data(get_case(s, case_id)))["outcome"]
    assert outcome["rectification"] == ["规范收费", "完善病历"] and outcome["fine_fen"] == 0

    with store.transaction() as s:
        with pytest.raises(InvalidInput):  # a 送达回证 is not itself served
            df.save_service(s, store, case_id, a, document_form="service-receipt", document_number="",
                            recipient="某虚构医院", place="某地", method="直接送达",
                            served_at=datetime(2026, 11, 30, 10, 0), servers="王建国")
        df.save_service(s, store, case_id, a, document_form="notice", document_number="某医保稽通〔2026〕9号",
                        recipient="某虚构医院", place="某地", method="直接送达",
                        served_at=datetime(2026, 11, 30, 10, 0), servers="王建国、李晓梅")
    assert _lacks(store, case_id, "service-receipt") is None
    with store.session() as s:
        served = df.details(case_data(get_case(s, case_id)))["service"]
    assert served[0]["servers"] == ["王建国", "李晓梅"]
