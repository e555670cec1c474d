"""Keyslots: the profile's random data key, wrapped once per inspector under a passphrase-derived key.

The data key keys SQLCipher and (through HKDF) the blob files. Each slot stores its own Argon2id parameters and
salt, so parameters can grow over the years without re-encrypting anything; a passphrase change rewrites one slot.
The same passphrase-derived secret also wraps the inspector's Ed25519 private key (a different HKDF label), so one
inspector's unlock never yields the other's signing key.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import ProfileProblem, UnlockThrottled, UserError, WrongPassphrase
from app.fsutil import atomic_write_bytes

KEYSLOT_FORMAT = 1
# Argon2id, RFC 9106 "second recommended" shape, sized to take ≥ 0.2 s on a 2-core laptop (~0.35 s measured).
DEFAULT_KDF: dict[str, int | str] = {"alg": "argon2id", "memory_kib": 131072, "iterations": 3, "lanes": 2}

#: The fewest characters of a new passphrase (the enrolment wizard states it; one rule for the GUI and the CLI).
MIN_PASSPHRASE = 10
#: The fewest different characters: "aaaaaaaaaa" and "1212121212" are ten characters and no secret.
MIN_DISTINCT = 4
#: Runs tried first, forwards, backwards and round the end ("1234567890", "0987654321", "qwertyuiop").
_RUNS = tuple(run * 3 for base in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
              for run in (base, base[::-1]))


class WeakPassphrase(UserError):
    code = "weak_passphrase"


def check_new_passphrase(passphrase: str) -> str:
    """``passphrase`` unless it is too short or trivially guessed (the first strings anyone who finds the laptop
    tries): fewer than ``MIN_PASSPHRASE`` characters, fewer than ``MIN_DISTINCT`` different ones, a run such as
    "1234567890" or "abcdefghij" (or backwards), or a character that cannot be seen (it could never be retyped)."""
    from app.models.validators import hidden_character

    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphrase(f"口令至少需要 {MIN_PASSPHRASE} 个字符。",
                             f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
    folded = passphrase.casefold()
    if len(set(folded)) < MIN_DISTINCT or any(folded in run for run in _RUNS):
        raise WeakPassphrase("口令过于简单（重复或连续的字符），容易被猜出：请用一句只有本人知道的话。",
                             "The passphrase is too simple (repeated or consecutive characters) and easily "
                             "guessed: use a phrase only you know.")
    bad = hidden_character(passphrase)
    if bad is not None:
        raise WeakPassphrase(f"口令中含有看不见的字符（{bad}），以后无法重新输入，请删除。",
                             f"The passphrase holds an invisible character ({bad}) that could never be typed "
                             "again; remove it.")
    return passphrase


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


def derive_secret(passphrase: str, salt: bytes, params: dict[str, int | str]) -> bytes:
    if params.get("alg") != "argon2id":
        raise ProfileProblem("不支持的密钥派生算法。", "Unsupported key derivation algorithm.")
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=int(params["iterations"]),
        lanes=int(params["lanes"]),
        memory_cost=int(params["memory_kib"]),
    )
    return kdf.derive(passphrase.encode("utf-8"))


def subkey(secret: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode("ascii")).derive(secret)


def wrap(key: bytes, plaintext: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    return _b64(nonce + AESGCM(key).encrypt(nonce, plaintext, aad))


def unwrap(key: bytes, wrapped: str, aad: bytes) -> bytes:
    raw = _unb64(wrapped)
    return AESGCM(key).decrypt(raw[:12], raw[12:], aad)


@dataclass
class Keyslot:
    slot_id: str
    inspector_id: str
    label: str  # the inspector's display name, shown on the unlock screen
    kdf: dict[str, int | str]
    salt: str
    wrapped_key: str
    created: str

    def aad(self, profile_id: str) -> bytes:
        return f"fieldaudit/keyslot/v1|{profile_id}|{self.slot_id}|{self.inspector_id}".encode()


@dataclass
class Unlocked:
    """What a correct passphrase yields: the data key and the secret that unwraps the signing key."""

    inspector_id: str
    data_key: bytes
    signing_kek: bytes


class KeyslotFile:
    """``keyslots.json``: public metadata and wrapped keys only."""

    def __init__(self, path: Path, profile_id: str):
        self.path = path
        self.profile_id = profile_id
        self.slots: list[Keyslot] = []

    @classmethod
    def load(cls, path: Path, profile_id: str) -> KeyslotFile:
        ks = cls(path, profile_id)
        if not path.exists():
            return ks
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != KEYSLOT_FORMAT or data.get("profile") != profile_id:
                raise ValueError("format or profile mismatch")
            ks.slots = [Keyslot(**s) for s in data["slots"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProfileProblem(
                "密钥槽文件已损坏，无法解锁。请从备份恢复 keyslots.json。",
                "The keyslot file is damaged; restore keyslots.json from a backup.",
            ) from exc
        return ks

    def save(self) -> None:
        data = {"format": KEYSLOT_FORMAT, "profile": self.profile_id, "slots": [asdict(s) for s in self.slots]}
        atomic_write_bytes(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    def find(self, inspector_id: str) -> Keyslot:
        for s in self.slots:
            if s.inspector_id == inspector_id:
                return s
        raise WrongPassphrase("该检查人员未在本机登记。", "This inspector is not enrolled on this laptop.")

    def add(self, slot_id: str, inspector_id: str, label: str, passphrase: str, data_key: bytes,
            kdf: dict[str, int | str] | None = None) -> Unlocked:
        if any(s.inspector_id == inspector_id for s in self.slots):
            raise ProfileProblem("该检查人员已有密钥槽。", "This inspector already has a keyslot.")
        slot, unlocked = self._make(slot_id, inspector_id, label, passphrase, data_key, kdf)
        self.slots.append(slot)
        return unlocked

    def replace(self, inspector_id: str, passphrase: str, data_key: bytes) -> Unlocked:
        old = self.find(inspector_id)
        slot, unlocked = self._make(old.slot_id, inspector_id, old.label, passphrase, data_key, dict(old.kdf))
        self.slots[self.slots.index(old)] = slot
        return unlocked

    def _make(self, slot_id: str, inspector_id: str, label: str, passphrase: str, data_key: bytes,
              kdf: dict[str, int | str] | None) -> tuple[Keyslot, Unlocked]:
        check_new_passphrase(passphrase)
        params = dict(kdf or DEFAULT_KDF)
        salt = os.urandom(16)
        secret = derive_secret(passphrase, salt, params)
        slot = Keyslot(slot_id, inspector_id, label, params, _b64(salt), "", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        slot.wrapped_key = wrap(subkey(secret, "fieldaudit/keyslot-kek"), data_key, slot.aad(self.profile_id))
        return slot, Unlocked(inspector_id, data_key, subkey(secret, "fieldaudit/signing-kek"))

    def open(self, inspector_id: str, passphrase: str) -> Unlocked:
        slot = self.find(inspector_id)
        secret = derive_secret(passphrase, _unb64(slot.salt), slot.kdf)
        try:
            data_key = unwrap(subkey(secret, "fieldaudit/keyslot-kek"), slot.wrapped_key, slot.aad(self.profile_id))
        except InvalidTag as exc:
            raise WrongPassphrase() from exc
        return Unlocked(inspector_id, data_key, subkey(secret, "fieldaudit/signing-kek"))


class UnlockThrottle:
    """A growing delay after repeated failures, kept on disk so restarting the program does not reset it."""

    FREE_ATTEMPTS = 3
    MAX_DELAY = 300.0

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return {"failures": float(data["failures"]), "last": float(data["last"])}
        except (OSError, ValueError, KeyError, TypeError):
            return {"failures": 0.0, "last": 0.0}

    def delay(self) -> float:
        """Seconds the caller must still wait before the next attempt."""
        st = self._read()
        extra = int(st["failures"]) - self.FREE_ATTEMPTS
        if extra < 0:
            return 0.0
        wait = min(self.MAX_DELAY, 2.0 ** extra)
        return max(0.0, st["last"] + wait - time.time())

    def check(self) -> None:
        wait = self.delay()
        if wait > 0:
            raise UnlockThrottled(wait)

    def failed(self) -> None:
        st = self._read()
        atomic_write_bytes(self.path, json.dumps({"failures": st["failures"] + 1, "last": time.time()}).encode())

    def succeeded(self) -> None:
        if self.path.exists():
            self.path.unlink()


def enrolled_inspectors(profile_dir: Path) -> list[tuple[str, str]]:
    """(inspector id, display name) of every keyslot, read without opening the store or importing SQLAlchemy,
    so the unlock screen appears fast."""
    try:
        profile_id = str(json.loads((Path(profile_dir) / "profile.json").read_text("utf-8"))["profile"])
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProfileProblem("档案文件已损坏。", "The profile file is damaged.") from exc
    return [(s.inspector_id, s.label) for s in KeyslotFile.load(Path(profile_dir) / "keyslots.json", profile_id).slots]
