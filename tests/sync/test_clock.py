"""The sync client reads and waits on an injected clock: retry budgets pass without the test waiting, requests are
signed with the clock's time, and a cancel stops a backoff."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from app.models.profile import Store
from app.sync.client import ArchiveUnreachable, SyncCancelled, SyncClient
from app.sync.clock import Clock, ManualClock
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import DemoProfile, stats


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


def test_a_laptop_clock_years_wrong_is_refused_in_both_languages_and_nothing_is_stored(
        demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> None:
    """A registered laptop whose clock is three years ahead syncs: the archive refuses the signed request
    (``stale_request``); the laptop says so in Chinese and English, naming the clock, and the archive holds none
    of its cases."""
    import time

    from app.sync.errors import ArchiveError
    from tests.sync.helpers import open_demo, register

    register(demo, archive, tmp_path)
    store = open_demo(demo.root)
    ahead = 3 * 365 * 86400
    try:
        with SyncClient(store, archive.url, clock=Clock(wall=lambda: time.time() + ahead)) as c, \
                pytest.raises(ArchiveError) as err:
            c.sync()
    finally:
        store.close()
    assert err.value.error == "stale_request"
    assert "时钟" in err.value.message_zh and "clock" in err.value.message_en
    assert stats(archive)["cases"] == 0 and stats(archive)["leaves"] == 0
