"""Office users' passwords after ``users add``: an administrator's reset and the user's own change.

* **Reset** (``admin users password``; the old password is not at hand): a new Argon2id hash and, since the old
  private key cannot be opened without the old password, a NEW signing key pair sealed under the new password.
  The old public key is retired, not forgotten: the office log row ``user.password_reset`` names it (``retired``)
  with the time (the row's ``at``), and :func:`user_keys` reads it back from the hash-chained log, so every step
  the user signed before still verifies and still shows who signed. A retired key verifies only steps dated no
  later than its retirement. The user's sessions end; the lockout counters are cleared.
* **Change** (``/office/password``, the user logged in): the current password is checked (a wrong one counts
  toward the lockout like a wrong login), and the SAME private key is sealed again under the new password, so the
  key's fingerprint stays the user's. The user's other sessions end.

No schema change: the retired keys live in the office log, which is append-only and whose chain ``admin verify``
recomputes; an operator who could rewrite it could equally have replaced ``office_users.sign_public``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.evidence.signing import b64
from archive.db import Database, utcnow
from archive.office.auth import (
    LOCKOUT,
    MAX_FAILURES,
    MIN_PASSWORD,
    OfficeError,
    Principal,
    append_log,
    check_password,
    hash_password,
)
from archive.office.models import OfficeLogEntry, OfficeSession, OfficeUser
from archive.office.userkeys import new_key, open_with_password, seal_with_password

RESET_ACTION = "user.password_reset"

#: user id -> {base64 public key: None while current, else the time it was retired}
UserKeys = dict[str, dict[str, dt.datetime | None]]


def _check_new(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise OfficeError(f"口令至少 {MIN_PASSWORD} 个字符", f"the password needs at least {MIN_PASSWORD} characters")


def user_keys(s: Session) -> UserKeys:
    """Every key each user has signed with: the current one (``office_users.sign_public``) and those retired by a
    reset (the office log's ``user.password_reset`` rows)."""
    out: UserKeys = {}
    for row in s.execute(select(OfficeLogEntry).where(OfficeLogEntry.action == RESET_ACTION)
                         .order_by(OfficeLogEntry.seq)).scalars():
        try:
            detail = json.loads(row.detail)
            user, retired = str(detail["user"]), detail.get("retired")
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(retired, str) and retired:
            out.setdefault(user, {}).setdefault(retired, row.at)
    for user_id, public in s.execute(select(OfficeUser.id, OfficeUser.sign_public)):
        if public:
            out.setdefault(user_id, {})[public] = None
    return out


def key_valid_at(keys: UserKeys, user_id: str, public: str, statement_at: str) -> bool:
    """Whether ``public`` is a key of ``user_id`` for a statement made at ``statement_at`` (ISO, ``Z``)."""
    if public not in keys.get(user_id, {}):
        return False
    retired = keys[user_id][public]
    if retired is None:
        return True
    try:
        at = dt.datetime.fromisoformat(statement_at.removesuffix("Z"))
    except ValueError:
        return False
    return at <= retired


def _end_sessions(s: Session, user_id: str, keep: str = "") -> int:
    """Delete the user's sessions (but the one whose token hash is ``keep``); how many ended."""
    ended = [t for t in s.execute(select(OfficeSession.token_sha256).where(OfficeSession.user_id == user_id))
             .scalars() if t != keep]
    if ended:
        s.execute(delete(OfficeSession).where(OfficeSession.token_sha256.in_(ended)))
    return len(ended)


def find_user(s: Session, name: str) -> OfficeUser:
    """The user by login, else by name when exactly one user has it."""
    user = s.execute(select(OfficeUser).where(OfficeUser.login == name).with_for_update()).scalar_one_or_none()
    if user is not None:
        return user
    named = list(s.execute(select(OfficeUser).where(OfficeUser.name == name).with_for_update()).scalars())
    if len(named) == 1:
        return named[0]
    if not named:
        raise OfficeError("没有此用户", f"no office user has the login or name {name!r}")
    raise OfficeError("多个用户同名，请使用登录名", f"several users are named {name!r}: give the login", 409)


def reset_password(db: Database, name: str, password: str) -> dict[str, str]:
    """The administrator's reset: a new password and a new key pair; the old public key retired in the log."""
    _check_new(password)
    hashed, key = hash_password(password), new_key()  # Argon2id outside the transaction
    with db.write() as s:
        user = find_user(s, name)
        sealed = seal_with_password(password, user.id, key)
        retired = user.sign_public
        user.password, user.sign_public, user.sign_private = hashed, b64(key.public_raw()), sealed
        user.failures, user.locked_until = 0, None
        ended = _end_sessions(s, user.id)
        append_log(s, None, RESET_ACTION, None, user=user.id, login=user.login, retired=retired,
                   public=user.sign_public, sessions_ended=ended)
        return {"id": user.id, "login": user.login, "public": user.sign_public, "retired": retired or ""}


def change_password(db: Database, who: Principal, token: str, current: str, new: str, again: str,
                    now: dt.datetime | None = None) -> None:
    """The user's own change: the same key sealed again under the new password; their other sessions end."""
    now = now or utcnow()
    with db.read() as s:
        row = s.execute(select(OfficeUser.password, OfficeUser.sign_private).where(
            OfficeUser.id == who.user_id)).one_or_none()
    if row is None:
        raise OfficeError("没有此用户", "no such office user", 404)
    stored, sealed = row
    right = check_password(current, stored)
    key = open_with_password(current, who.user_id, sealed) if right and sealed else None
    wrong = None
    if not right:
        wrong = OfficeError("当前口令错误", "the current password is wrong", 403)
    elif new != again:
        raise OfficeError("两次输入的新口令不一致", "the two new passwords differ")
    elif new == current:
        raise OfficeError("新口令不能与当前口令相同", "the new password is the current one")
    else:
        _check_new(new)
        if sealed and key is None:
            raise OfficeError("签名密钥无法打开，请联系管理员重置口令",
                              "the signing key does not open: ask an administrator to reset the password", 409)
    hashed = hash_password(new) if wrong is None else ""
    resealed = seal_with_password(new, who.user_id, key) if key is not None else None
    with db.write() as s:
        user = s.execute(select(OfficeUser).where(OfficeUser.id == who.user_id).with_for_update()).scalar_one()
        if user.disabled or (user.locked_until is not None and user.locked_until > now):
            append_log(s, user.id, "password.locked", None)
            failure = OfficeError("账户已被锁定，请稍后重试", "the account is locked; retry later", 403)
        elif wrong is None and user.password != stored:
            append_log(s, user.id, "password.stale", None)
            failure = OfficeError("口令已被更改，请重试", "the password changed meanwhile; retry", 409)
        elif wrong is not None:
            user.failures += 1
            if user.failures >= MAX_FAILURES:
                user.locked_until, user.failures = now + LOCKOUT, 0
                append_log(s, user.id, "login.lockout", None, until=user.locked_until.isoformat(),
                           via="password")
            else:
                append_log(s, user.id, "password.failed", None, failures=user.failures)
            failure = wrong
        else:
            user.password, user.failures, user.locked_until = hashed, 0, None
            if resealed is not None:
                user.sign_private = resealed
            mine = hashlib.sha256(token.encode()).hexdigest()
            ended = _end_sessions(s, user.id, keep=mine)
            append_log(s, user.id, "password.changed", None, public=user.sign_public,
                       sessions_ended=ended)
            return
    raise failure  # outside the transaction: the failure count and the log row are committed
