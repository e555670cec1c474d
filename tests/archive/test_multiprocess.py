"""Two archive processes on two ports, sharing one PostgreSQL database and one S3 bucket, take pushes from 20
simulated laptops at once (each laptop alternating between the ports), and admin verify and admin stats then
match exactly what the laptops sent: no item lost, none duplicated."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from app.evidence.signing import unb64, verify_object
from app.sync.protocol import CTX_RECEIPT
from tests.archive.conftest import PG_ENV, _pg_database
from tests.archive.helpers import ArchiveProcess, Journal, Laptop
from tests.archive.s3server import S3Server

LAPTOPS = 20
ITEMS = 3

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_processes(tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Any:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (archive/tests_pg.sh starts a throwaway server)")
    for k, v in s3_server.env.items():
        monkeypatch.setenv(k, v)
    url = _pg_database(base)
    bucket = s3_server.new_bucket()
    data = tmp_path / "archive"
    args = ["--blob-store", f"s3://{bucket}", "--s3-endpoint", s3_server.url]
    a = ArchiveProcess(data, url, env=s3_server.env, args=args).start()
    b = ArchiveProcess(data, url, env=s3_server.env, args=args)
    b.log_path = tmp_path / "archive-b.log"
    b.start()
    try:
        yield a, b, bucket
    finally:
        a.kill()
        b.kill()


def _one_laptop(n: int, code: str, urls: tuple[str, str], shared: bytes) -> dict[str, Any]:
    laptop = Laptop(urls[n % 2])
    r = laptop.register(code)
    assert r.status_code == 201, r.text
    sent: dict[str, Any] = {"device": laptop.device_id, "blobs": set(), "receipts": [],
                            "archive_key": r.json()["archive_public_key"]}
    clients = [Laptop(u, laptop.device_id, laptop.key, laptop.inspectors).client() for u in urls]
    try:
        step = 0

        def client() -> Any:  # every request goes to the other process than the one before
            nonlocal step
            step += 1
            return clients[step % 2]

        j = Journal(laptop)
        j.append("case.created", {"case": j.case_id, "institution": {"name": f"医院{n}"}})
        for i in range(ITEMS):
            data = shared if i == 0 else f"photo {n}/{i}".encode() * (2000 + n)  # one blob all laptops hold
            laptop.upload(client(), data)
            sha = hashlib.sha256(data).hexdigest()
            sent["blobs"].add(sha)
            j.append("evidence.captured", j.manifest(sha, size=len(data)))
        for _ in range(2):  # two pushes: the second extends the journal with a consistency proof
            r = client().post("/v1/push", json=j.batch())
            assert r.status_code == 200, r.text
            sent["receipts"].append(r.json())
            j.pushed = len(j.leaves)
            j.append("note.added", {"n": n, "text": f"第{len(j.leaves)}条"})
        j.leaves.pop()  # the last note was never pushed
        sent["leaves"] = len(j.leaves)
        sent["payloads"] = len({leaf["entry"]["payload_sha256"] for leaf in j.leaves})
        sent["case"] = j.case_id
    finally:
        for c in clients:
            c.close()
    return sent


def test_two_processes_twenty_laptops(two_processes: Any, s3_server: S3Server) -> None:
    a, b, bucket = two_processes
    codes = [a.admin("enrolment-code").stdout.strip() for _ in range(LAPTOPS)]
    shared = b"one scan every laptop holds" * 4000
    with ThreadPoolExecutor(LAPTOPS) as pool:
        results = list(pool.map(lambda n: _one_laptop(n, codes[n], (a.url, b.url), shared), range(LAPTOPS)))

    blobs = set().union(*(r["blobs"] for r in results))
    stats_a = json.loads(a.admin("stats").stdout)
    stats_b = json.loads(b.admin("stats").stdout)
    assert stats_a == stats_b
    assert stats_a["cases"] == LAPTOPS
    assert stats_a["devices"] == LAPTOPS and stats_a["inspectors"] == 2 * LAPTOPS
    assert stats_a["leaves"] == sum(r["leaves"] for r in results)
    assert stats_a["items"] == sum(r["payloads"] for r in results)
    assert stats_a["receipts"] == 2 * LAPTOPS
    assert stats_a["blobs"] == len(blobs) and stats_a["uploads_open"] == 0
    assert stats_a["alerts"] == 0 and stats_a["conflicts"] == 0
    assert sorted(k.rsplit("/", 1)[-1] for k in s3_server.keys(bucket)) == sorted(blobs)
    report = a.admin("verify", check=False)
    assert report.returncode == 0, report.stdout
    # every receipt is signed by the one archive key, whichever process gave it
    assert len({r["archive_key"] for r in results}) == 1
    pub = unb64(results[0]["archive_key"])
    for r in results:
        for receipt in r["receipts"]:
            verify_object(receipt["sig"], CTX_RECEIPT, receipt["payload"], pub)
