"""Sealing a package to the archive's X25519 public key (ECIES: X25519 + HKDF-SHA256 + chunked AES-256-GCM).

    header  = b"FASEAL1\\n" | ephemeral X25519 public key (32) | salt (16) | nonce prefix (8)
    chunk i = AES-256-GCM(key, nonce = prefix | i u32 BE, aad = header | i u64 BE | final u8)

with key = HKDF-SHA256(X25519(ephemeral, recipient), salt, "fieldaudit/sealed-package/v1"). The writer streams, so
the plaintext package never exists on disk.
"""

from __future__ import annotations

import base64
import io
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import UserError

MAGIC = b"FASEAL1\n"
CHUNK = 1 << 20
INFO = b"fieldaudit/sealed-package/v1"


class SealedError(UserError):
    code = "sealed"


def _key(shared: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(hashes.SHA256(), 32, salt, INFO).derive(shared))


def load_public_key(path: Path) -> X25519PublicKey:
    try:
        text = path.read_text("ascii").strip()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, X25519PublicKey):
                raise ValueError("not X25519")
            return key
        return X25519PublicKey.from_public_bytes(base64.b64decode(text))
    except (OSError, ValueError) as exc:
        raise SealedError(f"无法读取档案中心公钥：{path}", f"Cannot read the archive's public key: {path}") from exc


def load_private_key(path: Path) -> X25519PrivateKey:
    try:
        text = path.read_text("ascii").strip()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), None)
            if not isinstance(key, X25519PrivateKey):
                raise ValueError("not X25519")
            return key
        return X25519PrivateKey.from_private_bytes(base64.b64decode(text))
    except (OSError, ValueError) as exc:
        raise SealedError(f"无法读取解密私钥：{path}", f"Cannot read the decryption key: {path}") from exc


class SealedWriter(io.RawIOBase):
    """A write-only stream that seals everything written to it into ``dst``."""

    def __init__(self, dst: BinaryIO, recipient: X25519PublicKey):
        super().__init__()
        eph = X25519PrivateKey.generate()
        salt, self._prefix = os.urandom(16), os.urandom(8)
        eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._header = MAGIC + eph_pub + salt + self._prefix
        self._aead = _key(eph.exchange(recipient), salt)
        self._dst = dst
        self._buf = bytearray()
        self._index = 0
        dst.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buf += data
        while len(self._buf) > CHUNK:  # keep at least one byte back: the last chunk is written at close
            self._emit(bytes(self._buf[:CHUNK]), final=False)
            del self._buf[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        self._dst.write(self._aead.encrypt(nonce, chunk, self._header + struct.pack(">QB", self._index, final)))
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buf), final=True)
            self._buf.clear()
        super().close()


def is_sealed(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def unseal(src: BinaryIO, dst: BinaryIO, private: X25519PrivateKey) -> int:
    header = src.read(len(MAGIC) + 56)
    if len(header) != len(MAGIC) + 56 or not header.startswith(MAGIC):
        raise SealedError("不是加密的案件数据包。", "Not a sealed case package.")
    eph = X25519PublicKey.from_public_bytes(header[8:40])
    salt, prefix = header[40:56], header[56:64]
    aead = _key(private.exchange(eph), salt)
    index, total = 0, 0
    current = src.read(CHUNK + 16)
    while True:
        nxt = src.read(CHUNK + 16) if len(current) == CHUNK + 16 else b""
        final = not nxt
        try:
            plain = aead.decrypt(prefix + struct.pack(">I", index), current, header + struct.pack(">QB", index, final))
        except InvalidTag as exc:
            raise SealedError("加密数据包已损坏、被篡改或密钥不符。",
                              "The sealed package is damaged, tampered with, or the key does not match.") from exc
        dst.write(plain)
        total += len(plain)
        if final:
            return total
        current, index = nxt, index + 1
