"""The sync client reads and waits on an injected clock: retry budgets pass without the test waiting, requests are
signed with the clock's time, and a cancel stops a backoff."""

from __future__ import annotations

import socket
import threading

import pytest

from app.models.profile import Store
from app.sync.client import ArchiveUnreachable, SyncCancelled, SyncClient
from app.sync.clock import Clock, ManualClock


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def test_an_unreachable_archive_uses_up_the_budget_on_the_clock(unlocked: Store) -> None:
    clock = ManualClock()
    url = f"http://127.0.0.1:{_closed_port()}"
    with SyncClient(unlocked, url, clock=clock.clock(), retry_seconds=120.0) as c, \
            pytest.raises(ArchiveUnreachable):
        c._json("GET", "/v1/health")
    # the backoff slept on the manual clock past the 120 s budget; the wall clock hardly moved
    assert sum(clock.slept) > 120.0
    assert c.stats.retries >= 5


def test_a_cancel_stops_the_backoff(unlocked: Store) -> None:
    clock = ManualClock()
    cancel = threading.Event()

    def sleep_then_cancel(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.slept) == 3:
            cancel.set()

    c = SyncClient(unlocked, f"http://127.0.0.1:{_closed_port()}", cancel=cancel, retry_seconds=3600.0,
                   clock=Clock(wall=lambda: clock.now, monotonic=lambda: clock.now, sleep=sleep_then_cancel))
    with c, pytest.raises(SyncCancelled):
        c._json("GET", "/v1/health")
    assert len(clock.slept) == 3


def test_requests_are_signed_with_the_clock_time(unlocked: Store) -> None:
    clock = ManualClock(wall=1_800_000_000.25)
    with SyncClient(unlocked, "http://127.0.0.1:9", clock=clock.clock()) as c:
        request = c._http.build_request("GET", "/v1/health")
        signed = next(c._http.auth.sync_auth_flow(request))  # type: ignore[union-attr]
    assert signed.headers["FA-Time"] == "1800000000"
