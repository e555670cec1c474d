"""``check``: the store, every blob and every journal hold together. Used by the CLI and after a crash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from app.evidence import merkle
from app.evidence.blobstore import BlobDamaged, BlobStore
from app.evidence.canonical import CanonicalisationError, canonical_bytes, loads
from app.evidence.journal import CHECKPOINT_CONTEXT, JOURNAL_CONTEXT
from app.evidence.signing import SignatureError, verify_object
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
        keys = {i.id: i.public_key for i in s.scalars(select(Inspector))}
        keys.update({d.id: d.public_key for d in s.scalars(select(Device))})
        logs: dict[str, list[bytes]] = {}
        for row in s.scalars(select(JournalLeaf).order_by(JournalLeaf.log_id, JournalLeaf.seq)):
            report.leaves += 1
            hashes = logs.setdefault(row.log_id, [])
            where = f"journal {row.log_id} #{row.seq}"
            if row.seq != len(hashes):
                report.failures.append(f"{where}: sequence gap (expected #{len(hashes)})")
            if merkle.leaf_hash(row.leaf) != row.leaf_hash:
                report.failures.append(f"{where}: leaf hash does not match its bytes")
            try:
                leaf = loads(row.leaf)
                entry, sig = leaf["entry"], leaf["sig"]
                if canonical_bytes(leaf) != row.leaf:
                    report.failures.append(f"{where}: leaf is not canonical")
                if entry["prev"] != (hashes[-1].hex() if hashes else ""):
                    report.failures.append(f"{where}: chain link to the previous leaf is broken")
                actor = keys.get(entry["actor"])
                if actor is None:
                    report.failures.append(f"{where}: unknown actor")
                else:
                    verify_object(sig, JOURNAL_CONTEXT, entry, actor)
                if s.get(Payload, entry["payload_sha256"]) is None:
                    report.failures.append(f"{where}: payload missing")
            except (CanonicalisationError, KeyError, TypeError, ValueError) as exc:
                report.failures.append(f"{where}: malformed ({exc})")
            except SignatureError as exc:
                report.failures.append(f"{where}: {exc}")
            hashes.append(row.leaf_hash)
        report.logs = len(logs)
        for cp in s.scalars(select(Checkpoint).order_by(Checkpoint.log_id, Checkpoint.size)):
            report.checkpoints += 1
            where = f"checkpoint {cp.log_id} size {cp.size}"
            try:
                body, sig = loads(cp.body), loads(cp.signature)
                verify_object(sig, CHECKPOINT_CONTEXT, body, keys.get(body["device"]))
                hashes = logs.get(cp.log_id, [])
                if cp.size > len(hashes):
                    report.failures.append(f"{where}: journal is shorter than the checkpoint (leaves removed)")
                elif merkle.root_from_leaf_hashes(hashes[: cp.size]).hex() != cp.root or body["root"] != cp.root:
                    report.failures.append(f"{where}: root does not match the journal")
            except (CanonicalisationError, KeyError, TypeError, ValueError, SignatureError) as exc:
                report.failures.append(f"{where}: {exc}")
        for sha, body in s.execute(select(Payload.sha256, Payload.body)):
            if hashlib.sha256(body).hexdigest() != sha:
                report.failures.append(f"payload {sha}: content does not match its hash")
    return report
