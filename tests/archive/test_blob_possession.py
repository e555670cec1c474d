"""A blob belongs to whoever proved they hold it: a push may name a blob only when this device uploaded its bytes
(its own completed upload of that SHA-256) or the case already holds it. Nothing tells a device whether a blob it
never sent exists elsewhere: ``/v1/blobs/missing``, upload creation and a push answer "exists elsewhere" exactly as
they answer "does not exist" (the former raises an alert)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal, Laptop

PASSWORD = "office-pass-123"
OCTET = {"Content-Type": "application/offset+octet-stream"}


def alerts(proc: ArchiveProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.admin("alerts").stdout.splitlines()]


def rows(proc: ArchiveProcess, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True) as db:
        return list(db.execute(sql))


def blob_count(proc: ArchiveProcess) -> int:
    return int(json.loads(proc.admin("stats").stdout)["blobs"])


def evidence_push(laptop: Laptop, c: httpx.Client, j: Journal, *shas: str) -> httpx.Response:
    for sha in shas:
        j.append("evidence.captured", j.manifest(sha))
    r = c.post("/v1/push", json=j.batch())
    if r.status_code == 200:
        j.pushed = len(j.leaves)
    return r


@contextmanager
def office_user(proc: ArchiveProcess, tmp_path: Path, login: str, inspector_id: str) -> Iterator[httpx.Client]:
    """An office account of the inspector's team, logged in."""
    pw = tmp_path / f"{login}.pw"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    proc.admin("users", "add", "--name", login, "--login", login, "--role", "inspector", "--password-file", str(pw),
               "--inspector", inspector_id)
    with httpx.Client(base_url=proc.url, timeout=60) as c:
        assert c.post("/office/login", data={"login": login, "password": PASSWORD}).status_code == 303
        yield c


