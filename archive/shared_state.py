"""Database primitives for state that every archive process behind one address shares (``archive/limits.py``
builds the guard state on them): a token bucket spent inside a write transaction, and insert-if-absent.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL the row is
created if absent (``ON CONFLICT DO NOTHING``) and then read ``FOR UPDATE``, so two processes never both spend the
last token or both take a lease.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.db import RateBucket


def insert_absent(s: Session, model: type, values: dict[str, object]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two processes (or threads) recording the same row both succeed."""
    dialect = s.get_bind().dialect.name
    stmt = (postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)).values(**values)
    s.execute(stmt.on_conflict_do_nothing())


def take_token(s: Session, key: str, rate_per_s: float, burst: float, now: float) -> float:
    """Spend one token of ``key``'s bucket inside the caller's write transaction. Returns 0 when spent, else the
    seconds until a token is available (nothing is spent)."""
    insert_absent(s, RateBucket, {"key": key, "tokens": burst, "updated": now})
    row = s.execute(select(RateBucket).where(RateBucket.key == key).with_for_update()).scalar_one()
    elapsed = max(0.0, now - row.updated)  # a clock set back refills nothing
    tokens = min(burst, row.tokens + elapsed * rate_per_s)
    if tokens < 1.0:
        return (1.0 - tokens) / rate_per_s if rate_per_s > 0 else 3600.0
    row.tokens, row.updated = tokens - 1.0, max(now, row.updated)
    return 0.0
