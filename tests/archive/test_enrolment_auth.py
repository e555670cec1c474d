"""Enrolment, request signatures (unknown, revoked, replayed, stale, forged), rate limits, signed pulls."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.evidence.signing import SigningKey, unb64, verify_object
from app.sync.protocol import CTX_PULL, CTX_ROSTER
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import REPO, ArchiveProcess, Laptop


def test_enrolment_code_flow_and_signed_roster(archive_proc: ArchiveProcess) -> None:
    code = archive_proc.admin("enrolment-code").stdout.strip()
    laptop = Laptop(archive_proc.url)
    r = laptop.register(code)
    assert r.status_code == 201, r.text
    body = r.json()
    archive_pub = unb64(body["archive_public_key"])
    roster = body["roster"]
    verify_object(roster["sig"], CTX_ROSTER, roster["payload"], archive_pub)
    names = {i["credential_no"]: i["name"] for i in roster["payload"]["inspectors"]}
    assert names == {i.credential_no: i.name for i in laptop.inspectors}
    assert [d["id"] for d in roster["payload"]["devices"]] == [laptop.device_id]
    # the code is one-time
    again = Laptop(archive_proc.url)
    r2 = again.register(code)
    assert r2.status_code == 401 and r2.json()["error"] == "bad_enrolment_code"
    assert r2.json()["message_zh"] and r2.json()["message_en"]
    # incremental roster: nothing new since the version we hold
    with laptop.client() as c:
        full = c.get("/v1/roster").json()
        verify_object(full["sig"], CTX_ROSTER, full["payload"], archive_pub)
        version = full["payload"]["version"]
        inc = c.get("/v1/roster", params={"since": version}).json()["payload"]
        assert inc["inspectors"] == [] and inc["devices"] == [] and inc["version"] == version
    # the key file is private
    key_file = archive_proc.data / "archive_key.ed25519"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_inspector_proof_must_verify(sqlite_archive: ArchiveProcess) -> None:
    code = sqlite_archive.admin("enrolment-code").stdout.strip()
    laptop = Laptop(sqlite_archive.url)
    body = laptop.register_body(code)
    body["inspectors"][1]["credential_no"] = "FORGED"  # no longer what the inspector signed
    with laptop.client() as c:
        r = c.post("/v1/devices/register", json=body)
    assert r.status_code == 400 and r.json()["error"] == "bad_inspector_proof"
    # the code was not consumed by the refused attempt
    assert laptop.register(code).status_code == 201


def test_unknown_device_401(sqlite_archive: ArchiveProcess) -> None:
    stranger = Laptop(sqlite_archive.url)
    with stranger.client() as c:
        r = c.get("/v1/roster")
    assert r.status_code == 401 and r.json()["error"] == "unknown_device"
    r = httpx.get(sqlite_archive.url + "/v1/roster")
    assert r.status_code == 401 and r.json()["error"] == "unsigned_request"


def test_revoked_device_403(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    with laptop.client() as c:
        assert c.get("/v1/roster").status_code == 200
        sqlite_archive.admin("devices", "revoke", laptop.device_id)
        r = c.get("/v1/roster")
    assert r.status_code == 403 and r.json()["error"] == "device_revoked"
    listed = [json.loads(x) for x in sqlite_archive.admin("devices", "list").stdout.splitlines()]
    assert listed[0]["revoked"] is True


def test_replayed_nonce_stale_time_forged_signature(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    h = laptop.headers("GET", "/v1/roster")
    assert httpx.get(sqlite_archive.url + "/v1/roster", headers=h).status_code == 200
    r = httpx.get(sqlite_archive.url + "/v1/roster", headers=h)
    assert r.status_code == 401 and r.json()["error"] == "replayed_nonce"
    old = laptop.headers("GET", "/v1/roster", when=int(time.time()) - 3600)
    r = httpx.get(sqlite_archive.url + "/v1/roster", headers=old)
    assert r.status_code == 401 and r.json()["error"] == "stale_request"
    forged = Laptop(sqlite_archive.url, device_id=laptop.device_id, key=SigningKey.generate())
    r = httpx.get(sqlite_archive.url + "/v1/roster", headers=forged.headers("GET", "/v1/roster"))
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    # the signature covers the target: a signed GET of one URL cannot be used for another
    h2 = laptop.headers("GET", "/v1/roster?since=0")
    r = httpx.get(sqlite_archive.url + "/v1/roster?since=1", headers=h2)
    assert r.status_code == 401 and r.json()["error"] == "bad_signature"
    # and the body: the same headers with another body are refused
    body = b'{"hashes": []}'
    h3 = laptop.headers("POST", "/v1/blobs/missing", body)
    r = httpx.post(sqlite_archive.url + "/v1/blobs/missing", headers={**h3, "Content-Type": "application/json"},
                   content=b'{"hashes": ["' + b"a" * 64 + b'"]}')
    assert r.status_code == 401 and r.json()["error"] == "body_mismatch"


def test_rate_limit_429(tmp_path: Path) -> None:
    proc = ArchiveProcess(tmp_path / "a", env={"FIELDAUDIT_ARCHIVE_RATE": "1", "FIELDAUDIT_ARCHIVE_BURST": "3"})
    proc.start()
    try:
        laptop = enrolled_laptop(proc)
        with laptop.client() as c:
            codes = [c.get("/v1/roster") for _ in range(6)]
        limited = [r for r in codes if r.status_code == 429]
        assert limited, [r.status_code for r in codes]
        assert int(limited[0].headers["Retry-After"]) >= 1
        assert limited[0].json()["error"] == "rate_limited"
    finally:
        proc.kill()


def test_pulls_signed_and_incremental(archive_proc: ArchiveProcess, tmp_path: Path) -> None:
    laptop = enrolled_laptop(archive_proc)
    a, b = laptop.inspectors
    out = archive_proc.admin("cases", "add", "--institution-name", "某市第一人民医院", "--institution-uscc",
                             "91350100M000100Y43", "--inspector", a.id, "--inspector", b.id).stdout
    case_id = json.loads(out)["id"]
    archive_proc.admin("institutions", "add", "--name", "某大药房", "--uscc", "91350100M000100Y43")
    checklist = tmp_path / "cl.json"
    checklist.write_text(json.dumps({"id": "cl-1", "items": [{"title": "挂床住院"}]}, ensure_ascii=False))
    archive_proc.admin("checklists", "add", str(checklist))
    # one inspector alone cannot be assigned
    bad = archive_proc.admin("cases", "add", "--institution-name", "X", "--inspector", a.id, check=False)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    with laptop.client() as c:
        pub = unb64(c.get("/v1/roster").json()["payload"]["archive"]["public_key"])
        for kind, expected in (("assignments", case_id), ("institutions", None), ("checklists", "cl-1")):
            doc = c.get(f"/v1/pull/{kind}").json()
            verify_object(doc["sig"], CTX_PULL, doc["payload"], pub)
            items = doc["payload"]["items"]
            assert len(items) == 1
            if expected:
                assert items[0]["id"] == expected
            cursor = doc["payload"]["cursor"]
            assert c.get(f"/v1/pull/{kind}", params={"since": cursor}).json()["payload"]["items"] == []
        assert c.get("/v1/pull/documents").json()["payload"]["items"] == []
        assert c.get("/v1/pull/nonsense").status_code == 404
    # a laptop of other inspectors does not receive the assignment
    other = enrolled_laptop(archive_proc)
    with other.client() as c:
        assert c.get("/v1/pull/assignments").json()["payload"]["items"] == []


def test_admin_errors_are_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args in (["stats", str(tmp_path / "nope")], ["verify", str(tmp_path / "nope")], ["bogus"]):
        res = subprocess.run([sys.executable, "-m", "archive", "admin", *args], check=False, cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode != 0
        assert "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_openapi_published(sqlite_archive: ArchiveProcess) -> None:
    spec = httpx.get(sqlite_archive.url + "/openapi.json").json()
    for path in ("/v1/uploads", "/v1/uploads/{upload_id}", "/v1/push", "/v1/roster", "/v1/blobs/missing",
                 "/v1/devices/register", "/v1/cases/{case_id}/conflicts"):
        assert path in spec["paths"], path
