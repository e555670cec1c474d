"""Two archive processes on one database share what protects them: a request replayed to the other process is
refused, a device's rate budget is one budget whichever process it talks to, and an upload being written through
one process is busy for the other until the writer's lease runs out (SQLite file, and PostgreSQL)."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess
from tests.archive.test_uploads import CHUNK, head_offset, make_blob, resume

STALE_S = 3


@pytest.fixture
def pair(tmp_path: Path, database_url: str | None, request: pytest.FixtureRequest,
         ) -> Iterator[tuple[ArchiveProcess, ArchiveProcess]]:
    tight = "rate_limit" in request.node.name
    env = {"FIELDAUDIT_ARCHIVE_RATE": "0.01", "FIELDAUDIT_ARCHIVE_BURST": "12"} if tight else {}
    env["FIELDAUDIT_ARCHIVE_UPLOAD_STALE"] = str(STALE_S)
    a = ArchiveProcess(tmp_path / "data", database_url, env=env).start()
    b = ArchiveProcess(tmp_path / "data", database_url, env=env)
    b.log_path = tmp_path / "b.log"
    b.start()
    try:
        yield a, b
    finally:
        a.kill()
        b.kill()


def test_replay_and_rate_limit_across_processes(pair: tuple[ArchiveProcess, ArchiveProcess]) -> None:
    a, b = pair
    laptop = enrolled_laptop(a)  # (registration counts in a bucket of its own)
    headers = laptop.headers("GET", "/v1/roster")
    assert httpx.get(a.url + "/v1/roster", headers=headers).status_code == 200
    replayed = httpx.get(b.url + "/v1/roster", headers=headers)
    assert replayed.status_code == 401 and replayed.json()["error"] == "replayed_nonce"
    answers = []
    for n in range(13):  # 10 tokens left of 12 (the refused replay spent one too); alternating: one budget
        url = (a if n % 2 else b).url
        answers.append(httpx.get(url + "/v1/roster", headers=laptop.headers("GET", "/v1/roster")).status_code)
    assert answers.count(200) == 10 and answers[10:] == [429, 429, 429], answers


def test_an_upload_written_through_one_process_is_busy_for_the_other(
    pair: tuple[ArchiveProcess, ArchiveProcess],
) -> None:
    a, b = pair
    laptop = enrolled_laptop(a)
    data = make_blob(2 * CHUNK)
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as ca:
        uid = ca.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
    # a PATCH to A that sends its headers and a few bytes, then stalls with the connection open
    target = f"/v1/uploads/{uid}"
    headers = {"Host": f"127.0.0.1:{a.port}", "Content-Length": str(CHUNK), "Upload-Offset": "0",
               "Content-Type": "application/offset+octet-stream", "Tus-Resumable": "1.0.0",
               **laptop.headers("PATCH", target, data[:CHUNK])}
    head = f"PATCH {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", a.port)) as stalled:
        stalled.sendall(head.encode() + data[:1000])
        laptop.base_url = b.url
        with laptop.client() as cb:
            busy = None
            for _ in range(50):  # until A has taken the lease
                busy = cb.patch(target, content=data[:CHUNK], headers={
                    "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
                if busy.status_code == 409 and busy.json()["error"] == "upload_busy":
                    break
                time.sleep(0.1)
            assert busy is not None and busy.status_code == 409 and busy.json()["error"] == "upload_busy"
            assert int(busy.headers["Retry-After"]) >= 1
            # the stalled writer stops renewing its lease: after it runs out, B takes the upload over
            deadline = time.monotonic() + 4 * STALE_S
            while time.monotonic() < deadline:
                r = cb.patch(target, content=data[:CHUNK], headers={
                    "Upload-Offset": str(head_offset(cb, uid)[0]),
                    "Content-Type": "application/offset+octet-stream"})
                if r.status_code == 204:
                    break
                assert r.status_code == 409, r.text
                time.sleep(0.5)
            assert r.status_code == 204, r.text
            resume(cb, uid, data)
            assert cb.head(target).headers["FA-Upload-Status"] == "complete"
    assert a.admin("verify").returncode == 0
