"""Limits before work: what the archive checks before it reads a request body, and the connection timeouts.

* :class:`RequestGate` (ASGI): every ``/v1`` request except health is authenticated from its request line and
  headers alone — device, signature, time, nonce, rate — before one byte of its body is read; the declared
  ``Content-Length`` is checked against the limit before reading, and a body without one is cut off at the limit
  while it streams; a JSON body is hashed as it arrives and compared with the signed hash before FastAPI parses it.
  Upload ``PATCH`` bodies are streamed to disk and hashed there (archive/uploads.py). Enrolment, whose key is in
  its body, is limited per client address and to a small body first. A refusal made before the body was read
  closes the connection (``Connection: close``), so the rest of the body is never received.
* :func:`guarded_protocol`: uvicorn's h11 protocol with a deadline for a request's line and headers (slowloris),
  an idle timeout while the archive waits for body bytes (a stalled upload) and the same while an answer waits
  for a client that does not read it, each logged as one JSON line; request line and headers capped at 16 KiB.
* :class:`OneLineErrors`: the outermost wrapper; an exception never reaches uvicorn, whose log would otherwise
  hold a multi-line traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import h11
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from archive.errors import ApiError, disk_full_error
from archive.logs import log
from archive.requestauth import RequestVerifier

MAX_JSON_BODY = 256 * 1024 * 1024
MAX_REGISTER_BODY = 256 * 1024
MAX_HEADER_BYTES = 16 * 1024  # request line and headers together (h11)
OPEN_PATHS = {("GET", "/v1/health"), ("HEAD", "/v1/health")}
REGISTER = ("POST", "/v1/devices/register")


def request_target(scope: Scope) -> str:
    """Path and query exactly as sent: what the device signed."""
    raw = scope.get("raw_path") or scope["path"].encode()
    qs = scope.get("query_string", b"")
    return raw.decode("latin-1") + ("?" + qs.decode("latin-1") if qs else "")


class _Disconnected(Exception):
    pass


class _Refused(Exception):
    def __init__(self, error: ApiError, body_read: bool) -> None:
        super().__init__(error.code)
        self.error = error
        self.body_read = body_read


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: ApiError, *, close: bool) -> None:
    headers = dict(exc.headers or {})
    if close:
        headers["Connection"] = "close"
    await JSONResponse(exc.body(), status_code=exc.status, headers=headers)(scope, receive, send)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", "请求体过大", f"request bodies here are limited to {limit} bytes")


def _declared_length(scope: Scope, limit: int) -> int | None:
    raw = Headers(scope=scope).get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ApiError(400, "bad_content_length", "请求长度格式错误", "Content-Length is not a number")
    if int(raw) > limit:
        raise _too_large(limit)
    return int(raw)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, str]:
    """The whole body, at most ``limit`` bytes, and its SHA-256; raises 413 as soon as it goes past."""
    h = hashlib.sha256()
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        if chunk:
            h.update(chunk)
            parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), h.hexdigest()


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect as usual

    return replay


class RequestGate:
    def __init__(self, app: ASGIApp, verifier: RequestVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if not path.startswith("/v1/") or (method, path) in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            inner = await self._admit(scope, receive, method, path)
        except _Disconnected:
            log("http.disconnected", method=method, path=path[:200])
            return
        except _Refused as refused:
            await _refuse(scope, receive, send, refused.error, close=not refused.body_read)
            return
        await self.app(scope, inner, send)

    async def _admit(self, scope: Scope, receive: Receive, method: str, path: str) -> Receive:
        """The receive channel to hand on (the body replayed when it was read here); raises _Refused."""
        body_read = False
        try:
            if (method, path) == REGISTER:
                client = scope.get("client")
                self.verifier.limit_enrolment(client[0] if client else "?")
                _declared_length(scope, MAX_REGISTER_BODY)
                body, _ = await _read_body(receive, MAX_REGISTER_BODY)
                return _replay(body, receive)
            headers = Headers(scope=scope)
            try:
                dev = await run_in_threadpool(self.verifier.authenticate, headers, method, request_target(scope))
            except ApiError:
                raise
            except Exception as exc:  # a full disk while recording the nonce is no bug
                full = disk_full_error(exc, "request.auth")
                if full is None:
                    raise
                raise full from exc
            scope.setdefault("state", {})["device"] = dev
            if method == "PATCH":  # upload bodies stream to disk, hashed there (archive/uploads.py)
                return receive
            _declared_length(scope, MAX_JSON_BODY)
            body, digest = await _read_body(receive, MAX_JSON_BODY)
            body_read = True
            if digest != dev.body_sha256:
                raise ApiError(
                    401, "body_mismatch", "请求体与签名不符", "the request body does not hash to the signed value"
                )
            return _replay(body, receive)
        except ApiError as exc:
            raise _Refused(exc, body_read) from exc


class OneLineErrors:
    """Outermost: an exception that escaped everything else is one JSON log line (and a 500 if no answer was
    started), never uvicorn's multi-line "Exception in ASGI application"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:  # the last line of defence, logged on one line
            if started:  # the app's own handler answered (and logged); Starlette re-raises for servers
                return
            full = disk_full_error(exc, "request")
            if full is None:
                log("internal_error", type=type(exc).__name__)
                full = ApiError(500, "internal", "档案系统内部错误", "internal archive error")
            if scope["type"] == "http":
                await _refuse(scope, receive, send, full, close=True)


