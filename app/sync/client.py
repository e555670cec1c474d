"""The laptop side of the archive protocol (archive/PROTOCOL.md): register, pull, upload blobs resumably, push.

No Qt here: the GUI runs :class:`SyncClient` as a background operation with a progress callback and a cancel flag;
the CLI (``app.cli.sync_cmds``) runs it in the foreground.

Order per case (PROTOCOL.md "Push"): the blobs the case's new payloads refer to (only those the archive says are
missing), then one push of the unarchived leaves with their payloads, a fresh device checkpoint and a consistency
proof from the last receipt. Only a receipt that verifies with the pinned archive key marks anything archived.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select, update

from app.errors import EnvironmentProblem, FieldAuditError, UserError
from app.evidence import journal, merkle
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import canonical_sha256, loads
from app.evidence.signing import (
    SignatureError,
    b64,
    public_key_fingerprint,
    sign_object,
    unb64,
    verify_object,
)
from app.models.profile import Store, utc_now
from app.models.schema import Blob, Case, Inspector, JournalLeaf, Payload, SignedObject
from app.sync import state
from app.sync.auth import DeviceAuth
from app.sync.protocol import (
    CTX_CHECKPOINT,
    CTX_ENROL,
    CTX_PULL,
    CTX_RECEIPT,
    CTX_ROSTER,
    H_BODY_SHA256,
    H_TUS,
    H_UPLOAD_OFFSET,
    H_UPLOAD_STATUS,
    PULL_KINDS,
    TUS_VERSION,
    UNSIGNED_PAYLOAD,
    UPLOAD_CONTENT_TYPE,
    InspectorEnrolment,
    RegisterRequest,
    RegisterResponse,
    SignatureRecord,
    enrol_proof_value,
    payload_blob_refs,
)

CHUNK_SIZE = 8 << 20  # bytes per PATCH
PIECE_SIZE = 1 << 20
MAX_BATCH_LEAVES = 2000  # leaves per push (each batch ends at a checkpoint; the archive caps bodies at 256 MB)
MAX_BATCH_BYTES = 32 << 20  # bytes handed to the socket at a time (progress, cancel, resend accounting)


# --- errors ----------------------------------------------------------------------------------------------------


class ArchiveUnreachable(EnvironmentProblem):
    code = "archive_unreachable"

    def __init__(self, url: str, why: str = "") -> None:
        tail = f"（{why}）" if why else ""
        super().__init__(f"无法连接档案中心 {url}{tail}，请检查网络后重试。",
                         f"Cannot reach the archive at {url}{' (' + why + ')' if why else ''}; check the network "
                         "and try again.")


class ArchiveError(EnvironmentProblem):
    """The archive answered with a refusal (JSON error body, PROTOCOL.md "Errors")."""

    code = "archive_error"

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.error = str(body.get("error", f"http_{status}"))
        self.reasons: list[dict[str, Any]] = list(body.get("reasons") or [])
        self.missing: list[str] = list(body.get("missing") or [])
        zh = str(body.get("message_zh") or f"档案中心拒绝了请求（HTTP {status}）")
        en = str(body.get("message_en") or f"the archive refused the request (HTTP {status})")
        super().__init__(f"档案中心：{zh}（{self.error}）", f"archive: {en} ({self.error})")


class ArchiveRefusedDevice(ArchiveError):
    """401/403 on a push: the device is unknown or revoked, so no further case can go either."""

    code = "device_refused"


class NotRegistered(UserError):
    code = "not_registered"
    message_zh = "本机尚未在档案中心登记，请先运行 register。"
    message_en = "This laptop is not registered with the archive; run register first."


class ArchiveIdentityMismatch(EnvironmentProblem):
    code = "archive_identity"
    message_zh = "档案中心的密钥与登记时固定的不一致，已停止同步。请联系管理员。"
    message_en = "The archive's key differs from the one pinned at registration; sync stopped. Contact the administrator."


class BadArchiveSignature(EnvironmentProblem):
    code = "bad_archive_signature"

    def __init__(self, what: str) -> None:
        super().__init__(f"档案中心下发的{what}签名无效，已拒收。", f"The archive's signature on the {what} does not verify; refused.")


class SyncCancelled(FieldAuditError):
    code = "cancelled"
    message_zh = "同步已取消；已归档的部分保持不变，下次从断点继续。"
    message_en = "Sync cancelled; what was archived stays archived and the next sync resumes."


class _Tracker:
    """Progress of one blob: reports the change of its 'bytes at the archive' figure to the shared callback."""

    def __init__(self, on_bytes: Callable[[int], None] | None) -> None:
        self.on_bytes = on_bytes
        self.reported = 0

    def at(self, offset: int) -> None:
        if self.on_bytes is not None and offset != self.reported:
            self.on_bytes(offset - self.reported)
        self.reported = offset


class _Restart(Exception):
    """Internal: the upload must continue from another offset (or be re-created)."""

    def __init__(self, offset: int | None) -> None:
        self.offset = offset


# --- results and progress --------------------------------------------------------------------------------------


@dataclass
class SyncProgress:
    phase: str  # "pull", "upload", "push", "done"
    case_id: str = ""
    bytes_done: int = 0
    bytes_total: int = 0
    eta_seconds: float | None = None


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class CaseResult:
    case_id: str
    leaves_sent: int = 0
    batches: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    receipt_size: int | None = None
    receipt_root: str = ""
    refused: bool = False
    error: str = ""
    reasons: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.refused:
            codes = ",".join(sorted({str(r.get("code")) for r in self.reasons})) or self.error
            extra = f"\tmissing {len(self.missing)}" if self.missing else ""
            return f"{self.case_id}\tREFUSED\t{codes}{extra}"
        return (f"{self.case_id}\tleaves {self.leaves_sent}\tblobs {self.blobs_uploaded}\tbytes {self.bytes_uploaded}"
                f"\treceipt {self.receipt_size} {self.receipt_root}")


@dataclass
class SyncReport:
    pulled: dict[str, int] = field(default_factory=dict)
    cases_created: list[str] = field(default_factory=list)
    assignments_pending: dict[str, str] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(c.refused for c in self.cases)


@dataclass
class TransferStats:
    bytes_sent: int = 0  # PATCH body bytes handed to the socket (including any that were lost and resent)
    bytes_needed: int = 0  # bytes the archive lacked when each upload (re)started here
    patches: int = 0
    retries: int = 0


def blob_refs(payload: Any) -> set[str]:
    """The blobs a journal payload refers to, by the rule the archive applies (protocol.payload_blob_refs)."""
    return payload_blob_refs(payload)


def _error_body(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class SyncClient:
    """One laptop profile talking to one archive. Thread-safe enough for the GUI to run it in a worker and set
    :attr:`cancel` from the UI thread."""

    def __init__(self, store: Store, url: str, *, progress: ProgressCallback | None = None,
                 cancel: threading.Event | Callable[[], bool] | None = None, parallel: int = 3, chunk_size: int = CHUNK_SIZE,
                 retry_seconds: float = 120.0, max_batch_leaves: int = MAX_BATCH_LEAVES,
                 connect_retry_seconds: float = 3.0, timeout: float = 60.0,
                 on_case: Callable[[CaseResult], None] | None = None) -> None:
        self.store = store
        self.url = url.rstrip("/")
        self.progress = progress
        # an Event, or a predicate such as the GUI's ``lambda: ctx.cancelled`` (app/ui/operations.OpContext)
        self.cancel = cancel if isinstance(cancel, threading.Event) else threading.Event()
        self._cancelled_fn = cancel if cancel is not None and not isinstance(cancel, threading.Event) else None
        self.parallel = max(1, parallel)
        self.chunk_size = chunk_size
        self.retry_seconds = retry_seconds
        self.max_batch_leaves = max(1, max_batch_leaves)
        self.on_case = on_case
        self.connect_retry_seconds = connect_retry_seconds
        self.stats = TransferStats()
        self._lock = threading.Lock()
        self._db_lock = threading.Lock()
        self._blobs = BlobStore(store)
        self._http = httpx.Client(base_url=self.url, auth=DeviceAuth(store.device_key, store.device_id),
                                  timeout=httpx.Timeout(timeout, connect=5.0))

    # -- lifecycle --------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_cancel(self) -> None:
        if self._cancelled_fn is not None and self._cancelled_fn():
            self.cancel.set()
        if self.cancel.is_set():
            raise SyncCancelled()

    def _emit(self, p: SyncProgress) -> None:
        if self.progress is not None:
            self.progress(p)

    # -- HTTP with retries --------------------------------------------------------------------------------------
    def _sleep(self, attempt: int, at_least: float = 0.0) -> None:
        delay = max(at_least, min(8.0, 0.25 * 2**attempt)) * (1 + random.random() * 0.5)  # jitter
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            self._check_cancel()
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def _request(self, method: str, path: str, *, budget: float | None = None, **kw: Any) -> httpx.Response:
        """One idempotent request, retried on connection errors and 429 with backoff and jitter."""
        budget = self.retry_seconds if budget is None else budget
        start = time.monotonic()
        attempt = 0
        while True:
            self._check_cancel()
            try:
                resp = self._http.request(method, path, **kw)
            except httpx.TransportError as exc:
                if time.monotonic() - start > budget:
                    raise ArchiveUnreachable(self.url, type(exc).__name__) from exc
                with self._lock:
                    self.stats.retries += 1
                self._sleep(attempt)
                attempt += 1
                continue
            if resp.status_code == 429 and time.monotonic() - start <= budget + 60:
                try:
                    after = float(resp.headers.get("Retry-After", "1"))
                except ValueError:
                    after = 1.0
                self._sleep(attempt, min(after, 30.0))
                attempt += 1
                continue
            return resp

    def _json(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> Any:
        resp = self._request(method, path, **kw)
        if resp.status_code not in ok:
            raise ArchiveError(resp.status_code, _error_body(resp))
        return resp.json()

    # -- pinned archive -------------------------------------------------------------------------------------------
    def pinned(self) -> dict[str, Any]:
        with self.store.session() as s:
            pin = state.get(s, "archive")
        if not pin:
            raise NotRegistered()
        return dict(pin)

    def _archive_key(self) -> bytes:
        return unb64(self.pinned()["public_key"])

    def _verify_doc(self, doc: Any, context: str, what: str, key: bytes | None = None) -> dict[str, Any]:
        if not isinstance(doc, dict) or not isinstance(doc.get("payload"), dict) or not isinstance(doc.get("sig"), dict):
            raise BadArchiveSignature(what)
        try:
            verify_object(doc["sig"], context, doc["payload"], key if key is not None else self._archive_key())
        except (SignatureError, ValueError, TypeError) as exc:
            raise BadArchiveSignature(what) from exc
        return dict(doc["payload"])

    def health(self) -> dict[str, Any]:
        try:
            resp = self._request("GET", "/v1/health", budget=self.connect_retry_seconds)
        except ArchiveUnreachable:
            raise
        if resp.status_code != 200:
            raise ArchiveError(resp.status_code, _error_body(resp))
        return dict(resp.json())

    # -- registration -----------------------------------------------------------------------------------------
    def register(self, code: str, device_name: str = "", expected_fingerprint: str | None = None) -> dict[str, Any]:
        """Enrol this device and every unlocked local inspector (each signs their own proof); pin the archive key."""
        store = self.store
        device_pub = b64(store.device_key.public_raw())
        with store.session() as s:
            pinned = state.get(s, "archive")
            rows = [s.get(Inspector, i) for i in store.unlocked_inspectors()]
        enrolments = []
        for row in rows:
            if row is None:
                continue
            record = {"id": row.id, "name": row.name, "credential_no": row.credential_no,
                      "organisation": row.organisation, "public_key": b64(row.public_key), "suite": row.suite}
            proof = sign_object(store.signing_key(row.id), row.id, CTX_ENROL,
                                enrol_proof_value(store.device_id, device_pub, record))
            enrolments.append(InspectorEnrolment(**record, proof=SignatureRecord(**proof)))
        req = RegisterRequest(code=code.strip(), device_id=store.device_id,
                              device_name=(device_name or "FieldAudit laptop")[:100], device_public_key=device_pub,
                              inspectors=enrolments)
        self.health()
        resp = self._request("POST", "/v1/devices/register", json=req.model_dump())
        if resp.status_code != 201:
            raise ArchiveError(resp.status_code, _error_body(resp))
        answer = RegisterResponse.model_validate(resp.json())
        key = unb64(answer.archive_public_key)
        if public_key_fingerprint(key) != answer.archive_fingerprint:
            raise ArchiveIdentityMismatch()
        if expected_fingerprint and expected_fingerprint.replace(" ", "") != answer.archive_fingerprint.replace(" ", ""):
            raise ArchiveIdentityMismatch()
        if pinned and pinned.get("public_key") != answer.archive_public_key:
            raise ArchiveIdentityMismatch()
        roster_doc = answer.roster.model_dump()
        roster = self._verify_doc(roster_doc, CTX_ROSTER, "roster", key)
        pin = {"url": self.url, "public_key": answer.archive_public_key, "fingerprint": answer.archive_fingerprint,
               "device_id": answer.device_id, "registered_at": utc_now(),
               "inspectors": [e.id for e in enrolments]}
        with store.transaction() as s:
            state.put(s, "archive", pin)
            self._store_roster(s, roster, roster_doc)
        return pin

    def _store_roster(self, s: Any, roster: dict[str, Any], doc: dict[str, Any]) -> None:
        merged = state.get(s, "roster", {"version": 0, "inspectors": {}, "devices": {}})
        for i in roster.get("inspectors", []):
            merged["inspectors"][i["id"]] = i
        for d in roster.get("devices", []):
            merged["devices"][d["id"]] = d
        merged["version"] = max(int(merged.get("version", 0)), int(roster.get("version", 0)))
        state.put(s, "roster", merged)
        state.put(s, "roster.doc", doc)

    # -- the whole sync ---------------------------------------------------------------------------------------------
    def sync(self) -> SyncReport:
        pin = self.pinned()
        info = self.health()
        if info.get("archive_fingerprint") != pin["fingerprint"]:
            raise ArchiveIdentityMismatch()
        report = SyncReport()
        self.pull(report)
        for case_id in self.pending_cases():
            self._check_cancel()
            result = self.push_case(case_id)
            report.cases.append(result)
            if self.on_case is not None:
                self.on_case(result)
        self._emit(SyncProgress("done"))
        return report

    # -- pull ---------------------------------------------------------------------------------------------------------
    def pull(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        self._emit(SyncProgress("pull"))
        with self.store.session() as s:
            merged = state.get(s, "roster", {"version": 0})
        since = int(merged.get("version", 0))
        doc = self._json("GET", "/v1/roster", params={"since": since})
        roster = self._verify_doc(doc, CTX_ROSTER, "roster")
        if roster.get("kind") != "roster":
            raise BadArchiveSignature("roster")
        with self.store.transaction() as s:
            self._store_roster(s, roster, doc)
        report.pulled["roster"] = len(roster.get("inspectors", [])) + len(roster.get("devices", []))
        for kind in PULL_KINDS:
            count = 0
            while True:
                self._check_cancel()
                with self.store.session() as s:
                    cursor = int(state.get(s, f"pull.{kind}.cursor", 0))
                page = self._verify_doc(self._json("GET", f"/v1/pull/{kind}", params={"since": cursor}),
                                        CTX_PULL, kind)
                if page.get("kind") != kind:
                    raise BadArchiveSignature(kind)
                items = list(page.get("items", []))
                with self.store.transaction() as s:
                    for item in items:
                        state.put(s, f"pull.{kind}.{item['id']}", item["data"])
                    state.put(s, f"pull.{kind}.cursor", int(page.get("cursor", cursor)))
                count += len(items)
                if not page.get("more") or int(page.get("cursor", cursor)) <= cursor:
                    break
            report.pulled[kind] = count
        self._apply_assignments(report)
        return report

    def _apply_assignments(self, report: SyncReport) -> None:
        """An assignment becomes a local case when it is new here and both assigned inspectors are enrolled on this
        laptop (one of them unlocked, to sign the journal's first entry); otherwise it waits as pending."""
        from app.workflow.cases import AUDIT_KINDS, CaseSpec, add_institution, create_case

        with self.store.session() as s:
            items = state.with_prefix(s, "pull.assignments.")
            done = state.with_prefix(s, "assignment.case.")
        for key, data in items.items():
            if key == "cursor" or not isinstance(data, dict):
                continue
            case_id = str(data.get("case_id", key))
            if case_id in done:
                continue
            inspectors = [str(i) for i in data.get("inspectors", [])]
            try:
                with self.store.transaction() as s:
                    if s.get(Case, case_id) is not None:
                        state.put(s, f"assignment.case.{case_id}", {"time": utc_now(), "existing": True})
                        state.delete(s, f"assignment.pending.{case_id}")
                        continue
                    local = {i for i in inspectors if (row := s.get(Inspector, i)) is not None and row.local}
                    actor = next((i for i in inspectors if i in self.store.unlocked_inspectors()), None)
                    reason = ""
                    if len(local) < 2 or len(set(inspectors)) < 2:
                        reason = "assigned inspectors not enrolled on this laptop"
                    elif actor is None:
                        reason = "no assigned inspector unlocked"
                    if reason:
                        state.put(s, f"assignment.pending.{case_id}", {"reason": reason, "data": data})
                        report.assignments_pending[case_id] = reason
                        continue
                    inst = data.get("institution") or {}
                    institution = add_institution(s, name=str(inst.get("name") or "—"),
                                                  kind=str(inst.get("kind") or "designated_hospital"),
                                                  uscc=inst.get("uscc") or None, address=str(inst.get("address", "")))
                    kind = str(data.get("kind") or "routine")
                    case = create_case(s, self.store, str(actor), CaseSpec(
                        case_id=case_id, institution_id=institution.id, inspector_ids=inspectors,
                        kind=kind if kind in AUDIT_KINDS else "routine", title=str(data.get("title") or "")))
                    case.origin = "archive"
                    state.put(s, f"assignment.case.{case_id}", {"time": utc_now()})
                    state.delete(s, f"assignment.pending.{case_id}")
                    report.cases_created.append(case_id)
            except FieldAuditError as exc:
                with self.store.transaction() as s:
                    state.put(s, f"assignment.pending.{case_id}", {"reason": exc.message_en, "data": data})
                report.assignments_pending[case_id] = exc.message_en

    # -- push ---------------------------------------------------------------------------------------------------------
    def pending_cases(self) -> list[str]:
        with self.store.session() as s:
            return list(s.scalars(select(JournalLeaf.log_id).where(JournalLeaf.archived.is_(False))
                                  .group_by(JournalLeaf.log_id).order_by(JournalLeaf.log_id)))

    def push_case(self, case_id: str) -> CaseResult:
        """Upload what the case's new payloads refer to, then push; a refusal is returned, not raised."""
        result = CaseResult(case_id)
        try:
            self._push_case(case_id, result)
        except ArchiveRefusedDevice:
            raise
        except ArchiveError as exc:
            result.refused = True
            result.error = exc.error
            result.reasons = exc.reasons or [{"code": exc.error, "message_en": exc.message_en}]
            result.missing = exc.missing
        return result

    def _push_case(self, case_id: str, result: CaseResult) -> None:
        with self.store.session() as s:
            receipt = state.get(s, f"receipt.{case_id}")
            held = int(receipt["payload"]["size"]) if receipt else 0
            total = journal.size(s, case_id)
        if total <= held:
            # every leaf is covered by a receipt already: only the local marks are missing
            with self.store.transaction() as s:
                self._mark_archived(s, case_id, held)
            result.receipt_size, result.receipt_root = held, str(receipt["payload"]["root"])
            return
        with self.store.transaction() as s:
            cp_row = journal.latest_checkpoint(s, case_id)
            if cp_row is None or cp_row.size < total:
                cp = journal.checkpoint(s, self.store, case_id, "sync")
            else:
                cp = journal.checkpoint_record(cp_row)
        with self.store.session() as s:
            hashes = journal.leaf_hashes(s, case_id)
            rows = list(s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id, JournalLeaf.seq >= held)
                                  .order_by(JournalLeaf.seq)))
            leaves = [loads(r.leaf) for r in rows]
            payloads: dict[str, Any] = {}
            payload_bytes: dict[str, bytes] = {}
            for r in rows:
                if r.payload_sha256 not in payloads:
                    p = s.get(Payload, r.payload_sha256)
                    if p is None:
                        raise EnvironmentProblem("日志载荷缺失，请先运行 check。",
                                                 "A journal payload is missing; run check first.")
                    payloads[r.payload_sha256] = loads(p.body)
                    payload_bytes[r.payload_sha256] = p.body
            refs: set[str] = set()
            for p in payloads.values():
                refs |= blob_refs(p)
            local = {b.sha256: b.size for b in s.scalars(select(Blob).where(Blob.sha256.in_(sorted(refs))))}
            purged = state.with_prefix(s, "blob.purged.")
        # 1. blobs the archive lacks (all of them before any record that refers to them)
        wanted = sorted(h for h in local if h not in purged)
        missing: list[str] = []
        for i in range(0, len(wanted), 5000):
            missing += self._json("POST", "/v1/blobs/missing", json={"hashes": wanted[i:i + 5000]})["missing"]
        missing = [h for h in missing if h in local]
        self._upload_many(case_id, [(h, local[h]) for h in missing], result)
        # 2. the journal, in batches that each end at a device-signed checkpoint
        start = held
        while start < total:
            self._check_cancel()
            self._emit(SyncProgress("push", case_id, start, total))
            end, budget = start, 0
            while end < total and end - start < self.max_batch_leaves and (end == start or budget < MAX_BATCH_BYTES):
                budget += len(rows[end - held].leaf) + len(payload_bytes.get(rows[end - held].payload_sha256, b""))
                end += 1
            if end == total:
                batch_cp = cp
            else:  # an intermediate checkpoint over the prefix this batch ends at, signed by the device key
                body_cp = {"v": 1, "log": case_id, "device": self.store.device_id, "size": end,
                           "root": merkle.root_from_leaf_hashes(hashes[:end]).hex(), "time": utc_now(),
                           "step": "sync-batch"}
                batch_cp = {"checkpoint": body_cp, "sig": sign_object(self.store.device_key, self.store.device_id,
                                                                      CTX_CHECKPOINT, body_cp)}
            proof = [h.hex() for h in merkle.consistency_proof(start, hashes[:end])] if start > 0 else None
            shas = list(dict.fromkeys(r.payload_sha256 for r in rows[start - held:end - held]))
            batch = {"v": 1, "case_id": case_id, "first_seq": start, "leaves": leaves[start - held:end - held],
                     "checkpoint": batch_cp, "consistency_proof": proof,
                     "payloads": [payloads[h] for h in shas], "blobs": []}
            doc = self._push(batch)
            body = self._verify_doc(doc, CTX_RECEIPT, "receipt")
            checkpoint = batch_cp["checkpoint"]
            assert isinstance(checkpoint, dict)
            if (body.get("kind") != "receipt" or body.get("device") != self.store.device_id
                    or body.get("case") != case_id or body.get("size") != checkpoint["size"]
                    or body.get("root") != checkpoint["root"]):
                raise BadArchiveSignature("receipt")
            with self.store.transaction() as s:
                state.put(s, f"receipt.{case_id}", doc)
                self._mark_archived(s, case_id, int(body["size"]))
            result.leaves_sent += end - start
            result.batches += 1
            result.receipt_size, result.receipt_root = int(body["size"]), str(body["root"])
            start = end

    def _push(self, batch: dict[str, Any]) -> dict[str, Any]:
        """POST one batch. A lost reply is recovered by pushing again (the archive answers with the same receipt);
        a push still being stored (409 concurrent_push) is waited for."""
        for attempt in range(10):
            resp = self._request("POST", "/v1/push", json=batch)
            if resp.status_code == 200:
                return dict(resp.json())
            err = _error_body(resp)
            if resp.status_code == 409 and err.get("error") == "concurrent_push":
                self._sleep(attempt, 0.5)
                continue
            if resp.status_code in (401, 403):  # the device itself is refused: stop the whole sync
                raise ArchiveRefusedDevice(resp.status_code, err)
            raise ArchiveError(resp.status_code, err)
        raise ArchiveError(409, {"error": "concurrent_push"})

    def _mark_archived(self, s: Any, case_id: str, size: int) -> None:
        rows = list(s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id, JournalLeaf.seq < size)))
        covered = {r.payload_sha256 for r in rows}
        s.execute(update(JournalLeaf).where(JournalLeaf.log_id == case_id, JournalLeaf.seq < size,
                                            JournalLeaf.archived.is_(False)).values(archived=True))
        refs: set[str] = set()
        for sha in covered:
            p = s.get(Payload, sha)
            if p is not None:
                refs |= blob_refs(loads(p.body))
        from app.evidence.objects import envelope

        for obj in s.scalars(select(SignedObject).where(SignedObject.case_id == case_id,
                                                        SignedObject.archived.is_(False))):
            if canonical_sha256(envelope(obj)) in covered or obj.sha256 in covered:
                obj.archived = True
        if refs:
            s.execute(update(Blob).where(Blob.sha256.in_(sorted(refs)), Blob.archived.is_(False)).values(archived=True))
        s.flush()

    # -- uploads ------------------------------------------------------------------------------------------------------
    def _upload_many(self, case_id: str, blobs: list[tuple[str, int]], result: CaseResult) -> None:
        if not blobs:
            return
        total = sum(n for _, n in blobs)
        done = [0]
        started = time.monotonic()

        def on_bytes(n: int) -> None:
            with self._lock:
                done[0] += n
                elapsed = time.monotonic() - started
                rate = done[0] / elapsed if elapsed > 0 else 0.0
                eta = (total - done[0]) / rate if rate > 0 else None
                p = SyncProgress("upload", case_id, done[0], total, eta)
            self._emit(p)

        if self.parallel == 1 or len(blobs) == 1:
            sent = [self.upload_blob(sha, size, on_bytes) for sha, size in blobs]
        else:
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                futures = [pool.submit(self.upload_blob, sha, size, on_bytes) for sha, size in blobs]
                sent = []
                first_error: BaseException | None = None
                for f in futures:
                    try:
                        sent.append(f.result())
                    except BaseException as exc:  # re-raised once the others have finished
                        first_error = first_error or exc
                if first_error is not None:
                    raise first_error
        result.blobs_uploaded += len(blobs)
        result.bytes_uploaded += sum(sent)

    def _create_upload(self, sha: str, length: int) -> dict[str, Any]:
        up = self._json("POST", "/v1/uploads", ok=(200, 201), json={"sha256": sha, "length": length})
        with self._db_lock, self.store.transaction() as s:
            state.put(s, f"upload.{sha}", {"id": up["id"], "length": length, "offset": up["offset"]})
        return dict(up)

    def _head(self, upload_id: str) -> tuple[int, str] | None:
        resp = self._request("HEAD", f"/v1/uploads/{upload_id}", headers={H_TUS: TUS_VERSION})
        if resp.status_code in (404, 410):
            return None
        if resp.status_code not in (200, 204):
            raise ArchiveError(resp.status_code, {})
        return int(resp.headers[H_UPLOAD_OFFSET]), resp.headers.get(H_UPLOAD_STATUS, "open")

    def upload_blob(self, sha: str, length: int, on_bytes: Callable[[int], None] | None = None) -> int:
        """Upload one blob resumably; returns the bytes this call added at the archive."""
        with self._db_lock, self.store.session() as s:
            saved = state.get(s, f"upload.{sha}")
        upload_id = ""
        offset, status = 0, "open"
        if saved:
            head = self._head(str(saved["id"]))
            if head is not None:
                upload_id = str(saved["id"])
                offset, status = head
        if not upload_id:
            up = self._create_upload(sha, length)
            upload_id, offset, status = str(up["id"]), int(up["offset"]), str(up["status"])
        if status == "failed":
            up = self._create_upload(sha, length)
            upload_id, offset, status = str(up["id"]), int(up["offset"]), str(up["status"])
        start_offset = offset
        tracker = _Tracker(on_bytes)
        tracker.at(offset)
        with self._lock:
            self.stats.bytes_needed += length - offset
        attempt = 0
        failing_since: float | None = None
        while status != "complete":
            self._check_cancel()
            try:
                offset, status = self._patch_from(upload_id, sha, offset, length, tracker)
                failing_since = None
            except _Restart as r:
                if r.offset is None:
                    up = self._create_upload(sha, length)
                    upload_id, new_offset, status = str(up["id"]), int(up["offset"]), str(up["status"])
                else:
                    new_offset = r.offset
                tracker.at(new_offset)
                offset = new_offset
            except httpx.TransportError as exc:
                now = time.monotonic()
                failing_since = failing_since or now
                if now - failing_since > self.retry_seconds:
                    raise ArchiveUnreachable(self.url, type(exc).__name__) from exc
                with self._lock:
                    self.stats.retries += 1
                self._sleep(attempt)
                attempt += 1
                head = self._head(upload_id)  # retried inside; learn what arrived
                if head is None:
                    up = self._create_upload(sha, length)
                    upload_id, new_offset, status = str(up["id"]), int(up["offset"]), str(up["status"])
                else:
                    new_offset, status = head
                tracker.at(new_offset)
                offset = new_offset
        with self._db_lock, self.store.transaction() as s:
            state.delete(s, f"upload.{sha}")
        return length - start_offset

    def _plain_from(self, sha: str, offset: int) -> Iterator[bytes]:
        """Decrypted bytes of the blob from ``offset`` on, chunk by chunk (never the whole blob in memory)."""
        pos = 0
        for chunk in self._blobs.iter_chunks(sha):
            end = pos + len(chunk)
            if end > offset:
                yield chunk[max(0, offset - pos):]
            pos = end

    def _patch_from(self, upload_id: str, sha: str, offset: int, length: int,
                    tracker: _Tracker) -> tuple[int, str]:
        """PATCH chunk after chunk from ``offset``, streaming the decrypted bytes straight onto the socket."""
        status = "open"
        source = self._plain_from(sha, offset)
        spare = [b""]
        while status != "complete":
            size = min(self.chunk_size, length - offset)
            if size <= 0:
                raise _Restart(offset)  # the archive's status must be asked again

            def body(size: int = size) -> Iterator[bytes]:
                left = size
                while left > 0:
                    buf = spare[0]
                    spare[0] = b""
                    if not buf:
                        try:
                            buf = next(source)
                        except StopIteration:
                            return
                    spare[0], buf = buf[left:], buf[:left]
                    for i in range(0, len(buf), PIECE_SIZE):
                        yield buf[i:i + PIECE_SIZE]
                    left -= len(buf)

            offset, status = self._patch(upload_id, offset, size, body(), tracker)
            tracker.at(offset)
        return offset, status

    def _patch(self, upload_id: str, offset: int, size: int, pieces: Iterator[bytes],
               tracker: _Tracker) -> tuple[int, str]:
        def body() -> Iterator[bytes]:
            sent = 0
            for piece in pieces:
                self._check_cancel()
                with self._lock:
                    self.stats.bytes_sent += len(piece)
                yield piece
                sent += len(piece)
                tracker.at(offset + sent)

        headers = {H_TUS: TUS_VERSION, H_UPLOAD_OFFSET: str(offset), "Content-Type": UPLOAD_CONTENT_TYPE,
                   H_BODY_SHA256: UNSIGNED_PAYLOAD, "Content-Length": str(size)}
        with self._lock:
            self.stats.patches += 1
        try:
            resp = self._http.patch(f"/v1/uploads/{upload_id}", content=body(), headers=headers)
        except httpx.TransportError:
            raise
        if resp.status_code == 204:
            return int(resp.headers[H_UPLOAD_OFFSET]), resp.headers.get(H_UPLOAD_STATUS, "open")
        err = _error_body(resp)
        if resp.status_code == 409 and err.get("error") == "offset_mismatch" and H_UPLOAD_OFFSET in resp.headers:
            raise _Restart(int(resp.headers[H_UPLOAD_OFFSET]))
        if resp.status_code in (409, 429):  # upload_busy (the previous connection still holds it) or rate limited
            self._sleep(1, float(resp.headers.get("Retry-After", "0.5") or 0.5))
            head = self._head(upload_id)
            raise _Restart(None if head is None else head[0])
        if resp.status_code in (404, 410):
            raise _Restart(None)
        raise ArchiveError(resp.status_code, err)
