"""The party's address reaches the office: a laptop pushes its case's institution with its address (case.created),
an office assignment may carry one (``admin cases add --institution-address``) to the laptop, and the office's
decision (行政处罚法 Art. 59: 当事人的名称、地址) reads it from either, instead of printing it blank. The case's 文号
travels the same way (``--doc-no``): every form of the case is numbered from it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.models.schema import Case, Institution
from archive.office.cases import case_institution
from archive.service import open_archive
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile, cli
from tests.sync.helpers import open_demo, register


def test_the_institution_address_travels_to_the_office(demo: DemoProfile, archive: ArchiveProcess,
                                                      tmp_path: Path) -> None:
    register(demo, archive, tmp_path)
    a, b = demo.inspectors
    refused = archive.admin("cases", "add", "--institution-name", "某市第二人民医院", "--inspector", a,
                            "--inspector", b, "--doc-no", "某医保稽通2026-31", check=False)
    assert refused.returncode == 2 and "文号" in refused.stderr and "Traceback" not in refused.stderr
    assigned = json.loads(archive.admin("cases", "add", "--institution-name", "某市第二人民医院", "--inspector", a,
                                        "--inspector", b, "--institution-address", "某市某区测试路 9 号",
                                        "--doc-no", "某医保稽通[2026]31号").stdout)["id"]
    for _ in range(2):  # the first sync pulls the assignment; the case the laptop made of it is pushed by then
        r = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
        assert r.returncode == 0, r.stdout + r.stderr
    with open_demo(demo.root) as store, store.session() as s:
        own = s.scalars(select(Institution).join(Case, Case.institution_id == Institution.id)
                        .where(Case.id == demo.case_id)).one()
        pulled = s.scalars(select(Institution).join(Case, Case.institution_id == Institution.id)
                           .where(Case.id == assigned)).one()
        assert own.address  # the demo's hospital has one
        assert pulled.address == "某市某区测试路 9 号"  # the assignment's address became the laptop's record
        assert s.get(Case, assigned).doc_no == "某医保稽通〔2026〕31号"  # as typed, brackets as a 文号 writes them
        own_address = own.address
    office = open_archive(archive.data, create=False)
    try:
        with office.db.read() as s:
            assert case_institution(s, demo.case_id)["address"] == own_address
            assert case_institution(s, assigned)["address"] == "某市某区测试路 9 号"
    finally:
        office.db.dispose()
