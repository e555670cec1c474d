"""The time a sync client reads and waits on, injectable so that tests move it instead of waiting for it.

``wall`` signs requests (the archive refuses a request time outside its skew window) and dates checkpoints;
``monotonic`` measures retry budgets and transfer rates; ``sleep`` waits between retries (in slices, so that a cancel
is noticed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCK = Clock()


class ManualClock:
    """A clock that moves only when told to, or when something sleeps on it (for tests and simulations)."""

    def __init__(self, wall: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = wall
        self.slept: list[float] = []

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)

    def clock(self) -> Clock:
        return Clock(wall=lambda: self.now, monotonic=lambda: self.now, sleep=self.sleep)
