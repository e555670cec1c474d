"""Content-addressed blob storage behind a small interface.

Semantics every backend must give:

* ``put`` is **put-if-absent** and **verified**: the bytes are hashed while being stored; an empty object, a
  wrong length or a hash mismatch is refused (:class:`BlobRejected`) and nothing is left behind; storing a hash
  that is already present is a no-op that never overwrites.
* Once ``put`` returns, the object is durable (it survives a power cut).
* ``exists``, ``open``, ``size`` and ``iter_hashes`` read what is stored.

The file backend writes a temp file in the target directory, fsyncs it, ``link``s it to its final name (which,
unlike ``rename``, fails instead of replacing an existing object), removes the temp name and fsyncs the
directory. An S3-compatible backend would do a single ``PUT`` of the whole object with ``If-None-Match: *``
(conditional write: 412 when the key exists, which counts as success after a HEAD confirms the size) and
``x-amz-checksum-sha256`` (the store recomputes and refuses a mismatch), keyed ``blobs/<sha256>``; multipart
upload is not needed because the archive already holds the verified object in its staging area.
The database's unique constraints remain the real guard against duplicates.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from app import fsutil
from app.sync.protocol import SHA256_PATTERN

CHUNK = 1024 * 1024
_HEX = set("0123456789abcdef")


class BlobRejected(ValueError):
    """The object is empty, short or does not hash to its declared SHA-256."""


def valid_sha256(value: str) -> bool:
    return len(value) == 64 and set(value) <= _HEX


assert SHA256_PATTERN == r"^[0-9a-f]{64}$"


def fsync_dir(path: Path) -> None:
    """Where the OS supports it (not Windows); a failure is raised, as before."""
    fsutil.fsync_dir(path, strict=True)


def hash_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


class BlobStore(Protocol):
    def put_file(self, src: Path, sha256: str, size: int) -> bool:
        """Verify ``src`` and store it under ``sha256``; ``src`` is consumed. True when newly stored."""
        ...

    def put_bytes(self, data: bytes, sha256: str) -> bool: ...

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def size(self, sha256: str) -> int: ...

    def iter_hashes(self) -> Iterator[str]: ...


class FileBlobStore:
    """Blobs as files ``ROOT/ab/abcdef…``; temp files live beside them so the final link is atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path(self, sha256: str) -> Path:
        if not valid_sha256(sha256):
            raise BlobRejected("not a lower-case hex SHA-256")
        return self.root / sha256[:2] / sha256

    def _install(self, tmp: Path, final: Path) -> bool:
        try:
            os.link(tmp, final)
            created = True
        except FileExistsError:
            created = False
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        fsync_dir(final.parent)
        return created

    def put_file(self, src: Path, sha256: str, size: int) -> bool:
        final = self.path(sha256)
        if size <= 0:
            src.unlink(missing_ok=True)
            raise BlobRejected("empty object refused")
        digest, n = hash_file(src)
        if n != size:
            src.unlink(missing_ok=True)
            raise BlobRejected(f"length {n} differs from the declared {size}")
        if digest != sha256:
            src.unlink(missing_ok=True)
            raise BlobRejected("content does not hash to the declared SHA-256")
        final.parent.mkdir(exist_ok=True, mode=0o700)
        if final.exists():
            src.unlink(missing_ok=True)
            return False
        tmp = final.parent / f".{sha256}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        os.rename(src, tmp)  # same file system: DIR/staging and DIR/blobs
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return self._install(tmp, final)

    def put_bytes(self, data: bytes, sha256: str) -> bool:
        final = self.path(sha256)
        if not data:
            raise BlobRejected("empty object refused")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobRejected("content does not hash to the declared SHA-256")
        final.parent.mkdir(exist_ok=True, mode=0o700)
        if final.exists():
            return False
        tmp = final.parent / f".{sha256}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return self._install(tmp, final)

    def exists(self, sha256: str) -> bool:
        return valid_sha256(sha256) and self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size

    def iter_hashes(self) -> Iterator[str]:
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if valid_sha256(f.name):
                        yield f.name
