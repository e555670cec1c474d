"""app.evidence.sealed on its own: chunk boundaries round-trip, and a stream cut at or inside a chunk, with chunks
reordered, dropped, repeated or appended to, or opened with another key, is refused (never a partial "OK")."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.evidence import sealed

C = 64  # a small chunk so that boundaries are cheap to reach; the format does not depend on the size
TAG = 16
HEADER = len(sealed.MAGIC) + 56


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sealed, "CHUNK", C)


@pytest.fixture
def key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def seal(data: bytes, key: X25519PrivateKey, pieces: int = 1) -> bytes:
    out = io.BytesIO()
    w = sealed.SealedWriter(out, key.public_key())
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        w.write(data[i:i + step])
    w.close()
    return out.getvalue()


def unseal(blob: bytes, key: X25519PrivateKey) -> bytes:
    out = io.BytesIO()
    n = sealed.unseal(io.BytesIO(blob), out, key)
    assert n == len(out.getvalue())
    return out.getvalue()


def chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER:]
    return blob[:HEADER], [body[i:i + C + TAG] for i in range(0, len(body), C + TAG)]


def refused(blob: bytes, key: X25519PrivateKey) -> None:
    with pytest.raises(sealed.SealedError):
        unseal(blob, key)


@pytest.mark.parametrize("size", [0, 1, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, 3 * C, 5 * C + 7])
@pytest.mark.parametrize("pieces", [1, 3, 1000])
def test_round_trip_at_every_chunk_boundary(size: int, pieces: int, key: X25519PrivateKey) -> None:
    data = os.urandom(size)
    blob = seal(data, key, pieces)
    # one chunk per started CHUNK bytes, the last one written at close (an empty final chunk for 0 bytes)
    assert len(blob) == HEADER + max(1, -(-size // C)) * TAG + size
    assert unseal(blob, key) == data


def test_two_seals_of_the_same_bytes_differ(key: X25519PrivateKey) -> None:
    data = b"x" * (2 * C)
    a, b = seal(data, key), seal(data, key)
    assert a[:len(sealed.MAGIC)] == b[:len(sealed.MAGIC)] == sealed.MAGIC
    assert a[len(sealed.MAGIC):] != b[len(sealed.MAGIC):]  # fresh ephemeral key, salt and nonce prefix


@pytest.mark.parametrize("size", [C, 3 * C, 3 * C + 5])
def test_truncation_is_refused_wherever_the_cut(size: int, key: X25519PrivateKey) -> None:
    blob = seal(os.urandom(size), key)
    header, parts = chunks(blob)
    # at a chunk boundary: every chunk left verifies, but none is marked final
    for keep in range(len(parts)):
        refused(header + b"".join(parts[:keep]), key)
    for cut in (1, TAG, C, len(blob) - HEADER - 1):
        refused(blob[:HEADER + cut], key)
    for cut in (0, 5, HEADER - 1):
        refused(blob[:cut], key)


def test_reordered_dropped_repeated_and_appended_chunks_are_refused(key: X25519PrivateKey) -> None:
    blob = seal(os.urandom(4 * C), key)
    header, parts = chunks(blob)
    assert len(parts) == 4
    refused(header + parts[1] + parts[0] + parts[2] + parts[3], key)  # swapped
    refused(header + parts[0] + parts[2] + parts[1] + parts[3], key)
    refused(header + parts[0] + parts[2] + parts[3], key)  # a middle chunk dropped
    refused(header + parts[0] + parts[0] + parts[1] + parts[2] + parts[3], key)  # repeated
    refused(header + parts[0] + parts[1] + parts[2] + parts[3] + parts[3], key)  # the final one twice
    refused(blob + b"\x00", key)  # appended bytes
    refused(blob + seal(b"more", key)[HEADER:], key)  # another seal's chunk appended
    assert unseal(header + b"".join(parts), key) == unseal(blob, key)


def test_a_chunk_from_another_package_is_refused(key: X25519PrivateKey) -> None:
    a_header, a_parts = chunks(seal(os.urandom(2 * C), key))
    _, b_parts = chunks(seal(os.urandom(2 * C), key))
    refused(a_header + b_parts[0] + a_parts[1], key)


def test_changed_bytes_header_and_key_are_refused(key: X25519PrivateKey) -> None:
    blob = seal(os.urandom(2 * C + 3), key)
    for pos in (len(sealed.MAGIC) + 1, 45, HEADER - 1, HEADER, HEADER + C + TAG + 2, len(blob) - 1):
        changed = bytearray(blob)
        changed[pos] ^= 0x01
        refused(bytes(changed), key)
    refused(blob, X25519PrivateKey.generate())
    with pytest.raises(sealed.SealedError, match="Not a sealed case package"):
        unseal(b"FASEAL2\n" + blob[len(sealed.MAGIC):], key)


def test_is_sealed_and_key_files(tmp_path: Path, key: X25519PrivateKey) -> None:
    pkg = tmp_path / "case.fapkg"
    pkg.write_bytes(seal(b"package", key))
    assert sealed.is_sealed(pkg)
    plain = tmp_path / "plain.zip"
    plain.write_bytes(b"PK\x03\x04")
    assert not sealed.is_sealed(plain)

    pem = tmp_path / "archive.pub"
    pem.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    priv = tmp_path / "archive.key"
    priv.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    out = io.BytesIO()
    w = sealed.SealedWriter(out, sealed.load_public_key(pem))
    w.write(b"hello")
    w.close()
    assert unseal(out.getvalue(), sealed.load_private_key(priv)) == b"hello"
    for bad in (tmp_path / "missing.pub", plain):
        with pytest.raises(sealed.SealedError):
            sealed.load_public_key(bad)
        with pytest.raises(sealed.SealedError):
            sealed.load_private_key(bad)
