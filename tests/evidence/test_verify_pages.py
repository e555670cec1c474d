"""Page signatures against the issued pages (app/evidence/verify_pages.py), on journal data made by hand: what a
signature binds must be the hash of that page of the record's issued document as shown (with the dates of the
signatures given on it before)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.page_hash import signed_at_text, text_sha256
from app.evidence.verify_pages import verify_page_bindings
from app.evidence.verify_rules import Verification

RECORD = "rec-1"


def _journal(events: list[tuple[str, dict[str, Any]]]) -> tuple[list[bytes], dict[str, bytes]]:
    leaves, payloads = [], {}
    for seq, (kind, payload) in enumerate(events):
        sha = canonical_sha256(payload)
        payloads[sha] = canonical_bytes(payload)
        leaves.append(canonical_bytes({"entry": {"seq": seq, "type": kind, "payload_sha256": sha}, "sig": {}}))
    return leaves, payloads


def _issued(texts: list[str], record: str = RECORD) -> tuple[str, dict[str, Any]]:
    return "document.issued", {"form": "interview", "source": {"record": record, "sha256": "x"}, "pages": [
        {"part": "interview-1", "page": k, "of": len(texts), "sha256": text_sha256(t), "text": t}
        for k, t in enumerate(texts, 1)]}


def _signed(page: int, shown: str, wall: str = "2026-11-23T03:50:00.000Z", record: str = RECORD,
            oid: str = "sig") -> tuple[str, dict[str, Any]]:
    return "provider.signed", {"type": "provider-signature", "id": oid, "body": {
        "type": "provider-signature", "target": record, "target_type": "record", "page": page,
        "shown_sha256": shown, "time": {"wall": wall}}}


def _codes(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    v = Verification()
    verify_page_bindings(v, *_journal(events))
    return v.codes


def test_signatures_binding_the_issued_pages_pass() -> None:
    first = dt.datetime(2026, 11, 23, 11, 50)  # 03:50 UTC seen on a laptop at UTC+8
    day, clock = signed_at_text(first)
    assert _codes([_issued(["第一页 问答", "第二页"]),
                   _signed(1, text_sha256("第一页 问答"), oid="a"),
                   _signed(1, text_sha256("第一页 问答" + day + clock), wall="2026-11-23T03:55:00.000Z", oid="b"),
                   _signed(2, text_sha256("第二页"), oid="c")]) == []


def test_a_signature_moved_onto_other_text_fails() -> None:
    assert _codes([_issued(["第一页", "第二页"]), _signed(2, text_sha256("另一页"))]) == ["page_binding_mismatch"]
    # a signature given after another on that page binds the page with the other's date: the bare page is not it
    assert _codes([_issued(["第一页"]), _signed(1, text_sha256("第一页"), oid="a"),
                   _signed(1, text_sha256("第一页"), oid="b")]) == ["page_binding_mismatch"]


def test_an_issued_page_changed_under_its_signature_fails() -> None:
    kind, doc = _issued(["第一页"])
    doc["pages"][0]["text"] = "第一页（改）"
    assert _codes([(kind, doc), _signed(1, text_sha256("第一页"))]) == ["page_binding_mismatch"]


def test_a_page_or_document_not_issued_fails() -> None:
    assert _codes([_issued(["第一页"]), _signed(3, text_sha256("第一页"))]) == ["page_not_issued"]
    assert _codes([_signed(1, text_sha256("第一页"))]) == ["page_not_issued"]
