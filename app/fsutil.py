"""Atomic file writes with permissions set first (STYLE.md §6): temp file, fsync, rename, fsync the directory.

Both systems' semantics (issue 16): a directory is fsynced only where the OS can open one (not Windows, whose
NTFS journals the rename itself); a rename over a file another process holds open (an antivirus scanner, the
search indexer, a PDF viewer) is refused by Windows for a moment, so :func:`replace` retries a bounded number of
times and then raises a clear :class:`~app.errors.EnvironmentProblem`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from app.errors import EnvironmentProblem

IS_WINDOWS = os.name == "nt"
# ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: the target (or the temp file) is open in
# another process without FILE_SHARE_DELETE; usually gone within a second.
_TRANSIENT_WINERRORS = frozenset({5, 32, 33})
REPLACE_ATTEMPTS = 10
REPLACE_FIRST_DELAY_S = 0.05  # doubling, capped at 1 s: about 5 s in all before giving up


def fsync_dir(path: Path, *, strict: bool = False) -> None:
    """Make a rename or a new name in ``path`` durable, where the OS supports opening a directory (not Windows).
    ``strict`` (the archive): a failure to open or fsync the directory is raised, not passed over."""
    if IS_WINDOWS or not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        if strict:
            raise
        return  # a file system that cannot open directories (as Windows): the rename is as durable as it gets
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)


def _transient(exc: OSError) -> bool:
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in _TRANSIENT_WINERRORS


def replace(src: str | Path, dst: str | Path, *, sleep: Callable[[float], None] | None = None) -> None:
    """``os.replace`` that waits out Windows' refusal to replace a file another process holds open."""
    delay = REPLACE_FIRST_DELAY_S
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if not _transient(exc):
                raise
            if attempt == REPLACE_ATTEMPTS - 1:
                raise EnvironmentProblem(
                    f"无法替换文件：{dst} 正被其他程序占用（如杀毒软件或文件预览），请关闭该程序后重试。",
                    f"Cannot replace {dst}: another program holds it open (an antivirus scanner or a viewer); "
                    "close it and retry.",
                    code="file_busy",
                ) from exc
        (sleep or time.sleep)(delay)
        delay = min(1.0, delay * 2)


def restrict_fd(fd: int, mode: int, path: str | Path) -> None:
    """Owner-only permissions on a new file before anything is written; Windows (no ``fchmod`` before 3.13)
    relies on the per-user ACL of the profile's folder instead, and ``chmod`` there only sets read-only."""
    if hasattr(os, "fchmod") and not IS_WINDOWS:
        os.fchmod(fd, mode)
    elif not IS_WINDOWS:
        os.chmod(path, mode)


@contextlib.contextmanager
def atomic_writer(target: Path, mode: int = 0o600,
                  before_replace: Callable[[], None] | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``target`` atomically when the block ends without error.

    ``before_replace`` runs once the bytes are on disk (fsync) and before the rename, e.g. to commit the transaction
    that journals what the file holds; if it raises, the temporary file is removed and ``target`` is untouched."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    fh = os.fdopen(fd, "wb")
    try:
        with fh:
            restrict_fd(fd, mode, tmp)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace()
        replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(target: Path, data: bytes, mode: int = 0o600) -> None:
    with atomic_writer(target, mode) as fh:
        fh.write(data)


def write_new_bytes(target: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``target`` only if nothing of that name exists (``FileExistsError`` otherwise): a file is never
    replaced. The name is claimed with an exclusive create, then the bytes are written to a temp file (fsync) and
    renamed onto the claim, so no half-written file is ever visible under the name."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)  # as atomic_writer
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    os.close(fd)
    try:
        atomic_write_bytes(target, data, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)  # our own claim, still empty: the rename onto it did not happen
        raise
