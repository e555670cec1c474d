"""Archive files are 0600 and folders 0700, whatever the umask and whatever the admin pre-created.

``archive.db`` holds names, institutions and case fields in clear, so nobody but the archive's own user may read
anything under the data folder. At start the archive sets its umask to 077 (everything it creates is private)
and checks what is already there: the data folder, its top-level files and folders, the blob fan-out folders and
staging files; a looser mode is tightened and logged, and one it cannot change is refused with a clear message.
The archive key keeps its own stricter rule (archive/keys.py: a readable key is refused, never silently fixed)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archive.config import ArchivePaths, ConfigError
from archive.logs import log

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> None:
    os.umask(0o077)


def _candidates(paths: ArchivePaths) -> list[Path]:
    out = [paths.data]
    for top in sorted(paths.data.iterdir()):
        if top == paths.key or top.name.startswith(paths.key.name):
            continue  # keys.py refuses a readable key instead
        out.append(top)
        if top in (paths.blobs, paths.staging) and top.is_dir() and not top.is_symlink():
            out += sorted(top.iterdir())  # fan-out folders, staging files (blob files sit in 0700 folders)
    return out


def secure_tree(paths: ArchivePaths) -> list[str]:
    """Tighten every looser mode under the data folder's first levels; returns what was fixed. Raises
    ConfigError when a mode cannot be changed (another owner, a read-only medium)."""
    fixed: list[str] = []
    if not paths.data.is_dir():
        return fixed
    for path in _candidates(paths):
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue  # gone meanwhile (a finished upload)
        if stat.S_ISLNK(st.st_mode):
            continue
        want = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
        mode = stat.S_IMODE(st.st_mode)
        if mode & ~want & 0o777 == 0:
            continue
        try:
            os.chmod(path, mode & want)
        except OSError as exc:
            raise ConfigError(
                f"{path} is accessible to others (mode {mode:o}) and could not be restricted ({exc.strerror}); "
                f"run: chmod {want:o} {path}"
            ) from exc
        rel = "." if path == paths.data else str(path.relative_to(paths.data))
        fixed.append(f"{rel} {mode:o}->{mode & want:o}")
    if fixed:
        log("permissions.fixed", count=len(fixed), paths=fixed[:20])
    return fixed
