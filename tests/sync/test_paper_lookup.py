"""The archive answers a lookup by 核验码: `python -m archive admin paper DIR CODE` and GET /v1/paper/{code} for
enrolled devices, after the demo case (whose prints journal every page's code) was pushed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.evidence.canonical import loads
from app.models.schema import JournalLeaf, Payload
from app.sync.client import ArchiveError, SyncClient
from tests.archive.helpers import REPO, ArchiveProcess
from tests.sync.conftest import DemoProfile
from tests.sync.helpers import open_demo


def _admin_paper(archive: ArchiveProcess, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive", "admin", "paper", str(archive.data), code],
                          check=False, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_paper_lookup_by_verification_code(demo: DemoProfile, archive: ArchiveProcess) -> None:
    with open_demo(demo.root) as store:
        with store.session() as s:
            leaf = s.query(JournalLeaf).filter(JournalLeaf.log_id == demo.case_id,
                                               JournalLeaf.type == "document.printed").order_by(JournalLeaf.seq).first()
            assert leaf is not None
            printed = loads(s.get(Payload, leaf.payload_sha256).body)  # type: ignore[union-attr]
        page = printed["pages"][0]
        code = archive.admin("enrolment-code").stdout.strip()
        with SyncClient(store, archive.url) as c:
            c.register(code, "test laptop")
            assert not c.push_case(demo.case_id).refused
            answer = c._json("GET", f"/v1/paper/{page['code'].lower().replace('-', '')}")
            assert answer["code"] == page["code"]
            [hit] = answer["pages"]
            assert (hit["case_id"], hit["sha256"], hit["page"], hit["form"]) == (
                demo.case_id, page["sha256"], page["page"], printed["form"])
            assert hit["issued_in_archive"] and hit["title"] and hit["text"]
            with pytest.raises(ArchiveError) as err:
                c._json("GET", "/v1/paper/AAAA-AAAA")
            assert err.value.status == 404
            with pytest.raises(ArchiveError) as err:
                c._json("GET", "/v1/paper/not-a-code!")
            assert err.value.status == 400

    # a device outside the case's team sees nothing (the same rule as every read about a case)
    from archive.paper import lookup
    from archive.service import open_archive

    held = open_archive(archive.data, create=False)
    try:
        assert lookup(held, page["code"], device_id="another-device", inspector_ids=frozenset({"someone"})) == []
        assert len(lookup(held, page["code"])) == 1
    finally:
        held.db.dispose()

    run = _admin_paper(archive, page["code"])
    assert run.returncode == 0, run.stderr
    hit = json.loads(run.stdout.splitlines()[0])
    assert hit["case_id"] == demo.case_id and hit["sha256"] == page["sha256"] and hit["prints"]
    run = _admin_paper(archive, "AAAA-AAAA")
    assert run.returncode == 1 and "no printed page" in run.stderr
    run = _admin_paper(archive, "1")
    assert run.returncode not in (0, 3) and len(run.stderr.strip().splitlines()) == 1  # the admin CLI's user error
