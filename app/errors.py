"""User-facing error types shared by every layer.

Three kinds of error (STYLE.md §5): the user's (wrong passphrase, invalid ID number), the environment's (damaged
store, disk full, archive unreachable) and bugs. The first two are ``FieldAuditError`` subclasses carrying a
Chinese and an English message that the CLI prints as one line and the GUI shows as is; anything else is a bug.
"""

from __future__ import annotations

import math
import os


class FieldAuditError(Exception):
    """An error whose message is meant for the person using the program."""

    code = "error"
    message_zh = "操作失败。"
    message_en = "The operation failed."

    def __init__(self, message_zh: str | None = None, message_en: str | None = None, *, code: str | None = None):
        if message_zh is not None:
            self.message_zh = message_zh
        if message_en is not None:
            self.message_en = message_en
        if code is not None:
            self.code = code
        super().__init__(self.message_en)

    def message(self, lang: str | None = None) -> str:
        lang = lang or os.environ.get("FIELDAUDIT_LANG", "zh_CN")
        return self.message_en if lang.startswith("en") else self.message_zh

    def __str__(self) -> str:
        return f"{self.message_zh} ({self.message_en})"


class UserError(FieldAuditError):
    """The person can fix it: a wrong passphrase, a bad number, a refused step."""

    code = "user"


class EnvironmentProblem(FieldAuditError):
    """The machine or its data: a damaged store, a full disk, an unreachable archive."""

    code = "environment"


class WrongPassphrase(UserError):
    code = "wrong_passphrase"
    message_zh = "口令不正确，请重新输入。"
    message_en = "The passphrase is not correct. Please try again."


class UnlockThrottled(UserError):
    code = "unlock_throttled"

    def __init__(self, wait_seconds: float):
        self.wait_seconds = wait_seconds
        shown = max(1, math.ceil(wait_seconds))  # 0.4 s left is "1 s", never "try again in 0 s"
        super().__init__(
            f"多次输入错误口令，请在 {shown} 秒后再试。",
            f"Too many wrong passphrases; try again in {shown} s.",
        )


class StoreDamaged(EnvironmentProblem):
    code = "store_damaged"
    message_zh = "加密数据库已损坏或被篡改，已停止使用，文件未被改动。请联系管理员从备份或档案中心恢复。"
    message_en = (
        "The encrypted store is damaged or has been tampered with. It was not modified. "
        "Contact the administrator to restore it from a backup or the archive."
    )


class ProfileProblem(EnvironmentProblem):
    code = "profile"


class PermissionRefused(UserError):
    """A rule of the procedure (or of the law) forbids the action."""

    code = "refused"
