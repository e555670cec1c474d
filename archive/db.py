"""The archive database: SQLAlchemy 2 models and engine setup for SQLite (embedded, WAL) and PostgreSQL.

Both go through the same code; SQLite write transactions start with ``BEGIN IMMEDIATE`` so concurrent writers
queue on the busy timeout instead of failing on a lock upgrade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from app.models.migrations import read_frozen

#: 2: a field conflict is keyed by the journal leaf that caused it (one device may repeat an identical edit)
#: 3: case teams, the state several archive processes share (rate buckets, upload locks), the office's tables
SCHEMA_VERSION = 4


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(Base):
    """Monotonic counters (roster version); bumped with UPDATE … RETURNING inside the writing transaction."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    used_by: Mapped[str | None] = mapped_column(String(128), default=None)


class Inspector(Base):
    __tablename__ = "inspectors"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_no: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(128))
    suite: Mapped[str] = mapped_column(String(32), default="ed25519")
    created_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(BigInteger, index=True)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(128), unique=True)
    suite: Mapped[str] = mapped_column(String(32), default="ed25519")
    created_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(BigInteger, index=True)


class DeviceInspector(Base):
    __tablename__ = "device_inspectors"
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspectors.id"), primary_key=True)


class Nonce(Base):
    __tablename__ = "nonces"
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[int] = mapped_column(BigInteger, index=True)  # unix seconds


class RateBucket(Base):
    """A token bucket per device (``archive/shared_state.py``): in the database so that every archive process
    behind one address counts the same requests."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)  # unix seconds


class UploadLock(Base):
    """Who is writing an upload's staging file now: a lease renewed while bytes arrive, so a PATCH whose
    connection died stops holding it, in any archive process."""

    __tablename__ = "upload_locks"
    upload_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(32))
    until: Mapped[float] = mapped_column(Float)  # unix seconds


class Blob(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column()


class Upload(Base):
    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("device_id", "sha256"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | complete | failed
    reason: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(index=True)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # office | device
    created_at: Mapped[dt.datetime] = mapped_column()


class CaseMember(Base):
    """Who a case belongs to (archive/teams.py): its inspectors (the office assignment's, or the creating
    device's) and the devices recorded for it. Only they may push to it or read about it."""

    __tablename__ = "case_members"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # inspector | device
    member_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # office | creator | push | legacy
    created_at: Mapped[dt.datetime] = mapped_column()


class PullItem(Base):
    """Office-made data laptops pull (institutions, assignments, checklists, documents); every change is a new row
    and ``seq`` is the pull cursor."""

    __tablename__ = "pull_items"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    created_at: Mapped[dt.datetime] = mapped_column()


class LogHead(Base):
    """The last checkpoint accepted for one (case, device) journal."""

    __tablename__ = "log_heads"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))


class Leaf(Base):
    __tablename__ = "leaves"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    leaf: Mapped[str] = mapped_column(Text)  # canonical JSON of {"entry", "sig"}


class Checkpoint(Base):
    __tablename__ = "checkpoints"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    root: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(Text)  # canonical JSON of {"checkpoint", "sig"}
    receipt: Mapped[str] = mapped_column(Text)  # canonical JSON of the signed receipt
    skew_s: Mapped[int | None] = mapped_column(BigInteger, default=None)


class StoredObject(Base):
    """An immutable payload object, content-addressed by the canonical SHA-256 of the whole object.
    ``object_key`` is the object's own id (``id``, with ``version`` when present) when it carries one: the same key
    with other bytes is refused and raises an alert."""

    __tablename__ = "objects"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    kind: Mapped[str] = mapped_column(String(64))  # the journal entry type that brought it
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    device_id: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON
    created_at: Mapped[dt.datetime] = mapped_column()


class ObjectBlob(Base):
    __tablename__ = "object_blobs"
    object_sha256: Mapped[str] = mapped_column(ForeignKey("objects.sha256"), primary_key=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), primary_key=True)


class CaseField(Base):
    """The folded value of a mutable case field and who set it last."""

    __tablename__ = "case_fields"
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    field: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # canonical JSON
    device_id: Mapped[str] = mapped_column(String(128))
    object_sha256: Mapped[str] = mapped_column(String(64))


