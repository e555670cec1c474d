"""Encrypted blob files beside the database (chosen over chunks inside SQLCipher by bench/store.py).

File format (version 1), one file per distinct plaintext:

    header  = b"FAB1" | version u8 | chunk_size u32 BE | nonce_prefix 8 bytes            (17 bytes)
    chunk i = AES-256-GCM(key, nonce = nonce_prefix | i u32 BE,
                          aad = header | i u64 BE | final u8) -> ciphertext | 16-byte tag

Every file ends with a chunk flagged final (an empty plaintext ends with one empty final chunk), so truncation,
reordering and splicing are all detected. The key is HKDF(data key, "fieldaudit/blob-key"); file names are
HMAC(data key, sha256) so the directory reveals nothing about the content. The SHA-256 of the plaintext is computed
in the same streaming pass as the encryption; a 2 GB file never sits in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import EnvironmentProblem, FieldAuditError
from app.fsutil import fsync_dir
from app.models.profile import Store, utc_now
from app.models.schema import Blob

MAGIC = b"FAB1"
VERSION = 1
CHUNK_SIZE = 1 << 20
HEADER = struct.Struct(">4sBI8s")
TAG = 16

Progress = Callable[[int], None]  # bytes done so far; raise to cancel


class BlobDamaged(EnvironmentProblem):
    code = "blob_damaged"

    def __init__(self, sha256: str, why: str):
        self.sha256 = sha256
        super().__init__(
            f"证据文件 {sha256[:12]}… 已损坏或被篡改（{why}）。",
            f"Evidence blob {sha256[:12]}… is damaged or tampered with ({why}).",
        )


class IngestCancelled(FieldAuditError):
    code = "cancelled"
    message_zh = "已取消导入，未保存任何内容。"
    message_en = "Import cancelled; nothing was stored."


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    new: bool


class BlobStore:
    def __init__(self, store: Store):
        self.store = store
        self.root = store.profile.paths.blobs
        self.staging = store.profile.paths.staging
        self._key = AESGCM(store.subkey("fieldaudit/blob-key"))
        self._name_key = store.subkey("fieldaudit/blob-name")

    # -- names ------------------------------------------------------------------------------------------------
    def file_name(self, sha256: str) -> str:
        return hmac.new(self._name_key, bytes.fromhex(sha256), "sha256").hexdigest()[:40]

    def path_for(self, file_name: str) -> Path:
        return self.root / file_name[:2] / file_name

    # -- writing ----------------------------------------------------------------------------------------------
    def _encrypt_stream(self, src: BinaryIO, dst: BinaryIO, progress: Progress | None) -> tuple[str, int]:
        prefix = os.urandom(8)
        header = HEADER.pack(MAGIC, VERSION, CHUNK_SIZE, prefix)
        dst.write(header)
        digest = hashlib.sha256()
        total = 0
        index = 0
        current = src.read(CHUNK_SIZE)
        while True:
            nxt = src.read(CHUNK_SIZE) if len(current) == CHUNK_SIZE else b""
            final = not nxt
            digest.update(current)
            total += len(current)
            nonce = prefix + struct.pack(">I", index)
            aad = header + struct.pack(">QB", index, final)
            dst.write(self._key.encrypt(nonce, current, aad))
            if progress is not None:
                progress(total)
            if final:
                break
            current = nxt
            index += 1
        return digest.hexdigest(), total

    def ingest(self, session: Session, src: BinaryIO, progress: Progress | None = None) -> StoredBlob:
        """Encrypt ``src`` into the store. The Blob row is added to ``session``; commit makes it real.

        Until the caller commits, the encrypted file is an orphan that ``collect_orphans`` removes, so a crash at
        any point leaves either nothing or a complete, recorded item."""
        self.staging.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.staging / (os.urandom(12).hex() + ".part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb", buffering=CHUNK_SIZE) as dst:
                sha, size = self._encrypt_stream(src, dst, progress)
                dst.flush()
                os.fsync(dst.fileno())
            existing = session.get(Blob, sha)
            if existing is not None:
                tmp.unlink()
                return StoredBlob(sha, size, False)
            name = self.file_name(sha)
            final = self.path_for(name)
            final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(tmp, final)
            fsync_dir(final.parent)
            session.add(Blob(sha256=sha, size=size, file_name=name, chunk_size=CHUNK_SIZE, created=utc_now()))
            return StoredBlob(sha, size, True)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    def ingest_bytes(self, session: Session, data: bytes) -> StoredBlob:
        import io

        return self.ingest(session, io.BytesIO(data))

    # -- reading ----------------------------------------------------------------------------------------------
    def iter_chunks(self, sha256: str, session: Session | None = None) -> Iterator[bytes]:
        """Decrypted plaintext chunks; raises BlobDamaged on any authentication failure."""
        own = session is None
        s = session or self.store.session()
        try:
            row = s.get(Blob, sha256)
            if row is None:
                raise BlobDamaged(sha256, "missing record")
            path = self.path_for(row.file_name)
        finally:
            if own:
                s.close()
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed in finally, generator
        except OSError as exc:
            raise BlobDamaged(sha256, "file missing") from exc
        try:
            header = fh.read(HEADER.size)
            if len(header) != HEADER.size:
                raise BlobDamaged(sha256, "truncated header")
            magic, version, chunk_size, prefix = HEADER.unpack(header)
            if magic != MAGIC or version != VERSION:
                raise BlobDamaged(sha256, "bad header")
            index = 0
            block = chunk_size + TAG
            current = fh.read(block)
            while True:
                nxt = fh.read(block) if len(current) == block else b""
                final = not nxt
                nonce = prefix + struct.pack(">I", index)
                try:
                    yield self._key.decrypt(nonce, current, header + struct.pack(">QB", index, final))
                except InvalidTag as exc:
                    raise BlobDamaged(sha256, f"chunk {index} fails authentication") from exc
                if final:
                    return
                current = nxt
                index += 1
        finally:
            fh.close()

    def read(self, sha256: str, max_size: int = 256 << 20, session: Session | None = None) -> bytes:
        """The whole plaintext, for things that fit in memory (photos, records); verified against its hash."""
        parts: list[bytes] = []
        size = 0
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(sha256, session):
            size += len(chunk)
            if size > max_size:
                raise EnvironmentProblem("文件过大，无法在内存中打开。", "The file is too large to open in memory.")
            digest.update(chunk)
            parts.append(chunk)
        if digest.hexdigest() != sha256:
            raise BlobDamaged(sha256, "hash mismatch")
        return b"".join(parts)

    def verify(self, sha256: str, session: Session | None = None) -> None:
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(sha256, session):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise BlobDamaged(sha256, "hash mismatch")

    def export_to(self, sha256: str, dst: BinaryIO | IO[bytes]) -> int:
        digest = hashlib.sha256()
        n = 0
        for chunk in self.iter_chunks(sha256):
            digest.update(chunk)
            dst.write(chunk)
            n += len(chunk)
        if digest.hexdigest() != sha256:
            raise BlobDamaged(sha256, "hash mismatch")
        return n

    # -- housekeeping -----------------------------------------------------------------------------------------
    def collect_orphans(self, session: Session) -> int:
        """Remove staging leftovers and encrypted files no committed row refers to (after a crash)."""
        removed = 0
        if self.staging.exists():
            for p in self.staging.iterdir():
                p.unlink()
                removed += 1
        if self.root.exists():
            known = set(session.scalars(select(Blob.file_name)))
            for sub in self.root.iterdir():
                for p in sub.iterdir():
                    if p.name not in known:
                        p.unlink()
                        removed += 1
        return removed
