"""Capturing evidence: stream the originals into the encrypted store, describe them in a canonical manifest, and
have both inspectors sign it — all in one transaction, so a crash leaves either nothing or a complete item."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import EnvironmentProblem, UserError
from app.evidence.blobstore import BlobStore, IngestCancelled, StagedBlob, StoredBlob
from app.evidence.clock import capture_claim, claim_after, clock_claim
from app.evidence.media import ImageInfo, inspect_image, safe_name, sniff
from app.evidence.objects import require_open, sign_and_store, signing_pair
from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import EvidenceItem, SignedObject
from app.models.validators import check_visible_text

# 001 Art. 37 / 行政处罚法 Art. 46 — stable codes (labels in resources/reference/evidence_kinds.json)
EVIDENCE_KINDS = ("documentary", "physical", "audiovisual", "electronic", "witness", "party_statement",
                  "expert_opinion", "inspection_record")
# 条例 Art. 27 measures (+ 先行登记保存)
MEASURES = ("onsite_inspection", "inquiry", "request_material", "record_media", "seal", "third_party", "preserve")
DERIVED_RELATIONS = ("thumbnail", "rotation", "redaction", "watermark", "print", "scan")
MAX_INSPECT_BYTES = 64 << 20  # images larger than this are stored without EXIF/thumbnail
DISK_MARGIN = 64 << 20

Progress = Callable[[int, int], None]  # (bytes done, bytes total); raise IngestCancelled to stop


@dataclass
class CaptureSource:
    """One byte stream of an item: a file on disk (streamed) or bytes in memory."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        if self.path.is_symlink():  # a link on a card can point anywhere on this laptop (a key, another case)
            raise UserError(f"{safe_name(self.name)} 是链接（快捷方式），未导入。请直接选择它所指向的文件。",
                            f"{safe_name(self.name)} is a link (shortcut); it was not imported. Choose the file it "
                            "points to instead.")
        try:
            st = self.path.stat()
        except OSError as exc:
            raise UserError(f"无法读取文件：{safe_name(self.name)}（{exc.strerror}）",
                            f"Cannot read the file {safe_name(self.name)} ({exc.strerror}).") from exc
        if not stat.S_ISREG(st.st_mode):  # a device, a pipe or a socket: endless, blocking or not the evidence
            raise UserError(f"{safe_name(self.name)} 不是普通文件（设备、管道或其链接），未导入。",
                            f"{safe_name(self.name)} is not a regular file (a device, a pipe or a link to one); "
                            "it was not imported.")
        return st.st_size

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise UserError(f"无法读取文件：{safe_name(self.name)}（{exc.strerror}）",
                            f"Cannot read the file {safe_name(self.name)} ({exc.strerror}).") from exc


@dataclass
class Provider:
    name: str
    role: str = ""  # e.g. 医保办主任
    id_number: str = ""
    person_id: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "id_number": self.id_number, "person": self.person_id}


@dataclass
class CaptureMeta:
    kind: str
    measure: str
    title: str
    description: str = ""
    source: str = ""  # 来源: where and from whom
    source_system: str = ""  # 电子数据: the party's system
    extraction_method: str = ""  # 电子数据: how it was extracted
    provider: Provider | None = None
    place: str = ""
    original: bool = True  # 原件 (True) or 复印件/复制件
    quantity: str = ""  # pages / pieces
    checklist_entry_id: str | None = None
    finding_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaptureResult:
    item_id: str
    manifest_sha256: str
    notes: tuple[str, ...]
    thumbnail_item_id: str | None = None


def _check_space(store: Store, need: int) -> None:
    free = shutil.disk_usage(store.profile.root).free
    if need + DISK_MARGIN > free:
        raise EnvironmentProblem(
            f"磁盘空间不足：需要 {need / 2**20:.0f} MB，仅剩 {free / 2**20:.0f} MB。请清理磁盘后重试，原文件未受影响。",
            f"Not enough disk space: {need / 2**20:.0f} MB needed, {free / 2**20:.0f} MB free. "
            "Free some space and retry; the original file is untouched.",
        )


