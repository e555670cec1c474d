"""Limits before work (archive/gate.py, archive/limits.py): a body is not read before the request's signature
holds, stalled connections are closed, a device resumes its own stale upload, open uploads and enrolment attempts
are limited. No timed assertions: "closed" means the archive closed the socket before the test's own, much
longer, socket timeout."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.sync.auth import sign_request_headers
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Laptop

MB = 1024 * 1024


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[ArchiveProcess]:
    """An archive with 1 s header and body timeouts and a 2 s stale-upload window."""
    proc = ArchiveProcess(tmp_path / "a", env={"FIELDAUDIT_ARCHIVE_HEADER_TIMEOUT": "1",
                                              "FIELDAUDIT_ARCHIVE_BODY_TIMEOUT": "1",
                                              "FIELDAUDIT_ARCHIVE_UPLOAD_STALE": "2"}).start()
    try:
        yield proc
    finally:
        proc.kill()


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def connect(proc: ArchiveProcess, timeout: float) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", proc.port), timeout=timeout)
    return s


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        part = s.recv(65536)
        if not part:
            break
        data += part
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        part = s.recv(65536)
        if not part:
            break
        rest += part
    return int(lines[0].split()[1]), headers, rest


def closed_by_peer(s: socket.socket) -> bool:
    """True when the archive closed the connection (EOF or reset) before the socket's own timeout."""
    try:
        while True:
            part = s.recv(65536)
            if not part:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_unsigned_300mb_body_refused_without_reading_it(sqlite_archive: ArchiveProcess) -> None:
    proc = sqlite_archive
    assert proc.proc is not None
    pid = proc.proc.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak RSS (VmHWM) to the current RSS
    before = rss_kib(pid, "VmRSS")
    total = 300 * MB
    chunk = b"\x00" * MB

    def body() -> Iterator[bytes]:  # streamed, so the test itself stays small
        for _ in range(total // MB):
            yield chunk

    s = connect(proc, 60)
    s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: archive\r\nContent-Type: application/json\r\n"
              + f"Content-Length: {total}\r\n\r\n".encode())
    sent = 0
    try:
        for part in body():
            s.sendall(part)
            sent += len(part)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the archive answered and closed without reading the rest
    try:
        status, headers, raw = read_response(s)
    except ConnectionResetError:
        status, headers, raw = 0, {}, b""
    s.close()
    growth_mb = (rss_kib(pid, "VmHWM") - before) / 1024
    print(f"unsigned 300 MB body: {sent // MB} MB sent before the archive closed, peak RSS growth {growth_mb:.1f} MB")
    assert growth_mb < 50, f"archive memory grew by {growth_mb:.0f} MB"
    assert sent < total, "the archive read the whole unsigned body"
    if status:  # the answer usually arrives before the reset
        assert status == 401 and json.loads(raw)["error"] == "unsigned_request"
        assert headers.get("connection") == "close"
    # a signed request announcing more than the limit is refused before its body too
    laptop = enrolled_laptop(proc)
    h = laptop.headers("POST", "/v1/push", b"")
    s = connect(proc, 60)
    s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: archive\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in h.items()).encode() + f"Content-Length: {300 * MB}\r\n\r\n".encode())
    status, _, raw = read_response(s)
    s.close()
    assert status == 413 and json.loads(raw)["error"] == "body_too_large"
    assert (rss_kib(pid, "VmHWM") - before) / 1024 < 50


