"""One bad institution or assignment record from the office never blocks a sync: it is named in the summary,
skipped, and the rest syncs (issue 10 §9). A real archive process, the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.models.schema import Case
from app.sync.client import office_record_problem, record_name
from app.workflow.new_audit import institution_choices
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile, cli
from tests.sync.helpers import open_demo
from tests.sync.test_sync_cli import _register

GOOD_USCC = "91350100M000100Y30"
BAD_USCC = "91350100M000100Y31"  # wrong check character


def test_a_bad_party_or_assignment_is_named_and_skipped(demo: DemoProfile, archive: ArchiveProcess,
                                                        tmp_path: Path) -> None:
    a, b = demo.inspectors
    _register(demo, archive, tmp_path)
    archive.admin("institutions", "add", "--name", "某市坏代码医院", "--uscc", BAD_USCC)
    archive.admin("institutions", "add", "--name", "某市好代码医院", "--uscc", GOOD_USCC, "--address", "好路 1 号")
    bad = json.loads(archive.admin("cases", "add", "--institution-name", "某市坏代码诊所", "--institution-uscc",
                                   BAD_USCC, "--inspector", a, "--inspector", b).stdout)["id"]
    good = json.loads(archive.admin("cases", "add", "--institution-name", "某市第五医院", "--inspector", a,
                                    "--inspector", b, "--title", "好的指派").stdout)["id"]
    r = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    assert r.returncode == 0, r.stderr
    assert "skipped office record institutions 某市坏代码医院:" in r.stderr
    assert "skipped office record assignments 某市坏代码诊所:" in r.stderr
    assert "check" in r.stderr.lower()  # the reason names the check character
    lines = {line.split("\t", 1)[0] for line in r.stdout.splitlines()}
    assert good in lines and bad not in lines  # the good assignment became a case and was pushed
    with open_demo(demo.root) as store, store.session() as s:
        assert s.get(Case, good) is not None and s.get(Case, bad) is None
        names = {c.name for c in institution_choices(s)}
    assert "某市好代码医院" in names and "某市坏代码医院" not in names
    # the next sync is not blocked either
    again = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    assert again.returncode == 0, again.stderr


def test_malformed_records_are_described_not_raised() -> None:
    cases = [
        ("institutions", None, "record without an id"),
        ("institutions", {"id": "x"}, "record without data"),
        ("institutions", {"id": "x", "data": {"name": " "}}, "party without a name"),
        ("institutions", {"id": "x", "data": {"name": "甲", "uscc": 7}}, "invalid party identifier"),
        ("assignments", {"id": "x", "data": {"institution": "甲"}}, "party without a name"),
        ("assignments", {"id": "x", "data": {"institution": {"name": "甲"}, "inspectors": "ab"}},
         "assignment with malformed inspectors"),
    ]
    for kind, item, why in cases:
        assert office_record_problem(kind, item) == why
        assert record_name(kind, item).startswith(kind)
    assert office_record_problem("institutions", {"id": "x", "data": {"name": "甲", "uscc": GOOD_USCC}}) is None


def test_a_person_party_is_checked_by_its_identity_number() -> None:
    """An insured person (参保人员) is identified by the resident identity number, an organisation by the USCC: a
    pulled record must carry a valid one of the two (the sync layer), and the one its kind carries where it is used
    (the workflow's rule, one home): a USCC given for a person, or an ID for a hospital, is refused there."""
    from app.models.validators import ValidationError, resident_id_check_char
    from app.workflow.cases import check_party_identifier

    first17 = "42010219850304246"
    person_id = first17 + resident_id_check_char(first17)
    wrong = first17 + ("0" if person_id[-1] != "0" else "1")

    def person(ident: str) -> dict[str, object]:
        return {"id": "p", "data": {"name": "张三", "kind": "insured_person", "uscc": ident}}

    assert office_record_problem("institutions", person(person_id)) is None
    assert "check" in (office_record_problem("institutions", person(wrong)) or "")
    assert office_record_problem("institutions", person("张三的证件")) is not None
    assert check_party_identifier("insured_person", person_id) == person_id
    for kind, ident in (("insured_person", GOOD_USCC), ("designated_hospital", person_id)):
        with pytest.raises(ValidationError):
            check_party_identifier(kind, ident)
