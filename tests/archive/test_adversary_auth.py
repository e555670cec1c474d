"""Attacks on the office by doing things at once (each against SQLite and, with FIELDAUDIT_TEST_PG_URL, PostgreSQL):
parallel wrong passwords all count towards the lockout, parallel actions all reach the hash-chained log, and two
steps of one case taken at the same moment keep the procedure's order."""

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


@pytest.mark.postgres
def test_steps_of_one_case_taken_at_once_keep_their_order(tmp_path: Path, database_url: str | None) -> None:
    """Two office users acting on one case at the same moment: 告知 recorded again while the decision is being
    recorded. Each checked the order against what was committed before the other's step, so on PostgreSQL both
    went in and 告知 followed the decision."""
    import datetime as dt

    from archive.db import Case
    from archive.office.cases import CaseSummary
    from archive.office.procedure import history, take_step

    archive = open_archive(tmp_path / "a", database_url, create=True)
    head = auth.Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    today = dt.date(2026, 6, 1)
    try:
        bad = 0
        for n in range(12):
            case = CaseSummary(id=f"case-{n}", title="t", institution="某医院", kind="routine", status="closed",
                               source="device", created_at="2026-01-01", team=["a", "b"])
            with archive.db.write() as s:
                s.add(Case(id=case.id, source="device", created_at=dt.datetime(2026, 1, 1)))
                for stage in ("filed", "investigated", "notified"):
                    take_step(archive, s, head, case, stage, {"on": "2026-03-02"}, today=today)

            def act(stage: str, case: CaseSummary = case) -> None:
                form = {"on": "2026-03-02"} if stage == "notified" else {
                    "on": "2026-03-03", "decision": "追回", "amount": "1", "waived": "yes"}
                try:
                    with archive.db.write() as s:
                        take_step(archive, s, head, case, stage, form, today=today)
                except auth.OfficeError:
                    pass

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(act, ["notified", "decided"]))
            with archive.db.read() as s:
                stages = [h["stage"] for h in history(s, case.id)]
            if "decided" in stages and stages.index("decided") < len(stages) - 1:
                bad += 1
        assert bad == 0, f"{bad} of 12 cases have a step recorded after the decision"
    finally:
        archive.db.dispose()
