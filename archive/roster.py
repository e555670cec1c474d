"""Enrolment codes, inspectors and devices, and the signed pull documents (roster, institutions, assignments,
checklists, document configuration)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.canonical import canonical_bytes
from app.evidence.signing import SignatureError, sign_object, unb64, verify_object
from app.sync.protocol import (
    CTX_ENROL,
    CTX_PULL,
    CTX_ROSTER,
    PROTOCOL_VERSION,
    RegisterRequest,
    enrol_proof_value,
)
from archive.db import (
    Case,
    Device,
    DeviceInspector,
    EnrolmentCode,
    Inspector,
    PullItem,
    bump_counter,
    counter_value,
    iso,
    utcnow,
)
from archive.errors import ApiError
from archive.keys import ARCHIVE_SIGNER
from archive.service import Archive
from archive.teams import INSPECTOR, active, record_members

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class AdminError(RuntimeError):
    """A refused admin action; the CLI prints it as one line."""


def hash_code(code: str) -> str:
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(b"fieldaudit/enrolment-code/v1\x00" + normal.encode()).hexdigest()


def new_enrolment_code(archive: Archive) -> tuple[str, dt.datetime]:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(20))
    code = "-".join(raw[i : i + 5] for i in range(0, 20, 5))
    now = utcnow()
    expires = now + dt.timedelta(seconds=archive.settings.enrolment_ttl_s)
    with archive.db.write() as s:
        s.add(EnrolmentCode(code_hash=hash_code(code), created_at=now, expires_at=expires))
    return code, expires


def _valid_key(b64key: str) -> bytes:
    raw = unb64(b64key)
    if len(raw) != 32:
        raise SignatureError("an Ed25519 public key is 32 bytes")
    return raw


def add_inspector(
    s: Session,
    *,
    id: str,
    name: str,
    credential_no: str,
    organisation: str,
    public_key: str,
    suite: str = "ed25519",
) -> Inspector:
    """Insert, or accept an identical re-enrolment; a different key or identity under the same id is refused."""
    if suite != "ed25519":
        raise AdminError(f"unsupported signature suite {suite!r}")
    _valid_key(public_key)
    existing = s.get(Inspector, id)
    if existing is not None:
        same = (existing.public_key, existing.credential_no, existing.suite) == (
            public_key,
            credential_no,
            suite,
        )
        if not same:
            raise AdminError(f"inspector {id} is already enrolled with another key or credential number")
        if existing.revoked_at is not None:
            raise AdminError(f"inspector {id} has been revoked")
        return existing
    dup = s.execute(select(Inspector).where(Inspector.public_key == public_key)).scalars().first()
    if dup is not None:
        raise AdminError("this public key is already enrolled for another inspector")
    row = Inspector(
        id=id,
        name=name,
        credential_no=credential_no,
        organisation=organisation,
        public_key=public_key,
        suite=suite,
        created_at=utcnow(),
        version=bump_counter(s, "roster"),
    )
    s.add(row)
    s.flush()
    return row


def register_device(archive: Archive, req: RegisterRequest) -> None:
    """Consume an enrolment code and enrol the device with its inspectors, all in one transaction."""
    if req.suite != "ed25519":
        raise ApiError(
            400, "unsupported_suite", "不支持的签名算法", f"unsupported signature suite {req.suite!r}"
        )
    ids = [i.id for i in req.inspectors]
    if len(set(ids)) != len(ids):
        raise ApiError(400, "duplicate_inspector", "检查人员重复", "the same inspector is listed twice")
    for insp in req.inspectors:
        value = enrol_proof_value(req.device_id, req.device_public_key, insp.model_dump())
        try:
            _valid_key(insp.public_key)
            verify_object(insp.proof.model_dump(), CTX_ENROL, value, unb64(insp.public_key))
        except SignatureError as exc:
            raise ApiError(
                400,
                "bad_inspector_proof",
                "检查人员密钥证明无效",
                f"inspector {insp.id}: the proof of key possession does not verify",
            ) from exc
        if insp.proof.signer != insp.id:
            raise ApiError(
                400, "bad_inspector_proof", "检查人员密钥证明无效", f"inspector {insp.id}: wrong signer"
            )
    now = utcnow()
    with archive.db.write() as s:
        code = s.get(EnrolmentCode, hash_code(req.code))
        if code is None or code.used_at is not None or code.expires_at < now:
            raise ApiError(
                401,
                "bad_enrolment_code",
                "登记码无效、已使用或已过期",
                "the enrolment code is unknown, used or expired",
            )
        if s.get(Device, req.device_id) is not None:
            raise ApiError(
                409, "device_exists", "该设备编号已登记", "a device with this id is already enrolled"
            )
        if s.execute(select(Device).where(Device.public_key == req.device_public_key)).first() is not None:
            raise ApiError(409, "device_exists", "该设备密钥已登记", "this device key is already enrolled")
        code.used_at, code.used_by = now, req.device_id
        s.add(
            Device(
                id=req.device_id,
                name=req.device_name,
                public_key=req.device_public_key,
                suite=req.suite,
                created_at=now,
                version=bump_counter(s, "roster"),
            )
        )
        s.flush()
        for insp in req.inspectors:
            try:
                add_inspector(
                    s,
                    id=insp.id,
                    name=insp.name,
                    credential_no=insp.credential_no,
                    organisation=insp.organisation,
                    public_key=insp.public_key,
                    suite=insp.suite,
                )
            except AdminError as exc:
                raise ApiError(409, "inspector_conflict", "检查人员已以其他密钥登记", str(exc)) from exc
            s.add(DeviceInspector(device_id=req.device_id, inspector_id=insp.id))


def sign_document(archive: Archive, context: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"payload": payload, "sig": sign_object(archive.key, ARCHIVE_SIGNER, context, payload)}


def archive_identity(archive: Archive) -> dict[str, str]:
    return {
        "signer": ARCHIVE_SIGNER,
        "suite": archive.key.suite,
        "public_key": archive.public_key_b64,
        "fingerprint": archive.fingerprint,
    }


def roster_document(archive: Archive, since: int = 0) -> dict[str, Any]:
    with archive.db.read() as s:
        version = counter_value(s, "roster")
        inspectors = s.execute(
            select(Inspector).where(Inspector.version > since).order_by(Inspector.id)
        ).scalars()
        insp = [
            {
                "id": i.id,
                "name": i.name,
                "credential_no": i.credential_no,
                "organisation": i.organisation,
                "public_key": i.public_key,
                "suite": i.suite,
                "revoked": i.revoked_at is not None,
                "version": i.version,
            }
            for i in inspectors
        ]
        links: dict[str, list[str]] = {}
        for link in s.execute(select(DeviceInspector)).scalars():
            links.setdefault(link.device_id, []).append(link.inspector_id)
        devices = [
            {
                "id": d.id,
                "name": d.name,
                "public_key": d.public_key,
                "suite": d.suite,
                "revoked": d.revoked_at is not None,
                "inspectors": sorted(links.get(d.id, [])),
                "version": d.version,
            }
            for d in s.execute(select(Device).where(Device.version > since).order_by(Device.id)).scalars()
        ]
    payload = {
        "v": PROTOCOL_VERSION,
        "kind": "roster",
        "version": version,
        "since": since,
        "complete": since == 0,
        "archive": archive_identity(archive),
        "inspectors": insp,
        "devices": devices,
        "time": iso(utcnow()),
    }
    return sign_document(archive, CTX_ROSTER, payload)


def trust_roster(archive: Archive) -> dict[str, Any]:
    """The roster a reviewer gives ``app.cli verify --trust`` (with ``--archive-key`` = this archive's
    fingerprint): ``{"roster": …, "sig": …}``, signed in the roster context. An inspector's credential validity ends
    at their revocation (``valid_until``); the archive holds no issue date (``valid_from`` null)."""
    payload = roster_document(archive, 0)["payload"]
    with archive.db.read() as s:
        revoked = {i.id: iso(i.revoked_at) for i in s.execute(select(Inspector)).scalars()}
    for entry in payload["inspectors"]:
        entry["valid_from"], entry["valid_until"] = None, revoked.get(entry["id"])
    return {"roster": payload, "sig": sign_object(archive.key, ARCHIVE_SIGNER, CTX_ROSTER, payload)}


PAGE = 1000


def add_pull_item(s: Session, kind: str, item_id: str, data: dict[str, Any]) -> int:
    row = PullItem(kind=kind, item_id=item_id, payload=canonical_bytes(data).decode(), created_at=utcnow())
    s.add(row)
    s.flush()
    return row.seq


def pull_document(archive: Archive, kind: str, since: int, inspector_ids: frozenset[str]) -> dict[str, Any]:
    with archive.db.read() as s:
        rows = (
            s.execute(
                select(PullItem)
                .where(PullItem.kind == kind, PullItem.seq > since)
                .order_by(PullItem.seq)
                .limit(PAGE + 1)
            )
            .scalars()
            .all()
        )
        if kind == "assignments":  # a revoked inspector is nobody's inspector: their laptop gets no assignment
            inspector_ids = active(s, inspector_ids)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    items = []
    for r in rows:
        data = json.loads(r.payload)
        if kind == "assignments" and not inspector_ids & set(data.get("inspectors", [])):
            continue  # assignments go only to a laptop of an assigned inspector
        items.append({"seq": r.seq, "id": r.item_id, "data": data})
    payload = {
        "v": PROTOCOL_VERSION,
        "kind": kind,
        "since": since,
        "cursor": rows[-1].seq if rows else since,
        "more": more,
        "items": items,
        "time": iso(utcnow()),
    }
    return sign_document(archive, CTX_PULL, payload)


def add_assignment(
    archive: Archive, case_id: str, institution: dict[str, Any], inspectors: list[str], extra: dict[str, Any]
) -> int:
    with archive.db.write() as s:
        return add_assignment_in(s, case_id, institution, inspectors, extra)


def add_assignment_in(
    s: Session, case_id: str, institution: dict[str, Any], inspectors: list[str], extra: dict[str, Any]
) -> int:
    """An office assignment inside the caller's transaction (the 双随机 draw makes several in one)."""
    if len(set(inspectors)) < 2:
        raise AdminError("an assignment needs two different inspectors")
    for iid in inspectors:
        row = s.get(Inspector, iid)
        if row is None or row.revoked_at is not None:
            raise AdminError(f"inspector {iid} is not enrolled or has been revoked")
    if s.get(Case, case_id) is not None:
        raise AdminError(f"case {case_id} already exists")
    s.add(Case(id=case_id, source="office", created_at=utcnow()))
    record_members(s, case_id, INSPECTOR, inspectors, "office")
    data = {"case_id": case_id, "institution": institution, "inspectors": inspectors, **extra}
    return add_pull_item(s, "assignments", case_id, data)