@dataclass
class _Prepared:
    """One source read, encrypted into a durable staged file and (if an image) inspected, ahead of its transaction.
    The staged files belong to whoever holds this until :meth:`BlobStore.adopt` moves them into the store."""

    name: str
    size: int
    head: bytes
    blob: StagedBlob | None  # None once adopted
    looks_image: bool
    inspectable: bool  # small enough to have been read into memory and inspected
    info: ImageInfo | None = None
    thumb: StagedBlob | None = None
    thumb_head: bytes = b""

    def adopt(self, s: Session, bs: BlobStore) -> StoredBlob:
        blob, self.blob = self.blob, None
        assert blob is not None
        return bs.adopt(s, blob)

    def discard(self, bs: BlobStore) -> None:
        """Remove whatever was not adopted (a duplicate, an error, a cancelled import, an unused thumbnail)."""
        for blob in (self.blob, self.thumb):
            if blob is not None:
                bs.discard(blob)
        self.blob = self.thumb = None


def _prepare(bs: BlobStore, src: CaptureSource, *, thumbnail: bool, progress: Callable[[int], None] | None = None,
             overlap: bool = False) -> _Prepared:
    """Read ``src`` once, encrypt it into staging and inspect it if it is an image — the very same bytes are hashed,
    stored and decoded. No database access, so it runs on :func:`capture_batch`'s worker threads. ``overlap``
    decodes on a second thread while this one hashes, encrypts and fsyncs (a single :func:`capture`).

    Raises UserError when the file cannot be read and EnvironmentProblem when the store cannot be written."""
    size = src.size()
    if size == 0:  # an interrupted copy from a card, most often: nothing that could prove anything
        raise UserError(f"文件 {safe_name(src.name)} 为空（0 字节），未导入。请检查原文件后重试。",
                        f"The file {safe_name(src.name)} is empty (0 bytes); it was not imported. Check the original "
                        "and retry.")
    looks_image = src.name.lower().endswith((".jpg", ".jpeg", ".png", ".heic", ".gif", ".webp"))
    data = src.data
    if data is None and size <= MAX_INSPECT_BYTES:
        try:
            with src.open() as fh:  # small enough: read once, store and inspect the very same bytes
                data = fh.read(MAX_INSPECT_BYTES + 1)
        except OSError as exc:
            raise _read_error(src.name, exc) from exc
    inspector: threading.Thread | None = None
    inspected: list[ImageInfo] = []
    if src.data is None and data is not None and len(data) != size:
        raise _changed_error(src.name)
    if data is not None:
        head = data[:4096]
        inspectable = len(data) <= MAX_INSPECT_BYTES
        wants_info = inspectable and (looks_image or sniff(head).startswith("image/"))
        if wants_info and overlap:
            inspector = threading.Thread(target=lambda d=data: inspected.append(inspect_image(d, thumbnail=thumbnail)),
                                         name="capture-inspect", daemon=True)
            inspector.start()
        staged = _stage(bs, data, progress)
        if wants_info and inspector is None:
            inspected.append(inspect_image(data, thumbnail=thumbnail))
    else:
        inspectable = False
        with src.open() as fh:
            try:
                head = fh.read(4096)
                fh.seek(0)
            except OSError as exc:
                raise _read_error(src.name, exc) from exc
            staged = bs.stage(fh, progress, place=True)  # a read error here propagates as OSError, as it always did
        if staged.size != size:  # the file grew or shrank while it was read: what was stored is not the file
            bs.discard(staged)
            raise _changed_error(src.name)
    if inspector is not None:
        inspector.join()
    prepared = _Prepared(safe_name(src.name), staged.size, head, staged, looks_image, inspectable,
                         inspected[0] if inspected else None)
    try:
        jpeg = prepared.info.thumbnail_jpeg if prepared.info is not None else None
        if jpeg is not None:
            prepared.thumb, prepared.thumb_head = _stage(bs, jpeg, None), jpeg[:512]
    except BaseException:
        prepared.discard(bs)
        raise
    return prepared


def _stage(bs: BlobStore, src: BinaryIO | bytes, progress: Callable[[int], None] | None) -> StagedBlob:
    try:
        return bs.stage(src, progress, place=True)
    except OSError as exc:
        raise EnvironmentProblem(f"无法写入证据存储（{exc.strerror}）。原文件未受影响。",
                                 f"Cannot write to the evidence store ({exc.strerror}); the original file is "
                                 "untouched.") from exc


