"""Resumable uploads: cuts at 10/50/90 %, HEAD after completion, flipped bytes, offsets, crashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Laptop

CHUNK = 4 * 1024 * 1024


def make_blob(size: int, seed: int = 1) -> bytes:
    """Deterministic, incompressible test data of ``size`` bytes."""
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(8, "big") + block[:32]).digest() + block[32:]
        counter += 1
    return bytes(out[:size])


def cut_patch(proc: ArchiveProcess, laptop: Laptop, upload_id: str, offset: int, body: bytes, send: int) -> None:
    """A PATCH whose connection drops after ``send`` of its ``len(body)`` bytes (raw socket, no retry)."""
    target = f"/v1/uploads/{upload_id}"
    headers = {"Host": f"127.0.0.1:{proc.port}", "Content-Length": str(len(body)), "Upload-Offset": str(offset),
               "Content-Type": "application/offset+octet-stream", "Tus-Resumable": "1.0.0",
               **laptop.headers("PATCH", target, body)}
    head = f"PATCH {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", proc.port)) as s:
        s.sendall(head.encode())
        s.sendall(body[:send])
        time.sleep(0.05)
        s.shutdown(socket.SHUT_RDWR)


def head_offset(client: httpx.Client, upload_id: str) -> tuple[int, str]:
    """The archive's offset once it has settled after a cut (a cut PATCH may still be finishing)."""
    last = (-1, "")
    for _ in range(200):
        r = client.head(f"/v1/uploads/{upload_id}")
        assert r.status_code == 200
        cur = (int(r.headers["Upload-Offset"]), r.headers["FA-Upload-Status"])
        if cur == last:
            return cur
        last = cur
        time.sleep(0.05)
    return last


def resume(client: httpx.Client, upload_id: str, data: bytes, chunk: int = CHUNK) -> int:
    """Finish an upload from the archive's offset; returns the bytes sent."""
    sent = 0
    offset, status = head_offset(client, upload_id)
    while status != "complete":
        part = data[offset : offset + chunk]
        r = client.patch(f"/v1/uploads/{upload_id}", content=part,
                         headers={"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        if r.status_code == 409:  # a previous PATCH still settling
            time.sleep(0.1)
            offset, status = head_offset(client, upload_id)
            continue
        assert r.status_code == 204, r.text
        sent += len(part)
        offset, status = int(r.headers["Upload-Offset"]), r.headers["FA-Upload-Status"]
    return sent


def upload_with_cuts(proc: ArchiveProcess, laptop: Laptop, data: bytes, cuts: list[float]) -> dict[str, int]:
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as c:
        r = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)})
        assert r.status_code == 201
        uid = r.json()["id"]
        sent = 0
        for frac in cuts:
            cut_at = int(len(data) * frac)
            offset, _ = head_offset(c, uid)
            # send whole chunks up to the chunk containing the cut, then drop the connection inside it
            while offset + CHUNK <= cut_at:
                sent += resume_one(c, uid, data, offset)
                offset, _ = head_offset(c, uid)
            part = data[offset : offset + CHUNK]
            cut_patch(proc, laptop, uid, offset, part, cut_at - offset)
            sent += cut_at - offset
            after, status = head_offset(c, uid)
            assert status == "open"
            assert after <= cut_at
        sent += resume(c, uid, data)
        r = c.head(f"/v1/uploads/{uid}")
        assert r.headers["FA-Upload-Status"] == "complete" and r.headers["FA-Upload-SHA256"] == sha
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
    return {"length": len(data), "sent": sent, "resent": sent - len(data)}


