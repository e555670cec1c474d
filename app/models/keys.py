"""The signing-key type the store holds for its device and for each unlocked inspector.

It lives with the store (the innermost layer) because the store generates, wraps and unwraps these keys;
``app.evidence.signing`` builds signature records over canonical JSON on top of it (docs/architecture.md 'Layers').
Ed25519 now; the ``suite`` field leaves room for SM2/SM3 (GB/T 32918, GB/T 32905).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ED25519 = "ed25519"
SUPPORTED_SUITES = (ED25519,)


class SignatureError(ValueError):
    """A signature is malformed, uses an unknown suite, or does not verify."""


@dataclass(frozen=True)
class SigningKey:
    """A private key held in memory only while its owner is unlocked."""

    private: Ed25519PrivateKey
    suite: str = ED25519

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, raw: bytes, suite: str = ED25519) -> SigningKey:
        if suite != ED25519:
            raise SignatureError(f"unsupported signature suite {suite!r}")
        return cls(Ed25519PrivateKey.from_private_bytes(raw), suite)

    def raw(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)
