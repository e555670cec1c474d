"""A stranger's package: a new case (not the demo) exported and checked by a reviewer who was not there.

A third inspector enrolled on the same laptop is on the roster but not on the case. The laptop's own rules
(``signing_pair``) never let them sign for the case, but a laptop is not trusted: a forged store can. The verifier
must refuse a signed object of the case signed by someone who is not an inspector of the case (the team as the
case's journal states it: ``case.created``, then ``recusal.inspector_replaced``), with a roster or without one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.evidence.objects import sign_and_store
from app.evidence.package import export_case, export_roster
from app.evidence.provider import record_refusal
from app.ids import uuid7
from app.models.profile import Profile, Store
from app.workflow.cases import CaseSpec, add_institution, create_case
from tests.archive.helpers import REPO
from tests.conftest import TwoInspectorProfile

PASS_C = "third inspector 丙 passphrase"
META = CaptureMeta("electronic", "request_material", "HIS 导出", source="被检查单位 HIS 系统导出",
                   source_system="HIS", extraction_method="数据库导出")


def _verify(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "verify", str(package), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)


def _store_with_outsider(two: TwoInspectorProfile) -> tuple[Store, str, str]:
    """The two inspectors' store with a third inspector enrolled and unlocked; a new case of the first two.
    Returns the store, the case and the outsider's id."""
    store = Profile.open(two.root).unlock(two.pass_a)
    store.unlock_inspector(two.pass_b)
    outsider = store.enroll("赵局外", "42010020269999", "某市医疗保障基金稽核中心", PASS_C)
    store.unlock_inspector(PASS_C)
    with store.transaction() as s:
        inst = add_institution(s, name="某社区卫生服务中心", kind="designated_hospital")
        case = create_case(s, store, two.inspector_a, CaseSpec(
            institution_id=inst.id, kind="routine", inspector_ids=[two.inspector_a, two.inspector_b],
            title="门诊统筹专项检查")).id
    return store, case, outsider


def _forged_refusal(store: Store, case: str, item: str, signers: list[str]) -> None:
    """A provider refusal for ``item`` signed by ``signers`` (a forged store: the app's signing_pair is bypassed)."""
    with store.transaction() as s:
        from app.models.schema import SignedObject

        target = s.get(SignedObject, item)
        assert target is not None
        body = {"v": 1, "type": "provider-refusal", "case": case, "target": item, "target_type": "evidence",
                "target_sha256": target.sha256, "reason": "当事人拒绝签名", "signer": None, "witness": None,
                "photo_item": "", "photo_manifest_sha256": "",
                "time": {"boot": "b", "clock_trusted": True, "mono_ns": 1, "wall": "2026-11-23T09:30:00.000Z"},
                "inspectors": signers}
        sign_and_store(s, store, case, "provider-refusal", body, signers, object_id=uuid7(), target_id=item)