def resume_one(client: httpx.Client, upload_id: str, data: bytes, offset: int) -> int:
    part = data[offset : offset + CHUNK]
    r = client.patch(f"/v1/uploads/{upload_id}", content=part,
                     headers={"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 204, r.text
    return len(part)


@pytest.mark.parametrize("size", [24 * 1024 * 1024])
def test_cuts_at_10_50_90_resume_with_less_than_a_chunk_resent(archive_proc: ArchiveProcess, size: int) -> None:
    laptop = enrolled_laptop(archive_proc)
    data = make_blob(size)
    figures = upload_with_cuts(archive_proc, laptop, data, [0.10, 0.50, 0.90])
    assert 0 <= figures["resent"] < CHUNK, figures
    stored = archive_proc.data / "blobs" / hashlib.sha256(data).hexdigest()[:2] / hashlib.sha256(data).hexdigest()
    assert stored.stat().st_size == size


@pytest.mark.slow
def test_cuts_on_a_200_mb_blob(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    data = make_blob(200 * 1024 * 1024, seed=2)
    figures = upload_with_cuts(sqlite_archive, laptop, data, [0.10, 0.50, 0.90])
    print("200MB cut figures", figures)
    assert 0 <= figures["resent"] < CHUNK, figures


def test_head_after_completion_and_recreate_answer_complete(archive_proc: ArchiveProcess) -> None:
    laptop = enrolled_laptop(archive_proc)
    data = make_blob(3 * 1024 * 1024 + 17)
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as c:
        state = laptop.upload(c, data, chunk=1024 * 1024)
        assert state["status"] == "complete"
        for _ in range(3):  # a lost final reply: HEAD keeps answering complete, nothing to resend
            r = c.head(f"/v1/uploads/{state['id']}")
            assert r.status_code == 200
            assert r.headers["FA-Upload-Status"] == "complete"
            assert r.headers["Upload-Offset"] == str(len(data)) and r.headers["FA-Upload-SHA256"] == sha
        again = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()
        assert again["id"] == state["id"] and again["status"] == "complete" and again["offset"] == len(data)
        # a PATCH at the final offset is a harmless no-op
        r = c.patch(f"/v1/uploads/{state['id']}", content=b"",
                    headers={"Upload-Offset": str(len(data)), "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "complete"
    # another device uploading the same blob must send its bytes (tests/archive/test_blob_possession.py): they are
    # hashed, and the blob is stored once
    other = enrolled_laptop(archive_proc)
    with other.client() as c:
        r = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)})
        assert r.json()["status"] == "open" and r.json()["offset"] == 0
        assert other.upload(c, data)["status"] == "complete"
    stats = archive_proc.admin("stats").stdout
    assert '"blobs": 1' in stats


def test_flipped_byte_refused_and_upload_discarded(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    data = make_blob(2 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0x01
    with laptop.client() as c:
        uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
        r = c.patch(f"/v1/uploads/{uid}", content=bytes(bad),
                    headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
        h = c.head(f"/v1/uploads/{uid}")
        assert h.headers["FA-Upload-Status"] == "failed" and h.headers["Upload-Offset"] == "0"
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == [sha]
        # re-creating starts over and the right bytes go through
        assert c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["status"] == "open"
        assert resume(c, uid, data) == len(data)
    assert not list((sqlite_archive.data / "staging").iterdir())


def test_offset_mismatch_and_overlong_body(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    data = make_blob(1024 * 1024)
    with laptop.client() as c:
        uid = c.post("/v1/uploads", json={"sha256": hashlib.sha256(data).hexdigest(), "length": len(data)}).json()["id"]
        r = c.patch(f"/v1/uploads/{uid}", content=data[:10],
                    headers={"Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 409 and r.headers["Upload-Offset"] == "0"
        r = c.patch(f"/v1/uploads/{uid}", content=data + b"x",
                    headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 413
        assert c.head(f"/v1/uploads/{uid}").headers["Upload-Offset"] == "0"
        # someone else's upload id is not found
    other = enrolled_laptop(sqlite_archive)
    with other.client() as c:
        assert c.head(f"/v1/uploads/{uid}").status_code == 404


class FakeClock:
    """The archive's clock, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def test_stale_uploads_expire(tmp_path: Path) -> None:
    from archive.errors import ApiError
    from archive.service import open_archive
    from archive.uploads import Uploads

    archive = open_archive(tmp_path / "a", create=True)
    archive.settings = dataclasses.replace(archive.settings, upload_ttl_s=3600.0)
    clock = FakeClock()
    uploads = Uploads(archive, clock=clock)
    try:
        stale = uploads.create("dev-1", "1" * 64, 100)
        assert stale["expires_at"] == "2026-03-01T10:00:00.000Z"
        assert uploads.staging_path(stale["id"]).exists()
        clock.advance(1800)
        fresh = uploads.create("dev-1", "2" * 64, 100)
        clock.advance(1801)  # the first is 3601 s old, the second 1801 s
        assert uploads.sweep() == 1
        with pytest.raises(ApiError) as err:
            uploads.get("dev-1", stale["id"])
        assert err.value.status == 404
        assert not uploads.staging_path(stale["id"]).exists()
        assert uploads.get("dev-1", fresh["id"])["status"] == "open"
        # a clock set back by a day discards nothing more: nothing is older than the TTL from "now"
        clock.advance(-86400)
        assert uploads.sweep() == 0
        assert uploads.get("dev-1", fresh["id"])["status"] == "open"
        clock.advance(86400 + 1800)
        assert uploads.sweep() == 1
    finally:
        archive.db.engine.dispose()
        archive.db.read_engine.dispose()


def test_killed_during_staging_fsync_loses_nothing(tmp_path: Path) -> None:
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        laptop = enrolled_laptop(proc)
        data = make_blob(3 * CHUNK)
        sha = hashlib.sha256(data).hexdigest()
        with laptop.client() as c:
            uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
            resume_one(c, uid, data, 0)
        proc.kill()
        proc.start(env={"FIELDAUDIT_ARCHIVE_CRASHPOINT": "upload.before_fsync"})
        laptop.base_url = proc.url
        with laptop.client() as c, pytest.raises(httpx.HTTPError):
            c.patch(f"/v1/uploads/{uid}", content=data[CHUNK : 2 * CHUNK],
                    headers={"Upload-Offset": str(CHUNK), "Content-Type": "application/offset+octet-stream"})
        assert proc.wait_dead() == 137
        proc.kill()
        proc.start()
        laptop.base_url = proc.url
        with laptop.client() as c:
            offset, status = head_offset(c, uid)
            assert (offset, status) == (CHUNK, "open")  # the acknowledged chunk survived, the torn one did not count
            assert resume(c, uid, data) == 2 * CHUNK
        assert proc.admin("verify").returncode == 0
    finally:
        proc.kill()


def test_killed_after_blob_write_before_commit(tmp_path: Path) -> None:
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        laptop = enrolled_laptop(proc)
        data = make_blob(CHUNK + 1000)
        sha = hashlib.sha256(data).hexdigest()
        proc.kill()
        proc.start(env={"FIELDAUDIT_ARCHIVE_CRASHPOINT": "upload.after_blob_put"})
        laptop.base_url = proc.url
        with laptop.client() as c:
            uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
            with pytest.raises(httpx.HTTPError):
                c.patch(f"/v1/uploads/{uid}", content=data,
                        headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert proc.wait_dead() == 137
        proc.kill()
        proc.start()
        laptop.base_url = proc.url
        with laptop.client() as c:
            r = c.head(f"/v1/uploads/{uid}")
            assert r.headers["FA-Upload-Status"] == "complete" and r.headers["FA-Upload-SHA256"] == sha
            assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
        assert proc.admin("verify").returncode == 0
        assert '"blobs": 1' in proc.admin("stats").stdout
    finally:
        proc.kill()


def test_unsigned_payload_only_on_patch(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    data = make_blob(1_500_000)
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as c:
        r = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)},
                   headers={"FA-Content-SHA256": "UNSIGNED-PAYLOAD"})
        assert r.status_code == 401 and r.json()["error"] == "body_mismatch"
        uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
        bad = bytearray(data)
        bad[7] ^= 0xFF
        r = c.patch(f"/v1/uploads/{uid}", content=bytes(bad), headers={
            "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
            "FA-Content-SHA256": "UNSIGNED-PAYLOAD"})
        assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"  # still caught at completion
        c.post("/v1/uploads", json={"sha256": sha, "length": len(data)})
        r = c.patch(f"/v1/uploads/{uid}", content=data, headers={
            "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
            "FA-Content-SHA256": "UNSIGNED-PAYLOAD"})
        assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "complete"
