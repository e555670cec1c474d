"""Synchronisation with the central archive, the work side: what runs on the store's one worker thread (sync,
registration, the archive's fingerprint, the home page's status) and the errors with what to do. No widgets.

The sync itself is ``app.sync.client.SyncClient``, the same code as ``python -m app.cli sync``; its cancel hook is the
operation's ``ctx.cancelled``. ``app.ui.sync_actions.SyncController`` runs these as ``Operation``\\ s.

The sync state kept for the GUI (the address last reached, the last completed sync) and the home page's status are
the facade's (``app.facade.sync``); this module reads and writes them only through it.
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from app.errors import FieldAuditError, PermissionRefused, UserError
from app.facade.sync import SyncStatus, case_labels, load_sync_status, remember_archive
from app.sync.address import BadArchiveUrl  # the one archive-address rule is the core's
from app.sync.address import check_archive_url as check_url
from app.ui.operations import OpContext, OperationCancelled
from app.ui.widgets.errors import UserError as ShownError

if TYPE_CHECKING:
    from app.models.profile import Store
    from app.sync.results import SyncProgress, SyncReport, TransferStats

CONNECT_RETRY_S = 3.0  # how long an unreachable archive is retried before the user is told


class TwoInspectorsNeeded(PermissionRefused):
    code = "two_inspectors_needed"
    message_zh = "登记本机需要两名检查人员都已输入本人口令。"
    message_en = "Registering this laptop needs both inspectors unlocked with their own passphrases."
    hint_zh = "请锁定（Ctrl+L）后由两名检查人员分别输入口令，再登记。"
    hint_en = "Lock (Ctrl+L), have both inspectors enter their passphrases, then register."


# --- what the home page shows (the read model is the facade's: ``app.facade.sync``) ---------------------------
def _short_time(value: str) -> str:
    from app.ui.labels import local_time

    return local_time(value)


def status_text(status: SyncStatus) -> str:
    translate = QCoreApplication.translate
    if not status.registered:
        return translate("SyncText", "This laptop is not registered with the archive yet. At the office, choose "
                                     "Sync to register it with the one-time enrolment code.")
    lines = [translate("SyncText", "Registered with %1 (archive key %2).")
             .replace("%1", status.url).replace("%2", status.fingerprint)]
    when = max(str(status.last.get("time", "")), status.last_receipt)
    if when:
        lines.append(translate("SyncText", "Last sync: %1").replace("%1", _short_time(when)))
    else:
        lines.append(translate("SyncText", "Not synchronised yet."))
    if status.last:
        lines.append(counts_text(int(status.last.get("accepted", 0)), int(status.last.get("refused", 0)),
                                 int(status.last.get("conflicts", 0))))
    lines.append(translate("SyncText", "Audits waiting to be synchronised: %1").replace("%1", str(status.pending_cases)))
    return "\n".join(lines)


def counts_text(accepted: int, refused: int, conflicts: int) -> str:
    return (QCoreApplication.translate("SyncText", "Accepted: %1 · refused: %2 · conflicts: %3")
            .replace("%1", str(accepted)).replace("%2", str(refused)).replace("%3", str(conflicts)))


# --- the work (worker thread) ------------------------------------------------------------------------------------
@dataclass
class SyncSummary:
    url: str
    accepted: list[str] = field(default_factory=list)  # labels of the cases the archive acknowledged
    refused: list[tuple[str, str]] = field(default_factory=list)  # (label, reason codes)
    conflicts: int = 0
    bytes_sent: int = 0
    blobs_uploaded: int = 0
    cases_created: list[str] = field(default_factory=list)
    assignments_pending: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # bad office records: (name, why)

    @classmethod
    def of(cls, url: str, report: SyncReport, stats: TransferStats, labels: dict[str, str]) -> SyncSummary:
        summary = cls(url, bytes_sent=stats.bytes_sent, cases_created=[labels.get(c, c) for c in report.cases_created],
                      assignments_pending=len(report.assignments_pending),
                      skipped=sorted(report.skipped.items()))
        for case in report.cases:
            label = labels.get(case.case_id, case.case_id)
            if case.refused:
                codes = ", ".join(sorted({str(r.get("code")) for r in case.reasons})) or case.error
                summary.refused.append((label, codes))
            else:
                summary.accepted.append(label)
            summary.conflicts += case.conflicts
            summary.blobs_uploaded += case.blobs_uploaded
        return summary

    def record(self) -> dict[str, Any]:
        """What the profile keeps of this sync (``remember_archive`` stamps the time)."""
        return {"url": self.url, "accepted": len(self.accepted), "refused": len(self.refused),
                "conflicts": self.conflicts, "bytes_sent": self.bytes_sent}


def _progress_message(p: SyncProgress, labels: dict[str, str]) -> str:
    label = labels.get(p.case_id, p.case_id)
    if p.phase == "pull":
        return QCoreApplication.translate("SyncText", "Fetching the roster and new assignments…")
    if p.phase == "upload":
        return (QCoreApplication.translate("SyncText", "Uploading evidence of %1: %2 of %3 MB")
                .replace("%1", label)
                .replace("%2", f"{p.bytes_done / 1e6:.1f}").replace("%3", f"{p.bytes_total / 1e6:.1f}"))
    if p.phase == "push":
        return QCoreApplication.translate("SyncText", "Sending the journal of %1").replace("%1", label)
    return QCoreApplication.translate("SyncText", "Finishing…")


Observer = Callable[["SyncProgress"], None]


def _client(store: Store, url: str, ctx: OpContext | None, progress: Callable[[SyncProgress], None] | None = None) -> Any:
    from app.sync.client import SyncClient
    from app.workflow import assignments

    cancel = (lambda: ctx.cancelled) if ctx is not None else None
    return SyncClient(store, url, progress=progress, cancel=cancel, connect_retry_seconds=CONNECT_RETRY_S,
                      assignments=assignments.apply)


@contextlib.contextmanager
def _archive_errors() -> Iterator[None]:
    """A cancelled sync as a cancelled operation; httpx's refusals of an address it cannot use at all as the
    user's error; anything else as it is."""
    from app.sync.errors import SyncCancelled

    try:
        yield
    except SyncCancelled:
        raise OperationCancelled from None
    except Exception as exc:
        if type(exc).__name__ in ("InvalidURL", "UnsupportedProtocol"):
            raise BadArchiveUrl(str(getattr(exc, "request", "") or "")) from exc
        raise


