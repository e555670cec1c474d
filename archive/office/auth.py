"""Office users: Argon2id password hashes, login with lockout, sessions with a CSRF token, and the office log.

* Passwords are hashed with Argon2id (RFC 9106; 64 MiB, 3 passes, 1 lane, 16-byte salt), stored as
  ``argon2id$m=65536,t=3,p=1$SALT$HASH`` (base64); compared in constant time.
* Five wrong passwords in a row lock the account for 15 minutes; the answer never says whether the login exists.
* A session is a random 256-bit token in an ``HttpOnly``, ``SameSite=Strict`` cookie; the database keeps only its
  SHA-256. It ends after 30 minutes idle or 12 hours in all. Every form carries the session's CSRF token, and a
  POST without it (or from another origin) is refused.
* Every login, failure, lockout and decision is appended to the hash-chained office log.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.evidence.canonical import canonical_bytes
from app.evidence.signing import SigningKey, b64
from archive.db import Counter, Database, bump_counter, utcnow
from archive.office.models import ROLES, OfficeLogEntry, OfficeSession, OfficeUser
from archive.shared_state import insert_absent

KDF = {"m": 65536, "t": 3, "p": 1}
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
MIN_PASSWORD = 10


class OfficeError(ValueError):
    """A refusal to show the office user: (Chinese, English)."""

    def __init__(self, zh: str, en: str, status: int = 400) -> None:
        super().__init__(f"{zh} | {en}")
        self.zh, self.en, self.status = zh, en, status


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    kdf = Argon2id(salt=salt, length=32, iterations=KDF["t"], lanes=KDF["p"], memory_cost=KDF["m"])
    digest = kdf.derive(password.encode("utf-8"))
    return f"argon2id$m={KDF['m']},t={KDF['t']},p={KDF['p']}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        alg, params, salt_b64, hash_b64 = stored.split("$")
        p = dict(kv.split("=") for kv in params.split(","))
        if alg != "argon2id":
            return False
        kdf = Argon2id(salt=base64.b64decode(salt_b64), length=32, iterations=int(p["t"]), lanes=int(p["p"]),
                       memory_cost=int(p["m"]))
        digest = kdf.derive(password.encode("utf-8"))
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(hash_b64))


_DUMMY = hash_password("not a real password", salt=b"\0" * 16)


def append_log(s: Session, user_id: str | None, action: str, case_id: str | None = None,
               **detail: Any) -> OfficeLogEntry:
    """Append one row to the office log inside the caller's transaction. The chain is serialised by the
    ``office_log`` counter row: its UPDATE waits for the previous appender to commit and then counts on from its
    value (reading the last row ``FOR UPDATE`` instead gave a waiting PostgreSQL transaction the superseded row
    back: the same ``seq``, a failed request); after it, the previous row is committed and visible."""
    top = s.execute(select(func.max(OfficeLogEntry.seq))).scalar_one_or_none()
    insert_absent(s, Counter, {"name": "office_log", "value": -1 if top is None else int(top)})
    seq = bump_counter(s, "office_log")
    last = s.execute(select(OfficeLogEntry).where(OfficeLogEntry.seq == seq - 1)).scalar_one_or_none()
    prev = "" if last is None else last.hash
    at = utcnow()
    body = canonical_bytes(detail).decode()
    digest = hashlib.sha256(canonical_bytes(
        {"seq": seq, "at": at.isoformat(), "user": user_id, "action": action, "case": case_id, "detail": body,
         "prev": prev})).hexdigest()
    row = OfficeLogEntry(seq=seq, at=at, user_id=user_id, action=action, case_id=case_id, detail=body, prev=prev,
                         hash=digest)
    s.add(row)
    s.flush()
    return row


def verify_log(s: Session) -> list[str]:
    """Recompute the office log's chain; the failures (empty when it holds)."""
    failures = []
    prev = ""
    for n, row in enumerate(s.execute(select(OfficeLogEntry).order_by(OfficeLogEntry.seq)).scalars()):
        digest = hashlib.sha256(canonical_bytes(
            {"seq": row.seq, "at": row.at.isoformat(), "user": row.user_id, "action": row.action,
             "case": row.case_id, "detail": row.detail, "prev": row.prev})).hexdigest()
        if row.seq != n or row.prev != prev or row.hash != digest:
            failures.append(f"office log #{row.seq}: the chain is broken")
        prev = row.hash
    return failures


