"""An insured person (参保人员) as the audited party: named by the resident identity number (GB 11643), not a USCC,
required like a USCC is for an organisation; the printed notice names the person as a person (被稽核人, 你,
公民身份号码, no 法定代表人). A real store, the notice printed and read back with pdftotext."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.evidence.page_hash import normalise
from app.models.profile import Store
from app.models.validators import resident_id_check_char
from app.workflow.checklist_templates import list_checklist_templates
from app.workflow.new_audit import InstitutionInput, NewAudit, start_audit
from app.workflow.steps_base import InvalidInput

TODAY = date(2026, 11, 23)
FIRST17 = "42010219850304246"
PERSON_ID = FIRST17 + resident_id_check_char(FIRST17)
USCC = "91420100M000300Q5R"


def _spec(store: Store, ident: str, kind: str = "insured_person") -> NewAudit:
    a, b = store.unlocked_inspectors()[:2]
    return NewAudit(kind="routine", inspector_ids=[a, b],
                    institution=InstitutionInput("张某某", kind, ident, "某市某区某路 3 号 2 单元 501 室",
                                                 phone="13800000000"),
                    checklist_template_id=list_checklist_templates()[0].id, period_from="2025-01-01",
                    period_to="2025-12-31", planned_date=TODAY.isoformat(),
                    notice_served_on=(TODAY - timedelta(days=3)).isoformat(), doc_no="某医保稽通〔2026〕41号",
                    matters="门诊慢特病费用结算")


def _start(store: Store, spec: NewAudit) -> str:
    with store.transaction() as session:
        return start_audit(session, store, spec.inspector_ids[0], spec, today=TODAY)


@pytest.mark.parametrize(("ident", "why"), [
    ("", "居民身份证号"),  # required, and named as what a person carries
    (USCC, "居民身份证号"),  # an organisation's code is not a person's number
    (FIRST17 + ("0" if PERSON_ID[-1] != "0" else "1"), "校验"),  # a wrong check character
])
def test_a_person_needs_a_valid_identity_number(unlocked: Store, ident: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _start(unlocked, _spec(unlocked, ident))
    assert caught.value.field == "institution.uscc"
    assert why in caught.value.message_zh


def test_a_hospital_is_still_named_by_its_uscc(unlocked: Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        _start(unlocked, _spec(unlocked, PERSON_ID, kind="designated_hospital"))
    assert caught.value.field == "institution.uscc"
    assert "统一社会信用代码" in caught.value.message_zh


def test_the_notice_to_a_person_addresses_a_person(unlocked: Store) -> None:
    from app.workflow.document_fields import save_notice_details
    from app.workflow.printing import print_case

    case_id = _start(unlocked, _spec(unlocked, PERSON_ID.lower()))  # a lower-case x is the same number
    actor = unlocked.unlocked_inspectors()[0]
    with unlocked.transaction() as s:
        save_notice_details(s, unlocked, case_id, actor, audit_time="09:30", materials="门诊病历\n购药票据")
    out = io.BytesIO()
    print_case(unlocked, case_id, "notice", out, actor, today=TODAY - timedelta(days=4))
    if os.environ.get("FIELDAUDIT_KEEP_PDF"):
        Path(os.environ["FIELDAUDIT_KEEP_PDF"]).write_bytes(out.getvalue())
    text = normalise(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=out.getvalue(),
                                    check=True, capture_output=True, timeout=60).stdout.decode("utf-8"))
    assert "公民身份号码" in text and PERSON_ID in text
    assert ("被检查人" in text or "被稽核人" in text) and "张某某" in text
    assert "统一社会信用代码" not in text and "法定代表人" not in text and "负责人" not in text
    assert "你单位" not in text and "对你" in text


def test_at_arrival_a_person_is_present_as_themself_with_no_post(unlocked: Store) -> None:
    """The arrival step asks for the person audited (or an agent), not the party's 负责人 with a post; a hospital's
    representative still needs one."""
    from app.workflow.steps import arrival_status, identify_representative

    actor = unlocked.unlocked_inspectors()[0]
    person_case = _start(unlocked, _spec(unlocked, PERSON_ID))
    hospital_case = _start(unlocked, _spec(unlocked, USCC, kind="designated_hospital"))
    with unlocked.transaction() as s:
        said = {m.code: m.message_zh for m in arrival_status(s, person_case).missing}
        assert "被检查人" in said["arrival.representative"] and "负责人" not in said["arrival.representative"]
        assert "职务" not in said["arrival.representative"]
        hospital = {m.code: m.message_zh for m in arrival_status(s, hospital_case).missing}
        assert "负责人" in hospital["arrival.representative"]
        with pytest.raises(InvalidInput) as refused:
            identify_representative(s, unlocked, hospital_case, actor, name="李某", post="", id_number=PERSON_ID,
                                    phone="13800000000", today=TODAY)
        assert refused.value.field == "post"
        identify_representative(s, unlocked, person_case, actor, name="张某某", post="", id_number=PERSON_ID,
                                phone="13800000000", today=TODAY)
        assert "arrival.representative" not in {m.code for m in arrival_status(s, person_case).missing}


@pytest.mark.parametrize(("typed", "printed"), [("[2026]41号", "某医保通〔2026〕41号"),
                                                ("某医保稽通〔2026〕41号", "某医保稽通〔2026〕41号")])
def test_a_doc_no_typed_without_its_issuer_prints_the_agencys(unlocked: Store, typed: str, printed: str) -> None:
    """〔2026〕41号 typed alone names no issuing body: the notice is numbered by the agency's pattern, not a bare
    〔2026〕41号; a full 文号 is printed as given."""
    from dataclasses import replace

    from app.workflow.document_fields import save_notice_details
    from app.workflow.printing import print_case

    case_id = _start(unlocked, replace(_spec(unlocked, PERSON_ID), doc_no=typed))
    actor = unlocked.unlocked_inspectors()[0]
    with unlocked.transaction() as s:
        save_notice_details(s, unlocked, case_id, actor, audit_time="09:30", materials="门诊病历")
    out = io.BytesIO()
    print_case(unlocked, case_id, "notice", out, actor, today=TODAY - timedelta(days=4))
    text = normalise(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=out.getvalue(),
                                    check=True, capture_output=True, timeout=60).stdout.decode("utf-8"))
    assert printed in text
    if typed.startswith("["):
        assert "\n〔2026〕41号" not in "\n" + "\n".join(line.strip() for line in text.splitlines())