def test_a_refusal_signed_by_an_inspector_not_on_the_case_is_refused(two_inspectors: TwoInspectorProfile,
                                                                      tmp_path: Path) -> None:
    store, case, outsider = _store_with_outsider(two_inspectors)
    try:
        item = capture(store, case, [CaptureSource("his.csv", data=b"id,fee\n1,100\n")], META).item_id
        _forged_refusal(store, case, item, [two_inspectors.inspector_a, outsider])
        package = tmp_path / "case.fapkg"
        export_case(store, case, package, actor_id=outsider)  # the outsider's key is in the header's claims
        roster = tmp_path / "roster.json"
        roster.write_text(json.dumps(export_roster(store)), encoding="utf-8")
    finally:
        store.close()
    for args in ((), ("--trust", str(roster), "--unsigned-roster")):
        r = _verify(package, *args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "[signer_not_case_inspector]" in r.stdout, (args, r.stdout)
        assert outsider in r.stdout
        assert "FAILED" in r.stdout.splitlines()[-1]
        assert "Traceback" not in r.stderr


def test_the_same_new_case_signed_by_its_team_verifies(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    """Control: the same new case signed by its own two inspectors (the laptop's rules) verifies."""
    store, case, _outsider = _store_with_outsider(two_inspectors)
    try:
        item = capture(store, case, [CaptureSource("his.csv", data=b"id,fee\n1,100\n")], META).item_id
        record_refusal(store, case, item, "当事人拒绝签名")
        package = tmp_path / "case.fapkg"
        export_case(store, case, package)
    finally:
        store.close()
    r = _verify(package)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("OK")


def test_a_manifest_that_lies_about_a_stream_size_is_refused(two_inspectors: TwoInspectorProfile,
                                                            tmp_path: Path) -> None:
    """An evidence manifest signed by the case's two inspectors whose stream ``size`` is not the length of the
    bytes it names (the hash matches): the size is a signed claim a reviewer is shown (证据清单), so the verifier
    recomputes it."""
    from app.evidence.canonical import loads
    from app.models.schema import SignedObject

    store, case, _outsider = _store_with_outsider(two_inspectors)
    a, b = two_inspectors.inspector_a, two_inspectors.inspector_b
    try:
        data = b"id,fee\n1,100\n2,250\n"
        real = capture(store, case, [CaptureSource("his.csv", data=data)], META).item_id
        record_refusal(store, case, real, "当事人拒绝签名")
        with store.transaction() as s:
            row = s.get(SignedObject, real)
            assert row is not None
            body = dict(loads(row.body))
            body["item"] = forged = uuid7()
            body["streams"] = [{**body["streams"][0], "size": len(data) * 1000}]
            sign_and_store(s, store, case, "evidence", body, [a, b], object_id=forged)
        record_refusal(store, case, forged, "当事人拒绝签名")
        package = tmp_path / "case.fapkg"
        export_case(store, case, package)
    finally:
        store.close()
    r = _verify(package)
    assert r.returncode == 1, r.stdout + r.stderr
    bad = [line for line in r.stdout.splitlines() if line.endswith("[blob_mismatch]")]
    assert len(bad) == 1 and forged in bad[0] and str(len(data) * 1000) in bad[0], r.stdout
    assert "Traceback" not in r.stderr


def test_a_document_issued_with_an_inspector_not_on_the_case_is_refused(two_inspectors: TwoInspectorProfile,
                                                                       tmp_path: Path) -> None:
    """A ``document.issued`` entry naming as its second issuer (``co_issuer``) an inspector who is not on the case:
    issuing takes two inspectors of the case (条例 Art. 29), so the verifier refuses it (``co_issuer_invalid``), as
    it refuses a co-issuer who is unknown or the actor."""
    from app.evidence import journal

    store, case, outsider = _store_with_outsider(two_inspectors)
    try:
        item = capture(store, case, [CaptureSource("his.csv", data=b"id,fee\n1,100\n")], META).item_id
        record_refusal(store, case, item, "当事人拒绝签名")
        text = "稽核通知书"
        with store.transaction() as s:
            journal.append(s, store, case, two_inspectors.inspector_a, "document.issued", {
                "v": 1, "type": "document", "case": case, "form": "notice", "source": {"form": "notice"},
                "fingerprint": "0" * 64, "issued_on": "2026-11-20", "title": text, "number": "某医保稽通〔2026〕1号",
                "co_issuer": outsider, "pages": [], "document": {}})
        package = tmp_path / "case.fapkg"
        export_case(store, case, package, actor_id=outsider)
    finally:
        store.close()
    r = _verify(package)
    assert r.returncode == 1, r.stdout + r.stderr
    bad = [line for line in r.stdout.splitlines() if line.endswith("[co_issuer_invalid]")]
    assert len(bad) == 1 and outsider in bad[0], r.stdout
    assert "Traceback" not in r.stderr


def test_the_team_cannot_be_rewritten_from_outside_it(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    """The outsider first appends a journal entry that would put them on the case: a second ``case.created``
    naming them, or a ``recusal.inspector_replaced`` swapping an inspector for them, signed by themself. Only the
    journal's first ``case.created`` states the team, and only an inspector of the case replaces one, so their
    signature on the case's refusal still fails."""
    from app.evidence import journal

    a, b = two_inspectors.inspector_a, two_inspectors.inspector_b
    for attempt in ("case.created", "recusal.inspector_replaced"):
        root = tmp_path / attempt
        root.mkdir()
        import shutil

        shutil.copytree(two_inspectors.root, root / "profile")
        two = TwoInspectorProfile(root / "profile", a, b)
        store, case, outsider = _store_with_outsider(two)
        try:
            item = capture(store, case, [CaptureSource("his.csv", data=b"id,fee\n1,100\n")], META).item_id
            payload = ({"case": case, "inspectors": [a, outsider]} if attempt == "case.created"
                       else {"old": b, "new": outsider, "assigned_by": "某主任"})
            with store.transaction() as s:
                journal.append(s, store, case, outsider, attempt, payload)
            _forged_refusal(store, case, item, [a, outsider])
            package = root / "case.fapkg"
            export_case(store, case, package, actor_id=outsider)
        finally:
            store.close()
        r = _verify(package)
        assert r.returncode == 1, (attempt, r.stdout)
        assert "[signer_not_case_inspector]" in r.stdout, (attempt, r.stdout)
