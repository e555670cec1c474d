"""The office's own tables: its users, their sessions and the append-only, hash-chained office log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base

#: role -> (Chinese name, English name)
ROLES: dict[str, tuple[str, str]] = {
    "head": ("科室负责人", "head of section"),
    "legal": ("法制审核员", "legal reviewer"),
    "inspector": ("稽核人员", "inspector (read-only, own cases)"),
    "admin": ("管理员", "administrator"),
}


class OfficeUser(Base):
    __tablename__ = "office_users"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    inspector_id: Mapped[str | None] = mapped_column(String(128), default=None)  # role inspector: who they are
    password: Mapped[str] = mapped_column(String(255))  # argon2id$m=…,t=…,p=…$salt$hash
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column()
    # schema 4: the user's own Ed25519 key (archive/office/userkeys.py); NULL for a user of schema 3 until their
    # next login makes one
    sign_public: Mapped[str | None] = mapped_column(String(64), default=None)  # base64 raw public key
    sign_private: Mapped[str | None] = mapped_column(Text, default=None)  # sealed under their password


class OfficeSession(Base):
    __tablename__ = "office_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column()
    last_seen: Mapped[dt.datetime] = mapped_column()
    sign_key: Mapped[str | None] = mapped_column(Text, default=None)  # schema 4: sealed under the session token


class OfficeLogEntry(Base):
    """Every office action, in order; each row's hash covers the previous row's hash (a chain an auditor can
    recompute with ``admin verify``). Rows are only ever inserted."""

    __tablename__ = "office_log"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column()
    user_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(128), index=True)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OfficeStep(Base):
    """One step of a case after the visit (``archive/office/procedure.py``), signed by the office user who took
    it with their own key and countersigned by the archive key."""

    __tablename__ = "office_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column()
    statement: Mapped[str] = mapped_column(Text)  # canonical JSON of {"statement", "sig"}


class DeclaredConflict(Base):
    """An inspector's declared conflict of interest with an institution (回避): never drawn together."""

    __tablename__ = "office_conflicts"
    inspector_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    institution_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[dt.datetime] = mapped_column()


class DrawRecord(Base):
    """A 双随机 draw (``archive/office/draw.py``): its seed, inputs and result, signed by the archive key."""

    __tablename__ = "office_draws"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column()
    user_id: Mapped[str] = mapped_column(String(64))
    record: Mapped[str] = mapped_column(Text)  # canonical JSON of {"draw", "sig"}
