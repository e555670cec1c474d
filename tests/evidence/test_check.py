"""``check`` applies the verifier's journal rules to the live store, even against someone holding the key."""

from __future__ import annotations

from sqlalchemy import text

from app.evidence import journal
from app.evidence.check import check_store
from app.models.profile import Store


def _log(store: Store, n: int) -> None:
    actor = store.unlocked_inspectors()[0]
    with store.transaction() as s:
        for i in range(n):
            journal.append(s, store, "case-x", actor, "test.event", {"n": i})
        journal.checkpoint(s, store, "case-x", "test")
    with store.transaction() as s:  # leaves after the last checkpoint are normal in a live store
        journal.append(s, store, "case-x", actor, "test.event", {"n": n})


def test_sound_journal_passes(unlocked: Store) -> None:
    _log(unlocked, 5)
    report = check_store(unlocked, blobs=False)
    assert report.ok, report.failures
    assert (report.logs, report.leaves, report.checkpoints) == (1, 6, 1)


def test_deleted_leaf_is_found_even_with_the_triggers_dropped(unlocked: Store) -> None:
    _log(unlocked, 5)
    with unlocked.transaction() as s:
        s.execute(text("DROP TRIGGER journal_no_delete"))
        s.execute(text("DELETE FROM journal WHERE log_id = 'case-x' AND seq = 2"))
    failures = check_store(unlocked, blobs=False).failures
    assert any(f.startswith("log case-x: journal leaf #2") for f in failures), failures
    assert any("checkpoint" in f for f in failures)


def test_rewritten_payload_is_found(unlocked: Store) -> None:
    _log(unlocked, 3)
    with unlocked.transaction() as s:
        s.execute(text("DROP TRIGGER payloads_no_update"))
        s.execute(text("UPDATE payloads SET body = :new WHERE body = :old"), {"new": b'{"n":99}', "old": b'{"n":1}'})
    failures = check_store(unlocked, blobs=False).failures
    assert any("payload does not match" in f for f in failures), failures