def run_sync(store: Store, url: str, ctx: OpContext, observer: Observer | None = None) -> SyncSummary:
    """One whole sync (pull, blobs, journal) as ``python -m app.cli sync`` does; cancel stops it resumably."""
    url = check_url(url)
    labels = case_labels(store)

    def progress(p: SyncProgress) -> None:
        if observer is not None:
            observer(p)
        if p.phase == "upload" and p.bytes_total:  # KiB: the signal carries 32-bit ints
            ctx.report(p.bytes_done >> 10, p.bytes_total >> 10, _progress_message(p, labels))
        else:
            ctx.report(0, 0, _progress_message(p, labels))

    with _archive_errors(), _client(store, url, ctx, progress) as client:
        report = client.sync()
        summary = SyncSummary.of(url, report, client.stats, labels)
    remember_archive(store, url, summary.record())
    return summary


def fetch_fingerprint(store: Store, url: str) -> str:
    """The fingerprint the archive at ``url`` announces (to compare with the one the office reads out)."""
    url = check_url(url)
    with _archive_errors(), _client(store, url, None) as client:
        return str(client.health().get("archive_fingerprint", ""))


def run_register(store: Store, url: str, code: str, fingerprint: str, ctx: OpContext) -> dict[str, Any]:
    """Enrol this laptop and both unlocked inspectors; the archive key is pinned only if it has ``fingerprint``."""
    url = check_url(url)
    if len(set(store.unlocked_inspectors())) < 2:
        raise TwoInspectorsNeeded()
    if not code.strip():
        raise UserError("请输入档案中心提供的一次性登记码。", "Enter the one-time enrolment code from the archive office.")
    with _archive_errors(), _client(store, url, ctx) as client:
        pin = client.register(code, platform.node() or "FieldAudit laptop", fingerprint or None)
    remember_archive(store, url)
    return dict(pin)


# --- errors with what to do ------------------------------------------------------------------------------------
def explain(exc: BaseException) -> BaseException:
    """The error with a hint on what to do and the assurance that nothing was lost (both languages)."""
    from app.sync.errors import (
        ArchiveError,
        ArchiveIdentityMismatch,
        ArchiveRefusedDevice,
        ArchiveUnreachable,
        BadArchiveSignature,
    )

    if not isinstance(exc, FieldAuditError) or hasattr(exc, "hint_zh"):
        return exc
    kept_zh = "本机数据均未删除；已被档案中心确认的部分保持已归档，下次同步从断点继续。"
    kept_en = "Nothing was deleted on this laptop; what the archive acknowledged stays archived and the next sync resumes."
    if isinstance(exc, ArchiveUnreachable):
        hint = (f"{kept_zh}请确认已连接单位网络、地址无误后重试。",
                f"{kept_en} Check that the laptop is on the office network and the address is right, then try again.")
    elif isinstance(exc, ArchiveRefusedDevice):
        hint = (f"{kept_zh}请联系档案中心管理员核对本机登记（设备可能已被吊销）。",
                f"{kept_en} Ask the archive administrator to check this laptop's registration (it may be revoked).")
    elif isinstance(exc, ArchiveIdentityMismatch | BadArchiveSignature):
        hint = ("未向该服务器发送任何案件数据。请勿继续，联系档案中心管理员核对地址与密钥指纹。",
                "No case data was sent to that server. Stop and ask the archive administrator to confirm the "
                "address and the key fingerprint.")
    elif isinstance(exc, ArchiveError):
        hint = (f"{kept_zh}请将括号中的代码告知档案中心管理员。",
                f"{kept_en} Tell the archive administrator the code in brackets.")
    else:
        return exc
    return ShownError(exc.message_zh, exc.message_en, *hint)


__all__ = ["BadArchiveUrl", "SyncStatus", "SyncSummary", "TwoInspectorsNeeded", "check_url", "counts_text", "explain",
           "fetch_fingerprint", "load_sync_status", "run_register", "run_sync", "status_text"]
