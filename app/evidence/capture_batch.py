"""Importing many single-file items at once (an SD card, a folder): the work that needs no database runs ahead on
worker threads while the calling thread records and signs, several items to a commit."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from sqlalchemy.orm import Session

from app.errors import EnvironmentProblem, FieldAuditError
from app.evidence.blobstore import BlobStore, StoredBlob
from app.evidence.capture import (
    CaptureMeta,
    CaptureResult,
    CaptureSource,
    _check_meta,
    _check_space,
    _prepare,
    _Prepared,
    _read_error,
    _record,
    _unlink_created,
)
from app.evidence.media import safe_name
from app.models.profile import Store


def _prefetch(bs: BlobStore, store: Store, src: CaptureSource) -> _Prepared:
    """A worker's part of one import: read, encrypt into durable staged files, decode the thumbnail. Pillow,
    hashlib and fsync release the GIL, so this runs on the other core while the calling thread records."""
    _check_space(store, src.size())
    return _prepare(bs, src, thumbnail=True)


GROUP_ITEMS = 8  # at most this many items per commit in capture_batch ...
GROUP_SECONDS = 0.5  # ... begun within this long


def capture_batch(store: Store, case_id: str, items: Sequence[tuple[CaptureSource, CaptureMeta]],
                  progress: Callable[[int, int, str], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> list[CaptureResult | FieldAuditError]:
    """Import many single-file items (an SD card, a folder); a bad file gives a per-item error and the rest go on.

    Reading, hashing, encryption into durable staged files and thumbnail decoding run ahead on a small thread pool;
    the calling thread only records and signs. When the workers are ahead, several items (at most ``GROUP_ITEMS``,
    begun within ``GROUP_SECONDS``) share one commit, each in a savepoint of its own, so a failing item rolls back
    alone and one fsync of the database commits the group; when the next item is not ready yet, what is recorded is
    committed at once, so the write lock is never held while waiting. ``progress`` reports an item only once it is
    committed: a crash keeps every item reported (and loses at most one uncommitted group, never reported)."""
    from concurrent.futures import ThreadPoolExecutor

    bs = BlobStore(store)
    results: list[CaptureResult | FieldAuditError] = []
    workers = max(2, min(4, (os.cpu_count() or 2) + 1))  # one more than the cores: fsync waits do not idle a core
    ahead = workers * 2
    pending: list[Future[_Prepared]] = []
    stop = False
    with ThreadPoolExecutor(workers, thread_name_prefix="capture-prefetch") as pool:
        try:
            pending = [pool.submit(_prefetch, bs, store, src) for src, _ in items[:ahead]]
            n = 0
            while n < len(items) and not stop:
                group: list[tuple[int, CaptureResult | FieldAuditError, list[StoredBlob]]] = []
                began = time.monotonic()
                try:
                    with store.transaction() as s:
                        while n < len(items) and len(group) < GROUP_ITEMS:
                            if group and (time.monotonic() - began >= GROUP_SECONDS or not pending[0].done()):
                                break  # commit now rather than hold the write lock while the next item is read
                            if cancelled is not None and cancelled():
                                stop = True
                                break
                            if n + ahead < len(items):
                                pending.append(pool.submit(_prefetch, bs, store, items[n + ahead][0]))
                            src, meta = items[n]
                            created: list[StoredBlob] = []
                            group.append((n, _record_one(s, store, bs, case_id, src, meta, pending.pop(0), created),
                                          created))
                            n += 1
                except (FieldAuditError, OSError) as exc:  # the group's commit failed: none of its items is stored
                    for i, (index, _result, created) in enumerate(group):
                        _unlink_created(bs, created)
                        group[i] = (index, exc if isinstance(exc, FieldAuditError) else EnvironmentProblem(
                            f"无法写入数据库（{exc.strerror}）。", f"Cannot write the database ({exc.strerror})."), [])
                except BaseException:
                    for _index, _result, created in group:
                        _unlink_created(bs, created)
                    raise
                for index, result, _created in group:
                    results.append(result)
                    if progress is not None:
                        progress(index + 1, len(items), safe_name(items[index][0].name))
        finally:  # cancelled or failed: what the workers staged ahead is discarded
            for f in pending:
                if not f.cancel():
                    with contextlib.suppress(BaseException):
                        f.result().discard(bs)
    return results


def _record_one(s: Session, store: Store, bs: BlobStore, case_id: str, src: CaptureSource, meta: CaptureMeta,
                future: Future[_Prepared], created: list[StoredBlob]) -> CaptureResult | FieldAuditError:
    """One item of a batch, in a savepoint of the group's transaction: its result, or its error (rolled back)."""
    prepared: _Prepared | None = None
    try:
        prepared = future.result()
        _check_meta([src], meta, None)
        with s.begin_nested():
            return _record(s, store, bs, case_id, meta, [prepared], created)
    except FieldAuditError as exc:
        _unlink_created(bs, created)
        return exc
    except OSError as exc:
        _unlink_created(bs, created)
        return _read_error(src.name, exc)
    except BaseException:
        _unlink_created(bs, created)
        raise
    finally:
        if prepared is not None:
            prepared.discard(bs)


__all__ = ["GROUP_ITEMS", "GROUP_SECONDS", "capture_batch"]