class GuardedH11Protocol(H11Protocol):
    """h11 with a deadline for the request line and headers and an idle timeout while a body is awaited."""

    header_timeout_s = 30.0
    body_timeout_s = 60.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        now = self.loop.time()
        self._waiting_since = now  # since when the next request's headers are awaited
        self._last_rx = now
        self._header_bytes, self._tail = 0, b""
        self._write_stalled = 0.0
        period = max(0.05, min(self.header_timeout_s, self.body_timeout_s) / 4)
        self._period = period
        self._tick: asyncio.TimerHandle | None = self.loop.call_later(period, self._check)

    def data_received(self, data: bytes) -> None:
        self._last_rx = self.loop.time()
        if self.conn.their_state is h11.IDLE:  # still in a request line and headers: count them, body aside
            seen = self._tail + data
            end = seen.find(b"\r\n\r\n")
            self._header_bytes += len(data) if end < 0 else end + 4 - len(self._tail)
            self._tail = seen[-3:]
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse_headers()
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._header_bytes, self._tail = 0, b""

    def _refuse_headers(self) -> None:
        log("http.headers_too_large", client=self.client[0] if self.client else None)
        body = json.dumps({"error": "headers_too_large", "message_zh": "请求头过大",
                           "message_en": f"request line and headers are limited to {MAX_HEADER_BYTES} bytes"},
                          ensure_ascii=False).encode()
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n"
                             b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        self.transport.close()

    def resume_writing(self) -> None:
        self._write_stalled = 0.0  # the client read some of the answer: progress
        super().resume_writing()

    def on_response_complete(self) -> None:
        self._waiting_since = self.loop.time()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        super().connection_lost(exc)

    def _close(self, phase: str, waited: float) -> None:
        log("connection.timeout", phase=phase, waited_s=round(waited, 1),
            client=self.client[0] if self.client else None)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    def _check(self) -> None:
        self._tick = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        cycle: Any = self.cycle
        if cycle is None or cycle.response_complete:
            if self.conn.their_state is h11.IDLE and now - self._waiting_since > self.header_timeout_s:
                self._close("headers", now - self._waiting_since)
                return
        elif self.flow.write_paused and not cycle.disconnected:  # a client that does not read its answer
            self._write_stalled = self._write_stalled or now
            if now - self._write_stalled > self.body_timeout_s:
                self._close("response", now - self._write_stalled)
                return
        elif cycle.more_body and not cycle.disconnected:
            if self.flow.read_paused:  # the archive is not reading yet: the client is not to blame
                self._last_rx = now
            elif now - self._last_rx > self.body_timeout_s:
                self._close("body", now - self._last_rx)
                return
        self._tick = self.loop.call_later(self._period, self._check)


def guarded_protocol(header_timeout_s: float, body_timeout_s: float) -> type[GuardedH11Protocol]:
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout_s": header_timeout_s, "body_timeout_s": body_timeout_s},
    )
