"""API errors: one JSON shape {"error", "message_zh", "message_en", ...} for every refusal."""

from __future__ import annotations

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
