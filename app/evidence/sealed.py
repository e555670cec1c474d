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
from typing import Any, BinaryIO

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


class SealedReader(io.RawIOBase):
    """Random access to the plaintext of a sealed package without writing it anywhere: each 1 MiB chunk is
    decrypted (and authenticated) when read, one chunk is cached. A damaged, truncated or extended file raises
    :class:`SealedError` when the chunk concerned is read; the final chunk is authenticated on opening."""

    def __init__(self, src: BinaryIO, private: X25519PrivateKey):
        super().__init__()
        src.seek(0, io.SEEK_END)
        total = src.tell()
        src.seek(0)
        header = src.read(len(MAGIC) + 56)
        if len(header) != len(MAGIC) + 56 or not header.startswith(MAGIC):
            raise SealedError("不是加密的案件数据包。", "Not a sealed case package.")
        self._src, self._header = src, header
        self._prefix = header[56:64]
        self._aead = _key(private.exchange(X25519PublicKey.from_public_bytes(header[8:40])), header[40:56])
        body = total - len(header)
        self._chunks = max(1, -(-body // (CHUNK + 16)))
        last = body - (self._chunks - 1) * (CHUNK + 16)
        if last < 16:
            raise self._damaged()
        self._size = (self._chunks - 1) * CHUNK + last - 16
        self._pos = 0
        self._cached: tuple[int, bytes] = (-1, b"")
        self._chunk(self._chunks - 1)  # the final flag: a truncated file fails here

    @staticmethod
    def _damaged() -> SealedError:
        return SealedError("加密数据包已损坏、被篡改或密钥不符。",
                           "The sealed package is damaged, tampered with, or the key does not match.")

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] == index:
            return self._cached[1]
        self._src.seek(len(self._header) + index * (CHUNK + 16))
        data = self._src.read(CHUNK + 16)
        final = index == self._chunks - 1
        try:
            plain = self._aead.decrypt(self._prefix + struct.pack(">I", index), data,
                                       self._header + struct.pack(">QB", index, final))
        except InvalidTag as exc:
            raise self._damaged() from exc
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        out = bytearray()
        while self._pos < end:
            index, offset = divmod(self._pos, CHUNK)
            piece = self._chunk(index)[offset:offset + end - self._pos]
            out += piece
            self._pos += len(piece)
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
