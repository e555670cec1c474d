"""Errors of the archive client, each with the Chinese and English text the CLI and GUI show."""

from __future__ import annotations

from typing import Any

import httpx

from app.errors import EnvironmentProblem, FieldAuditError, UserError


class ArchiveUnreachable(EnvironmentProblem):
    code = "archive_unreachable"

    def __init__(self, url: str, why: str = "") -> None:
        tail = f"（{why}）" if why else ""
        super().__init__(f"无法连接档案中心 {url}{tail}，请检查网络后重试。",
                         f"Cannot reach the archive at {url}{' (' + why + ')' if why else ''}; check the network "
                         "and try again.")


#: Refusals the laptop words itself, whatever text the archive sent (archive/PROTOCOL.md "Errors").
KNOWN_REFUSALS: dict[str, tuple[str, str]] = {
    "not_case_team": (
        "该案件在档案中心属于其他检查组，本机无权推送或查看；档案中心已记录此次尝试。本机数据未受影响，"
        "请联系档案中心管理员核对案件分配",
        "this case belongs to another team at the archive: this laptop may neither push nor read it, and the "
        "attempt was recorded there. Nothing on this laptop changed; ask the archive administrator to check the "
        "case assignment",
    ),
    "disk_full": (
        "档案中心磁盘已满，本次内容未保存；本机数据完好，请联系档案中心管理员腾出空间后重新同步",
        "archive disk full: nothing was stored this time and the data on this laptop is intact; ask the archive "
        "administrator to free space, then sync again",
    ),
}


class ArchiveError(EnvironmentProblem):
    """The archive answered with a refusal (JSON error body, PROTOCOL.md "Errors")."""

    code = "archive_error"

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.error = str(body.get("error", f"http_{status}"))
        self.reasons: list[dict[str, Any]] = list(body.get("reasons") or [])
        self.missing: list[str] = list(body.get("missing") or [])
        zh = str(body.get("message_zh") or f"档案中心拒绝了请求（HTTP {status}）")
        en = str(body.get("message_en") or f"the archive refused the request (HTTP {status})")
        if self.error in KNOWN_REFUSALS:
            zh, en = KNOWN_REFUSALS[self.error]
            super().__init__(f"{zh}（{self.error}）", f"{en[0].upper()}{en[1:]} ({self.error})")
        else:
            super().__init__(f"档案中心：{zh}（{self.error}）", f"archive: {en} ({self.error})")


class ArchiveRefusedDevice(ArchiveError):
    """401/403 on a push: the device is unknown or revoked, so no further case can go either."""

    code = "device_refused"


class NotRegistered(UserError):
    code = "not_registered"
    message_zh = "本机尚未在档案中心登记，请先运行 register。"
    message_en = "This laptop is not registered with the archive; run register first."


class ArchiveIdentityMismatch(EnvironmentProblem):
    code = "archive_identity"
    message_zh = "档案中心的密钥与登记时固定的不一致，已停止同步。请联系管理员。"
    message_en = "The archive's key differs from the one pinned at registration; sync stopped. Contact the administrator."


class ArchiveFingerprintMismatch(ArchiveIdentityMismatch):
    """Checked before anything is sent: the enrolment code is still unused and nothing was registered."""

    code = "archive_fingerprint"
    message_zh = "档案中心的密钥指纹与单位提供的不一致，本机未登记，一次性登记码也未使用。请核对指纹与地址后重试。"
    message_en = ("The archive's key fingerprint differs from the one the office gave; this laptop was not registered "
                  "and the enrolment code was not used. Check the fingerprint and the address, then try again.")


class BadArchiveSignature(EnvironmentProblem):
    code = "bad_archive_signature"

    def __init__(self, what: str) -> None:
        super().__init__(f"档案中心下发的{what}签名无效，已拒收。", f"The archive's signature on the {what} does not verify; refused.")


class SyncCancelled(FieldAuditError):
    code = "cancelled"
    message_zh = "同步已取消；已归档的部分保持不变，下次从断点继续。"
    message_en = "Sync cancelled; what was archived stays archived and the next sync resumes."


def error_body(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
