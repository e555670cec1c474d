"""The SQLCipher 4 engine: a raw 256-bit key, SQLCipher's own log silenced, integrity checked on open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from app.errors import StoreDamaged, WrongPassphrase
from app.iofaults import io_fault

DatabaseError = sqlcipher3.dbapi2.DatabaseError


def _connect(path: Path, key: bytes) -> Any:
    conn = sqlcipher3.dbapi2.connect(str(path), check_same_thread=False, isolation_level=None)
    # Silence SQLCipher before it has anything to say: its own log lines must never reach the terminal.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA busy_timeout = 15000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")  # no plaintext temp files
    return conn


def probe(path: Path, key: bytes, integrity: bool = True) -> None:
    """Open once with ``key`` and raise WrongPassphrase or StoreDamaged; never writes to a damaged file."""
    try:
        conn = sqlcipher3.dbapi2.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except DatabaseError as exc:
        raise damaged_or_io(exc, path) from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except DatabaseError as exc:
            if "not a database" in str(exc) and _header_page_intact(path):
                # The key was derived from a keyslot that unwrapped correctly, so a key mismatch here means the
                # first page itself was altered.
                raise damaged_or_io(exc, path) from exc
            raise damaged_or_io(exc, path) from exc
        if integrity:
            try:
                rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            except DatabaseError as exc:
                raise damaged_or_io(exc, path) from exc
            if rows:
                raise StoreDamaged()
            try:
                ok = conn.execute("PRAGMA quick_check").fetchone()
            except DatabaseError as exc:
                raise damaged_or_io(exc, path) from exc
            if not ok or ok[0] != "ok":
                raise StoreDamaged()
    finally:
        conn.close()


def damaged_or_io(exc: BaseException, path: Path) -> Exception:
    """StoreDamaged, unless the failure was the machine's (a full disk, a read-only medium, permissions, a device
    error): that is named as such and the store is not called damaged (issue 12 item 9)."""
    return io_fault(exc, Path(path).parent) or StoreDamaged()


def _header_page_intact(path: Path) -> bool:
    try:
        return path.stat().st_size >= 4096
    except OSError:
        return False


def make_engine(path: Path, key: bytes) -> Engine:
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=lambda: _connect(path, key),
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:  # pragma: no cover - exercised by every write
        conn.exec_driver_sql("BEGIN")

    return engine


__all__ = ["DatabaseError", "StoreDamaged", "WrongPassphrase", "damaged_or_io", "make_engine", "probe"]
