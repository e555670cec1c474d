"""A checkpoint dated earlier than one the archive holds for the same journal is accepted (archive/PROTOCOL.md,
"Checkpoint times"): the real client makes exactly that in every multi-batch push, and a laptop clock set back
must not strand a journal. Replays and rollbacks are caught by size and root, whatever the time says."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx

from app.evidence.canonical import loads
from app.evidence.signing import sign_object
from app.sync.protocol import CTX_CHECKPOINT
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal

P1, P2 = "checkpoint-time-pass-1", "checkpoint-time-pass-2"


def dated(j: Journal, batch: dict[str, Any], time: str) -> dict[str, Any]:
    """The batch with its checkpoint claiming ``time``, signed again by the device."""
    cp = {**batch["checkpoint"]["checkpoint"], "time": time}
    return {**batch, "checkpoint": {"checkpoint": cp,
                                    "sig": sign_object(j.laptop.key, j.laptop.device_id, CTX_CHECKPOINT, cp)}}


def codes(r: httpx.Response) -> list[str]:
    return [x["code"] for x in r.json().get("reasons") or []]


def held_checkpoints(proc: ArchiveProcess, case_id: str) -> list[tuple[int, str]]:
    with sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT size, checkpoint FROM checkpoints WHERE case_id = ? ORDER BY size", (case_id,))
        return [(int(size), str(loads(raw.encode())["checkpoint"]["time"])) for size, raw in rows]


def test_clock_set_back_between_pushes_is_accepted(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    j = Journal(laptop)
    for i in range(3):
        j.append("note.added", {"case": j.case_id, "n": i})
    first = dated(j, j.batch(), "2026-11-24T09:00:00.000Z")  # the laptop's clock ran a day fast
    with laptop.client() as c:
        r1 = c.post("/v1/push", json=first)
        assert r1.status_code == 200, r1.text
        j.pushed = 3
        j.append("note.added", {"case": j.case_id, "n": 3})
        second = dated(j, j.batch(), "2026-11-23T09:30:00.000Z")  # corrected: later journal, earlier time
        r2 = c.post("/v1/push", json=second)
        assert r2.status_code == 200, r2.text
        receipt = r2.json()["payload"]
        assert (receipt["size"], receipt["checkpoint_time"]) == (4, "2026-11-23T09:30:00.000Z")
        assert receipt["archive_time"]  # the archive's own time bounds the claim from above
        # a replay of the older batch still answers with its own receipt, and changes nothing
        assert c.post("/v1/push", json=first).json() == r1.json()
        # a shorter rewritten journal is a rollback however late it claims to be
        rewritten = Journal(laptop, j.case_id)
        for i in range(2):
            rewritten.append("note.added", {"case": j.case_id, "n": 100 + i})
        r = c.post("/v1/push", json=dated(rewritten, rewritten.batch(), "2027-01-01T00:00:00.000Z"))
        assert r.status_code == 422 and codes(r) == ["journal_rollback"], r.text
        # the same size with another root, dated later, is a fork
        forked = Journal(laptop, j.case_id)
        for i in range(4):
            forked.append("note.added", {"case": j.case_id, "n": 200 + i})
        r = c.post("/v1/push", json=dated(forked, forked.batch(), "2027-01-01T00:00:00.000Z"))
        assert r.status_code == 422 and codes(r) == ["journal_fork"], r.text
    assert held_checkpoints(sqlite_archive, j.case_id) == [(3, "2026-11-24T09:00:00.000Z"),
                                                           (4, "2026-11-23T09:30:00.000Z")]
    assert sqlite_archive.admin("verify").returncode == 0


def test_the_real_client_dates_its_last_batch_earlier(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    """The client signs each intermediate batch's checkpoint when it pushes, but the last batch carries the
    checkpoint the laptop made before the push began: every multi-batch push hands the archive a larger checkpoint
    dated earlier than one it already holds for this journal."""
    from app.models.profile import Profile
    from app.sync.client import SyncClient
    from app.workflow.demo import build_demo

    demo = build_demo(tmp_path / "demo", P1, P2)
    with Profile.open(tmp_path / "demo").unlock(P1) as store:
        store.unlock_inspector(P2)
        code = sqlite_archive.admin("enrolment-code").stdout.strip()
        with SyncClient(store, sqlite_archive.url) as client:
            client.register(code, "test laptop")
        with SyncClient(store, sqlite_archive.url, max_batch_leaves=10) as client:
            report = client.sync()
    [result] = [r for r in report.cases if r.case_id == demo.case_id]
    assert not result.refused and result.batches >= 3, result
    held = held_checkpoints(sqlite_archive, demo.case_id)
    assert len(held) == result.batches and held[-1][0] == result.receipt_size
    times = [t for _, t in held]
    assert times[-1] < max(times[:-1]), held  # the flow a "never earlier" rule would refuse
    assert sqlite_archive.admin("verify").returncode == 0
