"""One program per profile: an exclusive lock on ``PROFILE/.lock`` held while the store is open.

The lock is the OS's (``flock`` on Linux, ``LockFileEx``-style byte locking on Windows) through ``filelock``, so a
lock left by a program that crashed or was killed dies with its process and never blocks the next start. Where
neither exists, ``filelock`` falls back to a marker file naming its owner's process, which it breaks once that
process is gone.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from app.errors import ProfileProblem

with warnings.catch_warnings():
    # "only soft file lock is available": said once at import where the OS has no native lock; the fallback is
    # documented above, and a CLI prints nothing but its one-line results and errors.
    warnings.simplefilter("ignore")
    import filelock

# A few polls rather than one attempt: the marker-file fallback breaks a dead owner's marker on one poll and takes
# the lock on the next. A live holder is reported after this wait.
ACQUIRE_WAIT_S = 0.5


class ProfileLock:
    def __init__(self, path: Path):
        # Not thread-local: the GUI may open the store on one thread and lock it on another. The file is empty and
        # the profile's folder owner-only; its mode is set where the OS has modes to set.
        if hasattr(os, "fchmod"):
            self._lock = filelock.FileLock(str(path), timeout=ACQUIRE_WAIT_S, thread_local=False, mode=0o600)
        else:
            self._lock = filelock.FileLock(str(path), timeout=ACQUIRE_WAIT_S, thread_local=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire(timeout=ACQUIRE_WAIT_S)
        except filelock.Timeout as exc:
            raise ProfileProblem(
                "该档案正被另一个程序使用，请先关闭它。",
                "This profile is in use by another program; close it first.",
            ) from exc

    def release(self) -> None:
        self._lock.release()
