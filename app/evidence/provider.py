"""The provider's handwritten signature, or the recorded reason it could not be had (000 Art. 7(4); 001 Art. 32(3)).

A *binding* ties the stroke data and the rendered image to the SHA-256 of exactly what was shown to the signer
(the item's manifest, or one page of a record), with who, why and when; both inspectors sign the binding. Moving a
binding to another item fails verification because the target hash is inside what they signed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.errors import UserError
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import canonical_bytes, canonical_sha256, loads
from app.evidence.clock import clock_claim
from app.evidence.objects import require_open, sign_and_store, signing_pair
from app.ids import uuid7
from app.models.profile import Store
from app.models.schema import SignedObject

Stroke = Sequence[Sequence[int]]  # points: (x, y, t_ms, pressure, tilt_x, tilt_y), integers


@dataclass(frozen=True)
class Signer:
    name: str
    role: str = ""  # 证据提供者 / 被询问人 / 被检查单位负责人 / 见证人
    id_number: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "id_number": self.id_number}


def _target(s: Session, case_id: str, target_id: str) -> SignedObject:
    """The item or record to sign; after closing only a correction (which supersedes an earlier one) may be."""
    row = s.get(SignedObject, target_id)
    if row is None or row.type not in ("evidence", "record") or row.case_id != case_id:
        raise UserError("要签名的证据或笔录不存在。", "The item or record to sign does not exist.")
    require_open(s, case_id, correction=loads(row.body).get("supersedes") is not None)
    return row


def _validate_strokes(strokes: Sequence[Stroke]) -> list[list[list[int]]]:
    out: list[list[list[int]]] = []
    for stroke in strokes:
        pts = [[int(v) for v in p] for p in stroke]
        if any(len(p) < 3 for p in pts):
            raise UserError("签名笔迹数据不完整。", "The signature stroke data is incomplete.")
        if pts:
            out.append(pts)
    if not out or sum(len(st) for st in out) < 2:
        raise UserError("签名为空，请签名后再确认。", "The signature is empty; sign before confirming.")
    return out


def _store_signature(store: Store, case_id: str, type_: str, signer: Signer, strokes: Sequence[Stroke],
                     image_png: bytes, *, purpose: str, statement: str,
                     bound_to: Callable[[Session], dict[str, Any]], target_id: str | None = None) -> str:
    """What a signature on one item and a batch signature share: the checks of the signer's name, the strokes and
    the image; both kept as blobs; the binding (signer, purpose, statement, time, inspectors and what
    ``bound_to(session)`` says it binds) signed by both inspectors in one transaction. Returns the binding's id."""
    if not signer.name.strip():
        raise UserError("请填写签名人姓名。", "Enter the signer's name.")
    clean = _validate_strokes(strokes)
    if not image_png.startswith(b"\x89PNG"):
        raise UserError("签名图像无效。", "The signature image is not valid.")
    bs = BlobStore(store)
    with store.transaction() as s:
        bound = bound_to(s)
        signers = signing_pair(s, store, case_id)
        strokes_blob = bs.ingest_bytes(s, canonical_bytes({"v": 1, "strokes": clean}))
        image_blob = bs.ingest_bytes(s, image_png)
        binding: dict[str, Any] = {
            "v": 1, "type": type_, "case": case_id, **bound,
            "signer": signer.as_json(), "purpose": purpose, "statement": statement,
            "time": clock_claim(s, case_id),
            "strokes_sha256": strokes_blob.sha256, "image_sha256": image_blob.sha256,
            "inspectors": signers,
        }
        row = sign_and_store(s, store, case_id, type_, binding, signers, object_id=uuid7(), target_id=target_id)
        return row.id


def record_signature(store: Store, case_id: str, target_id: str, signer: Signer, strokes: Sequence[Stroke],
                     image_png: bytes, *, purpose: str = "证据确认", shown_sha256: str | None = None,
                     page: int | None = None, statement: str = "") -> str:
    """Store a provider's (or interviewee's) signature bound to ``target_id``; returns the binding's id."""

    def bound_to(s: Session) -> dict[str, Any]:
        target = _target(s, case_id, target_id)
        return {"target": target_id, "target_type": target.type, "target_sha256": target.sha256,
                "shown_sha256": shown_sha256 or target.sha256, "page": page}

    return _store_signature(store, case_id, "provider-signature", signer, strokes, image_png, purpose=purpose,
                            statement=statement, bound_to=bound_to, target_id=target_id)


def record_refusal(store: Store, case_id: str, target_id: str, reason: str, *, signer: Signer | None = None,
                   witness: Signer | None = None, photo_item_id: str | None = None) -> str:
    """The signature could not be had: the reason, optionally a witness and a photo, signed by both inspectors."""
    if len(reason.strip()) < 2:
        raise UserError("请写明未能取得签名的原因。", "State why the signature could not be obtained.")
    with store.transaction() as s:
        target = _target(s, case_id, target_id)
        signers = signing_pair(s, store, case_id)
        photo = ""
        if photo_item_id:
            photo_row = s.get(SignedObject, photo_item_id)
            if photo_row is None or photo_row.type != "evidence" or photo_row.case_id != case_id:
                raise UserError("所附照片不存在。", "The attached photo does not exist.")
            photo = photo_row.sha256
        body: dict[str, Any] = {
            "v": 1, "type": "provider-refusal", "case": case_id, "target": target_id,
            "target_type": target.type, "target_sha256": target.sha256, "reason": reason.strip(),
            "signer": signer.as_json() if signer else None, "witness": witness.as_json() if witness else None,
            "photo_item": photo_item_id or "", "photo_manifest_sha256": photo,
            "time": clock_claim(s, case_id), "inspectors": signers,
        }
        row = sign_and_store(s, store, case_id, "provider-refusal", body, signers, object_id=uuid7(),
                             target_id=target_id)
        return row.id


def batch_list(s: Session, case_id: str, target_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The list shown to the provider before a batch signature: one line per item (seq, title, id, hash)."""
    ids = list(dict.fromkeys(target_ids))
    if not ids:
        raise UserError("请至少选择一项证据。", "Choose at least one item.")
    shown = []
    for seq, target_id in enumerate(ids, 1):
        target = _target(s, case_id, target_id)
        if target.type != "evidence":
            raise UserError("批量签名只用于证据。", "A batch signature covers evidence items only.")
        shown.append({"seq": seq, "title": str(loads(target.body).get("title", "")), "target": target.id,
                      "target_sha256": target.sha256})
    return shown


def record_batch_signature(store: Store, case_id: str, target_ids: Sequence[str], signer: Signer,
                           strokes: Sequence[Stroke], image_png: bytes, *, purpose: str = "证据确认",
                           statement: str = "") -> str:
    """The provider signs once for the listed items (as on a paper evidence list): one binding to the hashes of
    all of them and to the list shown, signed by both inspectors; returns its id. Single-item signing stays."""

    def bound_to(s: Session) -> dict[str, Any]:
        shown = batch_list(s, case_id, target_ids)
        return {"targets": [{"target": x["target"], "target_type": "evidence", "target_sha256": x["target_sha256"]}
                            for x in shown],
                "shown": shown, "shown_sha256": canonical_sha256(shown)}

    return _store_signature(store, case_id, "provider-batch-signature", signer, strokes, image_png, purpose=purpose,
                            statement=statement, bound_to=bound_to)
