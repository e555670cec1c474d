"""Attacks on the office login: wrong passwords sent in parallel all count towards the lockout (on PostgreSQL the
failure count was read without a row lock, so parallel guesses overwrote each other's count)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.office import auth
from archive.office.models import OfficeUser
from archive.service import open_archive

PASSWORD = "reviewer-pass-1"


@pytest.mark.postgres
def test_parallel_wrong_passwords_all_count(tmp_path: Path, database_url: str | None) -> None:
    archive = open_archive(tmp_path / "a", database_url, create=True)
    try:
        auth.add_user(archive.db, "head", "钱科长", "head", PASSWORD)

        def guess(n: int) -> str:
            try:
                auth.login(archive.db, "head", f"guess-{n:04d}-x")
            except auth.OfficeError as exc:
                return exc.en
            return "in"

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(guess, range(2 * auth.MAX_FAILURES)))
        assert "in" not in answers
        with archive.db.read() as s:
            user = s.query(OfficeUser).filter_by(login="head").one()
            assert user.locked_until is not None, f"{user.failures} failures counted of {len(answers)}"
        with pytest.raises(auth.OfficeError):  # locked: even the right password is refused for now
            auth.login(archive.db, "head", PASSWORD)
    finally:
        archive.db.dispose()


@pytest.mark.postgres
def test_parallel_office_actions_all_reach_the_log(tmp_path: Path, database_url: str | None) -> None:
    """Each office action appends to the hash-chained log. On PostgreSQL the last row was read FOR UPDATE: a
    transaction that waited on it got the same (now superseded) row back, took the same seq, and failed."""
    archive = open_archive(tmp_path / "a", database_url, create=True)
    try:
        def act(n: int) -> str:
            try:
                for k in range(5):
                    with archive.db.write() as s:
                        auth.append_log(s, None, "case.viewed", f"case-{n}", k=k)
            except Exception as exc:  # the failure is the finding
                return type(exc).__name__
            return "ok"

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(act, range(8)))
        assert answers == ["ok"] * 8
        with archive.db.read() as s:
            assert auth.verify_log(s) == []
            assert s.query(auth.OfficeLogEntry).count() == 40
    finally:
        archive.db.dispose()
