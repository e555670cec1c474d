"""Resumable blob uploads, a tus 1.0 subset (creation, HEAD, PATCH, expiration) keyed by (device, sha256)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import hashlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from app.sync.protocol import UNSIGNED_PAYLOAD
from archive.blobstore import BlobRejected
from archive.crash import crashpoint, fault
from archive.db import Blob, Upload, iso, utcnow
from archive.errors import ApiError
from archive.limits import Busy, GuardState
from archive.logs import log
from archive.service import Archive
from archive.shared_state import insert_absent


def _load_sync_file_range() -> Callable[[int, int, int], None] | None:
    """Linux ``sync_file_range(SYNC_FILE_RANGE_WRITE)``: start writing a range back without waiting, so the disk
    works while the network delivers the rest and the fsync at the end of a PATCH has little left to do."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int

    def start_writeback(fd: int, offset: int, nbytes: int) -> None:
        fn(fd, offset, nbytes, 2)  # SYNC_FILE_RANGE_WRITE; a failure only loses the head start

    return start_writeback


_start_writeback = _load_sync_file_range()
WRITEBACK_STEP = 4 * 1024 * 1024
#: a multipart write to object storage older than this was left by a killed process (a write takes minutes)
INCOMPLETE_WRITE_AGE_S = 6 * 3600.0


def upload_state(row: Upload, ttl_s: float) -> dict[str, Any]:
    expires = None if row.status == "complete" else iso(row.updated_at + dt.timedelta(seconds=ttl_s))
    return {
        "id": row.id,
        "sha256": row.sha256,
        "length": row.length,
        "offset": row.offset,
        "status": row.status,
        "reason": row.reason,
        "expires_at": expires,
    }


def _same_file(path: Path, inode: int) -> bool:
    """Is ``path`` still the file this PATCH opened? (A completed upload's staging file becomes the stored blob.)"""
    try:
        return os.stat(path).st_ino == inode
    except FileNotFoundError:
        return False


def _superseded() -> ApiError:
    return ApiError(409, "upload_superseded", "该上传已由新的连接接续", "a newer PATCH of this upload took it over")


