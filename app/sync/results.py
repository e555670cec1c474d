"""What a sync reports: progress events, per-case results, the whole report and transfer counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SyncProgress:
    phase: str  # "pull", "upload", "push", "done"
    case_id: str = ""
    bytes_done: int = 0
    bytes_total: int = 0
    eta_seconds: float | None = None


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class CaseResult:
    case_id: str
    leaves_sent: int = 0
    batches: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    receipt_size: int | None = None
    receipt_root: str = ""
    conflicts: int = 0  # field conflicts the archive's receipts reported for this push (kept for a person)
    refused: bool = False
    error: str = ""
    reasons: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.refused:
            codes = ",".join(sorted({str(r.get("code")) for r in self.reasons})) or self.error
            extra = f"\tmissing {len(self.missing)}" if self.missing else ""
            return f"{self.case_id}\tREFUSED\t{codes}{extra}"
        return (f"{self.case_id}\tleaves {self.leaves_sent}\tblobs {self.blobs_uploaded}\tbytes {self.bytes_uploaded}"
                f"\treceipt {self.receipt_size} {self.receipt_root}")


@dataclass
class SyncReport:
    pulled: dict[str, int] = field(default_factory=dict)
    cases_created: list[str] = field(default_factory=list)
    assignments_pending: dict[str, str] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # a bad office record ("kind name") -> why it was skipped

    @property
    def ok(self) -> bool:
        return not any(c.refused for c in self.cases)


@dataclass
class TransferStats:
    bytes_sent: int = 0  # PATCH body bytes handed to the socket (including any that were lost and resent)
    bytes_needed: int = 0  # bytes the archive lacked when each upload (re)started here
    patches: int = 0
    retries: int = 0
