"""Put this directory on a child Python's PYTHONPATH to make it look like Windows where FieldAudit could trip:

- ``fcntl``, ``termios``, ``pwd``, ``grp`` and ``resource`` cannot be imported (a meta-path finder refuses them);
- ``os`` lacks POSIX-only functions Windows' ``os`` lacks (``fchmod``, ``chown``...);
- opening a directory (``os.open(DIR, ...)``, what a POSIX directory fsync does) fails with EACCES, as on Windows,
  and shutil.rmtree takes the path-based route it takes there.

Each refused import and directory open is appended to the file named by ``WINSIM_LOG``, so a test can tell the
simulation was in force and was hit.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys

BLOCKED = frozenset({"fcntl", "termios", "pwd", "grp", "resource"})
# What our own code could call. The user-id functions, statvfs and uname stay: installed packages and the standard
# library (shutil.disk_usage, platform.machine) choose their POSIX code by sys.platform, which still says linux
# here, and take another route on Windows. tests/portability/test_posix_calls.py checks our code never calls them.
MISSING_OS = ("fchmod", "fchown", "chown", "lchown", "sync", "killpg", "setsid")
_LOG = os.environ.get("WINSIM_LOG")


def _note(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(what + "\n")


class _PosixBlocker:
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in BLOCKED:
            _note(f"import {name}")
            raise ModuleNotFoundError(f"No module named {name!r} (simulated Windows)", name=name)


for _name in BLOCKED:
    sys.modules.pop(_name, None)
sys.meta_path.insert(0, _PosixBlocker())

for _attr in MISSING_OS:
    if hasattr(os, _attr):
        delattr(os, _attr)

_real_open = os.open


def _open(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
    try:
        is_dir = stat.S_ISDIR(os.stat(path, dir_fd=dir_fd).st_mode)
    except (OSError, TypeError, ValueError):
        is_dir = False
    if is_dir:
        _note(f"open-dir {path}")
        raise PermissionError(errno.EACCES, "Permission denied (simulated Windows: a directory cannot be opened)",
                              os.fsdecode(path) if not isinstance(path, int) else str(path))
    return _real_open(path, flags, mode, dir_fd=dir_fd)


os.open = _open
shutil._use_fd_functions = False  # type: ignore[attr-defined]
_note("winsim active")
