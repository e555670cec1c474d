"""``admin verify``: re-verify every stored blob hash and every stored signed object."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from app.evidence import merkle
from app.evidence.canonical import CanonicalisationError, canonical_bytes, canonical_sha256
from app.evidence.signing import SignatureError, unb64, verify_object
from app.sync.protocol import CTX_CHECKPOINT, CTX_JOURNAL, CTX_RECEIPT
from archive.blobstore import BlobRejected
from archive.db import Blob, Checkpoint, Device, Inspector, Leaf, LogHead, ObjectBlob, StoredObject
from archive.push import signature_checks
from archive.service import Archive

MAX_FAILURES = 1000


def verify_archive(archive: Archive) -> dict[str, Any]:
    failures: list[str] = []
    counts = {"blobs": 0, "bytes": 0, "leaves": 0, "logs": 0, "checkpoints": 0, "objects": 0}

    def fail(msg: str) -> None:
        if len(failures) < MAX_FAILURES:
            failures.append(msg)

    archive_pub = archive.key.public_raw()
    with archive.db.read() as s:
        inspectors = {i.id: unb64(i.public_key) for i in s.execute(select(Inspector)).scalars()}
        devices = {d.id: unb64(d.public_key) for d in s.execute(select(Device)).scalars()}
        keys = {**inspectors, **devices}
        # blobs
        for b in s.execute(select(Blob).order_by(Blob.sha256)).scalars():
            counts["blobs"] += 1
            try:
                h = hashlib.sha256()
                n = 0
                with archive.store.open(b.sha256) as fh:
                    while chunk := fh.read(1024 * 1024):
                        h.update(chunk)
                        n += len(chunk)
            except (OSError, BlobRejected):
                fail(f"blob {b.sha256}: missing from the blob store")
                continue
            counts["bytes"] += n
            if h.hexdigest() != b.sha256 or n != b.size:
                fail(f"blob {b.sha256}: content does not match its hash or size")
        # journals
        heads = {(h.case_id, h.device_id): h for h in s.execute(select(LogHead)).scalars()}
        for (case_id, device_id), head in sorted(heads.items()):
            counts["logs"] += 1
            where = f"journal {case_id}/{device_id}"
            hashes: list[bytes] = []
            for leaf in s.execute(
                select(Leaf).where(Leaf.case_id == case_id, Leaf.device_id == device_id).order_by(Leaf.seq)
            ).scalars():
                counts["leaves"] += 1
                lh = merkle.leaf_hash(leaf.leaf.encode())
                if leaf.seq != len(hashes):
                    fail(f"{where} #{leaf.seq}: sequence gap")
                if lh.hex() != leaf.leaf_hash:
                    fail(f"{where} #{leaf.seq}: leaf hash does not match its bytes")
                try:
                    obj = json.loads(leaf.leaf)
                    entry, sig = obj["entry"], obj["sig"]
                    prev = hashes[-1].hex() if hashes else ""
                    if entry.get("prev") != prev:
                        fail(f"{where} #{leaf.seq}: broken prev chain")
                    verify_object(sig, CTX_JOURNAL, entry, inspectors.get(str(entry.get("actor")), b""))
                except (ValueError, KeyError, TypeError, SignatureError, CanonicalisationError):
                    fail(f"{where} #{leaf.seq}: entry signature does not verify")
                hashes.append(lh)
            if len(hashes) != head.size or merkle.root_from_leaf_hashes(hashes).hex() != head.root:
                fail(f"{where}: leaves do not hash to the head checkpoint")
            for cp in s.execute(
                select(Checkpoint).where(Checkpoint.case_id == case_id, Checkpoint.device_id == device_id)
            ).scalars():
                counts["checkpoints"] += 1
                try:
                    rec = json.loads(cp.checkpoint)
                    verify_object(rec["sig"], CTX_CHECKPOINT, rec["checkpoint"], devices.get(device_id, b""))
                    receipt = json.loads(cp.receipt)
                    verify_object(receipt["sig"], CTX_RECEIPT, receipt["payload"], archive_pub)
                    if merkle.root_from_leaf_hashes(hashes[: cp.size]).hex() != cp.root:
                        raise ValueError("root")
                    if rec["checkpoint"]["root"] != cp.root or receipt["payload"]["root"] != cp.root:
                        raise ValueError("root")
                except (ValueError, KeyError, TypeError, SignatureError, CanonicalisationError):
                    fail(f"{where} checkpoint {cp.size}: checkpoint, receipt or root does not verify")
        # payload objects
        blob_links: dict[str, set[str]] = {}
        for link in s.execute(select(ObjectBlob)).scalars():
            blob_links.setdefault(link.object_sha256, set()).add(link.blob_sha256)
        have_blobs = set(s.execute(select(Blob.sha256)).scalars())
        for o in s.execute(select(StoredObject).order_by(StoredObject.sha256)).scalars():
            counts["objects"] += 1
            try:
                value = json.loads(o.body)
                if canonical_sha256(value) != o.sha256 or canonical_bytes(value).decode() != o.body:
                    fail(f"object {o.sha256}: content does not match its hash")
                    continue
            except (ValueError, CanonicalisationError):
                fail(f"object {o.sha256}: not canonical JSON")
                continue
            for sig, candidates, _ctx in signature_checks(value):
                if not isinstance(sig, dict):
                    fail(f"object {o.sha256}: malformed signature record")
                    continue
                key = keys.get(str(sig.get("signer")), b"")
                ok = False
                for cand in candidates:
                    try:
                        verify_object(sig, str(sig.get("context")), cand, key)
                        ok = True
                        break
                    except (SignatureError, CanonicalisationError):
                        continue
                if not ok:
                    fail(f"object {o.sha256}: signature by {sig.get('signer')} does not verify")
            for missing in blob_links.get(o.sha256, set()) - have_blobs:
                fail(f"object {o.sha256}: refers to missing blob {missing}")
    return {"ok": not failures, **counts, "failures": failures}