def test_stalled_headers_and_body_are_closed(quick: ArchiveProcess) -> None:
    proc = quick
    # headers that never end (slowloris: a byte now and then keeps an idle timer alive, not the deadline)
    s = connect(proc, 0.3)
    s.sendall(b"POST /v1/push HTTP/1.1\r\nHost: archive\r\n")
    closed = False
    for _ in range(40):  # up to ~12 s of dribbling; the deadline is 1 s
        try:
            s.sendall(b"X")
            if s.recv(1) == b"":
                closed = True
                break
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
    s.close()
    assert closed, "a request whose headers never end was not closed"
    # an idle connection that never sends a request
    s = connect(proc, 10)
    assert closed_by_peer(s)
    s.close()
    # a signed upload PATCH whose body stalls: closed, and the bytes that did arrive are kept
    laptop = enrolled_laptop(proc)
    data = b"evidence " * 1000
    with laptop.client() as c:
        up = c.post("/v1/uploads", json={"sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}).json()
    target = f"/v1/uploads/{up['id']}"
    h = sign_request_headers(laptop.key, laptop.device_id, "PATCH", target, "UNSIGNED-PAYLOAD")
    s = connect(proc, 10)
    s.sendall(f"PATCH {target} HTTP/1.1\r\nHost: archive\r\nUpload-Offset: 0\r\n".encode()
              + b"Content-Type: application/offset+octet-stream\r\n"
              + "".join(f"{k}: {v}\r\n" for k, v in h.items()).encode()
              + f"Content-Length: {len(data)}\r\n\r\n".encode() + data[:100])
    assert closed_by_peer(s), "a stalled body was not closed"
    s.close()
    with laptop.client() as c:
        assert c.get(target).json()["offset"] == 100  # nothing that arrived is lost
    log = proc.log_path.read_text()
    phases = [json.loads(x).get("phase") for x in log.splitlines() if '"connection.timeout"' in x]
    assert {"headers", "body"} <= set(phases)


def test_device_resumes_its_own_stale_upload(tmp_path: Path) -> None:
    # the dead connection is held for a long time (60 s body timeout); its device takes over after 2 s of silence
    proc = ArchiveProcess(tmp_path / "a", env={"FIELDAUDIT_ARCHIVE_UPLOAD_STALE": "2",
                                              "FIELDAUDIT_ARCHIVE_BODY_TIMEOUT": "60"}).start()
    try:
        laptop = enrolled_laptop(proc)
        data = bytes(range(256)) * 4000
        sha = hashlib.sha256(data).hexdigest()
        with laptop.client() as c:
            up = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()
        target = f"/v1/uploads/{up['id']}"
        h = sign_request_headers(laptop.key, laptop.device_id, "PATCH", target, "UNSIGNED-PAYLOAD")
        dead = connect(proc, 30)  # the laptop's Wi-Fi drops mid-PATCH: the archive still holds this connection
        dead.sendall(f"PATCH {target} HTTP/1.1\r\nHost: archive\r\nUpload-Offset: 0\r\n".encode()
                     + b"Content-Type: application/offset+octet-stream\r\n"
                     + "".join(f"{k}: {v}\r\n" for k, v in h.items()).encode()
                     + f"Content-Length: {len(data)}\r\n\r\n".encode() + data[:5000])
        busy = 0
        with laptop.client() as c:
            for _ in range(30):
                offset = int(c.head(target).headers["Upload-Offset"])
                r = c.patch(target, content=data[offset:], headers={
                    "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
                if r.status_code == 204:
                    break
                assert r.status_code == 409 and r.json()["error"] == "upload_busy", r.text
                busy += 1
                time.sleep(float(r.headers["Retry-After"]))
            assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "complete"
            # the dead connection wakes up: nothing it sends is written any more
            try:
                dead.sendall(b"\xff" * 5000)
                status, _, raw = read_response(dead)
                assert status == 409 and json.loads(raw)["error"] == "upload_superseded"
            except (BrokenPipeError, ConnectionResetError):
                pass
            dead.close()
            assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
        assert proc.admin("verify").returncode == 0
        if busy:
            assert '"upload.lock_broken"' in proc.log_path.read_text()
    finally:
        proc.kill()


def test_open_upload_and_enrolment_limits(tmp_path: Path) -> None:
    proc = ArchiveProcess(tmp_path / "a", env={"FIELDAUDIT_ARCHIVE_MAX_OPEN_UPLOADS": "2",
                                              "FIELDAUDIT_ARCHIVE_MAX_OPEN_UPLOAD_BYTES": "10000",
                                              "FIELDAUDIT_ARCHIVE_ENROL_BURST": "4",
                                              "FIELDAUDIT_ARCHIVE_ENROL_RATE": "0.001"}).start()
    try:
        laptop = enrolled_laptop(proc)  # enrolment attempt 1 from 127.0.0.1
        other = enrolled_laptop(proc)  # 2

        def create(lap: Laptop, n: int, length: int = 100) -> httpx.Response:
            with lap.client() as c:
                return c.post("/v1/uploads", json={"sha256": hashlib.sha256(b"%d" % n).hexdigest(),
                                                   "length": length})

        assert create(laptop, 1).status_code == 201 and create(laptop, 2).status_code == 201
        r = create(laptop, 3)
        assert r.status_code == 409 and r.json()["error"] == "upload_limit"
        assert create(laptop, 1).status_code == 201  # resuming an open one is no new upload
        assert create(other, 3).status_code == 201  # per device
        r = create(other, 4, length=9999)
        assert r.status_code == 409 and r.json()["error"] == "upload_limit"  # declared bytes
        # enrolment attempts are counted per client address, whatever device id each claims
        codes = [Laptop(proc.url).register("AAAAA-BBBBB-CCCCC-DDDDD").status_code for _ in range(4)]
        assert codes[:2] == [401, 401] and codes[2:] == [429, 429], codes
        assert proc.admin("enrolment-code").returncode == 0
        r = Laptop(proc.url).register(proc.admin("enrolment-code").stdout.strip())
        assert r.status_code == 429 and r.json()["error"] == "rate_limited" and "Retry-After" in r.headers
    finally:
        proc.kill()


def test_oversized_headers_and_garbage_get_a_refusal_and_json_log(sqlite_archive: ArchiveProcess) -> None:
    proc = sqlite_archive
    s = connect(proc, 30)
    s.sendall(b"GET /v1/roster HTTP/1.1\r\nHost: archive\r\nX-Big: " + b"a" * (64 * 1024) + b"\r\n\r\n")
    status, _, _ = read_response(s)
    s.close()
    assert status in (400, 431)
    s = connect(proc, 30)
    s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    assert closed_by_peer(s)
    s.close()
    assert httpx.get(proc.url + "/v1/health").status_code == 200
    for line in proc.log_path.read_text().splitlines():
        json.loads(line)  # every log line is one JSON object: no traceback, no plain uvicorn text
