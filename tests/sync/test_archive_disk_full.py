"""The laptop says "archive disk full" when the archive's disk is full — a real small tmpfs filled up — and the
next sync, once space is freed, goes through (app/sync/errors.py KNOWN_REFUSALS)."""

from __future__ import annotations

from pathlib import Path

from app.sync.client import SyncClient
from tests.archive.helpers import ArchiveProcess, fill_disk, small_disk
from tests.sync.conftest import DemoProfile
from tests.sync.helpers import add_case, add_data_item, open_demo, random_bytes


def test_laptop_says_archive_disk_full(demo: DemoProfile, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 32) as disk:
        proc = ArchiveProcess(disk / "archive")
        proc.log_path = tmp_path / "archive.log"
        proc.start()
        try:
            with open_demo(demo.root) as store:
                a, b = demo.inspectors
                case_id = add_case(store, [a, b], a, "磁盘测试")
                add_data_item(store, case_id, random_bytes(1 << 20))  # more than the space left below
                with SyncClient(store, proc.url) as c:
                    c.register(proc.admin("enrolment-code").stdout.strip(), "laptop")
                filler = fill_disk(disk, leave=256 * 1024)
                with SyncClient(store, proc.url) as c:
                    result = c.push_case(case_id)
                assert result.refused and result.error == "disk_full", result.reasons
                (why,) = result.reasons
                assert why["message_en"].startswith("Archive disk full") and "档案中心磁盘已满" in why["message_zh"]
                assert "tamper" not in why["message_en"] and "internal" not in why["message_en"]
                filler.unlink()
                with SyncClient(store, proc.url) as c:
                    again = c.push_case(case_id)
                assert not again.refused and again.receipt_size, again.reasons
        finally:
            proc.kill()
