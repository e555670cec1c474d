"""The store's tables (SQLAlchemy 2 declarative). Schema changes go through ``app.models.migrations``.

Immutable things (signed objects, journal leaves, checkpoints, blobs) are append-only: database triggers created by
the migrations refuse UPDATE and DELETE on them. Mutable case state lives in ordinary tables, and every change to it
is also a journal event, so the journal is the account of record.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Profile-wide settings and identity (profile id, device id)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Device(Base):
    """This laptop's device key (signs checkpoints and archive requests). The store is encrypted, so the raw
    private key is kept here as is; it never leaves the store."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created: Mapped[str] = mapped_column(String(32))


class Inspector(Base):
    __tablename__ = "inspectors"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_no: Mapped[str] = mapped_column(String(64))  # 执法证号
    organisation: Mapped[str] = mapped_column(String(200))
    suite: Mapped[str] = mapped_column(String(32), default="ed25519")
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The Ed25519 private key, AES-GCM wrapped under a key derived from this inspector's passphrase (never clear).
    wrapped_private_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    local: Mapped[bool] = mapped_column(Boolean, default=True)  # enrolled on this laptop (vs. roster only)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[str] = mapped_column(String(32))


class Institution(Base):
    __tablename__ = "institutions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # designated_hospital, designated_pharmacy, employer, ...
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, unique=True)  # 统一社会信用代码
    address: Mapped[str] = mapped_column(String(300), default="")
    legal_rep: Mapped[str] = mapped_column(String(100), default="")  # 法定代表人 / 负责人
    phone: Mapped[str] = mapped_column(String(40), default="")
    level: Mapped[str] = mapped_column(String(40), default="")  # e.g. 三级甲等


class Person(Base):
    """Representatives, interviewees, providers and witnesses."""

    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)  # 居民身份证号, validated
    sex: Mapped[str] = mapped_column(String(8), default="")
    birth_date: Mapped[str] = mapped_column(String(10), default="")
    employer: Mapped[str] = mapped_column(String(200), default="")
    post: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")


class ChecklistTemplate(Base):
    __tablename__ = "checklist_templates"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)  # the template JSON


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(64), default="")  # 文号
    kind: Mapped[str] = mapped_column(String(16))  # routine / special / targeted / complaint
    form: Mapped[str] = mapped_column(String(16), default="onsite")  # onsite / written
    title: Mapped[str] = mapped_column(String(300), default="")
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"))
    period_from: Mapped[str] = mapped_column(String(10), default="")
    period_to: Mapped[str] = mapped_column(String(10), default="")
    matters: Mapped[str] = mapped_column(Text, default="")  # matters, scope
    basis: Mapped[str] = mapped_column(Text, default="")  # legal basis
    checklist_template_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    planned_date: Mapped[str] = mapped_column(String(10), default="")
    notice_served_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)
    unannounced_reason: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default="assigned", index=True)  # assigned/active/closed
    step: Mapped[str] = mapped_column(String(32), default="arrival")
    data: Mapped[str] = mapped_column(Text, default="{}")  # step details (JSON), also journaled
    origin: Mapped[str] = mapped_column(String(16), default="local")  # local / archive
    created: Mapped[str] = mapped_column(String(32))
    closed: Mapped[str | None] = mapped_column(String(32), nullable=True)

    institution: Mapped[Institution] = relationship()
    inspectors: Mapped[list[CaseInspector]] = relationship(cascade="all, delete-orphan", order_by="CaseInspector.position")


class CaseInspector(Base):
    __tablename__ = "case_inspectors"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    inspector_id: Mapped[str] = mapped_column(ForeignKey("inspectors.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    inspector: Mapped[Inspector] = relationship()


class ChecklistEntry(Base):
    """One checklist item of one case with its finding (符合 / 不符合 / 不适用)."""

    __tablename__ = "checklist_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    template_item_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str] = mapped_column(Text, default="[]")
    finding: Mapped[str | None] = mapped_column(String(16), nullable=True)  # compliant / noncompliant / na
    note: Mapped[str] = mapped_column(Text, default="")


class Blob(Base):
    """An encrypted byte stream beside the database, addressed by its plaintext SHA-256."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(80), unique=True)
    chunk_size: Mapped[int] = mapped_column(Integer)
    created: Mapped[str] = mapped_column(String(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class SignedObject(Base):
    """Every immutable, signed thing: evidence manifests, provider-signature bindings, refusals, record versions.

    ``body`` is the canonical JSON of the object, ``sha256`` its hash; ``signatures`` a JSON list of signature
    records (docs/package-format.md). Rows are never updated or deleted (triggers)."""

    __tablename__ = "signed_objects"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signatures: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[str] = mapped_column(String(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class EvidenceItem(Base):
    """The local index of an evidence item; the truth is its signed manifest in ``signed_objects``."""

    __tablename__ = "evidence_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    manifest_id: Mapped[str] = mapped_column(ForeignKey("signed_objects.id"), unique=True)
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    supersedes_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    checklist_entry_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    finding_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    obtained_at: Mapped[str] = mapped_column(String(32))
    created: Mapped[str] = mapped_column(String(32))


Index("ix_evidence_case_kind", EvidenceItem.case_id, EvidenceItem.kind)


class Finding(Base):
    """A problem found (问题清单 entry)."""

    __tablename__ = "findings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    responsible: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of names/roles
    evidence_ids: Mapped[str] = mapped_column(Text, default="[]")
    created: Mapped[str] = mapped_column(String(32))


class Measure(Base):
    """先行登记保存 (preservation) or 封存 (sealing), with its items, approval and period."""

    __tablename__ = "measures"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # preservation / sealing
    items: Mapped[str] = mapped_column(Text, default="[]")
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    approved_on: Mapped[str] = mapped_column(String(10), default="")
    start_date: Mapped[str] = mapped_column(String(10))
    period_days: Mapped[int] = mapped_column(Integer)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    storage_place: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[str] = mapped_column(String(32))


class Deadline(Base):
    __tablename__ = "deadlines"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due: Mapped[str] = mapped_column(String(10), index=True)
    basis: Mapped[str] = mapped_column(String(200), default="")
    done: Mapped[str | None] = mapped_column(String(32), nullable=True)


class JournalLeaf(Base):
    """One leaf of a case's Merkle log (docs/package-format.md). Append-only (triggers)."""

    __tablename__ = "journal"
    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(48))
    leaf: Mapped[bytes] = mapped_column(LargeBinary)  # canonical {"entry", "sig"}
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Payload(Base):
    """Canonical payloads of journal events, by hash (a signed object's body is also stored here)."""

    __tablename__ = "payloads"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Checkpoint(Base):
    __tablename__ = "checkpoints"
    log_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[str] = mapped_column(String(32))
    __table_args__ = (UniqueConstraint("log_id", "size"),)


class Draft(Base):
    """What was typed into one page of a case and not yet signed (``app.workflow.drafts``). Not evidence: never
    journaled, never synced; replaced as the inspector types and deleted once the page's entry is signed."""

    __tablename__ = "drafts"
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the page's fields
    updated: Mapped[str] = mapped_column(String(32))


class SyncState(Base):
    """Client-side sync bookkeeping: archive URL, receipts, pull cursors, resumable uploads."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
