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
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select, update

from app.errors import EnvironmentProblem
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
from app.models.schema import Blob, Inspector, JournalLeaf, Payload, SignedObject
from app.sync import state
from app.sync.address import check_archive_url
from app.sync.auth import DeviceAuth
from app.sync.clock import SYSTEM_CLOCK, Clock
from app.sync.errors import (
    ArchiveError,
    ArchiveFingerprintMismatch,
    ArchiveIdentityMismatch,
    ArchiveRefusedDevice,
    ArchiveUnreachable,
    BadArchiveSignature,
    NotRegistered,
    SyncCancelled,
    error_body,
)
from app.sync.office_records import office_record_problem, record_name
from app.sync.protocol import (
    CTX_CHECKPOINT,
    CTX_ENROL,
    CTX_PULL,
    CTX_RECEIPT,
    CTX_ROSTER,
    PULL_KINDS,
    InspectorEnrolment,
    RegisterRequest,
    RegisterResponse,
    SignatureRecord,
    enrol_proof_value,
    payload_blob_refs,
)
from app.sync.results import CaseResult, ProgressCallback, SyncProgress, SyncReport, TransferStats
from app.sync.uploads import UploadMixin

__all__ = [
    "ArchiveError", "ArchiveIdentityMismatch", "ArchiveRefusedDevice", "ArchiveUnreachable", "BadArchiveSignature",
    "CaseResult", "NotRegistered", "SyncCancelled", "SyncClient", "SyncProgress", "SyncReport", "TransferStats",
]

CHUNK_SIZE = 8 << 20  # bytes per PATCH
PIECE_SIZE = 1 << 20
MAX_BATCH_LEAVES = 2000  # leaves per push (each batch ends at a checkpoint; the archive caps bodies at 256 MB)
MAX_BATCH_BYTES = 32 << 20  # bytes handed to the socket at a time (progress, cancel, resend accounting)


def _plain(fingerprint: str) -> str:
    """A fingerprint as typed or read out: spaces, colons and dashes between groups do not count, nor case."""
    return "".join(c for c in fingerprint if c.isalnum()).lower()


