"""SyncClient in process: resumable uploads across a cancel and an archive killed mid-blob; the purge policy."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from app.evidence.check import check_store
from app.models.schema import Blob, Case
from app.sync import state
from app.sync.client import SyncCancelled, SyncClient, SyncProgress
from app.sync.purge import purge_archived_blobs
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile, archive_rows, restart_same_port, stats
from tests.sync.helpers import add_case, add_data_item, local_leaves, open_demo, random_bytes

BIG = 50 * 1024 * 1024
CHUNK = 8 * 1024 * 1024


def _register(store: object, archive: ArchiveProcess) -> None:
    code = archive.admin("enrolment-code").stdout.strip()
    with SyncClient(store, archive.url) as c:  # type: ignore[arg-type]
        c.register(code, "test laptop")


def test_upload_resumes_after_cancel_and_archive_kill(demo: DemoProfile, archive: ArchiveProcess) -> None:
    a, b = demo.inspectors
    with open_demo(demo.root) as store:
        _register(store, archive)
        case_id = add_case(store, [a, b], a, "大文件案件")
        big_sha = add_data_item(store, case_id, random_bytes(BIG), "his-dump.bak")
        # the demo case first, so the big upload is a case of its own
        with SyncClient(store, archive.url) as c:
            assert not c.push_case(demo.case_id).refused

        # 1. cancelled at ~25 %: the upload state stays in the profile
        cancel = threading.Event()

        def stop_at_quarter(p: SyncProgress) -> None:
            if p.phase == "upload" and p.bytes_done >= BIG // 4 + 3 * 1024 * 1024:
                cancel.set()

        with SyncClient(store, archive.url, progress=stop_at_quarter, cancel=cancel) as c1, \
                pytest.raises(SyncCancelled):
            c1.sync()
        sent_before_restart = c1.stats.bytes_sent
        with store.session() as s:
            saved = state.get(s, f"upload.{big_sha}")
        assert saved and saved["length"] == BIG
        held_after_cancel = archive_rows(archive, f"SELECT offset FROM uploads WHERE sha256 = '{big_sha}'")[0][0]
        assert 0 < held_after_cancel <= sent_before_restart
        assert sent_before_restart - held_after_cancel < CHUNK  # < 1 chunk lost by the cancel

        # 2. "the app restarts": a new client resumes from the archive's offset; the archive is killed at ~60 %
        killed: list[int] = []
        seen: list[SyncProgress] = []

        def kill_at_60(p: SyncProgress) -> None:
            seen.append(p)
            if p.phase == "upload" and not killed and p.bytes_done >= int(BIG * 0.6):
                killed.append(p.bytes_done)
                restart_same_port(archive)  # SIGKILL mid-PATCH, then the same port and data again

        with SyncClient(store, archive.url, progress=kill_at_60) as c2:
            report = c2.sync()
        assert killed, "the archive was never killed"
        assert report.ok
        [result] = [r for r in report.cases if r.case_id == case_id]
        assert result.blobs_uploaded == 1 and result.bytes_uploaded == BIG - held_after_cancel
        assert c2.stats.bytes_needed == BIG - held_after_cancel  # resumed at the archive's offset, not at 0
        assert c2.stats.bytes_sent - c2.stats.bytes_needed < CHUNK  # < 1 chunk resent after the kill
        assert c2.stats.retries >= 1
        print(f"\nresume figures: cancelled at archive offset {held_after_cancel} after sending {sent_before_restart}; "
              f"killed at {killed[0]}; second run needed {c2.stats.bytes_needed}, sent {c2.stats.bytes_sent} "
              f"(resent {c2.stats.bytes_sent - c2.stats.bytes_needed}), {c2.stats.patches} PATCHes, "
              f"{c2.stats.retries} retries")
        assert any(p.eta_seconds is not None for p in seen) and seen[-1].phase == "done"
        with store.session() as s:
            assert state.get(s, f"upload.{big_sha}") is None
            row = s.get(Blob, big_sha)
            assert row is not None and row.archived
        leaves = local_leaves(store, case_id)
    held = archive_rows(archive, f"SELECT seq, leaf_hash FROM leaves WHERE case_id = '{case_id}' ORDER BY seq")
    assert [(int(x), h) for x, h in held] == leaves
    assert (archive.data / "blobs" / big_sha[:2] / big_sha).stat().st_size == BIG
    assert stats(archive)["uploads_open"] == 0
    assert archive.admin("verify", check=False).returncode == 0


def test_purge_only_with_receipt_check_and_retention(demo: DemoProfile, archive: ArchiveProcess,
                                                     tmp_path: Path) -> None:
    a, b = demo.inspectors
    with open_demo(demo.root) as store:
        _register(store, archive)
        open_case = add_case(store, [a, b], a, "未结案件")
        open_blob = add_data_item(store, open_case, random_bytes(100_000))
        with SyncClient(store, archive.url) as c:
            # no receipt yet: nothing may go, whatever the age
            later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
            assert purge_archived_blobs(store, c, now=later).purged == []
            assert c.sync().ok
            with store.session() as s:
                demo_blobs = {h for h, in s.execute(Blob.__table__.select().with_only_columns(Blob.sha256))} - {
                    open_blob}
            # receipt, but the retention period (30 days) has not passed
            first = purge_archived_blobs(store, c)
            assert first.purged == [] and set(first.kept.values()) >= {"retention period not over", "case not closed"}
            # after 31 days: the closed demo case's blobs go (a separate check found them at the archive), the open
            # case's blob stays
            result = purge_archived_blobs(store, c, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
        assert set(result.purged) == demo_blobs
        assert result.kept[open_blob] == "case not closed"
        with store.session() as s:
            assert s.get(Case, demo.case_id).status == "closed"  # type: ignore[union-attr]
            for sha in demo_blobs:
                row = s.get(Blob, sha)
                assert row is not None and row.archived  # the row stays: hash and size
                assert state.get(s, f"blob.purged.{sha}")["cases"] == [demo.case_id]
        # the encrypted files are gone; the open case's file is still there
        from app.evidence.blobstore import BlobStore

        bs = BlobStore(store)
        with store.session() as s:
            for sha in demo_blobs:
                assert not bs.path_for(s.get(Blob, sha).file_name).exists()  # type: ignore[union-attr]
        bs.verify(open_blob)
        # check counts the purged copies as archived elsewhere; a file missing without the purge record still fails
        report = check_store(store)
        assert report.ok, report.failures
        assert report.archived_elsewhere == len(demo_blobs)


def test_lost_reply_after_commit_gives_the_same_receipt_in_batches(demo: DemoProfile, archive: ArchiveProcess) -> None:
    with open_demo(demo.root) as store:
        _register(store, archive)
        # the archive dies after committing the first batch and before replying (a lost reply)
        restart_same_port(archive, {"FIELDAUDIT_ARCHIVE_CRASHPOINT": "push.after_commit"})
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                with SyncClient(store, archive.url, max_batch_leaves=30) as c:
                    outcome["report"] = c.sync()
                    outcome["retries"] = c.stats.retries
            except BaseException as exc:  # reported to the test thread
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        assert archive.wait_dead(60) == 137
        restart_same_port(archive)
        worker.join(120)
        assert "error" not in outcome, outcome.get("error")
        report = outcome["report"]
        [result] = report.cases  # type: ignore[attr-defined]
        leaves = local_leaves(store, demo.case_id)
        assert result.batches == -(-len(leaves) // 30) and result.leaves_sent == len(leaves)
        assert result.receipt_size == len(leaves) and int(outcome["retries"]) >= 1  # type: ignore[call-overload]
        with store.session() as s:
            assert state.get(s, f"receipt.{demo.case_id}")["payload"]["size"] == len(leaves)
    held = archive_rows(archive, f"SELECT seq, leaf_hash FROM leaves WHERE case_id = '{demo.case_id}' ORDER BY seq")
    assert [(int(x), h) for x, h in held] == leaves
    st = stats(archive)
    assert st["receipts"] == result.batches and st["leaves"] == len(leaves)  # nothing twice
    assert archive.admin("verify", check=False).returncode == 0


def test_a_wrong_fingerprint_is_refused_before_the_code_is_used(demo: DemoProfile, archive: ArchiveProcess) -> None:
    from app.sync.errors import ArchiveFingerprintMismatch

    code = archive.admin("enrolment-code").stdout.strip()
    served = archive.admin("fingerprint").stdout.strip()
    misread = served[:-1] + ("0" if served[-1] != "0" else "1")
    with open_demo(demo.root) as store, SyncClient(store, archive.url) as c:
        with pytest.raises(ArchiveFingerprintMismatch):
            c.register(code, "test laptop", misread)
        with store.session() as s:
            assert state.get(s, "archive") is None  # nothing pinned
        assert archive_rows(archive, "SELECT count(*) FROM devices")[0][0] == 0  # nothing enrolled
        # the same one-time code still works once the fingerprint is read right (written the office's way)
        pin = c.register(code, "test laptop", served.upper().replace(" ", "-"))
        assert pin["fingerprint"] == served
