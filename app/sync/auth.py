"""DPoP-style request signatures by a device key (the idea of RFC 9449, without JWTs).

Every request from an enrolled laptop carries five headers::

    FA-Device:         <device id>
    FA-Time:           <unix seconds, integer>
    FA-Nonce:          <32 lower-case hex digits, fresh per request>
    FA-Content-SHA256: <hex SHA-256 of the exact request body; of b"" when there is none;
                        "UNSIGNED-PAYLOAD" allowed on upload PATCH only>
    FA-Signature:      <base64 Ed25519 signature>

The signature is over ``"fieldaudit/request/v1" ‖ 0x00 ‖ canonical_json(claims)`` with::

    claims = {"v": 1, "device": <id>, "method": <upper-case method>, "target": <path?query exactly as sent>,
              "time": <int>, "nonce": <hex>, "body_sha256": <hex>}

The archive refuses unknown devices (401), revoked devices (403), times outside its skew window, reused nonces
and bodies that do not hash to the declared value. Shared by the client (:class:`DeviceAuth`) and the archive.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from app.evidence.signing import SigningKey, b64, signing_input
from app.sync.protocol import (
    CTX_REQUEST,
    H_BODY_SHA256,
    H_DEVICE,
    H_NONCE,
    H_SIGNATURE,
    H_TIME,
    PROTOCOL_VERSION,
    UNSIGNED_PAYLOAD,
)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def request_claims(
    device_id: str, method: str, target: str, when: int, nonce: str, body_sha256: str
) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "device": device_id,
        "method": method.upper(),
        "target": target,
        "time": when,
        "nonce": nonce,
        "body_sha256": body_sha256,
    }


def request_signing_input(claims: dict[str, Any]) -> bytes:
    return signing_input(CTX_REQUEST, claims)


def sign_request_headers(
    key: SigningKey,
    device_id: str,
    method: str,
    target: str,
    body_sha256: str,
    when: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The five authentication headers for one request."""
    when = int(time.time()) if when is None else when
    nonce = os.urandom(16).hex() if nonce is None else nonce
    claims = request_claims(device_id, method, target, when, nonce, body_sha256)
    return {
        H_DEVICE: device_id,
        H_TIME: str(when),
        H_NONCE: nonce,
        H_BODY_SHA256: body_sha256,
        H_SIGNATURE: b64(key.sign(request_signing_input(claims))),
    }


def request_target(url: httpx.URL) -> str:
    """Path and query exactly as they go on the wire."""
    return url.raw_path.decode("ascii")


class DeviceAuth(httpx.Auth):
    """Signs every request with the device key.

    The body is hashed in memory unless the caller already set ``FA-Content-SHA256`` (streamed uploads hash
    their chunk themselves and pass it, so a large body is never read twice).
    """

    def __init__(self, key: SigningKey, device_id: str, clock: Callable[[], float] = time.time) -> None:
        self.key = key
        self.device_id = device_id
        self.clock = clock

    def _sign(self, request: httpx.Request, body_sha256: str) -> None:
        headers = sign_request_headers(
            self.key,
            self.device_id,
            request.method,
            request_target(request.url),
            body_sha256,
            int(self.clock()),
        )
        request.headers.update(headers)

    def _body_hash(self, request: httpx.Request) -> str | None:
        declared = request.headers.get(H_BODY_SHA256)
        if not declared:
            return None
        return declared if declared == UNSIGNED_PAYLOAD else declared.lower()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        declared = self._body_hash(request)
        if declared is None:
            declared = hashlib.sha256(request.read()).hexdigest()
        self._sign(request, declared)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        declared = self._body_hash(request)
        if declared is None:
            declared = hashlib.sha256(await request.aread()).hexdigest()
        self._sign(request, declared)
        yield request
