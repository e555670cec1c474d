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


class OfficeSession(Base):
    __tablename__ = "office_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column()
    last_seen: Mapped[dt.datetime] = mapped_column()


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
