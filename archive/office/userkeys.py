"""Each office user's own Ed25519 signing key, with which every step they take is signed.

* Made at ``admin users add`` (or, for a user of schema 3, at their first login after the upgrade). The public
  key is kept in clear (``office_users.sign_public``); the private key is sealed with AES-256-GCM under a key
  derived from the user's password with Argon2id (the parameters of ``auth.KDF``, its own 16-byte salt, the
  user id as associated data), ``office_users.sign_private``. The database alone, or anyone with it and the
  archive key, cannot sign as the user: that takes their password.
* At login (the password at hand) the key is unsealed and sealed again for the session under a key derived with
  HKDF-SHA256 from the session token, ``office_sessions.sign_key``. The token lives in the user's cookie; the
  database keeps only its SHA-256. So each request of the session can sign, in any archive process, and the
  session's copy is worthless without the cookie; it goes with the session.

What a step's signature then proves: the step statement (case, stage, data, user id, name, role, time) was
signed with the key made for that user, which was usable only with their password or within a session they
opened with it. It does not prove more than the archive's operators could fake by changing a user's password
(``admin users add`` makes accounts, ``admin users password`` gives a user a new key, retiring the old one in
the office log, ``archive/office/password.py``): their public key is therefore also countersigned in every
statement by the archive key and shown with its fingerprint.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.evidence.signing import SigningKey

SEALED_PREFIX = "argon2id-aes256gcm"
AAD = b"fieldaudit office signing key v1\x1f"
SESSION_INFO = b"fieldaudit office session signing key v1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _password_key(password: str, salt: bytes, m: int, t: int, p: int) -> bytes:
    return Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m).derive(password.encode("utf-8"))


def new_key() -> SigningKey:
    return SigningKey.generate()


def seal_with_password(password: str, user_id: str, key: SigningKey) -> str:
    from archive.office.auth import KDF

    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_password_key(password, salt, KDF["m"], KDF["t"], KDF["p"])).encrypt(
        nonce, key.raw(), AAD + user_id.encode("utf-8"))
    return f"{SEALED_PREFIX}$m={KDF['m']},t={KDF['t']},p={KDF['p']}${_b64(salt)}${_b64(nonce)}${_b64(sealed)}"


def open_with_password(password: str, user_id: str, sealed: str) -> SigningKey | None:
    """The user's key, or None when the password does not open it (or the sealed text is damaged)."""
    try:
        alg, params, salt, nonce, ct = sealed.split("$")
        p = dict(kv.split("=") for kv in params.split(","))
        if alg != SEALED_PREFIX:
            return None
        key = _password_key(password, base64.b64decode(salt), int(p["m"]), int(p["t"]), int(p["p"]))
        raw = AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(ct), AAD + user_id.encode("utf-8"))
        return SigningKey.from_raw(raw)
    except (ValueError, KeyError, InvalidTag):
        return None


def _session_key(token: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SESSION_INFO).derive(token.encode("ascii"))


def seal_for_session(token: str, key: SigningKey) -> str:
    nonce = os.urandom(12)
    return _b64(nonce) + "$" + _b64(AESGCM(_session_key(token)).encrypt(nonce, key.raw(), SESSION_INFO))


def open_for_session(token: str, sealed: str | None) -> SigningKey | None:
    if not sealed:
        return None
    try:
        nonce, ct = sealed.split("$")
        return SigningKey.from_raw(AESGCM(_session_key(token)).decrypt(base64.b64decode(nonce),
                                                                         base64.b64decode(ct), SESSION_INFO))
    except (ValueError, InvalidTag):
        return None
