"""Message schemas of the archive sync protocol (version 1), shared by the laptop client and the archive.

No Qt and no I/O here: pydantic models, constants and small pure helpers. The normative prose is in
``archive/PROTOCOL.md``; the archive publishes the same shapes at ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
TUS_VERSION = "1.0.0"

# Signature contexts (see docs/package-format.md for the evidence ones).
CTX_REQUEST = "fieldaudit/request/v1"
CTX_ENROL = "fieldaudit/enrol/v1"
CTX_ROSTER = "fieldaudit/roster/v1"
CTX_PULL = "fieldaudit/pull/v1"
CTX_RECEIPT = "fieldaudit/receipt/v1"
CTX_JOURNAL = "fieldaudit/journal/v1"
CTX_CHECKPOINT = "fieldaudit/checkpoint/v1"
CTX_MANIFEST = "fieldaudit/manifest/v1"
CTX_PROVIDER_SIGNATURE = "fieldaudit/provider-signature/v1"
CTX_PROVIDER_REFUSAL = "fieldaudit/provider-refusal/v1"
CTX_RECORD = "fieldaudit/record/v1"
CTX_PROVIDER_BATCH_SIGNATURE = "fieldaudit/provider-batch-signature/v1"

# Contexts a signature inside a pushed payload may be made in.
EVIDENCE_CONTEXTS = (CTX_MANIFEST, CTX_PROVIDER_SIGNATURE, CTX_PROVIDER_REFUSAL, CTX_RECORD, CTX_JOURNAL,
                     CTX_PROVIDER_BATCH_SIGNATURE)

# Signed-object envelopes (app/evidence/objects.py): {"type", "id", "body", "signatures"}; the signatures are made
# over ``body`` in the type's context.
OBJECT_CONTEXTS: dict[str, str] = {
    "evidence": CTX_MANIFEST,
    "provider-signature": CTX_PROVIDER_SIGNATURE,
    "provider-refusal": CTX_PROVIDER_REFUSAL,
    "record": CTX_RECORD,
    "provider-batch-signature": CTX_PROVIDER_BATCH_SIGNATURE,
}

# A mutable case field change travels as a journal entry of this type whose payload is
# {"case": <case id>, "field": <name>, "old": <value seen before>, "new": <value set>}; the archive folds them and
# keeps edits of the same field from two devices side by side as a conflict.
FIELD_CHANGE_TYPE = "case.field_changed"

# Pull kinds besides the roster.
PULL_KINDS = ("institutions", "assignments", "checklists", "documents")

# Request-signature headers (DPoP-style, see app/sync/auth.py).
H_DEVICE = "FA-Device"
H_TIME = "FA-Time"
H_NONCE = "FA-Nonce"
H_BODY_SHA256 = "FA-Content-SHA256"
H_SIGNATURE = "FA-Signature"
# Allowed as FA-Content-SHA256 on upload PATCH only (as S3 does): the bytes are bound by the whole-blob SHA-256
# declared, signed, at creation and re-checked at completion, so hashing every chunk twice buys nothing.
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

# Upload headers (tus 1.0 subset plus two of ours).
H_TUS = "Tus-Resumable"
H_UPLOAD_OFFSET = "Upload-Offset"
H_UPLOAD_LENGTH = "Upload-Length"
H_UPLOAD_STATUS = "FA-Upload-Status"
H_UPLOAD_SHA256 = "FA-Upload-SHA256"
UPLOAD_CONTENT_TYPE = "application/offset+octet-stream"

MAX_BLOB_LENGTH = 64 * 1024**3
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

Sha256 = str  # documented alias: lower-case hex


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignatureRecord(_Model):
    """A detached signature (app.evidence.signing.sign_object)."""

    signer: str = Field(max_length=128)
    suite: str = Field(max_length=32)
    public_key: str = Field(max_length=128)
    context: str = Field(max_length=64)
    signature: str = Field(max_length=256)


class ErrorBody(BaseModel):
    error: str
    message_zh: str
    message_en: str
    reasons: list[dict[str, Any]] | None = None
    missing: list[str] | None = None


# --- enrolment -------------------------------------------------------------------------------------------------


class InspectorEnrolment(_Model):
    """One inspector of the registering laptop; ``proof`` is the inspector's own signature (context
    fieldaudit/enrol/v1) over :func:`enrol_proof_value`, proving they hold the private key."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    credential_no: str = Field(min_length=1, max_length=64)
    organisation: str = Field(min_length=1, max_length=200)
    public_key: str = Field(max_length=128)
    suite: str = Field(default="ed25519", max_length=32)
    proof: SignatureRecord


