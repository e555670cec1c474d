"""Which boot the monotonic counter belongs to, on Linux and on Windows (ARCHITECTURE.md 'Time').

A journal entry and an ``obtained_at`` claim carry the wall clock, ``time.monotonic_ns()`` and this identifier.
Two claims with the same identifier share one monotonic counter, so the wall clock's progress between them can be
checked against it (app/evidence/capture.py); the identifier must therefore change whenever the counter restarts
(a boot) and must not change otherwise -- in particular not when someone sets the wall clock.

- Linux: the kernel's random ``boot_id`` (``/proc/sys/kernel/random/boot_id``).
- Windows: the kernel's boot counter ``BootId`` (``HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\
  Memory Management\\PrefetchParameters``), incremented at every boot and independent of the wall clock; Python's
  monotonic clock there counts from boot (``GetTickCount64`` up to 3.12, ``QueryPerformanceCounter`` from 3.13).
  Where that value cannot be read, the boot time (wall clock minus ``GetTickCount64`` uptime, as
  ``psutil.boot_time()`` computes it) rounded to 10 s: it moves when the wall clock is set, which then looks like a
  new boot -- the comparison is skipped (a weaker claim), never a false "trusted".
- Anywhere else: a random identifier per process (comparisons only within one run).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

LINUX_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
_WINDOWS_KEY = r"SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management\PrefetchParameters"
_PROCESS_BOOT = "process:" + os.urandom(8).hex()


@cache
def boot_id() -> str:
    """This boot's identifier; read once, a running process never outlives its boot."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return windows_boot_id(_read_windows_boot_counter, _windows_uptime_ms, time.time)
    try:
        return LINUX_BOOT_ID.read_text().strip()
    except OSError:
        return _PROCESS_BOOT


def windows_boot_id(read_counter: Callable[[], int | None], uptime_ms: Callable[[], int | None],
                    wall: Callable[[], float]) -> str:
    """The Windows rule, with its OS readers passed in (so it is testable off Windows)."""
    counter = read_counter()
    if counter is not None:
        return f"win-bootid:{counter}"
    up = uptime_ms()
    if up is not None:
        return f"win-boottime:{int((wall() - up / 1000) // 10) * 10}"
    return _PROCESS_BOOT


def _read_windows_boot_counter() -> int | None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _WINDOWS_KEY) as key:
            value, kind = winreg.QueryValueEx(key, "BootId")
        return int(value) if kind == winreg.REG_DWORD else None
    except (ImportError, OSError, ValueError, TypeError):
        return None


def _windows_uptime_ms() -> int | None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        fn = ctypes.windll.kernel32.GetTickCount64
        fn.restype = ctypes.c_ulonglong
        return int(fn())
    except (ImportError, AttributeError, OSError):
        return None