def add_user(db: Database, login: str, name: str, role: str, password: str,
             inspector_id: str | None = None) -> OfficeUser:
    if role not in ROLES:
        raise OfficeError("角色无效", f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise OfficeError(f"口令至少 {MIN_PASSWORD} 个字符", f"the password needs at least {MIN_PASSWORD} characters")
    if not login or len(login) > 64 or not name.strip():
        raise OfficeError("登录名或姓名无效", "the login name or the name is empty or too long")
    if role == "inspector" and not inspector_id:
        raise OfficeError("稽核人员账户须关联其稽核人员编号", "an inspector account must name its inspector id")
    with db.write() as s:
        if s.execute(select(OfficeUser).where(OfficeUser.login == login)).scalar_one_or_none() is not None:
            raise OfficeError("登录名已存在", f"the login {login!r} exists already")
        from archive.office.userkeys import new_key, seal_with_password

        user_id = uuid.uuid4().hex
        key = new_key()
        user = OfficeUser(id=user_id, login=login, name=name.strip(), role=role, inspector_id=inspector_id,
                          password=hash_password(password), created_at=utcnow(),
                          sign_public=b64(key.public_raw()), sign_private=seal_with_password(password, user_id, key))
        s.add(user)
        s.flush()
        append_log(s, None, "user.added", None, login=login, role=role, user=user.id)
    return user


@dataclass(frozen=True)
class Principal:
    user_id: str
    login: str
    name: str
    role: str
    inspector_id: str | None
    csrf: str
    #: the user's own signing key for this session (``archive/office/userkeys.py``); None outside a session
    sign_key: SigningKey | None = field(default=None, repr=False, compare=False)


def login(db: Database, login_name: str, password: str, now: dt.datetime | None = None) -> tuple[str, Principal]:
    """Check the password; returns (session token, who). Refuses with the same words whatever was wrong.

    The Argon2id hash is computed outside any transaction (on SQLite a write transaction holds the one write
    lock: a stream of logins would stall every laptop's push); the verdict is then recorded with the user's row
    locked (``FOR UPDATE``), so parallel wrong guesses each count and a lock set meanwhile still refuses."""
    now = now or utcnow()
    wrong = OfficeError("登录名或口令错误，或账户已被锁定", "wrong login or password, or the account is locked", 401)
    from archive.office.userkeys import new_key, open_with_password, seal_for_session, seal_with_password

    with db.read() as s:
        row = s.execute(select(OfficeUser.password, OfficeUser.id, OfficeUser.sign_private).where(
            OfficeUser.login == login_name)).one_or_none()
    stored = row[0] if row is not None else None
    right = check_password(password, stored or _DUMMY) and stored is not None  # the same time either way
    key: SigningKey | None = None
    new_sealed = ""
    if right and row is not None:  # the user's signing key: unsealed with the password, or made now (schema 3)
        if row[2]:
            key = open_with_password(password, row[1], row[2])
        else:
            key = new_key()
            new_sealed = seal_with_password(password, row[1], key)
    with db.write() as s:
        user = s.execute(select(OfficeUser).where(OfficeUser.login == login_name).with_for_update()
                         ).scalar_one_or_none()
        if user is None:
            append_log(s, None, "login.unknown", None, login=login_name[:64])
            failure = wrong
        elif user.disabled or (user.locked_until is not None and user.locked_until > now):
            append_log(s, user.id, "login.locked", None)
            failure = wrong
        elif not right or user.password != stored:
            user.failures += 1
            if user.failures >= MAX_FAILURES:
                user.locked_until, user.failures = now + LOCKOUT, 0
                append_log(s, user.id, "login.lockout", None, until=user.locked_until.isoformat())
            else:
                append_log(s, user.id, "login.failed", None, failures=user.failures)
            failure = wrong
        else:
            user.failures, user.locked_until = 0, None
            if new_sealed and user.sign_private is None and key is not None:
                user.sign_public, user.sign_private = b64(key.public_raw()), new_sealed
                append_log(s, user.id, "user.key_made", None, public=user.sign_public)
            elif row is not None and user.sign_private != row[2]:
                key = None  # the key changed meanwhile: this session signs nothing
            token = os.urandom(32).hex()
            csrf = os.urandom(32).hex()
            s.add(OfficeSession(token_sha256=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id, csrf=csrf,
                                created_at=now, last_seen=now,
                                sign_key=seal_for_session(token, key) if key is not None else None))
            append_log(s, user.id, "login", None)
            return token, Principal(user.id, user.login, user.name, user.role, user.inspector_id, csrf, key)
    raise failure  # outside the transaction: the failure counts and the log row are committed


def session_principal(db: Database, token: str | None, now: dt.datetime | None = None) -> Principal | None:
    if not token or len(token) != 64:
        return None
    now = now or utcnow()
    key = hashlib.sha256(token.encode()).hexdigest()
    with db.write() as s:
        sess = s.get(OfficeSession, key)
        if sess is None:
            return None
        user = s.get(OfficeUser, sess.user_id)
        if user is None or user.disabled or now - sess.last_seen > IDLE or now - sess.created_at > ABSOLUTE:
            s.delete(sess)
            return None
        sess.last_seen = now
        from archive.office.userkeys import open_for_session

        return Principal(user.id, user.login, user.name, user.role, user.inspector_id, sess.csrf,
                         open_for_session(token, sess.sign_key))


def logout(db: Database, token: str) -> None:
    with db.write() as s:
        sess = s.get(OfficeSession, hashlib.sha256(token.encode()).hexdigest())
        if sess is not None:
            append_log(s, sess.user_id, "logout", None)
            s.delete(sess)
