"""Guard state that every archive process behind one address shares, kept in the database (never in process
memory): request and enrolment rate buckets, and the lock on each upload's staging file. Request nonces live
there too (``archive/requestauth.py``).

``take`` answers whether a key may act now; ``acquire``/``current``/``touch``/``release`` hold an upload for one
PATCH at a time and let the same device break a lock whose connection has gone quiet (a laptop whose Wi-Fi
dropped reconnects before the archive notices the old connection is dead), whichever process holds it.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL rows are
created if absent (``ON CONFLICT DO NOTHING``) and then read ``FOR UPDATE``, so two processes never both spend
the last token or both take a lock. A PATCH re-reads and extends its lock at most every ``CHECK_S`` seconds
while bytes arrive (one small write), not per chunk.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable

from sqlalchemy import delete, select, update

from archive.db import Database, UploadLock
from archive.shared_state import insert_absent, take_token

#: how often a PATCH in progress confirms and extends its lock in the database while bytes arrive
CHECK_S = 2.0


class Busy(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class GuardState:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        # lock owners name their host and process: a lock left by a process of this host that is gone (killed,
        # restarted) is taken over at once instead of after the stale period
        self._host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
        self._prefix = f"{self._host}.{os.getpid()}"
        self._tokens = itertools.count(1)
        self._mutex = threading.Lock()
        self._checked: dict[int, float] = {}  # token -> monotonic time of the last database check
        self._stale: dict[int, float] = {}

    # --- token buckets -------------------------------------------------------------------------------------
    def take(self, key: str, rate_per_s: float, burst: float) -> float | None:
        """One token from ``key``'s bucket: None when allowed, else the seconds to wait."""
        with self.db.write() as s:
            wait = take_token(s, key[:160], rate_per_s, burst, self.clock())
        return None if wait <= 0 else wait

    # --- upload locks --------------------------------------------------------------------------------------
    def _owner(self, token: int) -> str:
        return f"{self._prefix}-{token}"

    def acquire(self, upload_id: str, stale_after_s: float) -> tuple[int, bool]:
        """Hold ``upload_id`` for one PATCH: (token, whether a stale holder was displaced). Raises Busy while a
        live holder has received bytes within ``stale_after_s``. Uploads are per device, so whoever reaches
        here for this upload is the device that owns it."""
        token = next(self._tokens)
        owner = self._owner(token)
        now = self.clock()
        with self.db.write() as s:
            insert_absent(s, UploadLock, {"upload_id": upload_id, "owner": owner, "until": now + stale_after_s})
            row = s.execute(select(UploadLock).where(UploadLock.upload_id == upload_id).with_for_update()
                            ).scalar_one()
            broke = False
            if row.owner != owner:
                if row.until > now and not self._holder_gone(row.owner):
                    raise Busy(row.until - now)
                row.owner, row.until, broke = owner, now + stale_after_s, True
        with self._mutex:
            self._checked[token] = time.monotonic()
            self._stale[token] = stale_after_s
        return token, broke

    def _holder_gone(self, owner: str) -> bool:
        """Was ``owner`` a process of this host that no longer runs?"""
        host, _, rest = owner.partition(".")
        pid_text = rest.partition("-")[0]  # owners are HOST.PID-TOKEN
        if host != self._host or not pid_text.isdigit() or int(pid_text) == os.getpid():
            return False
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return True
        except OSError:  # exists, but another user's: alive
            return False
        return False

    def current(self, upload_id: str, token: int, *, fresh: bool = False) -> bool:
        """Does this PATCH still hold the upload? Asks the database at most every ``CHECK_S`` seconds while bytes
        arrive, and always when ``fresh`` (before the offset is committed)."""
        with self._mutex:
            last = self._checked.get(token)
        if last is None:
            return False
        if not fresh and time.monotonic() - last < CHECK_S:
            return True
        return self._renew(upload_id, token)

    def touch(self, upload_id: str, token: int) -> None:
        """Bytes arrived: the lock is extended (in the database at most every ``CHECK_S`` seconds)."""
        self.current(upload_id, token)

    def _renew(self, upload_id: str, token: int) -> bool:
        with self.db.write() as s:
            held = s.execute(
                update(UploadLock)
                .where(UploadLock.upload_id == upload_id, UploadLock.owner == self._owner(token))
                .values(until=self.clock() + self._stale.get(token, 15.0))
                .returning(UploadLock.upload_id)
            ).first()
        with self._mutex:
            if held is None:
                self._checked.pop(token, None)
                return False
            self._checked[token] = time.monotonic()
        return True

    def release(self, upload_id: str, token: int) -> None:
        with self.db.write() as s:
            s.execute(delete(UploadLock).where(UploadLock.upload_id == upload_id,
                                               UploadLock.owner == self._owner(token)))
        with self._mutex:
            self._checked.pop(token, None)
            self._stale.pop(token, None)
