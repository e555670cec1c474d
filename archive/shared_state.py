"""State that every archive process behind one address must share, kept in the database (never in process
memory): per-device request rate buckets and the lease on each upload's staging file. Request nonces
(``archive.db.Nonce``) live there too.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL the row is
created if absent (``ON CONFLICT DO NOTHING``) and then read ``FOR UPDATE``, so two processes never both spend the
last token or both take a lease.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.db import Database, RateBucket, UploadLock

#: a PATCH holds its upload for this long after the last bytes arrived; a dead connection frees it after that
LEASE_S = 10.0
#: while bytes arrive the lease is extended at most this often (one small write)
RENEW_S = 2.0


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
        return (1.0 - tokens) / rate_per_s
    row.tokens, row.updated = tokens - 1.0, max(now, row.updated)
    return 0.0


class UploadLeases:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def acquire(self, upload_id: str, owner: str) -> bool:
        """Take the upload for ``owner`` unless another holder's lease is still running."""
        now = self.clock()
        with self.db.write() as s:
            insert_absent(s, UploadLock, {"upload_id": upload_id, "owner": owner, "until": now + LEASE_S})
            row = s.execute(
                select(UploadLock).where(UploadLock.upload_id == upload_id).with_for_update()
            ).scalar_one()
            if row.owner == owner:
                return True
            if row.until > now:
                return False
            row.owner, row.until = owner, now + LEASE_S  # the previous holder stopped sending: its lease ran out
            return True

    def renew(self, upload_id: str, owner: str) -> bool:
        """Extend ``owner``'s lease; False when it was lost to another PATCH."""
        with self.db.write() as s:
            done = s.execute(
                update(UploadLock)
                .where(UploadLock.upload_id == upload_id, UploadLock.owner == owner)
                .values(until=self.clock() + LEASE_S)
                .returning(UploadLock.upload_id)
            ).first()
            return done is not None

    def holds(self, s: Session, upload_id: str, owner: str) -> bool:
        """Inside the caller's transaction: does ``owner`` still hold the upload?"""
        row = s.execute(
            select(UploadLock.owner).where(UploadLock.upload_id == upload_id).with_for_update()
        ).scalar_one_or_none()
        return row == owner

    def release(self, upload_id: str, owner: str) -> None:
        with self.db.write() as s:
            s.execute(delete(UploadLock).where(UploadLock.upload_id == upload_id, UploadLock.owner == owner))
