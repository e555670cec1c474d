"""Cases belong to their team (archive/teams.py): every case-scoped endpoint refuses a device of another team with
403 ``not_case_team`` and an alert; field changes are folded only from the case's inspectors."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal, Laptop, new_inspector


def alerts(proc: ArchiveProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.admin("alerts").stdout.splitlines()]


def rows(proc: ArchiveProcess, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True) as db:
        return list(db.execute(sql))


def pulled_assignments(client: Any) -> list[str]:
    r = client.get("/v1/pull/assignments")
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["payload"]["items"]]


def field_change(j: Journal, field: str, old: Any, new: Any, actor: Any = None) -> None:
    j.append("case.field_changed", {"case": j.case_id, "field": field, "old": old, "new": new}, actor)


def test_every_case_scoped_endpoint_refuses_a_foreign_device(sqlite_archive: ArchiveProcess) -> None:
    proc = sqlite_archive
    team = enrolled_laptop(proc)
    foreign = enrolled_laptop(proc)  # enrolled, signs correctly, but with inspectors of its own
    j = Journal(team)
    j.append("case.created", {"case": j.case_id, "institution": {"name": "某医院"}})
    field_change(j, "title", "", "专项稽核")
    with team.client() as c:
        assert c.post("/v1/push", json=j.batch()).status_code == 200
    leaves_before = rows(proc, "SELECT COUNT(*) FROM leaves")

    # its own journal under the team's case id
    own = Journal(foreign, j.case_id)
    own.append("case.created", {"case": j.case_id, "institution": {"name": "别的医院"}})
    # a field change of the team's case, the old value right, as if it were the team's edit
    edit = Journal(foreign, j.case_id)
    field_change(edit, "title", "专项稽核", "被改掉的标题")
    with foreign.client() as c:
        refused = [c.post("/v1/push", json=own.batch()), c.post("/v1/push", json=edit.batch())]
        # every case-scoped path of the API, found in its own OpenAPI description
        paths = [p for p in c.get("/openapi.json").json()["paths"] if "{case_id}" in p]
        assert "/v1/cases/{case_id}/conflicts" in paths
        refused += [c.get(p.replace("{case_id}", j.case_id)) for p in paths]
    for r in refused:
        assert r.status_code == 403 and r.json()["error"] == "not_case_team", r.text
        assert r.json()["message_zh"] and r.json()["message_en"]
    assert rows(proc, "SELECT COUNT(*) FROM leaves") == leaves_before  # nothing stored
    assert rows(proc, "SELECT value, device_id FROM case_fields") == [('"专项稽核"', team.device_id)]
    got = alerts(proc)
    assert len(got) == len(refused)
    assert {(a["kind"], a["device"], a["case"]) for a in got} == {
        ("foreign_case_access", foreign.device_id, j.case_id)}
    # the team still works; an unknown case is no one's: 404 (and a push would create it for its device)
    with team.client() as c:
        assert c.get(f"/v1/cases/{j.case_id}/conflicts").status_code == 200
    with foreign.client() as c:
        assert c.get("/v1/cases/no-such-case/conflicts").json()["error"] == "unknown_case"
    assert proc.admin("verify").returncode == 0


def test_office_case_team_second_laptop_and_unfolded_field_changes(sqlite_archive: ArchiveProcess) -> None:
    proc = sqlite_archive
    team = enrolled_laptop(proc)
    a1, a2 = team.inspectors
    case_id = json.loads(proc.admin("cases", "add", "--institution-name", "某药房", "--inspector", a1.id,
                                    "--inspector", a2.id).stdout)["id"]
    # a laptop with none of the assigned inspectors is refused, before it ever pushed
    stranger = enrolled_laptop(proc)
    j = Journal(stranger, case_id)
    j.append("case.created", {"case": case_id})
    with stranger.client() as c:
        r = c.post("/v1/push", json=j.batch())
        assert r.status_code == 403 and r.json()["error"] == "not_case_team"
        assert c.get(f"/v1/cases/{case_id}/conflicts").status_code == 403
    # a mixed laptop: one assigned inspector (a1) and one who is not (m2): on the team, it may push;
    # a field change signed by m2 is journaled but not folded (and alerted), one by a1 is folded
    m2 = new_inspector("王五")
    mixed = Laptop(proc.url, inspectors=[a1, m2])
    assert mixed.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    k = Journal(mixed, case_id)
    k.append("case.created", {"case": case_id}, a1)
    field_change(k, "place", "", "仓库", m2)
    field_change(k, "title", "", "药房专项稽核", a1)
    with mixed.client() as c:
        r = c.post("/v1/push", json=k.batch())
        assert r.status_code == 200, r.text
        assert c.get(f"/v1/cases/{case_id}/conflicts").json()["conflicts"] == []
    assert rows(proc, f"SELECT field, device_id FROM case_fields WHERE case_id = '{case_id}'") == [
        ("title", mixed.device_id)]
    assert rows(proc, f"SELECT COUNT(*) FROM leaves WHERE device_id = '{mixed.device_id}'") == [(3,)]
    kinds = [a["kind"] for a in alerts(proc)]
    assert kinds.count("foreign_case_access") == 2 and kinds.count("field_change_not_folded") == 1
    # the archive recorded who the case belongs to: the office's two inspectors and the device that pushed
    members = rows(proc, f"SELECT kind, member_id, source FROM case_members WHERE case_id = '{case_id}' "
                         "ORDER BY kind, member_id")
    assert ("device", mixed.device_id, "push") in members
    assert {m for k_, m, s in members if k_ == "inspector"} == {a1.id, a2.id}


def test_a_revoked_inspector_brings_no_device_onto_a_team(sqlite_archive: ArchiveProcess) -> None:
    """A device is on a case's team through an enrolled inspector who is not revoked, or because it is recorded
    for the case (it pushed while on the team); revoking the inspector ends the first, revoking the device the
    second."""
    proc = sqlite_archive
    x = new_inspector("赵六")
    recorded = Laptop(proc.url, inspectors=[x, new_inspector("钱七")])
    later = Laptop(proc.url, inspectors=[x, new_inspector("孙八")])
    for laptop in (recorded, later):
        assert laptop.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    case_id = json.loads(proc.admin("cases", "add", "--institution-name", "某诊所", "--inspector", x.id,
                                    "--inspector", recorded.inspectors[1].id).stdout)["id"]
    j = Journal(recorded, case_id)
    j.append("case.created", {"case": case_id}, recorded.inspectors[1])
    with recorded.client() as c:
        assert c.post("/v1/push", json=j.batch()).status_code == 200
    with later.client() as c:
        assert c.get(f"/v1/cases/{case_id}/conflicts").status_code == 200
        assert case_id in pulled_assignments(c)  # assigned through x
    proc.admin("inspectors", "revoke", x.id)
    with later.client() as c:  # x revoked: the laptop that holds only x's assignment pulls it no more
        assert case_id not in pulled_assignments(c)
    with recorded.client() as c:  # its other inspector is assigned and not revoked
        assert case_id in pulled_assignments(c)
    k = Journal(later, case_id)
    k.append("case.created", {"case": case_id}, later.inspectors[1])
    with later.client() as c:
        for r in (c.get(f"/v1/cases/{case_id}/conflicts"), c.post("/v1/push", json=k.batch())):
            assert r.status_code == 403 and r.json()["error"] == "not_case_team", r.text
    with recorded.client() as c:  # recorded for the case: still on it
        assert c.get(f"/v1/cases/{case_id}/conflicts").status_code == 200
    assert [a["device"] for a in alerts(proc) if a["kind"] == "foreign_case_access"] == [later.device_id] * 2


def test_a_second_laptop_on_the_team_cannot_bring_a_signer_from_outside_it(sqlite_archive: ArchiveProcess) -> None:
    """A second laptop is on a case's team through one of its inspectors (a1), and enrolled with another (m2) who
    is not on the case. An evidence item of the case signed by a1 and m2 is refused with the verifier's reason
    (``signer_not_case_inspector``), for an office case and for a case a laptop made; nothing is stored. Signed
    by the case's own inspectors, the same push is accepted."""
    import hashlib

    proc = sqlite_archive
    team = enrolled_laptop(proc)
    a1, a2 = team.inspectors
    office_case = json.loads(proc.admin("cases", "add", "--institution-name", "某药房", "--inspector", a1.id,
                                        "--inspector", a2.id).stdout)["id"]
    own = Journal(team)
    own.append("case.created", {"case": own.case_id, "inspectors": [a1.id, a2.id]})
    with team.client() as c:
        assert c.post("/v1/push", json=own.batch()).status_code == 200
    m2 = new_inspector("王五")
    mixed = Laptop(proc.url, inspectors=[a1, m2])
    assert mixed.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    data = b"HIS export " * 300
    sha = hashlib.sha256(data).hexdigest()
    with mixed.client() as c:
        mixed.upload(c, data)
        for case_id in (office_case, own.case_id):
            j = Journal(mixed, case_id)
            j.append("evidence.captured", j.manifest(sha, size=len(data)), a1)
            r = c.post("/v1/push", json=j.batch())
            assert r.status_code == 422, r.text
            assert "signer_not_case_inspector" in [x["code"] for x in r.json()["reasons"]], r.text
            assert r.json()["message_zh"] and r.json()["message_en"]
            assert m2.id in r.text
    # nothing stored: no leaf of the second laptop, no object from it
    assert rows(proc, f"SELECT COUNT(*) FROM leaves WHERE device_id = '{mixed.device_id}'") == [(0,)]
    assert rows(proc, f"SELECT COUNT(*) FROM objects WHERE device_id = '{mixed.device_id}'") == [(0,)]
    with team.client() as c:  # control: the case's own two inspectors
        team.upload(c, data)
        j = Journal(team, office_case)
        j.append("evidence.captured", j.manifest(sha, size=len(data)))
        r = c.post("/v1/push", json=j.batch())
        assert r.status_code == 200, r.text
    assert proc.admin("verify").returncode == 0