def _changed_error(name: str) -> UserError:
    return UserError(f"文件 {safe_name(name)} 在导入过程中发生变化（仍在写入？），未导入。请待其写完后重试。",
                     f"The file {safe_name(name)} changed while it was imported (still being written?); it was not "
                     "imported. Retry once it is complete.")


def _read_error(name: str, exc: OSError) -> UserError:
    return UserError(f"无法读取文件：{safe_name(name)}（{exc.strerror}）",
                     f"Cannot read the file {safe_name(name)} ({exc.strerror}).")


def capture(store: Store, case_id: str, sources: Sequence[CaptureSource], meta: CaptureMeta,
            progress: Progress | None = None, *, supersedes: tuple[str, str] | None = None,
            parent: tuple[str, str] | None = None) -> CaptureResult:
    """Store ``sources`` as one evidence item of ``case_id`` signed by two unlocked inspectors of the case.

    The sources are encrypted into durable staged files (and images decoded for EXIF and the thumbnail, on a second
    thread) before the transaction, which then only records and signs.
    ``supersedes=(item_id, reason)`` makes it a correction; ``parent=(item_id, relation)`` a derived item."""
    _check_meta(sources, meta, parent)
    if supersedes is not None:
        check_visible_text(supersedes[1])
    bs = BlobStore(store)
    ready: list[_Prepared] = []
    created: list[StoredBlob] = []
    try:
        total = sum(s.size() for s in sources)
        _check_space(store, total)
        done = 0
        for src in sources:
            def cb(n: int, base: int = done) -> None:
                if progress is not None:
                    progress(base + n, total)

            want_thumb = parent is None and not any(p.thumb for p in ready)
            ready.append(_prepare(bs, src, thumbnail=want_thumb, progress=cb, overlap=True))
            done += ready[-1].size
        with store.transaction() as s:
            return _record(s, store, bs, case_id, meta, ready, created, supersedes=supersedes, parent=parent)
    except BaseException:
        _unlink_created(bs, created)
        raise
    finally:
        for prep in ready:
            prep.discard(bs)


def _check_meta(sources: Sequence[Any], meta: CaptureMeta, parent: tuple[str, str] | None) -> None:
    provider = meta.provider
    check_visible_text(meta.title, meta.description, meta.source, meta.source_system, meta.extraction_method,
                       meta.place, meta.quantity, *(() if provider is None else
                                                    (provider.name, provider.role, provider.id_number)))
    if meta.kind not in EVIDENCE_KINDS:
        raise UserError(f"未知的证据种类：{meta.kind}", f"Unknown evidence kind: {meta.kind}")
    if meta.measure not in MEASURES:
        raise UserError(f"未知的检查措施：{meta.measure}", f"Unknown on-site measure: {meta.measure}")
    if not meta.title.strip():
        raise UserError("请填写证据名称。", "Give the evidence item a title.")
    if not sources and meta.kind not in ("physical", "witness", "party_statement"):
        raise UserError("此类证据需要至少一个文件。", "This kind of evidence needs at least one file.")
    if parent is None and not meta.source.strip():
        raise UserError("请注明证据来源（《武汉市医疗保险稽核办法》第七条第四项）。",
                        "State the source of the evidence (Wuhan Audit Measures Art. 7(4)).")


def _unlink_created(bs: BlobStore, created: list[StoredBlob]) -> None:
    """The transaction rolled back: remove the encrypted files it would have owned."""
    for blob in created:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(bs.path_for(bs.file_name(blob.sha256)))
    created.clear()


