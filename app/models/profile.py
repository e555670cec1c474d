"""A profile directory and its unlocked store.

``Profile`` knows the files; ``Store`` is what a correct passphrase opens: the SQLCipher engine, the data key (for
blobs), the device key and the signing keys of the inspectors who have unlocked in this session.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.errors import PermissionRefused, ProfileProblem, UserError, WrongPassphrase
from app.fsutil import atomic_write_bytes
from app.ids import uuid7
from app.iofaults import io_fault
from app.models import engine as sqlcipher
from app.models.keys import SigningKey
from app.models.keyslots import (
    DEFAULT_KDF,
    KeyslotFile,
    Unlocked,
    UnlockThrottle,
    check_new_passphrase,
    subkey,
    unwrap,
    wrap,
)
from app.models.lock import ProfileLock
from app.models.migrations import migrate
from app.models.schema import Device, Inspector, Meta
from app.models.validators import HiddenCharacter, ValidationError, check_text_length, check_visible_text
from app.paths import ProfilePaths, check_profile_root

PROFILE_FORMAT = 1


def utc_now(seconds: float | None = None) -> str:
    """Wall-clock time (or ``seconds`` since the epoch, from an injected clock) as an ISO 8601 UTC string with
    milliseconds (a claim, see docs/architecture.md 'Time')."""
    t = time.time_ns() if seconds is None else round(seconds * 1e9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1_000_000_000)) + f".{(t // 1_000_000) % 1000:03d}Z"


#: The longest name, 执法证号 and organisation an inspector may enrol with (each is printed on every form).
IDENTITY_LIMITS = (("姓名", "name", 50), ("执法证号", "credential number", 32), ("所属单位", "organisation", 100))


def _identity(name: str, credential_no: str, organisation: str) -> tuple[str, str, str]:
    """An inspector's name, 执法证号 and organisation, stripped; none may be blank (a signed record names them), hold
    a character that is not seen (it would be printed and compared as something else) or be absurdly long."""
    # the 执法证号 as one string whatever the keyboard: full-width digits (an IME left in full-width mode) and spaces
    # typed as on the card made "another" number, and the same person was enrolled twice
    credential_no = re.sub(r"\s+", "", unicodedata.normalize("NFKC", credential_no)).upper()
    fields = (name.strip(), credential_no, organisation.strip())
    if not all(fields):
        raise UserError("请填写姓名、执法证号和所属单位。", "Fill in the name, credential number and organisation.")
    for value, (what_zh, what_en, limit) in zip(fields, IDENTITY_LIMITS, strict=True):
        try:
            check_visible_text(value)
            check_text_length(value, limit, what_zh, what_en)
        except (HiddenCharacter, ValidationError) as exc:
            raise UserError(f"{what_zh}：{exc.message_zh}", f"The {what_en}: {exc.message_en}") from None
    return fields


@dataclass(frozen=True)
class InspectorSlot:
    inspector_id: str
    name: str


class Profile:
    """The files of one profile directory; nothing readable about cases lives outside ``store.db`` and ``blobs``."""

    def __init__(self, root: Path, profile_id: str):
        self.paths = ProfilePaths(root)
        self.id = profile_id

    @property
    def root(self) -> Path:
        return self.paths.root

    @classmethod
    def init(cls, root: Path) -> Profile:
        root = Path(root)
        check_profile_root(root)
        paths = ProfilePaths(root)
        if paths.profile_file.exists():
            raise ProfileProblem(f"档案目录已存在：{root}", f"A profile already exists at {root}.")
        if root.exists() and any(root.iterdir()):
            raise ProfileProblem(f"目录不为空：{root}", f"The directory is not empty: {root}.")
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        profile_id = uuid7()
        atomic_write_bytes(
            paths.profile_file,
            json.dumps({"format": PROFILE_FORMAT, "profile": profile_id, "created": utc_now()}).encode(),
        )
        return cls(root, profile_id)

    @classmethod
    def open(cls, root: Path) -> Profile:
        check_profile_root(Path(root))
        paths = ProfilePaths(Path(root))
        try:
            data = json.loads(paths.profile_file.read_text("utf-8"))
            profile_id = str(data["profile"])
            fmt = int(data["format"])
        except FileNotFoundError as exc:
            raise ProfileProblem(f"找不到档案：{root}", f"No profile at {root}.") from exc
        except OSError as exc:
            raise (io_fault(exc, paths.root) or ProfileProblem(
                f"无法读取档案文件：{paths.profile_file}", f"Cannot read the profile file: {paths.profile_file}.")) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ProfileProblem(f"档案文件已损坏：{paths.profile_file}", f"The profile file is damaged: {paths.profile_file}.") from exc
        if fmt > PROFILE_FORMAT:
            raise ProfileProblem("此档案由更新版本的程序创建。", "This profile was made by a newer release.")
        return cls(Path(root), profile_id)

    def keyslots(self) -> KeyslotFile:
        return KeyslotFile.load(self.paths.keyslots, self.id)

    def inspectors(self) -> list[InspectorSlot]:
        return [InspectorSlot(s.inspector_id, s.label) for s in self.keyslots().slots]

    def has_store(self) -> bool:
        return self.paths.database.exists()

    # -- unlocking --------------------------------------------------------------------------------------------
    def _open_slot(self, passphrase: str, inspector_id: str | None) -> Unlocked:
        throttle = UnlockThrottle(self.paths.unlock_state)
        throttle.check()
        slots = self.keyslots()
        if not slots.slots:
            raise ProfileProblem("本档案尚未登记任何检查人员。", "No inspector is enrolled in this profile yet.")
        candidates = [slots.find(inspector_id)] if inspector_id else slots.slots
        for slot in candidates:
            try:
                unlocked = slots.open(slot.inspector_id, passphrase)
            except WrongPassphrase:
                continue
            throttle.succeeded()
            return unlocked
        throttle.failed()
        raise WrongPassphrase()

    def unlock(self, passphrase: str, inspector_id: str | None = None, *, integrity_check: bool = True) -> Store:
        """Open the store with one inspector's passphrase (any enrolled inspector when ``inspector_id`` is None)."""
        unlocked = self._open_slot(passphrase, inspector_id)
        store = Store.open(self, unlocked.data_key, integrity_check=integrity_check)
        store.add_signer(unlocked)
        return store

    def enroll(self, name: str, credential_no: str, organisation: str, passphrase: str,
               unlock_passphrase: str | None = None, kdf: dict[str, int | str] | None = None) -> str:
        """Enrol an inspector: a keyslot for the data key and a wrapped Ed25519 key. Returns the inspector id."""
        name, credential_no, organisation = _identity(name, credential_no, organisation)
        check_new_passphrase(passphrase)  # before a first enrolment creates the store (a refusal after it left a
        # store without a keyslot, and every later attempt failed with "the store already exists")
        if unlock_passphrase is not None and passphrase == unlock_passphrase:  # either could then act as both
            raise PermissionRefused("新人员的口令不能与已登记人员的口令相同：每人须有只有本人知道的口令。",
                                    "The new inspector's passphrase must differ from the enrolled inspector's: each "
                                    "person needs a passphrase only they know.")
        slots = self.keyslots()
        inspector_id = uuid7()
        if not slots.slots:
            data_key = os.urandom(32)
            Store.create(self, data_key)
        else:
            if unlock_passphrase is None:
                raise PermissionRefused(
                    "登记新人员需要一名已登记检查人员的口令。",
                    "Enrolling needs the passphrase of an inspector already enrolled.",
                )
            data_key = self._open_slot(unlock_passphrase, None).data_key
        first = not slots.slots
        store = Store.open(self, data_key, integrity_check=False)
        try:
            return store.enroll(name, credential_no, organisation, passphrase, kdf, inspector_id=inspector_id)
        except BaseException:
            if first and not self.keyslots().slots:  # a store nobody can ever open: gone, so the next try works
                store.close()
                for path in (self.paths.database, *(self.paths.database.with_name(self.paths.database.name + x)
                                                    for x in ("-wal", "-shm", "-journal"))):
                    path.unlink(missing_ok=True)
            raise
        finally:
            store.close()

    def change_passphrase(self, inspector_id: str, old: str, new: str) -> None:
        """Rewrite one keyslot and re-wrap that inspector's signing key; the database is not re-encrypted."""
        unlocked = self._open_slot(old, inspector_id)
        store = Store.open(self, unlocked.data_key, integrity_check=False)
        try:
            key = store._unwrap_signing_key(unlocked)
            slots = self.keyslots()
            fresh = slots.replace(inspector_id, new, unlocked.data_key)
            with store.session() as s, s.begin():
                row = s.get(Inspector, inspector_id)
                assert row is not None
                # Direct UPDATE of a mutable column; the key material itself is unchanged.
                row.wrapped_private_key = wrap(fresh.signing_kek, key.raw(), _signing_aad(self.id, inspector_id))
            slots.save()
        finally:
            store.close()


