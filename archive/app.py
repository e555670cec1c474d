"""The FastAPI application: routes, error shapes, access logging."""

from __future__ import annotations

import hashlib
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.evidence.signing import SignatureError, unb64
from app.sync.protocol import (
    H_TUS,
    H_UPLOAD_LENGTH,
    H_UPLOAD_OFFSET,
    H_UPLOAD_SHA256,
    H_UPLOAD_STATUS,
    PROTOCOL_VERSION,
    PULL_KINDS,
    TUS_VERSION,
    UPLOAD_CONTENT_TYPE,
    ConflictList,
    ErrorBody,
    HealthResponse,
    MissingRequest,
    MissingResponse,
    PushRequest,
    RegisterRequest,
    RegisterResponse,
    SignedDocument,
    UploadCreate,
    UploadState,
)
from archive import conflicts as conflicts_mod
from archive.blobstore import valid_sha256
from archive.errors import ApiError, disk_full_error
from archive.gate import RequestGate, request_target
from archive.limits import GuardState
from archive.logs import log
from archive.office.views import office_router
from archive.push import push as do_push
from archive.requestauth import AuthedDevice, RequestVerifier
from archive.roster import pull_document, register_device, roster_document
from archive.service import Archive
from archive.uploads import Uploads

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 507)
}
UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class AccessLog:
    """One JSON line per request: method, path (ids only), status, duration, device id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 0}

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            device = dict(scope.get("headers") or []).get(b"fa-device", b"").decode("latin-1")[:128]
            log(
                "http",
                method=scope["method"],
                path=scope["path"][:200],
                status=status["code"],
                ms=round((time.perf_counter() - start) * 1000, 1),
                device=device or None,
            )


async def _device(request: Request) -> AuthedDevice:
    """The device the gate authenticated from the request's headers before its body was read (archive/gate.py)."""
    dev = request.scope.get("state", {}).get("device")
    if not isinstance(dev, AuthedDevice):
        raise ApiError(401, "unsigned_request", "请求未携带设备签名", "the request carries no device signature")
    return dev


AuthDev = Annotated[AuthedDevice, Depends(_device)]


