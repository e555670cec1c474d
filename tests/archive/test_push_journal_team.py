"""The team a case's journal states, at the archive. The package verifier takes a case's team from the journal
(leaf 0's ``case.created`` ``inspectors``, changed only by a recusal replacement by one of them:
``app/evidence/verify_rules.py:team_after``); the archive holds its own (``archive/teams.py:load_team``), which for
a case a laptop made is every active inspector of the device — wider than the journal's when the laptop has a third
inspector. The archive applies both, so it never gives a receipt for what ``app.cli verify`` refuses: a signed
object signed by, or a document co-issued by, an inspector outside the journal's team is refused
(``signer_not_case_inspector``, ``co_issuer_invalid``), at push and in ``admin verify``."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid

import httpx

from tests.archive.helpers import ArchiveProcess, Inspector, Journal, Laptop, new_inspector
from tests.archive.test_push_co_issuer import codes, issued, rows


def three_laptop(proc: ArchiveProcess) -> Laptop:
    """A laptop enrolled with three inspectors a, b, c."""
    laptop = Laptop(proc.url, inspectors=[new_inspector("甲"), new_inspector("乙"), new_inspector("丙")])
    assert laptop.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    return laptop


def created(j: Journal, *team: Inspector) -> None:
    j.append("case.created", {"case": j.case_id, "institution": {"name": "某医院"}, "inspectors": [i.id for i in team]},
             team[0])


def captured(j: Journal, c: httpx.Client, signers: list[Inspector], actor: Inspector) -> None:
    data = f"evidence {uuid.uuid4()}".encode()
    j.laptop.upload(c, data)
    j.append("evidence.captured", j.manifest(hashlib.sha256(data).hexdigest(), size=len(data), signers=signers),
             actor)


def replaced(j: Journal, actor: Inspector, old: Inspector, new: Inspector) -> None:
    j.append("recusal.inspector_replaced", {"old": old.id, "new": new.id, "assigned_by": "某主任"}, actor)


def office_case(proc: ArchiveProcess, *team: Inspector) -> str:
    """A case the office assigns to ``team`` (``admin cases add``)."""
    args = [arg for i in team for arg in ("--inspector", i.id)]
    return str(json.loads(proc.admin("cases", "add", "--institution-name", "某药房", *args).stdout)["id"])


def push(c: httpx.Client, j: Journal) -> httpx.Response:
    r = c.post("/v1/push", json=j.batch())
    if r.status_code == 200:
        j.pushed = len(j.leaves)
    return r


def test_a_laptop_case_signed_or_co_issued_outside_its_journal_team_is_refused(
        sqlite_archive: ArchiveProcess) -> None:
    """A laptop with a, b and c; a new case whose ``case.created`` lists a and b. Objects signed by c, a document
    co-issued by c, and an object c signs before a recusal replacement brings them in, are refused — whether the
    case is new to the archive or already held, and whether ``case.created`` travels in the same push or an
    earlier one; nothing is stored from a refused push."""
    proc = sqlite_archive
    laptop = three_laptop(proc)
    a, b, c3 = laptop.inspectors
    with laptop.client() as c:
        # a new case: everything in one push
        j = Journal(laptop)
        created(j, a, b)
        captured(j, c, [a, c3], a)
        r = push(c, j)
        assert r.status_code == 422 and "signer_not_case_inspector" in codes(r), r.text
        j = Journal(laptop)
        created(j, a, b)
        issued(j, a, c3.id)
        r = push(c, j)
        assert r.status_code == 422 and codes(r) == ["co_issuer_invalid"], r.text
        # a case the archive already holds (its team: the device's three): case.created came in an earlier push
        j = Journal(laptop)
        created(j, a, b)
        assert push(c, j).status_code == 200
        captured(j, c, [c3, b], b)
        r = push(c, j)
        assert r.status_code == 422 and "signer_not_case_inspector" in codes(r), r.text
        j.leaves.pop()
        issued(j, b, c3.id)
        r = push(c, j)
        assert r.status_code == 422 and codes(r) == ["co_issuer_invalid"], r.text
        j.leaves.pop()
        issued(j, c3, a.id)  # c issues it: the actor is outside the team
        r = push(c, j)
        assert r.status_code == 422 and "co_issuer_invalid" in codes(r), r.text
        # signed by c before the replacement that brings c in: the team at that entry is still a and b
        j.leaves.pop()
        captured(j, c, [a, c3], a)
        replaced(j, a, b, c3)
        r = push(c, j)
        assert r.status_code == 422 and "signer_not_case_inspector" in codes(r), r.text
        # a replacement by someone outside the team changes nothing
        j.leaves[1:] = []
        replaced(j, c3, b, c3)
        captured(j, c, [a, c3], a)
        r = push(c, j)
        assert r.status_code == 422 and "signer_not_case_inspector" in codes(r), r.text
    assert rows(proc, "SELECT COUNT(*) FROM leaves") == [(1,)]
    assert proc.admin("verify").returncode == 0


def test_the_journal_team_and_recusal_replacements_keep_passing(sqlite_archive: ArchiveProcess) -> None:
    """Legitimate flows: a laptop case signed and co-issued by the two inspectors its ``case.created`` lists; a
    recusal replacement (by an inspector of the case) bringing in the laptop's third inspector, in the same push
    and in a later one; a ``case.created`` without ``inspectors`` (older data: no team stated, the device's
    inspectors as before); an office case assigned to a and b. ``admin verify`` agrees."""
    proc = sqlite_archive
    laptop = three_laptop(proc)
    a, b, c3 = laptop.inspectors
    office = office_case(proc, a, b)
    with laptop.client() as c:
        for case in (None, office):
            j = Journal(laptop, case)
            created(j, a, b)
            captured(j, c, [a, b], a)
            issued(j, a, b.id)
            issued(j, b, a.id, number=2)
            assert push(c, j).status_code == 200, case
        # a replacement brings c in: c then signs and co-issues; a later push builds on the held leaves
        j = Journal(laptop)
        created(j, a, b)
        captured(j, c, [a, b], a)
        replaced(j, a, b, c3)
        captured(j, c, [a, c3], c3)
        r = push(c, j)
        assert r.status_code == 200, r.text
        issued(j, c3, a.id)
        captured(j, c, [c3, a], a)
        r = push(c, j)
        assert r.status_code == 200, r.text
        # the replacement in one push, c's signature in the next
        j = Journal(laptop)
        created(j, a, b)
        replaced(j, b, b, c3)
        assert push(c, j).status_code == 200
        captured(j, c, [a, c3], a)
        issued(j, a, c3.id)
        r = push(c, j)
        assert r.status_code == 200, r.text
        # no team stated: today's rule (the device's inspectors)
        j = Journal(laptop)
        j.append("case.created", {"case": j.case_id})
        captured(j, c, [a, c3], a)
        issued(j, a, c3.id)
        r = push(c, j)
        assert r.status_code == 200, r.text
    assert proc.admin("verify").returncode == 0


def test_admin_verify_applies_the_journal_team(sqlite_archive: ArchiveProcess) -> None:
    """What is stored is checked by the same rule: a held journal whose ``case.created`` is made to list only a
    and b (as an archive that accepted c's signatures before this rule would hold it) is reported for c's
    signature and c's co-issue."""
    proc = sqlite_archive
    laptop = three_laptop(proc)
    a, b, c3 = laptop.inspectors
    with laptop.client() as c:
        j = Journal(laptop)
        j.append("case.created", {"case": j.case_id})
        captured(j, c, [a, c3], a)
        issued(j, a, c3.id)
        assert push(c, j).status_code == 200
    assert proc.admin("verify").returncode == 0
    # the stored case.created payload rewritten to state a team of a and b (the leaf re-pointed at it): the journal
    # rule itself now fails too, so only look for the team findings
    listed = {"case": j.case_id, "inspectors": [a.id, b.id]}
    from app.evidence.canonical import canonical_bytes, canonical_sha256

    old_sha = j.leaves[0]["entry"]["payload_sha256"]
    with sqlite3.connect(proc.data / "archive.db") as db:
        db.execute("UPDATE objects SET body = ?, sha256 = ? WHERE sha256 = ?",
                   (canonical_bytes(listed).decode(), canonical_sha256(listed), old_sha))
        leaf = json.loads(db.execute("SELECT leaf FROM leaves WHERE seq = 0 AND case_id = ?", (j.case_id,))
                          .fetchone()[0])
        leaf["entry"]["payload_sha256"] = canonical_sha256(listed)
        db.execute("UPDATE leaves SET leaf = ? WHERE seq = 0 AND case_id = ?",
                   (canonical_bytes(leaf).decode(), j.case_id))
    r = proc.admin("verify", check=False)
    assert r.returncode != 0
    failures = json.loads(r.stdout)["failures"]
    assert any("not an inspector of this case" in f and c3.id in f for f in failures), failures
    assert any(("issued by" in f or "second issuer" in f) and c3.id in f for f in failures), failures


def test_a_replacement_does_not_widen_the_team_the_archive_holds(sqlite_archive: ArchiveProcess) -> None:
    """The held team does not learn of a recusal replacement (archive/PROTOCOL.md "The team the journal states"):
    on an office case assigned to a and b, a replacement of b by the laptop's c is journaled and accepted, but c's
    signature is refused as before this rule (c was never assigned by the office); the verifier alone would
    accept it. Left as the archive's stricter rule, not widened from what a laptop journals."""
    proc = sqlite_archive
    laptop = three_laptop(proc)
    a, b, c3 = laptop.inspectors
    office = office_case(proc, a, b)
    with laptop.client() as c:
        j = Journal(laptop, office)
        created(j, a, b)
        replaced(j, a, b, c3)
        assert push(c, j).status_code == 200
        captured(j, c, [a, c3], a)
        r = push(c, j)
        assert r.status_code == 422 and "signer_not_case_inspector" in codes(r), r.text
    assert rows(proc, f"SELECT member_id FROM case_members WHERE case_id = '{office}' AND kind = 'inspector' "
                      "ORDER BY member_id") == sorted([(a.id,), (b.id,)])
