"""Resumable blob uploads (the tus subset of archive/PROTOCOL.md), as a part of :class:`app.sync.client.SyncClient`.

Bytes are streamed from the encrypted store (``BlobStore.iter_chunks``) from the archive's offset; upload state is
kept in the profile so an upload resumes across restarts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx

from app.evidence.blobstore import BlobStore
from app.models.profile import Store
from app.sync import state
from app.sync.clock import Clock
from app.sync.errors import ArchiveError, ArchiveUnreachable, error_body
from app.sync.protocol import (
    H_BODY_SHA256,
    H_TUS,
    H_UPLOAD_OFFSET,
    H_UPLOAD_STATUS,
    TUS_VERSION,
    UNSIGNED_PAYLOAD,
    UPLOAD_CONTENT_TYPE,
)
from app.sync.results import CaseResult, SyncProgress, TransferStats

PIECE_SIZE = 1 << 20
MAX_BATCH_BYTES = 32 << 20  # bytes handed to the socket at a time (progress, cancel, resend accounting)


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


class UploadMixin:
    """The upload half of the client; the rest of :class:`SyncClient` provides what is declared here."""

    if TYPE_CHECKING:
        store: Store
        url: str
        parallel: int
        chunk_size: int
        retry_seconds: float
        clock: Clock
        stats: TransferStats
        _lock: threading.Lock
        _db_lock: threading.Lock
        _blobs: BlobStore
        _http: httpx.Client

        def _check_cancel(self) -> None: ...
        def _emit(self, p: SyncProgress) -> None: ...
        def _sleep(self, attempt: int, at_least: float = 0.0) -> None: ...
        def _request(self, method: str, path: str, *, budget: float | None = None,
                     **kw: Any) -> httpx.Response: ...
        def _json(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> Any: ...

    def _upload_many(self, case_id: str, blobs: list[tuple[str, int]], result: CaseResult) -> None:
        if not blobs:
            return
        total = sum(n for _, n in blobs)
        done = [0]
        started = self.clock.monotonic()

        def on_bytes(n: int) -> None:
            with self._lock:
                done[0] += n
                elapsed = self.clock.monotonic() - started
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
                now = self.clock.monotonic()
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
        err = error_body(resp)
        if resp.status_code == 409 and err.get("error") == "offset_mismatch" and H_UPLOAD_OFFSET in resp.headers:
            raise _Restart(int(resp.headers[H_UPLOAD_OFFSET]))
        if resp.status_code in (409, 429):  # upload_busy (the previous connection still holds it) or rate limited
            self._sleep(1, float(resp.headers.get("Retry-After", "0.5") or 0.5))
            head = self._head(upload_id)
            raise _Restart(None if head is None else head[0])
        if resp.status_code in (404, 410):
            raise _Restart(None)
        raise ArchiveError(resp.status_code, err)
