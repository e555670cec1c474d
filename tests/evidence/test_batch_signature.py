"""The provider signs once for many items: one binding to the hashes of all of them and to the list shown; the
package verifier and the archive's rules accept it and catch a list that does not match what was signed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import UserError
from app.evidence.canonical import canonical_sha256, loads
from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.evidence.items import item_statuses
from app.evidence.package import export_case, verify_package
from app.evidence.provider import Signer, record_batch_signature, record_signature
from app.evidence.verify_rules import Verification, check_batch, references, required_blobs
from app.models.profile import Store
from app.models.schema import SignedObject
from app.workflow.demo_files import signature_png, signature_strokes
from tests.evidence.test_capture import jpeg, new_case

SIGNER = Signer("钱护士", "证据提供者（护士长）")


def _items(store: Store, case_id: str, n: int) -> list[str]:
    return [capture(store, case_id, [CaptureSource(f"IMG_{i}.jpg", data=jpeg((320 + i, 240)))],
                    CaptureMeta("audiovisual", "record_media", f"照片 {i}", source="三病区")).item_id
            for i in range(n)]


def _sign(store: Store, case_id: str, ids: list[str]) -> str:
    strokes = signature_strokes(7)
    return record_batch_signature(store, case_id, ids, SIGNER, strokes, signature_png(strokes))


def test_one_signature_answers_every_listed_item_and_the_package_verifies(unlocked: Store, tmp_path: Path) -> None:
    store = unlocked
    case_id = new_case(store)
    ids = _items(store, case_id, 4)
    batch = _sign(store, case_id, ids[:3])
    strokes = signature_strokes(8)
    record_signature(store, case_id, ids[3], SIGNER, strokes, signature_png(strokes))  # single-item signing stays
    with store.session() as s:
        assert {st.item_id: st.provider for st in item_statuses(s, case_id)} == dict.fromkeys(ids, "signed")
        row = s.get(SignedObject, batch)
        assert row is not None and row.type == "provider-batch-signature"
        body = loads(row.body)
    assert [t["target"] for t in body["targets"]] == ids[:3]
    assert body["shown_sha256"] == canonical_sha256(body["shown"])
    assert [x["title"] for x in body["shown"]] == ["照片 0", "照片 1", "照片 2"]
    out = tmp_path / "case.fapkg"
    export_case(store, case_id, out)
    result, _ = verify_package(out)
    assert result.ok, result.failures


def test_an_empty_or_foreign_list_is_refused(unlocked: Store) -> None:
    store = unlocked
    case_id = new_case(store)
    other = new_case(store)
    foreign = _items(store, other, 1)
    with pytest.raises(UserError):
        _sign(store, case_id, [])
    with pytest.raises(UserError):
        _sign(store, case_id, foreign)


def _body(targets: list[tuple[str, str]]) -> dict[str, object]:
    shown = [{"seq": i, "title": f"t{i}", "target": t, "target_sha256": h} for i, (t, h) in enumerate(targets, 1)]
    return {"targets": [{"target": t, "target_type": "evidence", "target_sha256": h} for t, h in targets],
            "shown": shown, "shown_sha256": canonical_sha256(shown), "strokes_sha256": "a" * 64,
            "image_sha256": "b" * 64}


def test_the_rules_check_the_list_shown_against_the_list_signed() -> None:
    good = _body([("i1", "1" * 64), ("i2", "2" * 64)])
    v = Verification()
    check_batch(v, "batch", good)
    assert v.ok
    env = {"type": "provider-batch-signature", "body": good}
    assert [(r.id, r.sha256) for r in references(env)] == [("i1", "1" * 64), ("i2", "2" * 64)]
    assert required_blobs(env) == ["a" * 64, "b" * 64]
    # the provider was shown another list than the one bound
    swapped = dict(good, shown=list(reversed(good["shown"])))  # type: ignore[call-overload]
    v = Verification()
    check_batch(v, "batch", swapped)
    assert "reference_mismatch" in v.codes
    # an item listed twice, and an empty list
    twice = _body([("i1", "1" * 64), ("i1", "1" * 64)])
    v = Verification()
    check_batch(v, "batch", twice)
    assert "bad_object" in v.codes
    v = Verification()
    check_batch(v, "batch", {"targets": [], "shown": []})
    assert "bad_object" in v.codes
    # the hash of the list shown was altered
    v = Verification()
    check_batch(v, "batch", dict(good, shown_sha256="0" * 64))
    assert "reference_mismatch" in v.codes