class SyncClient(UploadMixin):
    """One laptop profile talking to one archive. Thread-safe enough for the GUI to run it in a worker and set
    :attr:`cancel` from the UI thread."""

    def __init__(self, store: Store, url: str, *, progress: ProgressCallback | None = None,
                 cancel: threading.Event | Callable[[], bool] | None = None, parallel: int = 3, chunk_size: int = CHUNK_SIZE,
                 retry_seconds: float = 120.0, max_batch_leaves: int = MAX_BATCH_LEAVES,
                 connect_retry_seconds: float = 3.0, timeout: float = 60.0,
                 on_case: Callable[[CaseResult], None] | None = None,
                 assignments: Callable[[Store, SyncReport], None] | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        """``assignments`` turns pulled assignments into local cases (``app.workflow.assignments.apply``): the
        procedure is the workflow's, which sits above this transport (docs/architecture.md 'Layers'); without it
        pulled assignments wait in ``sync_state`` for a sync that passes it."""
        self.store = store
        self.assignments = assignments
        self.clock = clock
        self.url = check_archive_url(url)  # https, or http only to this machine
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
        self._http = httpx.Client(base_url=self.url, auth=DeviceAuth(store.device_key, store.device_id, clock.wall),
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
        deadline = self.clock.monotonic() + delay
        while self.clock.monotonic() < deadline:
            self._check_cancel()
            self.clock.sleep(min(0.1, max(0.0, deadline - self.clock.monotonic())))

    def _request(self, method: str, path: str, *, budget: float | None = None, **kw: Any) -> httpx.Response:
        """One idempotent request, retried on connection errors and 429 with backoff and jitter."""
        budget = self.retry_seconds if budget is None else budget
        start = self.clock.monotonic()
        attempt = 0
        while True:
            self._check_cancel()
            try:
                resp = self._http.request(method, path, **kw)
            except httpx.TransportError as exc:
                if self.clock.monotonic() - start > budget:
                    raise ArchiveUnreachable(self.url, type(exc).__name__) from exc
                with self._lock:
                    self.stats.retries += 1
                self._sleep(attempt)
                attempt += 1
                continue
            if resp.status_code == 429 and self.clock.monotonic() - start <= budget + 60:
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
            raise ArchiveError(resp.status_code, error_body(resp))
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
            raise ArchiveError(resp.status_code, error_body(resp))
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
        # The fingerprint is compared before the code is sent: a misread digit or a wrong address must neither use
        # up the one-time code nor enrol this laptop with an archive it will then refuse to trust.
        served = str(self.health().get("archive_fingerprint", ""))
        if expected_fingerprint and _plain(expected_fingerprint) != _plain(served):
            raise ArchiveFingerprintMismatch()
        if pinned and _plain(str(pinned.get("fingerprint", ""))) != _plain(served):
            raise ArchiveIdentityMismatch()
        resp = self._request("POST", "/v1/devices/register", json=req.model_dump())
        if resp.status_code != 201:
            raise ArchiveError(resp.status_code, error_body(resp))
        answer = RegisterResponse.model_validate(resp.json())
        key = unb64(answer.archive_public_key)
        if public_key_fingerprint(key) != answer.archive_fingerprint:
            raise ArchiveIdentityMismatch()
        if expected_fingerprint and _plain(expected_fingerprint) != _plain(answer.archive_fingerprint):
            raise ArchiveIdentityMismatch()
        if pinned and pinned.get("public_key") != answer.archive_public_key:
            raise ArchiveIdentityMismatch()
        roster_doc = answer.roster.model_dump()
        roster = self._verify_doc(roster_doc, CTX_ROSTER, "roster", key)
        pin = {"url": self.url, "public_key": answer.archive_public_key, "fingerprint": answer.archive_fingerprint,
               "device_id": answer.device_id, "registered_at": utc_now(self.clock.wall()),
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
                        problem = office_record_problem(kind, item)
                        if problem is not None:  # named in the summary and skipped; the rest syncs
                            report.skipped[record_name(kind, item)] = problem
                            continue
                        state.put(s, f"pull.{kind}.{item['id']}", item["data"])
                    state.put(s, f"pull.{kind}.cursor", int(page.get("cursor", cursor)))
                count += len(items)
                if not page.get("more") or int(page.get("cursor", cursor)) <= cursor:
                    break
            report.pulled[kind] = count
        if self.assignments is not None:
            self.assignments(self.store, report)
        return report

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
            result.reasons = exc.reasons or [{"code": exc.error, "message_zh": exc.message_zh,
                                              "message_en": exc.message_en}]
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
                refs |= payload_blob_refs(p)
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
                           "root": merkle.root_from_leaf_hashes(hashes[:end]).hex(), "time": utc_now(self.clock.wall()),
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
            result.conflicts += int((body.get("counts") or {}).get("conflicts", 0))
            result.receipt_size, result.receipt_root = int(body["size"]), str(body["root"])
            start = end

    def _push(self, batch: dict[str, Any]) -> dict[str, Any]:
        """POST one batch. A lost reply is recovered by pushing again (the archive answers with the same receipt);
        a push still being stored (409 concurrent_push) is waited for."""
        for attempt in range(10):
            resp = self._request("POST", "/v1/push", json=batch)
            if resp.status_code == 200:
                return dict(resp.json())
            err = error_body(resp)
            if resp.status_code == 409 and err.get("error") == "concurrent_push":
                self._sleep(attempt, 0.5)
                continue
            if resp.status_code == 401 or err.get("error") == "device_revoked":  # the device itself: stop the sync
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
                refs |= payload_blob_refs(loads(p.body))
        from app.evidence.objects import envelope

        for obj in s.scalars(select(SignedObject).where(SignedObject.case_id == case_id,
                                                        SignedObject.archived.is_(False))):
            if canonical_sha256(envelope(obj)) in covered or obj.sha256 in covered:
                obj.archived = True
        if refs:
            s.execute(update(Blob).where(Blob.sha256.in_(sorted(refs)), Blob.archived.is_(False)).values(archived=True))
        s.flush()