def _check_repeat(s: Session, case_id: str, name: str, sha256: str, meta: CaptureMeta) -> str | None:
    """A stream this case already holds as evidence. From the same source and provider it is the same card imported
    twice (or one file chosen twice): refused, since two signed items of the same bytes on the 证据清单 count one
    piece of evidence as two, and a signed item cannot be taken back. From another source or provider it is
    evidence in its own right (the same export handed over by the hospital and by the patient): the note returned
    says so, signed with the item. Only called when the blob was already stored, so new bytes cost nothing."""
    import json

    rows = s.execute(select(EvidenceItem.title, SignedObject.body)
                     .join(SignedObject, SignedObject.id == EvidenceItem.manifest_id)
                     .where(EvidenceItem.case_id == case_id,
                            func.instr(SignedObject.body, sha256.encode("ascii")) > 0)).all()
    provider = meta.provider.as_json() if meta.provider else None
    note = None
    for title, body in rows:
        earlier = json.loads(body)
        if not any(st.get("sha256") == sha256 for st in earlier.get("streams", [])):
            continue
        if (earlier.get("source") or {}).get("text") == meta.source and earlier.get("provider") == provider:
            raise UserError(f"{safe_name(name)} 与本案已有证据“{title}”内容完全相同、来源相同（SHA-256 {sha256[:12]}…），"
                            "未重复导入。如需更正该证据的说明，请对该证据使用“更正”。",
                            f"{safe_name(name)} has exactly the content and source of the case's evidence '{title}' "
                            f"(SHA-256 {sha256[:12]}…); it was not imported again. To correct that item's "
                            "description, use Correct on it.")
        note = note or (f"{safe_name(name)}: 与本案证据“{title}”内容完全相同（来源或提供者不同） / the same content as "
                        f"the case's evidence '{title}' (another source or provider)")
    return note


def _record(s: Session, store: Store, bs: BlobStore, case_id: str, meta: CaptureMeta, ready: Sequence[_Prepared],
            created: list[StoredBlob], *, supersedes: tuple[str, str] | None = None,
            parent: tuple[str, str] | None = None) -> CaptureResult:
    """Record one item from its ``ready`` (staged, inspected) sources in the caller's transaction: adopt the blobs
    (new ones are appended to ``created``), sign the manifest, and derive the thumbnail."""
    require_open(s, case_id, correction=supersedes is not None or parent is not None)
    signers = signing_pair(s, store, case_id)
    streams: list[dict[str, Any]] = []
    notes: list[str] = []
    exif: dict[str, Any] = {}
    thumb: _Prepared | None = None
    for index, prep in enumerate(ready):
        stored = prep.adopt(s, bs)
        if stored.new:
            created.append(stored)
        media = sniff(prep.head)
        stream = {"index": index, "name": prep.name, "media_type": media,
                  "size": stored.size, "sha256": stored.sha256}
        if media.startswith("image/") or prep.looks_image:
            if prep.inspectable and prep.info is not None:
                info = prep.info
                if info.ok:
                    stream["pixels"] = [info.width, info.height]
                    if not exif and info.exif:
                        exif = info.exif
                    if thumb is None and prep.thumb is not None:
                        thumb = prep
                else:
                    stream["media_type"] = "application/octet-stream" if media.startswith("image/") else media
                    notes.append(f"{stream['name']}: {info.problem_zh} / {info.problem_en}")
            else:
                notes.append(f"{stream['name']}: 文件过大，未读取 EXIF / too large to read EXIF")
        streams.append(stream)
        if not stored.new and supersedes is None and parent is None:
            repeat = _check_repeat(s, case_id, prep.name, stored.sha256, meta)
            if repeat:
                notes.append(repeat)
    item_id = uuid7()
    claim, doubt = capture_claim(s, case_id)
    if doubt is not None:  # signed with the item, so whoever reads it sees that its time is doubtful
        notes.append(doubt)
    manifest: dict[str, Any] = {
        "v": 1, "type": "evidence", "case": case_id, "item": item_id, "device": store.device_id,
        "kind": meta.kind, "measure": meta.measure, "title": meta.title.strip(),
        "description": meta.description, "place": meta.place,
        "source": {"text": meta.source, "system": meta.source_system, "extraction": meta.extraction_method},
        "provider": meta.provider.as_json() if meta.provider else None,
        "original": meta.original, "quantity": meta.quantity,
        "obtained_at": claim, "inspectors": signers,
        "checklist_entry": meta.checklist_entry_id or "", "finding": meta.finding_id or "",
        "streams": streams, "exif": exif, "notes": notes, "extra": meta.extra,
        "parent": None, "supersedes": None,
    }
    if supersedes is not None:
        old = _manifest_row(s, supersedes[0])
        if not supersedes[1].strip():
            raise UserError("更正须说明理由。", "A correction must say why.")
        manifest["supersedes"] = {"item": supersedes[0], "manifest_sha256": old.sha256, "reason": supersedes[1]}
    if parent is not None:
        prow = _manifest_row(s, parent[0], ("evidence", "record"))
        if parent[1] not in DERIVED_RELATIONS:
            raise UserError("未知的派生关系。", "Unknown derivation.")
        manifest["parent"] = {"item": parent[0], "manifest_sha256": prow.sha256, "relation": parent[1]}
    row = sign_and_store(s, store, case_id, "evidence", manifest, signers, object_id=item_id)
    staged_thumb = thumb.thumb if thumb is not None else None
    s.add(EvidenceItem(
        id=item_id, case_id=case_id, kind=meta.kind, measure=meta.measure, title=manifest["title"],
        manifest_id=row.id, parent_id=parent[0] if parent else None,
        supersedes_id=supersedes[0] if supersedes else None, checklist_entry_id=meta.checklist_entry_id,
        finding_id=meta.finding_id, obtained_at=claim["wall"], created=utc_now(),
        thumbnail_sha256=staged_thumb.sha256 if staged_thumb is not None else None,  # derived below, same transaction
    ))
    s.flush()
    thumb_id = None
    if thumb is not None and staged_thumb is not None:
        thumb.thumb = None
        thumb_id, _sha = _derive_in(s, store, bs, case_id, item_id, row.sha256, "thumbnail", staged_thumb,
                                    thumb.thumb_head, signers, created, after=claim)
    return CaptureResult(item_id, row.sha256, tuple(notes), thumb_id)


