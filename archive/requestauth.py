"""Server side of the DPoP-style device request signatures (client side: app/sync/auth.py)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers

from app.evidence.signing import SignatureError, unb64, verify_raw
from app.sync.auth import request_claims, request_signing_input
from app.sync.protocol import H_BODY_SHA256, H_DEVICE, H_NONCE, H_SIGNATURE, H_TIME, UNSIGNED_PAYLOAD
from archive.db import Device, DeviceInspector, Nonce
from archive.errors import ApiError
from archive.limits import GuardState
from archive.service import Archive

_NONCE = re.compile(r"^[0-9a-f]{16,64}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class AuthedDevice:
    id: str
    inspector_ids: frozenset[str]
    body_sha256: str


@dataclass(frozen=True)
class SignedHeaders:
    device_id: str
    when: int
    nonce: str
    body_sha256: str
    signature: bytes


def unauthorized(code: str, zh: str, en: str) -> ApiError:
    return ApiError(401, code, zh, en, headers={"WWW-Authenticate": 'FieldAudit-Device realm="archive"'})


def parse_headers(headers: Headers) -> SignedHeaders:
    values = {h: headers.get(h) for h in (H_DEVICE, H_TIME, H_NONCE, H_BODY_SHA256, H_SIGNATURE)}
    if any(v is None for v in values.values()):
        raise unauthorized(
            "unsigned_request", "请求未携带设备签名", "the request carries no device signature"
        )
    device_id = values[H_DEVICE] or ""
    when, nonce = values[H_TIME] or "", (values[H_NONCE] or "").lower()
    body, sig = values[H_BODY_SHA256] or "", values[H_SIGNATURE] or ""
    if body != UNSIGNED_PAYLOAD:
        body = body.lower()
    body_ok = _SHA.match(body) is not None or body == UNSIGNED_PAYLOAD
    if not (_TIME.match(when) and _NONCE.match(nonce) and body_ok) or not 0 < len(device_id) <= 128:
        raise unauthorized("malformed_signature", "设备签名格式错误", "malformed request-signature headers")
    try:
        raw_sig = unb64(sig)
    except SignatureError as exc:
        raise unauthorized(
            "malformed_signature", "设备签名格式错误", "malformed request-signature headers"
        ) from exc
    return SignedHeaders(device_id, int(when), nonce, body, raw_sig)


class RequestVerifier:
    def __init__(self, archive: Archive, guard: GuardState | None = None) -> None:
        self.archive = archive
        self.guard = guard or GuardState(archive.db)
        self._last_purge = 0.0

    def check_signature(self, sh: SignedHeaders, public_key: bytes, method: str, target: str) -> None:
        claims = request_claims(sh.device_id, method, target, sh.when, sh.nonce, sh.body_sha256)
        try:
            verify_raw(public_key, request_signing_input(claims), sh.signature)
        except SignatureError as exc:
            raise unauthorized(
                "bad_signature", "设备签名无效", "the request signature does not verify"
            ) from exc
        skew = self.archive.settings.clock_skew_s
        if abs(time.time() - sh.when) > skew:
            raise unauthorized(
                "stale_request",
                "请求时间超出允许范围，请校准设备时钟",
                f"request time is more than {int(skew)} s away from archive time; check the device clock",
            )

    @staticmethod
    def _limited(wait: float, zh: str, en: str) -> ApiError:
        return ApiError(429, "rate_limited", zh, en, headers={"Retry-After": str(max(1, int(wait + 0.999)))})

    def rate_limit(self, device_id: str) -> None:
        s = self.archive.settings
        wait = self.guard.take("device:" + device_id, s.rate_per_s, s.rate_burst)
        if wait is not None:
            raise self._limited(wait, "请求过于频繁，请稍后重试", "too many requests from this device; retry later")

    def limit_enrolment(self, address: str) -> None:
        """Enrolment attempts per client address (a claimed device id costs nothing to change)."""
        s = self.archive.settings
        wait = self.guard.take("enrol:" + address, s.enrol_rate_per_s, s.enrol_burst)
        if wait is not None:
            raise self._limited(wait, "登记尝试过于频繁，请稍后重试", "too many enrolment attempts from this address; retry later")

    def consume_nonce(self, sh: SignedHeaders) -> None:
        now = int(time.time())
        horizon = now - int(2 * self.archive.settings.clock_skew_s) - 1
        try:
            with self.archive.db.write() as s:
                if now - self._last_purge > 60:
                    self._last_purge = now
                    s.execute(delete(Nonce).where(Nonce.seen_at < horizon))
                s.add(Nonce(device_id=sh.device_id, nonce=sh.nonce, seen_at=now))
        except IntegrityError as exc:
            raise unauthorized(
                "replayed_nonce", "请求被重放（随机数已用过）", "replayed request (nonce already used)"
            ) from exc

    def authenticate(self, headers: Headers, method: str, target: str) -> AuthedDevice:
        sh = parse_headers(headers)
        with self.archive.db.read() as s:
            device = s.get(Device, sh.device_id)
            inspectors = frozenset(
                s.execute(
                    select(DeviceInspector.inspector_id).where(DeviceInspector.device_id == sh.device_id)
                )
                .scalars()
                .all()
            )
        if device is None:
            raise unauthorized(
                "unknown_device", "设备未在档案系统登记", "this device is not enrolled at the archive"
            )
        if device.revoked_at is not None:
            raise ApiError(403, "device_revoked", "该设备已被吊销", "this device has been revoked")
        self.check_signature(sh, unb64(device.public_key), method, target)
        self.rate_limit(sh.device_id)
        self.consume_nonce(sh)
        return AuthedDevice(sh.device_id, inspectors, sh.body_sha256)

    def authenticate_new(
        self, headers: Headers, method: str, target: str, public_key: bytes
    ) -> SignedHeaders:
        """For enrolment: the key comes from the request body, the device is not yet known."""
        sh = parse_headers(headers)
        self.check_signature(sh, public_key, method, target)
        self.consume_nonce(sh)
        return sh
