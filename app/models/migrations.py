"""Versioned schema. ``PRAGMA user_version`` holds the version; each step runs once, in one transaction.

Each version's DDL is frozen as text in ``ddl/vN.sql`` (never "whatever schema.py says today"): release 0.1.0 is
version 1. A release that changes ``app/models/schema.py`` adds ``ddl/v{N+1}.sql`` with the change and appends its
step to ``MIGRATIONS``; a shipped file or step is never edited. ``tests/models/test_upgrade.py`` checks that the
frozen chain builds exactly the tables ``schema.py`` describes, and upgrades the profile each release left in
``tests/data/`` (docs/architecture.md 'Upgrades').
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from app.errors import ProfileProblem

DDL_DIR = Path(__file__).resolve().parent / "ddl"


def frozen_statements(version: int) -> list[str]:
    return read_frozen(DDL_DIR / f"v{version}.sql")


def read_frozen(path: Path) -> list[str]:
    """The statements of a frozen DDL file (here and archive/ddl/): comment lines dropped, split at a ';' that
    ends a line before a blank line (a trigger's inner ';' never does)."""
    source = path.read_text("utf-8")
    body = "\n".join(line for line in source.splitlines() if not line.startswith("--"))
    return [part.strip() for part in body.split(";\n\n") if part.strip().rstrip(";")]


def _frozen(version: int) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        for statement in frozen_statements(version):
            conn.exec_driver_sql(statement.rstrip(";"))
    step.__name__ = f"_v{version}"
    return step


# Step N brings a store from version N-1 to N by running ddl/vN.sql (plus, where a step must move data, code that
# reads only the tables as that file leaves them, never app.models.schema). Version 1 created every table, index
# and the triggers that keep evidence, signed objects, payloads, checkpoints and the journal append-only.
# Step 2 (release 0.2): the drafts table (typed, unsigned page contents; app.workflow.drafts).
MIGRATIONS: list[Callable[[Connection], None]] = [_frozen(1), _frozen(2)]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("PRAGMA user_version")).scalar_one())


def migrate(engine: Engine) -> int:
    """Bring the store to ``SCHEMA_VERSION``; returns the version found before."""
    found = current_version(engine)
    if found > SCHEMA_VERSION:
        raise ProfileProblem(
            "此数据库由更新版本的程序创建，请升级本程序。",
            "This store was written by a newer release; upgrade the program.",
        )
    for version in range(found, SCHEMA_VERSION):
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version + 1}")
    return found
