"""The archive's own Ed25519 key, made on first start and kept in DIR with mode 0600."""

from __future__ import annotations

import os
from pathlib import Path

from app.evidence.signing import SigningKey, b64, public_key_fingerprint
from app.fsutil import fsync_dir

ARCHIVE_SIGNER = "archive"


class ArchiveKeyError(RuntimeError):
    pass


def load_or_create_key(path: Path) -> SigningKey:
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ArchiveKeyError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
        raw = path.read_bytes()
        if len(raw) != 32:
            raise ArchiveKeyError(f"{path} is not a 32-byte Ed25519 private key")
        return SigningKey.from_raw(raw)
    key = SigningKey.generate()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.raw())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.link(tmp, path)  # fails if another process created the key meanwhile
    os.unlink(tmp)
    fsync_dir(path.parent, strict=True)
    return key


def public_b64(key: SigningKey) -> str:
    return b64(key.public_raw())


def fingerprint(key: SigningKey) -> str:
    return public_key_fingerprint(key.public_raw(), key.suite)
