"""Versioned schema. ``PRAGMA user_version`` holds the version; each step runs once, in one transaction.

Release 1 is version 1. A later release appends a function to ``MIGRATIONS``; never edit a shipped step.
Upgrade tests open store files kept from earlier releases (tests/models/data/).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from app.errors import ProfileProblem
from app.models.schema import Base

IMMUTABLE_TABLES: dict[str, tuple[str, ...]] = {
    # table -> columns that may still change (bookkeeping only, never content)
    "signed_objects": ("archived",),
    "journal": ("archived",),
    "checkpoints": (),
    "payloads": (),
    "blobs": ("archived",),
    "evidence_items": ("thumbnail_sha256",),
}


def _immutable_triggers(conn: Connection) -> None:
    for table, mutable in IMMUTABLE_TABLES.items():
        cols = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
        frozen = ", ".join(c for c in cols if c not in mutable)
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE OF {frozen} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'fieldaudit: {table} rows are immutable'); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'fieldaudit: {table} rows are append-only'); END"
        )


def _v1(conn: Connection) -> None:
    Base.metadata.create_all(conn)
    _immutable_triggers(conn)


def _v2_drafts(conn: Connection) -> None:
    """Release 2: the ``drafts`` table (typed, unsigned page contents; app.workflow.drafts)."""
    from app.models.schema import Draft

    Draft.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2_drafts]
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
