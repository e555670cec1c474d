"""Encrypted blobs: streaming, authenticated chunks, crash safety, nothing readable on disk."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.evidence.blobstore import CHUNK_SIZE, BlobDamaged, BlobStore
from app.evidence.check import check_store
from app.models.profile import Profile, Store
from app.models.schema import Blob
from tests.conftest import TwoInspectorProfile


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17])
def test_round_trip_at_chunk_boundaries(unlocked: Store, size: int) -> None:
    data = os.urandom(size)
    bs = BlobStore(unlocked)
    with unlocked.transaction() as s:
        stored = bs.ingest(s, io.BytesIO(data))
    assert stored.size == size
    assert bs.read(stored.sha256) == data


def test_same_bytes_are_stored_once(unlocked: Store) -> None:
    bs = BlobStore(unlocked)
    data = os.urandom(1000)
    with unlocked.transaction() as s:
        first = bs.ingest(s, io.BytesIO(data))
    with unlocked.transaction() as s:
        second = bs.ingest(s, io.BytesIO(data))
    assert first.new and not second.new
    files = [p for p in unlocked.profile.paths.blobs.rglob("*") if p.is_file()]
    assert len(files) == 1


def _blob_file(store: Store, sha: str) -> Path:
    with store.session() as s:
        row = s.get(Blob, sha)
        assert row is not None
        return BlobStore(store).path_for(row.file_name)


@pytest.mark.parametrize("where", ["flip", "truncate", "drop_last_chunk", "swap_chunks"])
def test_tampering_with_a_blob_is_detected(unlocked: Store, where: str) -> None:
    bs = BlobStore(unlocked)
    data = os.urandom(2 * CHUNK_SIZE + 500)
    with unlocked.transaction() as s:
        sha = bs.ingest(s, io.BytesIO(data)).sha256
    path = _blob_file(unlocked, sha)
    raw = bytearray(path.read_bytes())
    block = CHUNK_SIZE + 16
    if where == "flip":
        raw[17 + CHUNK_SIZE + 100] ^= 1
    elif where == "truncate":
        raw = raw[:-10]
    elif where == "drop_last_chunk":
        raw = raw[: 17 + 2 * block]
    else:
        raw = raw[:17] + raw[17 + block : 17 + 2 * block] + raw[17 : 17 + block] + raw[17 + 2 * block :]
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobDamaged):
        bs.read(sha)
    report = check_store(unlocked)
    assert not report.ok and any(sha in f for f in report.failures)


def test_marker_is_nowhere_in_clear(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    from app.workflow.cases import CaseSpec, add_institution, create_case

    marker = "UNIQUE-MARKER-稽核-" + os.urandom(6).hex()
    tmp_before = set(Path(tempfile.gettempdir()).iterdir())
    store = Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    store.unlock_inspector(two_inspectors.pass_b)
    with store, store.transaction() as s:
        inst = add_institution(s, name="某医院", kind="designated_hospital")
        create_case(s, store, two_inspectors.inspector_a, CaseSpec(
            institution_id=inst.id, kind="routine",
            inspector_ids=[two_inspectors.inspector_a, two_inspectors.inspector_b], matters=marker))
        BlobStore(store).ingest(s, io.BytesIO((marker + "\n").encode() * 5000))
    needles = [marker.encode("utf-8"), marker.encode("utf-16-le")]
    new_tmp = [p for p in Path(tempfile.gettempdir()).iterdir() if p not in tmp_before]
    for root in [two_inspectors.root, *new_tmp]:
        for path in ([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                content = path.read_bytes()
                assert not any(n in content for n in needles), f"marker found in clear in {path}"


KILL_SCRIPT = """
import io, os, sys, time
from pathlib import Path
from app.models.profile import Profile
from app.evidence.blobstore import BlobStore
store = Profile.open(Path(sys.argv[1])).unlock(sys.argv[2])
bs = BlobStore(store)
src = open(sys.argv[3], 'rb')
def progress(done):
    if done >= 8 << 20:
        print('MIDWAY', flush=True)
    time.sleep(0.01)
with store.transaction() as s:
    bs.ingest(s, src, progress)
print('DONE', flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_100mb_ingest_leaves_a_sound_store(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        for _ in range(100):
            fh.write(os.urandom(1 << 20))
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(two_inspectors.root), two_inspectors.pass_a, str(big)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "MIDWAY"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    staged = list((two_inspectors.root / "staging").iterdir())
    assert staged, "the kill should have interrupted a staged ingest"
    with Profile.open(two_inspectors.root).unlock(two_inspectors.pass_b) as store:
        report = check_store(store)
        assert report.ok, report.failures
        assert report.orphans_removed >= 1
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Blob)) == 0
    assert list((two_inspectors.root / "staging").iterdir()) == []


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17])
def test_staged_from_memory_and_placed_reads_back(unlocked: Store, size: int) -> None:
    data = os.urandom(size)
    bs = BlobStore(unlocked)
    staged = bs.stage(data, place=True)
    assert staged.placed is not None
    with unlocked.transaction() as s:
        stored = bs.adopt(s, staged)
    assert stored.new and stored.size == size
    assert bs.read(stored.sha256) == data
    assert list(unlocked.profile.paths.staging.iterdir()) == []


def test_same_bytes_staged_twice_in_flight(unlocked: Store) -> None:
    bs = BlobStore(unlocked)
    data = os.urandom(3000)
    first, second = bs.stage(data, place=True), bs.stage(data, place=True)
    assert first.placed is not None and second.placed is None  # link() never replaces the first one's file
    with unlocked.transaction() as s:
        assert bs.adopt(s, first).new
    with unlocked.transaction() as s:
        assert not bs.adopt(s, second).new
    assert bs.read(first.sha256) == data
    assert len([p for p in unlocked.profile.paths.blobs.rglob("*") if p.is_file()]) == 1
    assert list(unlocked.profile.paths.staging.iterdir()) == []


def test_placed_link_replaced_and_removed_by_an_earlier_item_is_restored(unlocked: Store) -> None:
    """Item 2's worker placed the blob; item 1 (same bytes, its own staged copy) adopted it first, replacing the
    placed link, then rolled back and removed it. Item 2 must still end up with its file, and discarding must never
    remove a file that is not the discarder's own."""
    bs = BlobStore(unlocked)
    data = os.urandom(5000)
    placed, other = bs.stage(data, place=True), bs.stage(data, place=True)
    final = bs.path_for(bs.file_name(placed.sha256))
    with pytest.raises(RuntimeError), unlocked.transaction() as s:
        bs.adopt(s, other)
        raise RuntimeError("item 1 fails")
    final.unlink()  # what capture does with the files of a rolled-back transaction
    with unlocked.transaction() as s:
        assert bs.adopt(s, placed).new
    assert bs.read(placed.sha256) == data
    again = bs.stage(data, place=True)
    assert again.placed is None
    bs.discard(again)
    assert bs.read(placed.sha256) == data


def test_discarding_a_placed_blob_removes_it(unlocked: Store) -> None:
    bs = BlobStore(unlocked)
    staged = bs.stage(os.urandom(100), place=True)
    final = bs.path_for(bs.file_name(staged.sha256))
    assert final.exists()
    bs.discard(staged)
    assert not final.exists() and list(unlocked.profile.paths.staging.iterdir()) == []
