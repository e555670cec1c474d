"""A case is made for two or more inspectors (Wuhan Audit Measures Art. 7(2); docs/rules.md row 3)."""

from __future__ import annotations

import pytest

from app.errors import PermissionRefused
from app.models.profile import Store
from app.workflow.cases import CaseSpec, add_institution, create_case
from tests.conftest import TwoInspectorProfile


def test_a_case_needs_two_inspectors(unlocked: Store, two_inspectors: TwoInspectorProfile) -> None:
    a, b = two_inspectors.inspector_a, two_inspectors.inspector_b
    with unlocked.transaction() as s:
        inst = add_institution(s, name="某药房", kind="designated_pharmacy")
        for team in ([a], [a, a]):  # one inspector, or the same one twice
            with pytest.raises(PermissionRefused, match="two or more inspectors"):
                create_case(s, unlocked, a, CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=team))
        case = create_case(s, unlocked, a, CaseSpec(institution_id=inst.id, kind="routine", inspector_ids=[a, b]))
        assert case.status == "assigned"
