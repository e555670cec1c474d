"""API errors: one JSON shape {"error", "message_zh", "message_en", ...} for every refusal."""

from __future__ import annotations

import errno
from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        reasons: list[dict[str, Any]] | None = None,
        missing: list[str] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message_en}")
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.reasons = reasons
        self.missing = missing
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "error": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.reasons is not None:
            out["reasons"] = self.reasons
        if self.missing is not None:
            out["missing"] = self.missing
        if self.extra:
            out.update(self.extra)
        return out


def reason(code: str, message_en: str, **where: Any) -> dict[str, Any]:
    """One verification failure inside a refused batch."""
    return {"code": code, "message_en": message_en, **where}


_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"


def is_disk_full(exc: BaseException | None) -> bool:
    """A full disk (or quota), however it surfaced: an OSError, SQLite's SQLITE_FULL, PostgreSQL's disk_full —
    also when wrapped (SQLAlchemy's ``orig``, ``__cause__``, ``__context__``)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(e, "sqlite_errorcode", None) == _SQLITE_FULL or getattr(e, "sqlstate", None) == _PG_DISK_FULL:
            return True
        orig = getattr(e, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None, e.__cause__, e.__context__]
    return False


def disk_full_error(exc: BaseException, where: str) -> ApiError | None:
    """The 507 for a full disk, logged as one line; None for any other error."""
    if not is_disk_full(exc):
        return None
    from archive.logs import log

    log("disk_full", level=40, where=where, type=type(exc).__name__)
    return ApiError(
        507,
        "disk_full",
        "档案中心磁盘已满，本次内容未保存",
        "archive disk full: nothing was stored; free space at the archive, then retry",
    )