class FieldConflict(Base):
    """One conflicting field change: the journal leaf ``leaf_b`` of ``device_b`` met ``value_a`` of ``device_a``.

    Keyed by that leaf, not by the change's payload: a device that edits a field back and forth sends identical
    payloads at different leaves, and each that conflicts is kept. Rows from schema 1 have no leaf (NULL)."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("case_id", "device_b", "leaf_b"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    field: Mapped[str] = mapped_column(String(128))
    base: Mapped[str] = mapped_column(Text)
    value_a: Mapped[str] = mapped_column(Text)
    device_a: Mapped[str] = mapped_column(String(128))
    value_b: Mapped[str] = mapped_column(Text)
    device_b: Mapped[str] = mapped_column(String(128))
    object_b: Mapped[str] = mapped_column(String(64))
    leaf_b: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column()


class Alert(Base):
    """Something a person must look at: the same id with different bytes, a forked journal…"""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(128))
    case_id: Mapped[str | None] = mapped_column(String(128))
    object_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column()


Index("ix_leaves_leaf_hash", Leaf.leaf_hash)


DDL_DIR = Path(__file__).resolve().parent / "ddl"


def run_frozen(conn: Connection, version: int) -> None:
    """Run ``archive/ddl/v{version}.{dialect}.sql``, the schema step frozen when that version shipped (never
    "whatever the models say today"; tests/archive/test_upgrade.py checks the chain against the models)."""
    for statement in read_frozen(DDL_DIR / f"v{version}.{conn.dialect.name}.sql"):
        conn.exec_driver_sql(statement.rstrip(";"))


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = self._sqlite_engine(url, immediate=True)
            self.read_engine = self._sqlite_engine(url, immediate=False)
        else:
            self.engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            self.read_engine = self.engine
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @staticmethod
    def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def create_schema(self) -> None:
        """A new database runs the frozen DDL chain (archive/ddl/v1..vN); an existing one is upgraded."""
        with self.engine.begin() as conn:
            fresh = not inspect(conn).has_table("meta")
            if fresh:
                for version in range(1, SCHEMA_VERSION + 1):
                    run_frozen(conn, version)
        if not fresh:
            self.check_schema()
            return
        with self.write() as s:
            if s.get(Meta, "schema_version") is None:
                s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            if s.get(Counter, "roster") is None:
                s.add(Counter(name="roster", value=0))

    def check_schema(self) -> None:
        """Refuse a database of an unknown version; bring one of an earlier version up to this one."""
        with self.read() as s:
            row = s.get(Meta, "schema_version")
        version = int(row.value) if row is not None else None
        if version == 1:
            self._migrate_1_to_2()
            version = 2
        if version == 2:
            self._migrate_2_to_3()
            version = 3
        if version == 3:
            self._migrate_3_to_4()
        elif version != SCHEMA_VERSION:
            raise RuntimeError("archive database schema missing or of another version")

    def _migrate_1_to_2(self) -> None:
        """Rebuild ``conflicts`` with the leaf column and the new key (SQLite cannot drop a constraint in
        place); every row is kept, with no leaf. One transaction: a failure leaves schema 1 as it was."""
        with self.engine.begin() as conn:
            run_frozen(conn, 2)
            conn.execute(update(Meta).where(Meta.key == "schema_version").values(value="2"))
            if conn.dialect.name == "postgresql":  # the copied ids must not be handed out again
                conn.execute(text("SELECT setval(pg_get_serial_sequence('conflicts', 'id'), "
                                  "COALESCE((SELECT MAX(id) FROM conflicts), 0) + 1, false)"))

    def _migrate_2_to_3(self) -> None:
        """New tables only (case teams, shared guard state, the office): one transaction."""
        with self.engine.begin() as conn:
            run_frozen(conn, 3)
            conn.execute(update(Meta).where(Meta.key == "schema_version").values(value="3"))

    def _migrate_3_to_4(self) -> None:
        """New nullable columns only (office users' own signing keys): one transaction."""
        with self.engine.begin() as conn:
            run_frozen(conn, 4)
            conn.execute(update(Meta).where(Meta.key == "schema_version").values(value="4"))

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._writer() as s, s.begin():
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def bump_counter(s: Session, name: str) -> int:
    result = s.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    )
    return int(result.scalar_one())


def counter_value(s: Session, name: str) -> int:
    value = s.execute(select(Counter.value).where(Counter.name == name)).scalar_one_or_none()
    return int(value or 0)


def ping(s: Session) -> None:
    s.execute(text("SELECT 1"))


# The office's tables belong to the schema (archive/ddl/v3); registered here so that every user of the models sees
# them (the module needs Base, defined above).
from archive.office import models as _office_models  # noqa: E402, F401
