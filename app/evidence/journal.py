"""The journal: one append-only Merkle log per case (docs/package-format.md §Journal).

Every state change is an entry signed by the acting inspector; its leaf is ``{"entry", "sig"}`` in canonical JSON
and its leaf hash the RFC 6962 leaf hash. The device signs checkpoints (size, root, time, step) after every
procedure step; the fingerprint of the latest checkpoint is printed on paper records.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bootid import boot_id
from app.evidence import merkle
from app.evidence.canonical import JSONValue, canonical_bytes, loads
from app.evidence.signing import sign_object
from app.evidence.verify import CHECKPOINT_CONTEXT, JOURNAL_CONTEXT
from app.evidence.verify_rules import checkpoint_fingerprint
from app.models.profile import Store, utc_now
from app.models.schema import Checkpoint, JournalLeaf, Payload


@dataclass(frozen=True)
class AppendedEntry:
    seq: int
    leaf_hash: bytes
    payload_sha256: str


def store_payload(session: Session, payload: JSONValue) -> str:
    body = canonical_bytes(payload)
    sha = hashlib.sha256(body).hexdigest()
    if session.get(Payload, sha) is None:
        session.add(Payload(sha256=sha, body=body))
        session.flush()
    return sha


def append(session: Session, store: Store, log_id: str, actor_id: str, type_: str, payload: JSONValue) -> AppendedEntry:
    """Append one signed entry to ``log_id`` inside the caller's transaction."""
    key = store.signing_key(actor_id)
    payload_sha = store_payload(session, payload)
    last = session.execute(
        select(JournalLeaf.seq, JournalLeaf.leaf_hash).where(JournalLeaf.log_id == log_id)
        .order_by(JournalLeaf.seq.desc()).limit(1)
    ).first()
    seq = 0 if last is None else last.seq + 1
    entry = {
        "v": 1,
        "log": log_id,
        "seq": seq,
        "device": store.device_id,
        "actor": actor_id,
        "type": type_,
        "time": utc_now(),
        "mono_ns": time.monotonic_ns(),
        "boot": boot_id(),
        "payload_sha256": payload_sha,
        "prev": "" if last is None else last.leaf_hash.hex(),
    }
    leaf = {"entry": entry, "sig": sign_object(key, actor_id, JOURNAL_CONTEXT, entry)}
    leaf_bytes = canonical_bytes(leaf)
    leaf_hash = merkle.leaf_hash(leaf_bytes)
    session.add(JournalLeaf(log_id=log_id, seq=seq, type=type_, leaf=leaf_bytes, leaf_hash=leaf_hash,
                            payload_sha256=payload_sha))
    session.flush()
    return AppendedEntry(seq, leaf_hash, payload_sha)


def leaf_hashes(session: Session, log_id: str) -> list[bytes]:
    return list(session.scalars(select(JournalLeaf.leaf_hash).where(JournalLeaf.log_id == log_id).order_by(JournalLeaf.seq)))


def size(session: Session, log_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(JournalLeaf).where(JournalLeaf.log_id == log_id)) or 0)


def checkpoint(session: Session, store: Store, log_id: str, step: str) -> dict[str, JSONValue]:
    """Sign and store a checkpoint over the whole log; returns the checkpoint record."""
    hashes = leaf_hashes(session, log_id)
    root = merkle.root_from_leaf_hashes(hashes).hex()
    existing = session.get(Checkpoint, (log_id, len(hashes)))
    if existing is not None:
        return checkpoint_record(existing)
    body = {"v": 1, "log": log_id, "device": store.device_id, "size": len(hashes), "root": root,
            "time": utc_now(), "step": step}
    sig = sign_object(store.device_key, store.device_id, CHECKPOINT_CONTEXT, body)
    row = Checkpoint(log_id=log_id, size=len(hashes), root=root, body=canonical_bytes(body),
                     signature=canonical_bytes(sig), created=body["time"])
    session.add(row)
    session.flush()
    return {"checkpoint": body, "sig": sig}


def checkpoint_record(row: Checkpoint) -> dict[str, JSONValue]:
    return {"checkpoint": loads(row.body), "sig": loads(row.signature)}


def latest_checkpoint(session: Session, log_id: str) -> Checkpoint | None:
    return session.scalars(
        select(Checkpoint).where(Checkpoint.log_id == log_id).order_by(Checkpoint.size.desc()).limit(1)
    ).first()


def fingerprint(size_: int, root_hex: str) -> str:
    """The checkpoint fingerprint printed on paper: ``<size>-XXXX XXXX XXXX XXXX``."""
    return checkpoint_fingerprint(size_, root_hex)