class Uploads:
    def __init__(self, archive: Archive, guard: GuardState | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        """``clock`` (naive UTC, like the database's times) decides what has expired; tests pass their own."""
        self.archive = archive
        self.guard = guard or GuardState(archive.db)
        self.clock = clock
        self._last_sweep = 0.0

    def staging_path(self, upload_id: str) -> Path:
        return self.archive.paths.staging / upload_id

    # --- creation ------------------------------------------------------------------------------------------

    def _adopt_stored_blob(self, sha256: str, length: int) -> bool:
        """A blob file without its row (killed between the two): re-verify it and record it."""
        store = self.archive.store
        if not store.exists(sha256):
            return False
        with store.open(sha256) as fh:
            h = hashlib.sha256()
            n = 0
            while chunk := fh.read(1024 * 1024):
                h.update(chunk)
                n += len(chunk)
        if h.hexdigest() != sha256 or n != length:
            return False
        with self.archive.db.write() as s:
            insert_absent(s, Blob, {"sha256": sha256, "size": n, "created_at": self.clock()})
        log("blob.adopted", sha256=sha256, size=n)
        return True

    def create(self, device_id: str, sha256: str, length: int) -> dict[str, Any]:
        """Open (or resume) this device's upload of ``sha256``. Whether the archive holds the blob already plays no
        part: a device is answered ``complete`` only for its own completed upload, never for bytes another device
        sent (that would grant it a blob it never had, and tell it the blob exists). Bytes sent for a blob the
        archive holds are hashed like any others and stored once (put-if-absent)."""
        self.sweep()
        ttl = self.archive.settings.upload_ttl_s
        now = self.clock()
        with self.archive.db.write() as s:
            row = s.execute(
                select(Upload).where(Upload.device_id == device_id, Upload.sha256 == sha256)
            ).scalar_one_or_none()
            if row is not None and row.status == "complete" and s.get(Blob, sha256) is None:
                # completed once, but the archive no longer holds the blob (restored without it): send it again
                row.offset, row.status, row.reason = 0, "open", None
                self._truncate(row.id, 0)
            if row is not None and row.length != length:
                if row.status == "complete":
                    raise ApiError(
                        409,
                        "length_mismatch",
                        "声明长度与本设备已上传的对象不符",
                        "declared length differs from this device's completed upload of the blob",
                    )
                row.length, row.offset, row.status, row.reason = length, 0, "open", None
                self._truncate(row.id, 0)
            if row is None:
                self._check_quota(s, device_id, length)
                row = Upload(
                    id=uuid.uuid4().hex,
                    device_id=device_id,
                    sha256=sha256,
                    length=length,
                    offset=0,
                    status="open",
                    created_at=now,
                    updated_at=now,
                )
                s.add(row)
                self._truncate(row.id, 0)
            elif row.status == "failed":
                row.offset, row.status, row.reason = 0, "open", None
                self._truncate(row.id, 0)
            row.updated_at = now
            s.flush()
            state = upload_state(row, ttl)
        log("upload.create", device=device_id, upload=state["id"], length=length, status=state["status"])
        return state

    def _check_quota(self, s: Any, device_id: str, length: int) -> None:
        """Per-device limits on open uploads: their number and their declared bytes."""
        limits = self.archive.settings
        count, declared = s.execute(
            select(func.count(), func.coalesce(func.sum(Upload.length), 0))
            .where(Upload.device_id == device_id, Upload.status == "open")
        ).one()
        if count + 1 > limits.max_open_uploads or declared + length > limits.max_open_upload_bytes:
            log("upload.limit", device=device_id, open=count, declared=declared, length=length)
            raise ApiError(
                409,
                "upload_limit",
                "本设备未完成的上传过多，请先完成已有上传",
                f"this device has {count} open uploads ({declared} bytes declared); the limits are "
                f"{int(limits.max_open_uploads)} uploads and {int(limits.max_open_upload_bytes)} bytes: "
                "finish or let expire the open ones first",
            )

    def _truncate(self, upload_id: str, offset: int) -> None:
        path = self.staging_path(upload_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, offset)
        finally:
            os.close(fd)

    # --- state ---------------------------------------------------------------------------------------------

    def get(self, device_id: str, upload_id: str) -> dict[str, Any]:
        with self.archive.db.read() as s:
            row = s.get(Upload, upload_id)
            if row is None or row.device_id != device_id:
                raise ApiError(
                    404, "unknown_upload", "上传不存在或已过期", "no such upload (unknown or expired)"
                )
            state = upload_state(row, self.archive.settings.upload_ttl_s)
        if state["status"] == "open" and state["offset"] == state["length"]:
            # every byte was recorded but the process died before completing: complete now
            return self._complete(device_id, upload_id)
        return state

    def sweep(self) -> int:
        """Discard open or failed uploads untouched for longer than the TTL."""
        now = self.clock()
        if abs(now.timestamp() - self._last_sweep) < min(30.0, self.archive.settings.upload_ttl_s):
            return 0
        self._last_sweep = now.timestamp()
        horizon = now - dt.timedelta(seconds=self.archive.settings.upload_ttl_s)
        with self.archive.db.write() as s:
            stale = (
                s.execute(select(Upload.id).where(Upload.status != "complete", Upload.updated_at < horizon))
                .scalars()
                .all()
            )
            if stale:
                s.execute(delete(Upload).where(Upload.id.in_(stale)))
        for uid in stale:
            self.staging_path(uid).unlink(missing_ok=True)
        if stale:
            log("upload.expired", count=len(stale))
        abort_incomplete = getattr(self.archive.store, "abort_incomplete", None)
        if abort_incomplete is not None:  # object storage: parts of a write whose process was killed
            try:
                aborted = abort_incomplete(INCOMPLETE_WRITE_AGE_S)
            except Exception as exc:  # the object store being down must not fail the upload being created
                log("blobstore.sweep_failed", error=type(exc).__name__)
            else:
                if aborted:
                    log("blobstore.incomplete_aborted", count=aborted)
        return len(stale)

    # --- PATCH ---------------------------------------------------------------------------------------------

    async def patch(
        self,
        device_id: str,
        upload_id: str,
        client_offset: int,
        body: AsyncIterator[bytes],
        declared_sha256: str,
        content_length: int | None = None,
    ) -> dict[str, Any]:
        state = await asyncio.to_thread(self.get, device_id, upload_id)
        if state["status"] == "failed":
            raise ApiError(
                410,
                "upload_failed",
                "上传已作废，请重新创建",
                f"this upload was discarded: {state['reason']}",
                extra={"upload": state},
            )
        if client_offset != state["offset"]:
            raise ApiError(
                409,
                "offset_mismatch",
                "上传偏移量与档案系统不一致，请先查询当前偏移量",
                f"Upload-Offset {client_offset} differs from the archive's {state['offset']}; HEAD the upload first",
                headers={"Upload-Offset": str(state["offset"])},
                extra={"upload": state},
            )
        if state["status"] == "complete":
            return state
        if content_length is not None and state["offset"] + content_length > state["length"]:
            raise ApiError(  # refused before reading: the connection closes, the body is never received
                413,
                "upload_too_long",
                "上传数据超过声明长度",
                "the declared Content-Length goes past the Upload-Length",
                headers={"Connection": "close"},
            )
        stale_after = self.archive.settings.upload_stale_s
        try:
            token, broke = self.guard.acquire(upload_id, stale_after)
        except Busy as exc:
            raise ApiError(
                409,
                "upload_busy",
                "该上传正在进行中",
                f"another PATCH of this upload is in progress; if its connection is dead, retry after "
                f"{int(exc.retry_after + 0.999)} s and this request takes it over",
                headers={"Retry-After": str(max(1, int(exc.retry_after + 0.999)))},
            ) from exc
        if broke:
            log("upload.lock_broken", device=device_id, upload=upload_id, stale_after_s=stale_after)
        try:
            return await self._patch(device_id, state, body, declared_sha256, token)
        finally:
            self.guard.release(upload_id, token)

    async def _patch(
        self, device_id: str, state: dict[str, Any], body: AsyncIterator[bytes], declared_sha256: str, token: int
    ) -> dict[str, Any]:
        upload_id, start, length = state["id"], state["offset"], state["length"]
        path = self.staging_path(upload_id)
        h = hashlib.sha256()
        received = 0
        flushed = 0
        check_body = declared_sha256 != UNSIGNED_PAYLOAD
        disconnected = False
        too_long = False
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        inode = os.fstat(fd).st_ino
        try:
            os.ftruncate(fd, start)  # bytes past the recorded offset were never acknowledged
            os.lseek(fd, start, os.SEEK_SET)
            try:
                async for chunk in body:
                    if not self.guard.current(upload_id, token) or not _same_file(path, inode):
                        # its own device resumed on another connection (and may have completed the upload: this
                        # fd would then be the stored blob's): write nothing
                        raise _superseded()
                    self.guard.touch(upload_id, token)
                    if not chunk:
                        continue
                    if start + received + len(chunk) > length:
                        too_long = True
                        break
                    if check_body:
                        h.update(chunk)
                    fault("upload.write")
                    view = memoryview(chunk)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
                    received += len(chunk)
                    if _start_writeback is not None and received - flushed >= WRITEBACK_STEP:
                        _start_writeback(fd, start + flushed, received - flushed)
                        flushed = received
            except ClientDisconnect:
                disconnected = True
            if too_long:
                os.ftruncate(fd, start)
                raise ApiError(
                    413,
                    "upload_too_long",
                    "上传数据超过声明长度",
                    "the body goes past the declared Upload-Length",
                )
            if check_body and not disconnected and h.hexdigest() != declared_sha256:
                os.ftruncate(fd, start)
                raise ApiError(
                    401,
                    "body_mismatch",
                    "请求体与签名不符",
                    "the request body does not hash to the signed value",
                )
            crashpoint("upload.before_fsync")
            await asyncio.to_thread(os.fsync, fd)
        except OSError:  # a full disk above all: nothing past the recorded offset counts
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
        finally:
            os.close(fd)
        if not self.guard.current(upload_id, token, fresh=True):
            raise _superseded()
        new_offset = start + received
        with self.archive.db.write() as s:
            s.execute(
                update(Upload)
                .where(Upload.id == upload_id, Upload.offset == start)
                .values(offset=new_offset, updated_at=self.clock())
            )
        log(
            "upload.patch",
            device=device_id,
            upload=upload_id,
            offset=new_offset,
            received=received,
            disconnected=disconnected,
        )
        if new_offset == length:
            return await asyncio.to_thread(self._complete, device_id, upload_id)
        return {**state, "offset": new_offset}

    def _complete(self, device_id: str, upload_id: str) -> dict[str, Any]:
        with self.archive.db.read() as s:
            row = s.get(Upload, upload_id)
            assert row is not None
            sha256, length = row.sha256, row.length
        path = self.staging_path(upload_id)
        try:
            if not path.exists():
                # stored before a crash, row not yet written: re-verified by _adopt_stored_blob
                if not self._adopt_stored_blob(sha256, length):
                    raise BlobRejected("the staged bytes are lost")
            else:
                self.archive.store.put_file(path, sha256, length)
        except BlobRejected as exc:
            path.unlink(missing_ok=True)
            with self.archive.db.write() as s:
                s.execute(
                    update(Upload)
                    .where(Upload.id == upload_id)
                    .values(status="failed", reason="hash_mismatch", offset=0, updated_at=self.clock())
                )
            log("upload.rejected", device=device_id, upload=upload_id, reason="hash_mismatch")
            raise ApiError(
                422,
                "hash_mismatch",
                "上传内容的哈希与声明不符，已作废",
                f"the uploaded bytes do not match the declared SHA-256 ({exc}); the upload was discarded",
            ) from exc
        crashpoint("upload.after_blob_put")
        with self.archive.db.write() as s:
            insert_absent(s, Blob, {"sha256": sha256, "size": length, "created_at": self.clock()})
            s.execute(
                update(Upload)
                .where(Upload.id == upload_id)
                .values(status="complete", offset=length, reason=None, updated_at=self.clock())
            )
        log("upload.complete", device=device_id, upload=upload_id, size=length)
        return self.get(device_id, upload_id)

    def missing(self, device_id: str, hashes: list[str]) -> list[str]:
        """The hashes this device has not proved it holds (:func:`held_by_device`): a blob stored from another
        device's bytes is listed like one the archive never saw, so the answer tells nothing about other cases."""
        wanted = sorted(set(hashes))
        have: set[str] = set()
        with self.archive.db.read() as s:
            for i in range(0, len(wanted), 500):
                have |= held_by_device(s, device_id, wanted[i : i + 500])
        return [h for h in wanted if h not in have]


def held_by_device(s: Session, device_id: str, hashes: list[str]) -> set[str]:
    """Proof of possession: the blobs among ``hashes`` whose bytes this device itself uploaded (its own completed
    upload, hashed at the archive) and that the archive holds. What a push may name besides the case's own blobs
    (archive/push.py), and what ``/v1/blobs/missing`` does not list."""
    if not hashes:
        return set()
    return set(s.execute(
        select(Upload.sha256).join(Blob, Blob.sha256 == Upload.sha256)
        .where(Upload.device_id == device_id, Upload.status == "complete", Upload.sha256.in_(hashes))
    ).scalars())
