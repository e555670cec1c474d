"""The purge policy (issue 6 §7): local encrypted copies of archived evidence may go, but never on a 2xx alone.

A blob file is deleted only when all of these hold:

1. every case whose journal refers to it is closed, and each has a verified receipt (kept in SyncState) whose size
   covers the whole local journal — so the leaf that refers to the blob is inside a receipt;
2. the retention period (``setting.retention_days``, default 30) has passed since the latest of those receipts'
   archive times;
3. a separate check made now, after the receipt, asks ``/v1/blobs/missing`` and the archive lists none of them
   (it lists every blob this device did not itself upload, archive/PROTOCOL.md "Blobs a device may name");
4. the Blob row says archived.

The Blob row stays (hash, size; rows are append-only anyway) and ``blob.purged.<sha256>`` records when and under
which receipt the copy went, so a verifier can say "archived elsewhere" instead of "missing".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.fsutil import fsync_dir
from app.models.profile import Store, utc_now
from app.models.schema import Blob, Case, JournalLeaf, Payload
from app.sync import state
from app.sync.protocol import payload_blob_refs

if TYPE_CHECKING:
    from app.sync.client import SyncClient

DEFAULT_RETENTION_DAYS = 30.0


@dataclass
class PurgeResult:
    purged: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # sha256 -> why it stays
    bytes: int = 0


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_purged(store: Store, sha256: str) -> bool:
    with store.session() as s:
        return state.get(s, f"blob.purged.{sha256}") is not None


def purge_archived_blobs(store: Store, client: SyncClient, *, retention_days: float | None = None,
                         now: dt.datetime | None = None) -> PurgeResult:

    now = now or dt.datetime.now(dt.UTC)
    result = PurgeResult()
    with store.session() as s:
        if retention_days is None:
            retention_days = float(state.get(s, "setting.retention_days", DEFAULT_RETENTION_DAYS))
        purged = state.with_prefix(s, "blob.purged.")
        # blob -> the cases whose journals refer to it
        cases_of: dict[str, set[str]] = {}
        for log_id, payload_sha in s.execute(select(JournalLeaf.log_id, JournalLeaf.payload_sha256)):
            p = s.get(Payload, payload_sha)
            if p is None:
                continue
            for ref in payload_blob_refs(loads(p.body)):
                cases_of.setdefault(ref, set()).add(log_id)
        eligible: dict[str, tuple[int, dt.datetime]] = {}  # case -> (receipt size, receipt archive time)
        why_not: dict[str, str] = {}
        for case_id in {c for cs in cases_of.values() for c in cs}:
            case = s.get(Case, case_id)
            receipt = state.get(s, f"receipt.{case_id}")
            size = s.scalar(select(JournalLeaf.seq).where(JournalLeaf.log_id == case_id)
                            .order_by(JournalLeaf.seq.desc()).limit(1))
            total = 0 if size is None else int(size) + 1
            if case is None or case.status != "closed":
                why_not[case_id] = "case not closed"
            elif not receipt or int(receipt["payload"]["size"]) < total:
                why_not[case_id] = "no receipt covering the whole journal"
            else:
                when = _parse_time(str(receipt["payload"]["archive_time"]))
                if now - when < dt.timedelta(days=retention_days):
                    why_not[case_id] = "retention period not over"
                else:
                    eligible[case_id] = (int(receipt["payload"]["size"]), when)
        candidates: list[tuple[str, int, str]] = []
        for row in s.scalars(select(Blob).order_by(Blob.sha256)):
            if row.sha256 in purged:
                continue
            cases = cases_of.get(row.sha256, set())
            blocked = [why_not[c] for c in cases if c not in eligible]
            if not cases:
                result.kept[row.sha256] = "not referenced by any journal"
            elif blocked:
                result.kept[row.sha256] = blocked[0]
            elif not row.archived:
                result.kept[row.sha256] = "not marked archived"
            else:
                candidates.append((row.sha256, row.size, row.file_name))
    if not candidates:
        return result
    # the separate, later check: the archive must still hold every one of them
    hashes = [c[0] for c in candidates]
    missing: set[str] = set()
    for i in range(0, len(hashes), 5000):
        missing |= set(client._json("POST", "/v1/blobs/missing", json={"hashes": hashes[i:i + 5000]})["missing"])
    bs = BlobStore(store)
    checked_at = utc_now()
    for sha, size, file_name in candidates:
        if sha in missing:
            result.kept[sha] = "the archive does not hold it as this device's upload"
            continue
        linked = sorted(cases_of[sha])
        with store.transaction() as s:
            state.put(s, f"blob.purged.{sha}", {"time": checked_at, "size": size, "cases": linked,
                                                "receipts": {c: eligible[c][0] for c in linked}})
        path = bs.path_for(file_name)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        fsync_dir(path.parent)
        result.purged.append(sha)
        result.bytes += size
    return result
