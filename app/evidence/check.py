"""``check``: the store, every blob and every journal hold together. Used by the CLI and after a crash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence import merkle
from app.evidence.blobstore import BlobDamaged, BlobStore
from app.evidence.verify import Key, Verification, verify_checkpoints, verify_journal
from app.models.profile import Store
from app.models.schema import Blob, Checkpoint, Device, Inspector, JournalLeaf, Payload, SyncState


@dataclass
class CheckReport:
    blobs: int = 0
    leaves: int = 0
    logs: int = 0
    checkpoints: int = 0
    orphans_removed: int = 0
    archived_elsewhere: int = 0  # local copies purged after a verified receipt (app/sync/purge.py)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_store(store: Store, *, blobs: bool = True) -> CheckReport:
    report = CheckReport()
    bs = BlobStore(store)
    with store.session() as s:
        report.orphans_removed = bs.collect_orphans(s)
        purged = {k.removeprefix("blob.purged.") for k in s.scalars(
            select(SyncState.key).where(SyncState.key.like("blob.purged.%")))}
        if blobs:
            for sha in s.scalars(select(Blob.sha256)):
                if sha in purged and not bs.path_for(bs.file_name(sha)).exists():
                    report.archived_elsewhere += 1
                    continue
                report.blobs += 1
                try:
                    bs.verify(sha, s)
                except BlobDamaged as exc:
                    report.failures.append(f"blob {sha}: {exc.message_en}")
        keys = {i.id: Key(i.id, i.public_key, i.suite, "inspector", i.name) for i in s.scalars(select(Inspector))}
        keys.update({d.id: Key(d.id, d.public_key, "ed25519", "device", d.label) for d in s.scalars(select(Device))})
        for log_id in s.scalars(select(JournalLeaf.log_id).distinct()):
            _check_log(s, log_id, keys, report)
        for sha, body in s.execute(select(Payload.sha256, Payload.body)):
            if hashlib.sha256(body).hexdigest() != sha:
                report.failures.append(f"payload {sha}: content does not match its hash")
    return report


def _check_log(s: Session, log_id: str, keys: dict[str, Key], report: CheckReport) -> None:
    """One case's journal and checkpoints, by the same rules as the independent verifier (app.evidence.verify),
    except that a live store may hold leaves written since its last checkpoint."""
    rows = list(s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == log_id).order_by(JournalLeaf.seq)))
    for row in rows:
        if merkle.leaf_hash(row.leaf) != row.leaf_hash:
            report.failures.append(f"journal {log_id} #{row.seq}: stored leaf hash does not match its bytes")
    wanted = {row.payload_sha256 for row in rows}
    payloads = {p.sha256: p.body for p in s.scalars(select(Payload).where(Payload.sha256.in_(wanted)))}
    checkpoints = [b'{"checkpoint":' + c.body + b',"sig":' + c.signature + b"}" for c in s.scalars(
        select(Checkpoint).where(Checkpoint.log_id == log_id).order_by(Checkpoint.size))]
    v = Verification()
    hashes = verify_journal(v, log_id, [row.leaf for row in rows], payloads, keys)
    verify_checkpoints(v, log_id, checkpoints, hashes, keys, complete=False)
    report.failures.extend(f"log {log_id}: {f}" for f in v.failures)
    report.leaves += v.leaves
    report.checkpoints += v.checkpoints
    report.logs += 1
