"""A ``document.issued`` entry's second issuer (``co_issuer``, 条例 Art. 29) at the archive: the package verifier's
rule (``app/evidence/verify_pages.py:check_co_issuer``) applied to a push, with the archive's notion of the case's
team (``archive/teams.py:load_team``; for a case it does not know yet, the pushing device's inspectors). A push
the package verifier would fail for it is refused whole (422 ``co_issuer_invalid``) and nothing is stored."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import httpx

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Inspector, Journal, Laptop, new_inspector


def codes(r: httpx.Response) -> list[str]:
    return [x["code"] for x in r.json().get("reasons", [])]


def rows(proc: ArchiveProcess, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True) as db:
        return list(db.execute(sql))


def issued(j: Journal, actor: Inspector, co_issuer: object = None, number: int = 1) -> None:
    """A ``document.issued`` entry as app/workflow/issuing.py writes it (``co_issuer`` None: a record written
    before the second issuer was recorded, which has none)."""
    body: dict[str, Any] = {
        "v": 1, "type": "document", "case": j.case_id, "form": "notice", "source": {"form": "notice"},
        "fingerprint": "0" * 64, "issued_on": "2026-11-20", "title": "稽核通知书",
        "number": f"某医保稽通〔2026〕{number}号", "pages": [], "document": {}}
    if co_issuer is not None:
        body["co_issuer"] = co_issuer
    j.append("document.issued", body, actor)


def test_a_document_issued_with_a_bad_second_issuer_is_refused(sqlite_archive: ArchiveProcess) -> None:
    """An office case assigned to a1 and a2, pushed from a laptop enrolled with a1 and m2 (m2 not on the case):
    a co-issuer who is the actor itself, unknown, not on the case, or an actor not on the case, is refused with
    ``co_issuer_invalid``, for that case and for a case the archive does not know yet (its team: the device's
    inspectors); nothing is stored."""
    proc = sqlite_archive
    team = enrolled_laptop(proc)
    a1, a2 = team.inspectors
    case_id = json.loads(proc.admin("cases", "add", "--institution-name", "某药房", "--inspector", a1.id,
                                    "--inspector", a2.id).stdout)["id"]
    m2 = new_inspector("王五")
    mixed = Laptop(proc.url, inspectors=[a1, m2])
    assert mixed.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    attempts: list[tuple[str | None, Inspector, object]] = [
        (case_id, a1, a1.id),                  # one inspector acting as two
        (case_id, a1, str(uuid.uuid4())),      # unknown
        (case_id, a1, m2.id),                  # enrolled with the device, not on the case
        (case_id, m2, a1.id),                  # the actor is not on the case
        (case_id, a1, 7),                      # not an id at all
        (None, mixed.inspectors[0], a2.id),    # a new case: a2 is not this device's inspector
        (None, m2, m2.id),
    ]
    with mixed.client() as c:
        for case, actor, co in attempts:
            j = Journal(mixed, case)
            j.append("case.created", {"case": j.case_id}, a1)
            issued(j, actor, co)
            r = c.post("/v1/push", json=j.batch())
            assert r.status_code == 422, (co, r.text)
            assert codes(r) == ["co_issuer_invalid"], (co, r.text)
            assert r.json()["message_zh"] and r.json()["message_en"]
    assert rows(proc, f"SELECT COUNT(*) FROM leaves WHERE device_id = '{mixed.device_id}'") == [(0,)]
    assert rows(proc, f"SELECT COUNT(*) FROM objects WHERE device_id = '{mixed.device_id}'") == [(0,)]
    assert proc.admin("verify").returncode == 0


def test_documents_issued_by_the_case_team_are_accepted_and_admin_verify_checks_them(
        sqlite_archive: ArchiveProcess) -> None:
    """A record without ``co_issuer`` (issued before it was recorded) and one whose co-issuer is the other
    inspector of the case are accepted, on an office case and on a laptop's own case. ``admin verify`` applies the
    same rule to what is stored: once the co-issuer is no longer on the recorded team, it reports the record."""
    proc = sqlite_archive
    team = enrolled_laptop(proc)
    a1, a2 = team.inspectors
    office = json.loads(proc.admin("cases", "add", "--institution-name", "某药房", "--inspector", a1.id,
                                   "--inspector", a2.id).stdout)["id"]
    with team.client() as c:
        for case in (office, None):
            j = Journal(team, case)
            j.append("case.created", {"case": j.case_id, "inspectors": [a1.id, a2.id]})
            issued(j, a1)
            issued(j, a1, a2.id, number=2)
            issued(j, a2, a1.id, number=3)
            r = c.post("/v1/push", json=j.batch())
            assert r.status_code == 200, r.text
    assert proc.admin("verify").returncode == 0
    # the office's team loses a2 (as if never assigned): the stored record names a co-issuer off the case
    with sqlite3.connect(proc.data / "archive.db") as db:
        db.execute(f"DELETE FROM case_members WHERE case_id = '{office}' AND member_id = '{a2.id}'")
    r = proc.admin("verify", check=False)
    assert r.returncode != 0
    failures = json.loads(r.stdout)["failures"]
    bad = [f for f in failures if "co_issuer_invalid" in f or "second issuer" in f or "issued by" in f]
    assert len(bad) == 2 and all(office in f and a2.id in f for f in bad), failures
