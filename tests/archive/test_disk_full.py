"""A full archive disk — a real one: a small tmpfs filled up — is a 507 ``disk_full``, logged as one JSON line
(never a traceback), and nothing half-written: once space is freed the same upload and push go through."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal, fill_disk, small_disk


def test_full_disk_is_507_disk_full_and_recovers(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 24) as disk:
        proc = ArchiveProcess(disk / "archive")
        proc.log_path = tmp_path / "archive.log"  # the log lives off the full disk
        proc.start()
        try:
            laptop = enrolled_laptop(proc)
            blob = hashlib.sha256(b"seed").digest() * (2 * 1024 * 1024 // 32)  # 2 MiB
            sha = hashlib.sha256(blob).hexdigest()
            k = Journal(laptop)
            k.append("evidence.captured", k.manifest(sha, size=len(blob)))
            j = Journal(laptop)  # a record large enough that the database must grow to hold it
            j.append("record.signed", j.record("rec-big", "现场检查笔录。" * 300_000))
            with laptop.client() as c:
                up = c.post("/v1/uploads", json={"sha256": sha, "length": len(blob)}).json()
                target = f"/v1/uploads/{up['id']}"
                # nearly full: requests still get in (the nonce fits), the 2 MiB blob and the big record do not
                filler = fill_disk(disk, leave=512 * 1024)
                r = c.patch(target, content=blob, headers={
                    "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
                assert r.status_code == 507, r.text
                body = r.json()
                assert body["error"] == "disk_full" and body["message_zh"] and body["message_en"]
                r = c.post("/v1/push", json=j.batch())
                assert r.status_code == 507 and r.json()["error"] == "disk_full", r.text
                filler.unlink()  # space freed: everything resumes, nothing was half-stored
                offset = int(c.head(target).headers["Upload-Offset"])
                assert offset == 0
                r = c.patch(target, content=blob, headers={
                    "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
                assert r.status_code == 204 and r.headers["FA-Upload-Status"] == "complete", r.text
                for batch in (j.batch(), k.batch()):
                    r = c.post("/v1/push", json=batch)
                    assert r.status_code == 200, r.text
            assert proc.admin("verify").returncode == 0
        finally:
            proc.kill()
        log = proc.log_path.read_text()
        events = [json.loads(line) for line in log.splitlines()]  # every line one JSON object
        full = [e for e in events if e["event"] == "disk_full"]
        assert [(e["level"], e["where"], e["type"]) for e in full] == [
            ("error", "storage", "OSError"), ("error", "storage", "OperationalError")]  # the blob, the database
        assert "Traceback" not in log


def test_injected_enospc_at_the_storage_layer(tmp_path: Path) -> None:
    """The same refusal where no small file system can be mounted (CI without root): the upload write fails with
    ENOSPC (FIELDAUDIT_ARCHIVE_FAULT, archive/crash.py), and the laptop's error says "archive disk full"."""
    from app.sync.errors import ArchiveError

    proc = ArchiveProcess(tmp_path / "archive", env={"FIELDAUDIT_ARCHIVE_FAULT": "enospc:upload.write"}).start()
    try:
        laptop = enrolled_laptop(proc)
        blob = b"ledger page " * 10_000
        with laptop.client() as c:
            up = c.post("/v1/uploads", json={"sha256": hashlib.sha256(blob).hexdigest(), "length": len(blob)}).json()
            r = c.patch(f"/v1/uploads/{up['id']}", content=blob, headers={
                "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
            assert r.status_code == 507, r.text
            assert int(c.head(f"/v1/uploads/{up['id']}").headers["Upload-Offset"]) == 0  # nothing half-recorded
        shown = ArchiveError(r.status_code, r.json())
        assert shown.message_en.startswith("Archive disk full") and shown.message_zh.startswith("档案中心磁盘已满")
    finally:
        proc.kill()
    log = proc.log_path.read_text()
    assert [json.loads(x)["where"] for x in log.splitlines() if '"disk_full"' in x] == ["storage"]
    assert "Traceback" not in log