class RegisterRequest(_Model):
    code: str = Field(min_length=4, max_length=128)
    device_id: str = Field(pattern=ID_PATTERN)
    device_name: str = Field(min_length=1, max_length=100)
    device_public_key: str = Field(max_length=128)
    suite: str = Field(default="ed25519", max_length=32)
    inspectors: list[InspectorEnrolment] = Field(min_length=1, max_length=20)


def is_signed_envelope(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and payload.get("type") in OBJECT_CONTEXTS
        and isinstance(payload.get("body"), dict)
        and isinstance(payload.get("signatures"), list)
    )


def payload_blob_refs(payload: Any) -> set[str]:
    """The blobs a journal payload refers to — the rule both sides use: an evidence envelope's
    ``body.streams[].sha256`` and a provider-signature's ``body.strokes_sha256`` / ``body.image_sha256``
    (as app/evidence/package.py). Other ``*_sha256`` members (target_sha256, manifest_sha256, content_sha256…)
    point at objects or printed documents, not blobs. Anything else travels in the push's ``blobs`` list."""
    if not is_signed_envelope(payload):
        return set()
    body = payload["body"]
    refs: set[str] = set()
    streams = body.get("streams")
    if isinstance(streams, list):
        refs |= {str(x["sha256"]) for x in streams if isinstance(x, dict) and isinstance(x.get("sha256"), str)}
    refs |= {str(body[k]) for k in ("strokes_sha256", "image_sha256") if isinstance(body.get(k), str) and body[k]}
    return refs


def enrol_proof_value(device_id: str, device_public_key: str, inspector: dict[str, Any]) -> dict[str, Any]:
    """What each inspector signs at enrolment: their roster entry bound to the device they enrol with."""
    return {
        "v": PROTOCOL_VERSION,
        "device_id": device_id,
        "device_public_key": device_public_key,
        "inspector": {
            k: inspector[k] for k in ("id", "name", "credential_no", "organisation", "public_key", "suite")
        },
    }


class SignedDocument(BaseModel):
    """An archive-signed document: roster, pull page or receipt. Verify ``sig`` over ``payload``."""

    payload: dict[str, Any]
    sig: SignatureRecord


class RegisterResponse(BaseModel):
    device_id: str
    archive_public_key: str
    archive_fingerprint: str
    roster: SignedDocument


# --- uploads ---------------------------------------------------------------------------------------------------


class UploadCreate(_Model):
    sha256: str = Field(pattern=SHA256_PATTERN)
    length: int = Field(ge=1, le=MAX_BLOB_LENGTH)


class UploadState(BaseModel):
    id: str
    sha256: str
    length: int
    offset: int
    status: Literal["open", "complete", "failed"]
    reason: str | None = None
    expires_at: str | None = None


class MissingRequest(_Model):
    hashes: list[str] = Field(max_length=10000)


class MissingResponse(BaseModel):
    missing: list[str]


# --- push ------------------------------------------------------------------------------------------------------


class JournalLeaf(_Model):
    """A leaf of a case journal: the entry and its actor's signature (context fieldaudit/journal/v1)."""

    entry: dict[str, Any]
    sig: SignatureRecord


class SignedCheckpoint(_Model):
    checkpoint: dict[str, Any]
    sig: SignatureRecord


class PushRequest(_Model):
    """One case journal's new leaves from one device, the checkpoint that covers them, and the payloads the new
    leaves point at (any JSON values; each is matched to ``entry.payload_sha256`` by its canonical SHA-256).
    ``first_seq`` is the seq of ``leaves[0]``; it must not exceed the archive's size for this (case, device), and
    leaves the archive already holds must be identical. ``blobs`` may list content hashes the payloads refer to
    beyond those the archive finds itself (values under keys ``sha256`` / ``*_sha256``)."""

    v: int = PROTOCOL_VERSION
    case_id: str = Field(pattern=ID_PATTERN)
    first_seq: int = Field(ge=0, le=2**53 - 1)
    leaves: list[JournalLeaf] = Field(default_factory=list, max_length=100000)
    checkpoint: SignedCheckpoint
    consistency_proof: list[str] | None = Field(default=None, max_length=128)
    payloads: list[Any] = Field(default_factory=list, max_length=100000)
    blobs: list[str] = Field(default_factory=list, max_length=100000)


class Conflict(BaseModel):
    id: int
    case_id: str
    field: str
    base: Any
    value_a: Any
    device_a: str
    value_b: Any
    device_b: str
    created_at: str


class ConflictList(BaseModel):
    case_id: str
    conflicts: list[Conflict]


class HealthResponse(BaseModel):
    status: str
    version: int
    archive_fingerprint: str
