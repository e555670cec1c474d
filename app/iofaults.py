"""Faults of the machine named as what they are (issue 12 item 9): a full disk, a read-only medium, a refused
permission or a failing device is never reported as a damaged or tampered store, nor as an internal error.

:func:`io_fault` looks through an exception's chain (``__cause__``, ``__context__``, SQLAlchemy's ``orig``) for an
``OSError`` with a telling errno or an SQLite I/O result ("database or disk is full", "disk I/O error", ...). SQLite
does not say why an I/O call failed, so the folder concerned is then examined (:func:`diagnose`): free space, a
read-only mount, write permission. Damage proper ("file is not a database", a failed HMAC or integrity check) is
not an I/O result and stays :class:`~app.errors.StoreDamaged`.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from app.errors import EnvironmentProblem

LOW_SPACE = 1 << 20  # below this much free space, SQLite cannot create its journal and shared-memory files
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
# SQLite's fixed result strings (sqlite3ErrStr) for I/O, as the driver reports them
_SQLITE_FULL = "database or disk is full"
_SQLITE_IO = ("disk I/O error", "unable to open database file", "attempt to write a readonly database",
              "access permission denied")


class IOFault(EnvironmentProblem):
    code = "io_error"


def disk_full(where: Path | None) -> IOFault:
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    return IOFault(f"磁盘空间已满{at}：请清理磁盘后重试。已保存的数据未受影响。",
                   f"The disk is full{at_en}: free some space and retry. What was already saved is intact.",
                   code="disk_full")


def read_only(where: Path | None) -> IOFault:
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    return IOFault(f"存储介质为只读{at}：请换用可写入的磁盘或解除写保护。",
                   f"The medium is read-only{at_en}: use a writable disk or remove the write protection.",
                   code="read_only")


def permission_denied(where: Path | None) -> IOFault:
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    return IOFault(f"没有读写权限{at}：请检查该文件夹的权限，或由其所有者运行本程序。",
                   f"Permission denied{at_en}: check the folder's permissions, or run the program as its owner.",
                   code="permission_denied")


def device_error(where: Path | None) -> IOFault:
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    return IOFault(f"磁盘读写出错{at}：设备报告了输入输出错误，请检查磁盘或存储卡后重试。",
                   f"The disk reported an input/output error{at_en}: check the disk or card and retry.",
                   code="io_error")


def diagnose(where: Path) -> IOFault | None:
    """What is wrong with the folder ``where`` (or the nearest existing parent), if anything visible is."""
    folder = Path(where)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        if shutil.disk_usage(folder).free < LOW_SPACE:
            return disk_full(where)
    except OSError:
        return device_error(where)
    statvfs = getattr(os, "statvfs", None)
    if statvfs is not None:
        try:
            if statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1):
                return read_only(where)
        except OSError:
            pass
    if not os.access(folder, os.W_OK):
        return permission_denied(where)
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for nxt in (e.__cause__, e.__context__, getattr(e, "orig", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def from_oserror(exc: OSError, where: Path | None = None) -> IOFault | None:
    """The fault an OSError names. The place is the file the error names (its folder for a full or read-only disk),
    not ``where``: a failed write to another disk (an export's output) must not be blamed on the profile's."""
    named = _filename(exc)
    folder = named.parent if named is not None else None
    if exc.errno in _DISK_FULL_ERRNOS:
        return disk_full(folder)
    if exc.errno == errno.EROFS:
        return read_only(folder)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return permission_denied(named)
    if exc.errno == errno.EIO:
        return device_error(named)
    return None


def _filename(exc: OSError) -> Path | None:
    return Path(os.fsdecode(exc.filename)) if isinstance(exc.filename, str | bytes) else None


def io_fault(exc: BaseException, where: Path | None = None) -> IOFault | None:
    """The machine's fault behind ``exc``, named; None when ``exc`` is not an I/O failure."""
    for e in _chain(exc):
        if isinstance(e, IOFault):
            return e
        if isinstance(e, OSError) and (fault := from_oserror(e, where)) is not None:
            return fault
        text = str(e)
        if type(e).__module__.startswith(("sqlcipher3", "sqlite3")):
            if _SQLITE_FULL in text:
                return disk_full(where)
            if any(m in text for m in _SQLITE_IO):
                found = diagnose(where) if where is not None else None
                if found is not None:
                    return found
                if "readonly" in text:
                    return read_only(where)
                if "permission" in text:
                    return permission_denied(where)
                return device_error(where)
    return None