def _manifest_row(s: Session, item_id: str, types: tuple[str, ...] = ("evidence",)) -> SignedObject:
    row = s.scalars(select(SignedObject).where(SignedObject.id == item_id, SignedObject.type.in_(types))).first()
    if row is None:
        raise UserError("所指的证据不存在。", "The referenced evidence item does not exist.")
    return row


def _derive_in(s: Session, store: Store, bs: BlobStore, case_id: str, parent_id: str, parent_sha: str,
               relation: str, data: bytes | StagedBlob, head: bytes, signers: list[str], created: list[StoredBlob],
               after: dict[str, Any] | None = None) -> tuple[str, str]:
    """A derived item in the caller's transaction: (its id, the SHA-256 of its one stream). ``after`` is the clock
    claim of the entry this transaction appended last (saves reading it back from the journal)."""
    stored = bs.adopt(s, data) if isinstance(data, StagedBlob) else bs.ingest_bytes(s, data)
    if stored.new:
        created.append(stored)
    item_id = uuid7()
    manifest: dict[str, Any] = {
        "v": 1, "type": "evidence", "case": case_id, "item": item_id, "device": store.device_id,
        "kind": "documentary" if relation == "print" else "audiovisual", "measure": "record_media",
        "title": f"{relation}", "description": "", "place": "", "source": {"text": "", "system": "", "extraction": ""},
        "provider": None, "original": False, "quantity": "",
        "obtained_at": clock_claim(s, case_id) if after is None else claim_after(after),
        "inspectors": signers, "checklist_entry": "", "finding": "",
        "streams": [{"index": 0, "name": f"{relation}.bin", "media_type": sniff(head[:512]), "size": stored.size,
                     "sha256": stored.sha256}],
        "exif": {}, "notes": [], "extra": {},
        "parent": {"item": parent_id, "manifest_sha256": parent_sha, "relation": relation}, "supersedes": None,
    }
    row = sign_and_store(s, store, case_id, "evidence", manifest, signers, object_id=item_id)
    s.add(EvidenceItem(id=item_id, case_id=case_id, kind=manifest["kind"], measure="record_media", title=relation,
                       manifest_id=row.id, parent_id=parent_id, obtained_at=manifest["obtained_at"]["wall"],
                       created=utc_now()))
    s.flush()
    return item_id, stored.sha256


def derive(store: Store, case_id: str, parent_id: str, relation: str, data: bytes) -> str:
    """A derived copy (rotation, redaction, watermark, printed PDF, scan of signed paper) pointing at its parent."""
    bs = BlobStore(store)
    created: list[StoredBlob] = []
    try:
        with store.transaction() as s:
            require_open(s, case_id, correction=True)
            signers = signing_pair(s, store, case_id)
            parent = _manifest_row(s, parent_id, ("evidence", "record"))
            return _derive_in(s, store, bs, case_id, parent_id, parent.sha256, relation, data, data[:512], signers,
                              created)[0]
    except BaseException:
        _unlink_created(bs, created)
        raise


__all__ = ["CaptureMeta", "CaptureResult", "CaptureSource", "IngestCancelled", "Provider", "capture", "derive"]
