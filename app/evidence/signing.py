"""Signature records over canonical JSON: domain-separated, detached, verifiable with the public key alone."""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.evidence.canonical import JSONValue, canonical_bytes
from app.models.keys import ED25519, SUPPORTED_SUITES, SignatureError, SigningKey

# The key type lives with the store that holds it (app/models/keys.py); it is re-exported here for the signers.
__all__ = [
    "ED25519", "SUPPORTED_SUITES", "SignatureError", "SigningKey", "b64", "public_key_fingerprint", "sign_object",
    "signing_input", "unb64", "verify_object", "verify_raw",
]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise SignatureError("invalid base64") from exc


def public_key_fingerprint(public_raw: bytes, suite: str = ED25519) -> str:
    """Short, human-comparable fingerprint of a public key: SHA-256 over suite and key, 16 hex digits in 4 groups."""
    digest = hashlib.sha256(suite.encode() + b":" + public_raw).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def verify_raw(public_raw: bytes, message: bytes, signature: bytes, suite: str = ED25519) -> None:
    """Raise SignatureError unless ``signature`` is valid for ``message`` under ``public_raw``."""
    if suite != ED25519:
        raise SignatureError(f"unsupported signature suite {suite!r}")
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("signature does not verify") from exc


def signing_input(context: str, value: JSONValue) -> bytes:
    """Domain-separated bytes to sign: a context label, a NUL, the canonical JSON."""
    return context.encode("ascii") + b"\x00" + canonical_bytes(value)


def sign_object(key: SigningKey, signer_id: str, context: str, value: JSONValue) -> dict[str, str]:
    """A detached signature record over ``value`` in ``context``."""
    return {
        "signer": signer_id,
        "suite": key.suite,
        "public_key": b64(key.public_raw()),
        "context": context,
        "signature": b64(key.sign(signing_input(context, value))),
    }


def verify_object(sig: dict[str, str], context: str, value: JSONValue, expected_public: bytes | None = None) -> None:
    """Verify a record made by :func:`sign_object`; ``expected_public`` pins the signer's key."""
    try:
        suite, pub, raw_sig, ctx = sig["suite"], unb64(sig["public_key"]), unb64(sig["signature"]), sig["context"]
    except (KeyError, TypeError) as exc:
        raise SignatureError("incomplete signature record") from exc
    if ctx != context:
        raise SignatureError(f"signature made for {ctx!r}, expected {context!r}")
    if expected_public is not None and pub != expected_public:
        raise SignatureError("signed with a key that is not the signer's")
    verify_raw(pub, signing_input(context, value), raw_sig, suite)
