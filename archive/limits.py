"""Short-lived, per-process guard state: request and enrolment rate buckets and upload locks.

Kept behind this one small interface so that a deployment with several archive processes can move it to the
shared database (the nonces already live there, archive/requestauth.py): ``take`` answers whether a key may act
now; ``acquire``/``current``/``touch``/``release`` hold an upload for one PATCH at a time, and let the same
device break a lock whose connection has gone quiet (a laptop whose Wi-Fi dropped reconnects before the archive
notices the old connection is dead)."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass


class Busy(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Lock:
    token: int
    last_active: float


class GuardState:
    """In-process implementation (one archive process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._uploads: dict[str, _Lock] = {}
        self._tokens = itertools.count(1)

    # --- token buckets -------------------------------------------------------------------------------------
    def take(self, key: str, rate_per_s: float, burst: float) -> float | None:
        """One token from ``key``'s bucket: None when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate_per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate_per_s if rate_per_s > 0 else 3600.0
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget full buckets: they are the default anyway
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < burst - 1}
            return None

    # --- upload locks --------------------------------------------------------------------------------------
    def acquire(self, upload_id: str, stale_after_s: float) -> tuple[int, bool]:
        """Hold ``upload_id`` for one PATCH: (token, whether a stale holder was displaced). Raises Busy while a
        live holder has received bytes within ``stale_after_s``. Uploads are per device, so whoever reaches
        here for this upload is the device that owns it."""
        now = time.monotonic()
        with self._lock:
            held = self._uploads.get(upload_id)
            broke = False
            if held is not None:
                idle = now - held.last_active
                if idle < stale_after_s:
                    raise Busy(stale_after_s - idle)
                broke = True
            token = next(self._tokens)
            self._uploads[upload_id] = _Lock(token, now)
            return token, broke

    def current(self, upload_id: str, token: int) -> bool:
        with self._lock:
            held = self._uploads.get(upload_id)
            return held is not None and held.token == token

    def touch(self, upload_id: str, token: int) -> None:
        with self._lock:
            held = self._uploads.get(upload_id)
            if held is not None and held.token == token:
                held.last_active = time.monotonic()

    def release(self, upload_id: str, token: int) -> None:
        with self._lock:
            held = self._uploads.get(upload_id)
            if held is not None and held.token == token:
                del self._uploads[upload_id]