def _signing_aad(profile_id: str, inspector_id: str) -> bytes:
    return f"fieldaudit/signing-key/v1|{profile_id}|{inspector_id}".encode()


class Store:
    """An unlocked store. Close it (or lock) to drop the keys."""

    def __init__(self, profile: Profile, engine: Engine, data_key: bytes, lock: ProfileLock | None = None):
        self.profile = profile
        self._lock = lock
        self.engine = engine
        self._data_key = data_key
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._signers: dict[str, SigningKey] = {}
        self.device_id = ""
        self._device_key: SigningKey | None = None

    @classmethod
    def create(cls, profile: Profile, data_key: bytes) -> None:
        paths = profile.paths
        if paths.database.exists():
            raise ProfileProblem("数据库已存在。", "The store already exists.")
        engine = sqlcipher.make_engine(paths.database, data_key)
        try:
            migrate(engine)
            key = SigningKey.generate()
            device_id = uuid7()
            with Session(engine) as s, s.begin():
                s.add(Meta(key="profile_id", value=profile.id))
                s.add(Meta(key="device_id", value=device_id))
                s.add(Device(id=device_id, label=platform.node(), public_key=key.public_raw(),
                             private_key=key.raw(), created=utc_now()))
        finally:
            engine.dispose()

    @classmethod
    def open(cls, profile: Profile, data_key: bytes, *, integrity_check: bool = True) -> Store:
        paths = profile.paths
        if not paths.database.exists():
            raise ProfileProblem("档案中没有数据库。", "The profile has no store.")
        lock = ProfileLock(paths.root / ".lock")
        lock.acquire()
        try:
            sqlcipher.probe(paths.database, data_key, integrity=integrity_check)
        except BaseException:
            lock.release()
            raise
        engine = sqlcipher.make_engine(paths.database, data_key)
        try:
            migrate(engine)
            store = cls(profile, engine, data_key, lock)
            with store.session() as s:
                meta = {m.key: m.value for m in s.scalars(select(Meta))}
                if meta.get("profile_id") != profile.id:
                    raise ProfileProblem("数据库与档案不匹配。", "The store does not belong to this profile.")
                store.device_id = meta["device_id"]
                dev = s.get(Device, store.device_id)
                if dev is None or dev.private_key is None:
                    raise ProfileProblem("设备密钥缺失。", "The device key is missing.")
                store._device_key = SigningKey.from_raw(dev.private_key)
        except sqlcipher.DatabaseError as exc:
            engine.dispose()
            lock.release()
            raise sqlcipher.damaged_or_io(exc, paths.database) from exc
        except BaseException:
            engine.dispose()
            lock.release()
            raise
        return store

    # -- keys -------------------------------------------------------------------------------------------------
    def subkey(self, label: str) -> bytes:
        return subkey(self._data_key, label)

    @property
    def device_key(self) -> SigningKey:
        if self._device_key is None:
            raise PermissionRefused("存储已锁定。", "The store is locked.")
        return self._device_key

    def _unwrap_signing_key(self, unlocked: Unlocked) -> SigningKey:
        with self.session() as s:
            row = s.get(Inspector, unlocked.inspector_id)
            if row is None or row.wrapped_private_key is None:
                raise ProfileProblem("检查人员记录缺失。", "The inspector record is missing.")
            try:
                raw = unwrap(unlocked.signing_kek, row.wrapped_private_key,
                             _signing_aad(self.profile.id, unlocked.inspector_id))
            except InvalidTag as exc:
                raise sqlcipher.StoreDamaged() from exc
            key = SigningKey.from_raw(raw, row.suite)
            if key.public_raw() != row.public_key:
                raise sqlcipher.StoreDamaged()
            return key

    def add_signer(self, unlocked: Unlocked) -> None:
        self._signers[unlocked.inspector_id] = self._unwrap_signing_key(unlocked)

    def unlock_inspector(self, passphrase: str, inspector_id: str | None = None) -> str:
        """A further inspector proves presence with their own passphrase; returns their id."""
        unlocked = self.profile._open_slot(passphrase, inspector_id)
        if unlocked.data_key != self._data_key:
            raise sqlcipher.StoreDamaged()
        self.add_signer(unlocked)
        return unlocked.inspector_id

    def enroll(self, name: str, credential_no: str, organisation: str, passphrase: str,
               kdf: dict[str, int | str] | None = None, *, inspector_id: str | None = None) -> str:
        """Enrol a further inspector into this unlocked store (keyslot + wrapped signing key)."""
        name, credential_no, organisation = _identity(name, credential_no, organisation)
        # one person, one 执法证: enrolled twice on this laptop they would be "two inspectors" alone (someone known
        # only from the office's roster may still enrol here)
        with self.session() as s:
            if s.scalars(select(Inspector.id).where(Inspector.credential_no == credential_no,
                                                   Inspector.local.is_(True))).first() is not None:
                raise PermissionRefused(f"执法证号 {credential_no} 已登记，同一人不能登记两次。",
                                        f"The credential number {credential_no} is already enrolled; one person "
                                        "cannot be enrolled twice.")
        inspector_id = inspector_id or uuid7()
        slots = self.profile.keyslots()
        unlocked = slots.add(uuid7(), inspector_id, name, passphrase, self._data_key, kdf or DEFAULT_KDF)
        key = SigningKey.generate()
        with self.transaction() as s:
            s.add(Inspector(
                id=inspector_id, name=name, credential_no=credential_no, organisation=organisation,
                public_key=key.public_raw(),
                wrapped_private_key=wrap(unlocked.signing_kek, key.raw(), _signing_aad(self.profile.id, inspector_id)),
                local=True, created=utc_now(),
            ))
        slots.save()  # after the inspector row: a slot never points at a missing inspector
        return inspector_id

    def unlocked_inspectors(self) -> list[str]:
        return list(self._signers)

    def signing_key(self, inspector_id: str) -> SigningKey:
        try:
            return self._signers[inspector_id]
        except KeyError:
            raise PermissionRefused(
                "该检查人员尚未输入本人口令，不能代为签名。",
                "This inspector has not entered their own passphrase; nobody can sign for them.",
            ) from None

    def forget_signer(self, inspector_id: str) -> None:
        self._signers.pop(inspector_id, None)

    # -- database ---------------------------------------------------------------------------------------------
    def session(self) -> Session:
        return self._sessions()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.session() as s, s.begin():
            yield s

    def release_memory(self) -> None:
        """Empty the page cache of the idle database connections (SQLite keeps up to 2 MiB of pages it has read
        in each until the connection closes): called once the application has been idle for a moment, so a burst
        of reads keeps its cache and a case left open does not hold it. Pages are read again when next needed."""
        pool = self.engine.pool
        idle = pool.checkedin() if isinstance(pool, QueuePool) else 0
        connections = []
        try:
            for _ in range(idle):  # every idle connection, each checked out once
                connections.append(self.engine.raw_connection())
            for connection in connections:
                connection.driver_connection.execute("PRAGMA shrink_memory")  # type: ignore[union-attr]
        finally:
            for connection in connections:
                connection.close()

    def close(self) -> None:
        self._signers.clear()
        self._device_key = None
        self._data_key = b""
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    lock = close

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
