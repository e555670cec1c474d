"""The per-transaction index of a case's signed objects: read once, yet never stale within the transaction."""

from __future__ import annotations

from sqlalchemy import event

from app.evidence.canonical import canonical_bytes
from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.evidence.items import evidence_bodies, item_statuses
from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import SignedObject
from tests.evidence.test_capture import jpeg, new_case


def _refusal_row(case_id: str, target_id: str) -> SignedObject:
    body = canonical_bytes({"type": "provider-refusal", "case": case_id, "target": target_id, "reason": "拒绝签字"})
    return SignedObject(id=uuid7(), case_id=case_id, type="provider-refusal", target_id=target_id,
                        sha256=uuid7().replace("-", "").ljust(64, "0"), body=body, signatures=b"[]",
                        created=utc_now())


def test_statuses_read_the_case_once_and_see_what_the_transaction_adds(unlocked: Store) -> None:
    case_id = new_case(unlocked)
    item = capture(unlocked, case_id, [CaptureSource("a.jpg", data=jpeg())],
                   CaptureMeta("audiovisual", "onsite_inspection", "照片", source="现场")).item_id
    queries: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM signed_objects" in statement:
            queries.append(statement)

    event.listen(unlocked.engine, "before_cursor_execute", count)
    try:
        with unlocked.session() as s:
            first = item_statuses(s, case_id)
            assert [(st.item_id, st.provider) for st in first] == [(item, None)]
            assert evidence_bodies(s, case_id)[item]["title"] == "照片"
            assert item_statuses(s, case_id) == first
            assert len(queries) == 1  # read once for the three calls

            s.add(_refusal_row(case_id, item))  # pending, not flushed: seen, as the query's autoflush would
            assert item_statuses(s, case_id)[0].provider == "refused"
            assert len(queries) == 2
            s.rollback()  # the transaction ended: its index is gone with it
            assert item_statuses(s, case_id)[0].provider is None
            assert len(queries) == 3
    finally:
        event.remove(unlocked.engine, "before_cursor_execute", count)