def create_app(archive: Archive, *, behind_tls: bool = False) -> FastAPI:
    app = FastAPI(
        title="FieldAudit archive",
        version=str(PROTOCOL_VERSION),
        description="Central archive of FieldAudit (医保稽核现场取证). Every /v1 request except health and "
        "register is signed by an enrolled device key; see archive/PROTOCOL.md.",
    )
    guard = GuardState(archive.db)
    verifier = RequestVerifier(archive, guard)
    uploads = Uploads(archive, guard)
    app.add_middleware(RequestGate, verifier=verifier)
    app.add_middleware(AccessLog)
    app.state.archive = archive
    app.state.verifier = verifier
    app.include_router(office_router(archive, behind_tls=behind_tls))

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = [
            {
                "code": "invalid",
                "loc": [str(x) for x in e.get("loc", ())],
                "message_en": str(e.get("msg", "")),
            }
            for e in exc.errors()[:50]
        ]
        body = {
            "error": "invalid_request",
            "message_zh": "请求格式不正确",
            "message_en": "the request is malformed",
            "reasons": reasons,
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {
            "error": f"http_{exc.status_code}",
            "message_zh": "请求无法处理",
            "message_en": str(exc.detail),
        }
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(OSError)
    @app.exception_handler(DBAPIError)
    async def _storage(_request: Request, exc: Exception) -> JSONResponse:
        full = disk_full_error(exc, "storage")
        if full is None:
            raise exc  # a bug: answered by the handler below
        return JSONResponse(full.body(), status_code=full.status)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        full = disk_full_error(exc, "storage")
        if full is not None:
            return JSONResponse(full.body(), status_code=full.status)
        log("internal_error", type=type(exc).__name__)
        body = {"error": "internal", "message_zh": "档案系统内部错误", "message_en": "internal archive error"}
        return JSONResponse(body, status_code=500)

    @app.get("/v1/health", response_model=HealthResponse)
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": PROTOCOL_VERSION, "archive_fingerprint": archive.fingerprint}

    @app.post("/v1/devices/register", response_model=RegisterResponse, status_code=201, responses=ERRORS)
    async def register(req: RegisterRequest, request: Request) -> dict[str, Any]:
        try:
            key = unb64(req.device_public_key)
            if len(key) != 32:
                raise SignatureError("bad key length")
        except SignatureError as exc:
            raise ApiError(
                400, "bad_device_key", "设备公钥格式错误", "the device public key is malformed"
            ) from exc
        sh = await run_in_threadpool(
            verifier.authenticate_new, request.headers, request.method, request_target(request.scope), key
        )
        if (
            sh.device_id != req.device_id
            or hashlib.sha256(await request.body()).hexdigest() != sh.body_sha256
        ):
            raise ApiError(
                401, "bad_signature", "设备签名无效", "the request signature does not match the body"
            )
        await run_in_threadpool(register_device, archive, req)
        log("device.registered", device=req.device_id, inspectors=len(req.inspectors))
        roster = await run_in_threadpool(roster_document, archive, 0)
        return {
            "device_id": req.device_id,
            "archive_public_key": archive.public_key_b64,
            "archive_fingerprint": archive.fingerprint,
            "roster": roster,
        }

    @app.get("/v1/roster", response_model=SignedDocument, responses=ERRORS)
    def roster(dev: AuthDev, since: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0) -> dict[str, Any]:
        return roster_document(archive, since)

    @app.get("/v1/pull/{kind}", response_model=SignedDocument, responses=ERRORS)
    def pull(
        dev: AuthDev,
        kind: Annotated[str, Path(max_length=32)],
        since: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0,
    ) -> dict[str, Any]:
        if kind not in PULL_KINDS:
            raise ApiError(
                404,
                "unknown_kind",
                "未知的下发数据类型",
                f"unknown pull kind; one of {', '.join(PULL_KINDS)}",
            )
        return pull_document(archive, kind, since, dev.inspector_ids)

    def _upload_headers(state: dict[str, Any]) -> dict[str, str]:
        h = {
            H_TUS: TUS_VERSION,
            H_UPLOAD_OFFSET: str(state["offset"]),
            H_UPLOAD_LENGTH: str(state["length"]),
            H_UPLOAD_STATUS: state["status"],
            "Cache-Control": "no-store",
        }
        if state["status"] == "complete":
            h[H_UPLOAD_SHA256] = state["sha256"]
        return h

    @app.post("/v1/uploads", response_model=UploadState, status_code=201, responses=ERRORS)
    def create_upload(req: UploadCreate, dev: AuthDev, response: Response) -> dict[str, Any]:
        state = uploads.create(dev.id, req.sha256, req.length)
        response.headers.update(_upload_headers(state))
        response.headers["Location"] = f"/v1/uploads/{state['id']}"
        return state

    @app.head("/v1/uploads/{upload_id}", responses=ERRORS)
    def head_upload(upload_id: UploadId, dev: AuthDev) -> Response:
        state = uploads.get(dev.id, upload_id)
        return Response(status_code=200, headers=_upload_headers(state))

    @app.get("/v1/uploads/{upload_id}", response_model=UploadState, responses=ERRORS)
    def get_upload(upload_id: UploadId, dev: AuthDev, response: Response) -> dict[str, Any]:
        state = uploads.get(dev.id, upload_id)
        response.headers.update(_upload_headers(state))
        return state

    @app.patch(
        "/v1/uploads/{upload_id}",
        status_code=204,
        responses={**ERRORS, 204: {"description": "bytes appended; Upload-Offset is the new offset"}},
        openapi_extra={
            "requestBody": {
                "content": {UPLOAD_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}
            }
        },
    )
    async def patch_upload(
        upload_id: UploadId,
        request: Request,
        dev: AuthDev,
        upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0, le=2**53 - 1)],
        content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
    ) -> Response:
        if content_type is not None and content_type.split(";")[0].strip() != UPLOAD_CONTENT_TYPE:
            raise ApiError(
                415, "bad_content_type", "上传内容类型错误", f"PATCH bodies are {UPLOAD_CONTENT_TYPE}"
            )
        declared = request.headers.get("content-length", "")
        state = await uploads.patch(dev.id, upload_id, upload_offset, request.stream(), dev.body_sha256,
                                    int(declared) if declared.isdigit() else None)
        return Response(status_code=204, headers=_upload_headers(state))

    @app.post("/v1/blobs/missing", response_model=MissingResponse, responses=ERRORS)
    def blobs_missing(req: MissingRequest, dev: AuthDev) -> dict[str, Any]:
        bad = [h for h in req.hashes if not valid_sha256(h)]
        if bad:
            raise ApiError(
                400, "bad_hash", "哈希格式错误", f"{len(bad)} value(s) are not lower-case hex SHA-256"
            )
        return {"missing": uploads.missing(dev.id, req.hashes)}

    @app.post("/v1/push", response_model=SignedDocument, responses=ERRORS)
    def push(req: PushRequest, dev: AuthDev) -> dict[str, Any]:
        return do_push(archive, dev, req)

    @app.get("/v1/cases/{case_id}/conflicts", response_model=ConflictList, responses=ERRORS)
    def case_conflicts(case_id: Annotated[str, Path(max_length=128)], dev: AuthDev) -> dict[str, Any]:
        found = conflicts_mod.list_conflicts(archive, case_id, dev.id, dev.inspector_ids)
        return {"case_id": case_id, "conflicts": found}

    @app.get("/v1/paper/{code}", responses=ERRORS)
    def paper(code: Annotated[str, Path(max_length=20)], dev: AuthDev) -> dict[str, Any]:
        """A printed page looked up by its 核验码, among the cases this device may see."""
        from archive import paper as paper_mod

        norm = paper_mod.normalise_code(code)
        if norm is None:
            raise ApiError(400, "bad_code", "核验码格式错误（应为 ABCD-EFGH）", "a verification code is ABCD-EFGH")
        pages = paper_mod.lookup(archive, norm, device_id=dev.id, inspector_ids=dev.inspector_ids)
        if not pages:
            raise ApiError(404, "unknown_code", "没有该核验码的打印页（或无权查看）", "no printed page with this code")
        return {"code": norm, "pages": pages}

    return app