def test_a_foreign_device_cannot_claim_another_cases_blob(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    proc = sqlite_archive
    team_b, team_a = enrolled_laptop(proc), enrolled_laptop(proc)
    photo = os.urandom(50_000)  # case B's evidence: team A never held these bytes
    x = hashlib.sha256(photo).hexdigest()
    y = hashlib.sha256(b"a blob nobody ever uploaded").hexdigest()
    with team_b.client() as c:
        assert team_b.upload(c, photo)["status"] == "complete"
        jb = Journal(team_b)
        jb.append("case.created", {"case": jb.case_id, "inspectors": [i.id for i in team_b.inspectors]})
        assert evidence_push(team_b, c, jb, x).status_code == 200

    ja = Journal(team_a)
    ja.append("case.created", {"case": ja.case_id, "inspectors": [i.id for i in team_a.inspectors]})
    with team_a.client() as c:
        assert c.post("/v1/push", json=ja.batch()).status_code == 200
        ja.pushed = len(ja.leaves)
        # 1. the missing list: "exists elsewhere" reads exactly as "does not exist"
        assert c.post("/v1/blobs/missing", json={"hashes": [x, y]}).json()["missing"] == sorted([x, y])
        # 2. creating an upload grants nothing and tells nothing: open at offset 0, whatever the length claimed
        for sha in (x, y):
            for length in (len(photo), 7):
                st = c.post("/v1/uploads", json={"sha256": sha, "length": length})
                assert st.status_code == 201, st.text
                assert (st.json()["status"], st.json()["offset"], st.json()["length"]) == ("open", 0, length)
        # 3. a push naming B's blob: refused as if the blob were absent, nothing stored, and flagged
        before = rows(proc, "SELECT COUNT(*) FROM leaves")
        j_x, j_y = Journal(team_a, ja.case_id), Journal(team_a, ja.case_id)
        for j in (j_x, j_y):
            j.leaves, j.payloads, j.pushed = list(ja.leaves), dict(ja.payloads), ja.pushed
        r_x, r_y = evidence_push(team_a, c, j_x, x), evidence_push(team_a, c, j_y, y)
        for r, sha in ((r_x, x), (r_y, y)):
            assert r.status_code == 422 and r.json()["error"] == "batch_refused", r.text
            assert r.json()["missing"] == [sha]
            assert [x_["code"] for x_ in r.json()["reasons"]] == ["missing_blobs"]
        assert r_x.json()["reasons"][0]["message_en"] == r_y.json()["reasons"][0]["message_en"]
        # the optional "blobs" list of a batch is held to the same rule
        extra = Journal(team_a, ja.case_id)
        extra.leaves, extra.payloads, extra.pushed = list(ja.leaves), dict(ja.payloads), ja.pushed
        extra.append("note.added", {"text": "附件"})
        r = c.post("/v1/push", json={**extra.batch(), "blobs": [x]})
        assert r.status_code == 422 and r.json()["missing"] == [x], r.text
    assert rows(proc, "SELECT COUNT(*) FROM leaves") == before
    assert rows(proc, f"SELECT COUNT(*) FROM object_blobs WHERE blob_sha256 = '{x}'") == [(1,)]  # B's own link
    flagged = [a for a in alerts(proc) if a["kind"] == "foreign_blob"]
    assert [(a["device"], a["case"]) for a in flagged] == [(team_a.device_id, ja.case_id)] * 2
    assert all(x in a["detail"] and y not in a["detail"] for a in flagged)

    # 4. the office view of case A cannot serve B's blob; team B's own view still can
    with office_user(proc, tmp_path, "wang", team_a.inspectors[0].id) as office_a:
        assert office_a.get(f"/office/cases/{ja.case_id}").status_code == 200
        assert office_a.get(f"/office/cases/{ja.case_id}/blobs/{x}").status_code == 404
    with office_user(proc, tmp_path, "li", team_b.inspectors[0].id) as office_b:
        r = office_b.get(f"/office/cases/{jb.case_id}/blobs/{x}")
        assert r.status_code == 200 and r.content == photo

    # 5. uploading bytes that are not B's blob proves nothing
    with team_a.client() as c:
        uid = c.post("/v1/uploads", json={"sha256": x, "length": len(photo)}).json()["id"]
        r = c.patch(f"/v1/uploads/{uid}", content=os.urandom(len(photo)), headers={"Upload-Offset": "0", **OCTET})
        assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
        assert c.post("/v1/blobs/missing", json={"hashes": [x]}).json()["missing"] == [x]
        assert evidence_push(team_a, c, j_x, x).status_code == 422
    assert blob_count(proc) == 1
    assert proc.admin("verify").returncode == 0


def test_real_bytes_of_a_stored_blob_prove_possession_without_storing_twice(sqlite_archive: ArchiveProcess) -> None:
    """Two teams photograph the same document: the second sends the bytes (hashed at the archive), is recorded as
    holding the blob, and may name it; the archive keeps one copy."""
    proc = sqlite_archive
    first, second = enrolled_laptop(proc), enrolled_laptop(proc)
    photo = os.urandom(3 * 1024 * 1024 + 5)
    sha = hashlib.sha256(photo).hexdigest()
    with first.client() as c:
        first.upload(c, photo)
    stored = proc.data / "blobs" / sha[:2] / sha
    inode = stored.stat().st_ino
    with second.client() as c:
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == [sha]
        # sent in two parts over two connections, as a laptop resumes
        st = c.post("/v1/uploads", json={"sha256": sha, "length": len(photo)}).json()
        assert st["status"] == "open"
        r = c.patch(f"/v1/uploads/{st['id']}", content=photo[:1024 * 1024], headers={"Upload-Offset": "0", **OCTET})
        assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "open"
        again = c.post("/v1/uploads", json={"sha256": sha, "length": len(photo)}).json()
        assert (again["id"], again["offset"]) == (st["id"], 1024 * 1024)
        r = c.patch(f"/v1/uploads/{st['id']}", content=photo[1024 * 1024:],
                    headers={"Upload-Offset": str(1024 * 1024), **OCTET})
        assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "complete"
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
        j = Journal(second)
        assert evidence_push(second, c, j, sha).status_code == 200
    assert blob_count(proc) == 1 and stored.stat().st_ino == inode  # the stored copy was not replaced
    assert not list((proc.data / "staging").iterdir())
    assert not [a for a in alerts(proc) if a["kind"] == "foreign_blob"]


def test_the_laptops_own_sync_paths_still_work(sqlite_archive: ArchiveProcess) -> None:
    """Re-syncing, a blob shared by two items of a case, the same photo imported in two cases by one device, a
    second laptop of the team adding to a case that holds the blob: none uploads twice or is refused."""
    proc = sqlite_archive
    laptop = enrolled_laptop(proc)
    photo, thumb = os.urandom(40_000), os.urandom(4_000)
    p, t = hashlib.sha256(photo).hexdigest(), hashlib.sha256(thumb).hexdigest()
    with laptop.client() as c:
        laptop.upload(c, photo)
        laptop.upload(c, thumb)
        one, two = Journal(laptop), Journal(laptop)
        assert evidence_push(laptop, c, one, p, p, t).status_code == 200  # two items share the photo
        batch = one.batch(0)
        assert c.post("/v1/push", json=batch).status_code == 200  # the same sync again: the stored receipt
        assert c.post("/v1/blobs/missing", json={"hashes": [p, t]}).json()["missing"] == []
        assert c.post("/v1/uploads", json={"sha256": p, "length": len(photo)}).json()["status"] == "complete"
        assert evidence_push(laptop, c, one, t).status_code == 200  # later leaves of the same case
        assert evidence_push(laptop, c, two, p).status_code == 200  # the same photo in a second case
    # a second laptop of the same team (same inspectors) adds to the case that holds the photo: no upload needed
    spare = Laptop(proc.url, inspectors=laptop.inspectors)
    assert spare.register(proc.admin("enrolment-code").stdout.strip()).status_code == 201
    with spare.client() as c:
        assert evidence_push(spare, c, Journal(spare, one.case_id), p).status_code == 200
        # but not in a case that does not hold it, before it sends the bytes
        other = Journal(spare)
        r = evidence_push(spare, c, other, p)
        assert r.status_code == 422 and r.json()["missing"] == [p]
        spare.upload(c, photo)
        assert c.post("/v1/push", json=other.batch()).status_code == 200
    assert blob_count(proc) == 2
    assert not [a["kind"] for a in alerts(proc) if a["kind"] != "foreign_blob"]
    assert proc.admin("verify").returncode == 0


def test_a_payload_of_another_case_cannot_be_named_by_its_hash(sqlite_archive: ArchiveProcess) -> None:
    """The same rule for payloads: a leaf points at a payload its batch carries or one held for its own case. The
    hash of another case's payload (a note, a signed object) is answered as an absent one: no reason tells them
    apart, and nothing of the other case is checked or linked."""
    from app.evidence.canonical import canonical_sha256

    proc = sqlite_archive
    team_b, team_a = enrolled_laptop(proc), enrolled_laptop(proc)
    photo = os.urandom(20_000)
    with team_b.client() as c:
        team_b.upload(c, photo)
        jb = Journal(team_b)
        note = {"case": jb.case_id, "text": "只有本组可见的线索"}
        jb.append("note.added", note)
        env = jb.manifest(hashlib.sha256(photo).hexdigest())
        jb.append("evidence.captured", env)
        assert c.post("/v1/push", json=jb.batch()).status_code == 200

    ja = Journal(team_a)
    ja.append("case.created", {"case": ja.case_id})
    with team_a.client() as c:
        assert c.post("/v1/push", json=ja.batch()).status_code == 200
        ja.pushed = 1

        def name_by_hash(etype: str, payload: Any) -> list[str]:
            j = Journal(team_a, ja.case_id)
            j.leaves, j.payloads, j.pushed = list(ja.leaves), dict(ja.payloads), 1
            j.append(etype, payload)
            batch = {**j.batch(), "payloads": []}  # named by its hash only
            r = c.post("/v1/push", json=batch)
            assert r.status_code == 422, r.text
            return sorted(x["code"] for x in r.json()["reasons"])

        for etype, held in (("note.added", note), ("evidence.captured", env)):
            absent = {**held, "text": "never stored"} if etype == "note.added" else {**env, "id": "never-stored"}
            assert canonical_sha256(absent) != canonical_sha256(held)
            assert name_by_hash(etype, held) == name_by_hash(etype, absent) == ["missing_payload"]
    assert rows(proc, f"SELECT COUNT(*) FROM leaves WHERE case_id = '{ja.case_id}'") == [(1,)]


def test_an_upload_completed_once_is_reopened_when_the_blob_is_gone(sqlite_archive: ArchiveProcess) -> None:
    """The missing list and upload creation agree: a blob this device once sent that the archive no longer holds is
    listed, and creating its upload asks for the bytes again (instead of "complete" with nothing to send)."""
    proc = sqlite_archive
    laptop = enrolled_laptop(proc)
    data = os.urandom(10_000)
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as c:
        laptop.upload(c, data)
    (proc.data / "blobs" / sha[:2] / sha).unlink()
    with sqlite3.connect(proc.data / "archive.db") as db:
        db.execute("DELETE FROM blobs WHERE sha256 = ?", (sha,))
    with laptop.client() as c:
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == [sha]
        st = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()
        assert (st["status"], st["offset"]) == ("open", 0)
        assert laptop.upload(c, data)["status"] == "complete"
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
    assert (proc.data / "blobs" / sha[:2] / sha).read_bytes() == data
