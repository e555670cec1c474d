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
from app.fsutil import fsync_dir, replace
from app.iofaults import io_fault
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
class StagedBlob:
    """An encrypted, fsynced file in the staging directory, not yet recorded in the store. ``placed`` is the
    (st_dev, st_ino) of the same file, already linked under its final name by :meth:`BlobStore.stage` (durably)."""

    path: Path
    sha256: str
    size: int
    placed: tuple[int, int] | None = None


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

    def _encrypt_buffer(self, data: bytes, dst: BinaryIO, progress: Progress | None) -> tuple[str, int]:
        """The same file as :meth:`_encrypt_stream` writes, from bytes in memory: one SHA-256 call over the whole
        buffer (hashlib releases the GIL for it) and chunks encrypted from views, without copies."""
        prefix = os.urandom(8)
        header = HEADER.pack(MAGIC, VERSION, CHUNK_SIZE, prefix)
        view = memoryview(data)
        sha = hashlib.sha256(view).hexdigest()
        dst.write(header)
        last = max(0, (len(data) - 1) // CHUNK_SIZE)
        for index in range(last + 1):
            chunk = view[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
            aad = header + struct.pack(">QB", index, index == last)
            dst.write(self._key.encrypt(prefix + struct.pack(">I", index), chunk, aad))
            if progress is not None:
                progress(min(len(data), (index + 1) * CHUNK_SIZE))
        return sha, len(data)

    def stage(self, src: BinaryIO | bytes, progress: Progress | None = None, *, place: bool = False) -> StagedBlob:
        """Encrypt ``src`` into a durable (fsynced) file in the staging directory; no database access, so it may run
        on a worker thread ahead of the transaction that :meth:`adopt` s it. The caller owns the staged file:
        :meth:`adopt` or :meth:`discard` it (after a crash ``collect_orphans`` removes it).

        ``place`` also links the file under its final name when no file has it yet, and makes that directory entry
        durable, so that :meth:`adopt` (on the thread that commits) has no fsync left to do. A blob already there
        (recorded, or placed by another stager) is never touched; the staged copy stays for :meth:`adopt` either
        way, in case the placed link is gone by then (replaced by an earlier item's adopt, or removed)."""
        self.staging.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.staging / (os.urandom(12).hex() + ".part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb", buffering=CHUNK_SIZE) as dst:
                if isinstance(src, bytes):
                    sha, size = self._encrypt_buffer(src, dst, progress)
                else:
                    sha, size = self._encrypt_stream(src, dst, progress)
                dst.flush()
                os.fsync(dst.fileno())
            staged = StagedBlob(tmp, sha, size)
            return self._place(staged) if place else staged
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    def _final_dir(self, final: Path) -> None:
        try:
            final.parent.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            return
        fsync_dir(final.parent.parent)  # a new directory: its own entry must be durable too

    def _place(self, staged: StagedBlob) -> StagedBlob:
        final = self.path_for(self.file_name(staged.sha256))
        self._final_dir(final)
        try:
            os.link(staged.path, final)  # never replaces: whatever file is there stays as it is
        except OSError:  # there already (or no hard links here): adopt() decides, with the staged copy
            return staged
        try:
            fsync_dir(final.parent)
            st = os.stat(final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                final.unlink()
            raise
        return StagedBlob(staged.path, staged.sha256, staged.size, placed=(st.st_dev, st.st_ino))

    def _ours(self, staged: StagedBlob, final: Path) -> bool:
        """Whether the file under ``final`` is still the one ``staged`` placed there (not replaced, not removed)."""
        try:
            st = os.stat(final)
        except FileNotFoundError:
            return False
        return staged.placed == (st.st_dev, st.st_ino)

    def adopt(self, session: Session, staged: StagedBlob) -> StoredBlob:
        """Move a staged file to its place (unless it is placed there already) and add its Blob row to ``session``;
        commit makes it real. The file and its directory entry are durable before this returns, so a committed row
        never points at a lost file. A blob the store already has is not stored again; the staged copy is discarded.

        Until the caller commits, the encrypted file is an orphan that ``collect_orphans`` removes, so a crash at
        any point leaves either nothing or a complete, recorded item. Adoption and discarding happen on one thread
        (the one that commits); staging, on any."""
        try:
            existing = session.get(Blob, staged.sha256)
            if existing is not None:
                self.discard(staged)
                return StoredBlob(staged.sha256, staged.size, False)
            name = self.file_name(staged.sha256)
            final = self.path_for(name)
            if staged.placed is not None and self._ours(staged, final):
                staged.path.unlink()  # the staging entry; the file stays under its final name
            else:
                self._final_dir(final)
                replace(staged.path, final)  # waits out a scanner holding the file open (Windows)
                fsync_dir(final.parent)
            session.add(Blob(sha256=staged.sha256, size=staged.size, file_name=name, chunk_size=CHUNK_SIZE,
                             created=utc_now()))
            return StoredBlob(staged.sha256, staged.size, True)
        except BaseException:
            self.discard(staged)
            raise

    def discard(self, staged: StagedBlob) -> None:
        """Remove a staged blob that will not be adopted, and its placed link if that is still its own (no row
        refers to it: a blob already recorded was there before, and link() never replaces)."""
        if staged.placed is not None:
            final = self.path_for(self.file_name(staged.sha256))
            if self._ours(staged, final):
                with contextlib.suppress(FileNotFoundError):
                    final.unlink()
        with contextlib.suppress(FileNotFoundError):
            staged.path.unlink()

    def ingest(self, session: Session, src: BinaryIO | bytes, progress: Progress | None = None) -> StoredBlob:
        """Encrypt ``src`` into the store (:meth:`stage` then :meth:`adopt`). The Blob row is added to ``session``;
        commit makes it real."""
        return self.adopt(session, self.stage(src, progress))

    def ingest_bytes(self, session: Session, data: bytes) -> StoredBlob:
        return self.ingest(session, data)

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
        except FileNotFoundError as exc:
            raise BlobDamaged(sha256, "file missing") from exc
        except OSError as exc:  # permissions, a device error: the machine's fault, not the blob's
            raise (io_fault(exc, path.parent) or exc) from exc
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

    def export_to(self, sha256: str, dst: BinaryIO | IO[bytes], session: Session | None = None) -> int:
        digest = hashlib.sha256()
        n = 0
        for chunk in self.iter_chunks(sha256, session):
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
