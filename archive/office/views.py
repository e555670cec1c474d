"""The office's web view under /office/: server-rendered pages, a session cookie, CSRF on every form."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from archive.blobstore import valid_sha256
from archive.limits import GuardState
from archive.office import auth, cases, draw, ledger, password, procedure
from archive.office.models import ROLES
from archive.office.procedure_side import SIDE_BASIS
from archive.service import Archive

COOKIE = "fa_office"
#: login attempts per client address: a burst for an office behind one NAT, then one a minute
LOGIN_BURST = 20.0
LOGIN_RATE_PER_S = 1 / 60
MAX_FORM = 64 * 1024
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _page(name: str, http_status: int = 200, **ctx: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(roles=ROLES, **ctx)
    return HTMLResponse(html, status_code=http_status, headers=SECURITY_HEADERS)


async def _form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_FORM:
        raise auth.OfficeError("表单过大", "the form is too large", 413)
    body = await request.body()
    if len(body) > MAX_FORM:
        raise auth.OfficeError("表单过大", "the form is too large", 413)
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # browsers send Origin on every cross-site POST; its absence is a same-site form or a tool
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def plain_http_from_afar(request: Request, behind_tls: bool) -> bool:
    """A request that came over plain HTTP from another machine, on an archive not started with --behind-tls: a
    password sent that way crossed the network readable. A loopback client is this machine (or a TLS proxy on
    it, whose forwarded scheme uvicorn applies)."""
    if behind_tls or request.url.scheme == "https":
        return False
    host = request.client.host if request.client else ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def office_router(archive: Archive, *, behind_tls: bool = False) -> APIRouter:
    """``behind_tls``: TLS terminates in front of the archive (``--behind-tls``): logins from other machines are
    taken and the session cookie is ``Secure``."""
    router = APIRouter(prefix="/office", include_in_schema=False)
    db = archive.db
    guard = GuardState(db)  # the buckets live in the database: every archive process shares them

    async def principal(request: Request) -> auth.Principal | None:
        return await run_in_threadpool(auth.session_principal, db, request.cookies.get(COOKIE))

    def to_login() -> Response:
        return RedirectResponse("/office/login", status_code=303, headers=SECURITY_HEADERS)

    def refused(who: auth.Principal | None, zh: str, en: str, status: int) -> HTMLResponse:
        return _page("error.html", status, who=who, zh=zh, en=en)

    async def checked_form(request: Request, who: auth.Principal) -> dict[str, str] | HTMLResponse:
        if not _same_origin(request):
            return refused(who, "跨站请求被拒绝", "cross-site request refused", 403)
        try:
            form = await _form(request)
        except auth.OfficeError as exc:
            return refused(who, exc.zh, exc.en, exc.status)
        if not hmac.compare_digest(form.get("csrf", ""), who.csrf):
            return refused(who, "表单已失效，请刷新页面后重试", "the form's CSRF token is missing or stale", 403)
        return form

    async def posted(request: Request) -> tuple[auth.Principal, dict[str, str]] | Response:
        """The signed-in user and the form they posted (same origin, CSRF checked), or the response refusing it."""
        who = await principal(request)
        if who is None:
            return to_login()
        form = await checked_form(request, who)
        return form if isinstance(form, HTMLResponse) else (who, form)

    def plain_http_refusal() -> auth.OfficeError:
        return auth.OfficeError(
            "档案中心未配置 TLS：不接受其他计算机通过明文 HTTP 登录（口令会以明文经过网络）。请管理员在档案中心前配置 "
            "TLS 代理，并以 --behind-tls 启动档案中心",
            "office login over plain HTTP from another machine refused (the password would cross the network "
            "readable): put a TLS proxy in front of the archive and start it with --behind-tls", 403)

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        error = plain_http_refusal() if plain_http_from_afar(request, behind_tls) else None
        return _page("login.html", who=None, error=error)

    @router.post("/login")
    async def login_post(request: Request) -> Response:
        if not _same_origin(request):
            return refused(None, "跨站请求被拒绝", "cross-site request refused", 403)
        if plain_http_from_afar(request, behind_tls):
            def note() -> None:
                with db.write() as s:
                    auth.append_log(s, None, "login.plain_http", None,
                                    address=(request.client.host if request.client else "?")[:64])

            await run_in_threadpool(note)
            return _page("login.html", 403, who=None, error=plain_http_refusal())
        address = request.client.host if request.client else "?"
        wait = await run_in_threadpool(guard.take, "office-login:" + address, LOGIN_RATE_PER_S, LOGIN_BURST)
        if wait is not None:  # password spraying across accounts, or Argon2id's memory by the hundred
            return _page("login.html", 429, who=None, error=auth.OfficeError(
                "登录尝试过于频繁，请稍后重试", "too many login attempts from this address; retry later", 429))
        try:
            form = await _form(request)
            token, _who = await run_in_threadpool(auth.login, db, form.get("login", ""), form.get("password", ""))
        except auth.OfficeError as exc:
            return _page("login.html", exc.status, who=None, error=exc)
        secure = behind_tls or request.url.scheme == "https"
        response = RedirectResponse("/office/", status_code=303, headers=SECURITY_HEADERS)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/office")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        got = await posted(request)  # a logout is a form with its CSRF token, like every other
        if isinstance(got, Response):
            return got
        await run_in_threadpool(auth.logout, db, request.cookies.get(COOKIE, ""))
        response = to_login()
        response.delete_cookie(COOKIE, path="/office")
        return response

    @router.get("/password")
    async def password_page(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return to_login()
        return _page("password.html", who=who, error=None, done=request.query_params.get("done") == "1",
                     minimum=auth.MIN_PASSWORD)

    @router.post("/password")
    async def password_post(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        who, form = got
        try:
            await run_in_threadpool(password.change_password, db, who, request.cookies.get(COOKIE, ""),
                                    form.get("current", ""), form.get("new", ""), form.get("again", ""))
        except auth.OfficeError as exc:
            return _page("password.html", exc.status, who=who, error=exc, done=False, minimum=auth.MIN_PASSWORD)
        return RedirectResponse("/office/password?done=1", status_code=303, headers=SECURITY_HEADERS)

    @router.get("/")
    async def case_list(request: Request, institution: str = "", kind: str = "", status: str = "") -> Response:
        who = await principal(request)
        if who is None:
            return to_login()

        def load() -> list[cases.CaseSummary]:
            with db.read() as s:
                return cases.visible_cases(s, who, institution[:100], kind[:40], status[:10])

        rows = await run_in_threadpool(load)
        return _page("cases.html", who=who, rows=rows, institution=institution, kind=kind, status=status)

    def find_case(s: Any, who: auth.Principal, case_id: str) -> cases.CaseSummary | None:
        for summary in cases.summaries(s):
            if summary.id == case_id:
                return summary if cases.may_see(who, summary) else None
        return None

    @router.get("/cases/{case_id}")
    async def case_view(request: Request, case_id: str) -> Response:
        who = await principal(request)
        if who is None:
            return to_login()

        def load() -> dict[str, Any] | None:
            with db.read() as s:
                summary = find_case(s, who, case_id)
                if summary is None:
                    return None
                page = cases.case_page(archive, s, summary)
                page["procedure"] = procedure.state(archive, s, summary)
                page["signatures"] = procedure.signatures(s, summary.id)
                page["documents"] = cases.issued_documents(s, summary.id)
                with db.write() as w:
                    auth.append_log(w, who.user_id, "case.viewed", case_id)
                return page

        page = await run_in_threadpool(load)
        if page is None:
            return refused(who, "案件不存在或无权查看", "no such case, or not yours to see", 404)
        return _page("case.html", who=who, stages=procedure.STAGES, side=procedure.SIDE,
                     side_basis=SIDE_BASIS,
                     message=request.query_params.get("m", "")[:300], **page)

    @router.post("/cases/{case_id}/steps/{stage}")
    async def step(request: Request, case_id: str, stage: str) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        who, form = got

        def act() -> str | auth.OfficeError:
            try:
                if who.sign_key is None:  # a session opened before the user had a key (schema 3)
                    raise auth.OfficeError("本次登录没有个人签名密钥，请退出后重新登录再办理",
                                           "this session holds no signing key of yours: log out and in again", 403)
                with db.write() as s:
                    summary = find_case(s, who, case_id)
                    if summary is None:
                        raise auth.OfficeError("案件不存在或无权查看", "no such case, or not yours to see", 404)
                    procedure.take_step(archive, s, who, summary, stage, form)
                return ""
            except auth.OfficeError as exc:
                with db.write() as s:
                    auth.append_log(s, who.user_id, "step.refused", case_id, stage=stage[:32], reason=exc.en)
                return exc

        outcome = await run_in_threadpool(act)
        if isinstance(outcome, auth.OfficeError):
            return refused(who, outcome.zh, outcome.en, outcome.status)
        return RedirectResponse(f"/office/cases/{case_id}#procedure", status_code=303, headers=SECURITY_HEADERS)

    @router.get("/cases/{case_id}/outcome/{form}.pdf")
    async def outcome(request: Request, case_id: str, form: str) -> Response:
        """An outcome form (the decision, its 送达回证) printed by the laptop's document model."""
        from archive.office.outcome import outcome_pdf

        who = await principal(request)
        if who is None:
            return to_login()

        def load() -> bytes | auth.OfficeError:
            try:
                with db.read() as s:
                    summary = find_case(s, who, case_id)
                    if summary is None:
                        raise auth.OfficeError("案件不存在或无权查看", "no such case, or not yours to see", 404)
                    data = outcome_pdf(archive, s, summary, procedure.state(archive, s, summary)["done"], form)
            except auth.OfficeError as exc:
                return exc
            with db.write() as w:
                auth.append_log(w, who.user_id, "outcome.printed", case_id, form=form,
                                sha256=hashlib.sha256(data).hexdigest())
            return data

        got = await run_in_threadpool(load)
        if isinstance(got, auth.OfficeError):
            return refused(who, got.zh, got.en, got.status)
        return Response(got, media_type="application/pdf", headers={
            **SECURITY_HEADERS, "Content-Disposition": f"attachment; filename={form}-{_quote(case_id)}.pdf"})

    @router.get("/cases/{case_id}/documents/{sha256}")
    async def document(request: Request, case_id: str, sha256: str) -> Response:
        """One issued document (a record as the party read and signed it, a notice as printed), page by page."""
        who = await principal(request)
        if who is None:
            return to_login()

        def load() -> dict[str, Any] | None:
            with db.read() as s:
                summary = find_case(s, who, case_id)
                if summary is None:
                    return None
                doc = next((d for d in cases.issued_documents(s, case_id) if d["sha256"] == sha256), None)
            if doc is not None:
                with db.write() as w:
                    auth.append_log(w, who.user_id, "document.viewed", case_id, sha256=sha256)
                return {"case": summary, "doc": doc}
            return None

        found = await run_in_threadpool(load)
        if found is None:
            return refused(who, "文书不存在或无权查看", "no such document in this case, or not yours to see", 404)
        return _page("document.html", who=who, **found)

    @router.get("/paper")
    async def paper(request: Request, code: str = "") -> Response:
        """A printed page looked up by its 核验码: which case, document and page, its exact text, its prints."""
        from archive.paper import lookup, normalise_code

        who = await principal(request)
        if who is None:
            return to_login()
        norm = normalise_code(code[:40]) if code else None

        def load() -> list[dict[str, Any]]:
            if norm is None:
                return []
            with db.read() as s:
                visible = {c.id: c for c in cases.summaries(s) if cases.may_see(who, c)}
                who_is = cases.names(s)
            hits = [h for h in lookup(archive, norm) if h["case_id"] in visible]
            for h in hits:
                h["institution"] = visible[h["case_id"]].institution
                for pr in h["prints"]:
                    pr["name"] = who_is.get(pr["by"], "")
            with db.write() as w:
                auth.append_log(w, who.user_id, "paper.lookup", None, code=norm, found=len(hits))
            return hits

        hits = await run_in_threadpool(load)
        return _page("paper.html", who=who, code=code[:40], norm=norm, hits=hits)

    @router.get("/cases/{case_id}/blobs/{sha256}")
    async def blob(request: Request, case_id: str, sha256: str, download: int = 0) -> Response:
        who = await principal(request)
        if who is None:
            return to_login()
        if not valid_sha256(sha256):
            return refused(who, "文件不存在", "no such file", 404)

        def load() -> dict[str, str] | None:
            with db.read() as s:
                if find_case(s, who, case_id) is None:
                    return None
                meta = cases.blob_of_case(s, case_id, sha256)
            if meta is not None:
                with db.write() as w:
                    auth.append_log(w, who.user_id, "blob.downloaded" if download else "blob.viewed", case_id,
                                    sha256=sha256)
            return meta

        meta = await run_in_threadpool(load)
        if meta is None:
            return refused(who, "文件不存在或无权查看", "no such file in this case, or not yours to see", 404)
        fh = archive.store.open(sha256)

        def chunks() -> Any:
            with fh:
                while chunk := fh.read(1024 * 1024):
                    yield chunk

        disposition = "attachment" if download else "inline"
        filename = meta["name"].replace('"', "")
        headers = {**SECURITY_HEADERS, "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quote(filename)}",
                   "X-FieldAudit-SHA256": sha256}
        return StreamingResponse(chunks(), media_type=served_media_type(meta["media_type"]), headers=headers)

    async def office_user(request: Request) -> auth.Principal | Response:
        """The signed-in user where the page is for the office (head, legal, admin), or the response refusing."""
        who = await principal(request)
        if who is None:
            return to_login()
        if who.role == "inspector":
            return refused(who, "台账和报表仅供科室负责人、法制审核员和管理员查看",
                           "the ledger and reports are for the head, legal reviewers and administrators", 403)
        return who

    @router.get("/ledger")
    async def ledger_page(request: Request) -> Response:
        who = await office_user(request)
        if isinstance(who, Response):
            return who

        def load() -> list[ledger.LedgerRow]:
            with db.read() as s:
                return ledger.ledger(s)

        rows = await run_in_threadpool(load)
        today = auth.utcnow().date()
        year, quarter = ledger.quarter_of(today)
        return _page("ledger.html", who=who, rows=rows, totals=ledger.totals(rows), headers=ledger.HEADERS,
                     year=year, quarter=quarter, due=ledger.report_due(year, quarter).isoformat())

    @router.get("/ledger.xlsx")
    async def ledger_xlsx(request: Request) -> Response:
        who = await office_user(request)
        if isinstance(who, Response):
            return who

        def load() -> bytes:
            with db.read() as s:
                rows = ledger.ledger(s)
            with db.write() as w:
                auth.append_log(w, who.user_id, "ledger.exported", None, rows=len(rows))
            return ledger.ledger_xlsx(rows)

        data = await run_in_threadpool(load)
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={**SECURITY_HEADERS,
                                 "Content-Disposition": "attachment; filename*=UTF-8''" + _quote("稽核工作台账.xlsx")})

    @router.get("/reports/quarterly.pdf")
    async def quarterly(request: Request, year: int, quarter: int) -> Response:
        who = await office_user(request)
        if isinstance(who, Response):
            return who
        if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
            return refused(who, "年度或季度无效", "no such year or quarter", 400)

        def load() -> bytes:
            with db.read() as s:
                stats = ledger.statistics(s, year, quarter)
            with db.write() as w:
                auth.append_log(w, who.user_id, "report.quarterly", None, year=year, quarter=quarter)
            return ledger.quarterly_pdf(stats)

        data = await run_in_threadpool(load)
        return Response(data, media_type="application/pdf", headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f"attachment; filename=fieldaudit-{year}-Q{quarter}.pdf"})

    @router.get("/draws")
    async def draws_page(request: Request) -> Response:
        who = await office_user(request)
        if isinstance(who, Response):
            return who

        return _page("draws.html", who=who, draws=await run_in_threadpool(draw.listing, archive))

    @router.post("/draws")
    async def draw_post(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        who, form = got

        def act() -> auth.OfficeError | None:
            try:
                count = int(form.get("count", "0") or 0)
            except ValueError:
                return auth.OfficeError("抽取数量应为整数", "the count must be a whole number")
            try:  # OfficeError is a ValueError: caught on its own, so a refusal says what was refused
                with db.write() as s:
                    draw.draw(archive, s, who, count, form.get("kind", "routine")[:40] or "routine")
            except auth.OfficeError as exc:
                return exc
            return None

        outcome = await run_in_threadpool(act)
        if outcome is not None:
            return refused(who, outcome.zh, outcome.en, outcome.status)
        return RedirectResponse("/office/draws", status_code=303, headers=SECURITY_HEADERS)

    return router


#: the pictures the office shows inline; anything else (image/svg+xml can carry script, a pushed type can
#: carry a line break) is sent as bytes to download
INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def served_media_type(pushed: str) -> str:
    """The Content-Type for a blob whose media type a laptop declared."""
    return pushed if pushed in INLINE_IMAGES else "application/octet-stream"


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
