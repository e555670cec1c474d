"""A document, once issued, is frozen: printing reproduces it, a change of the case data it reads makes it stale
(said, not silently re-issued); replacing it is explicit (a new 文号 and date before service, refused after).

One demo profile per module (real SQLCipher store, real PDFs read back with pdftotext)."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

from app.errors import UserError
from app.evidence.page_hash import normalise
from app.models.profile import Profile, Store
from app.workflow.demo import DEMO_HOSPITAL, build_demo

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"


@dataclass
class Demo:
    root: Path
    case_id: str
    actor: str
    pdfs: dict[str, bytes] = field(default_factory=dict)


#: Services here are dated in December 2026; recorded as of the month's end (a service may not be later
#: than the day it is recorded, printing_data.record_service).
SERVICE_DAY = date(2026, 12, 31)


def _store(root: Path) -> Store:
    store = Profile.open(root).unlock(P1)
    store.unlock_inspector(P2)
    return store


def _text(pdf: bytes) -> str:
    return normalise(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, check=True,
                                    capture_output=True, timeout=60).stdout.decode("utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    tmp = tmp_path_factory.mktemp("reissue")
    result = build_demo(tmp / "demo", P1, P2)
    return Demo(tmp / "demo", result.case_id, result.inspector_ids[0])


def _print(store: Store, demo: Demo, form: str, day: date) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    from app.workflow.printing import print_case

    out = io.BytesIO()
    r = print_case(store, demo.case_id, form, out, demo.actor, today=day)
    return out.getvalue(), r.page_hashes, r.notes


def _change_outcome(store: Store, demo: Demo, item: str) -> None:
    from app.workflow.printing_data import set_outcome_details

    with store.transaction() as s:
        set_outcome_details(s, store, demo.case_id, demo.actor, handling="责令退回医疗保障基金，责令限期改正，并处罚款",
                            penalty="罚款", fine_fen=12_801_600, rectification=[item],
                            rectification_deadline=date(2026, 12, 31))


def _issued(store: Store, demo: Demo, form: str) -> list[str]:
    from app.workflow.issuing import issued_documents

    with store.session() as s:
        return [d.sha256 for d in issued_documents(s, demo.case_id, form)]


def test_changed_data_prints_the_frozen_document_and_says_it_is_stale(demo: Demo) -> None:
    with _store(demo.root) as store:
        pdf1, hashes1, notes1 = _print(store, demo, "defence-notice", date(2026, 12, 1))
        assert not any("已变更" in n for n in notes1)
        issued = _issued(store, demo, "defence-notice")
        _change_outcome(store, demo, "建立挂床住院自查制度")
        pdf2, hashes2, notes2 = _print(store, demo, "defence-notice", date(2026, 12, 3))
        # the same document: same 文号, date, text and page hashes; nothing issued anew
        assert hashes2 == hashes1 and pdf2 == pdf1
        assert _issued(store, demo, "defence-notice") == issued
        assert "建立挂床住院自查制度" not in _text(pdf2)
        stale = [n for n in notes2 if "已变更" in n]
        assert stale and "changed" in stale[0] and "陈述申辩告知书" in stale[0]


def test_reissue_before_service_takes_a_new_number_and_date_and_supersedes(demo: Demo) -> None:
    from app.workflow.issuing import current_document, issued_documents, superseded_by
    from app.workflow.reissue import reissue_form

    with _store(demo.root) as store:
        demo.pdfs["superseded"] = _print(store, demo, "rectification", date(2026, 12, 1))[0]
        with store.session() as s:
            old = issued_documents(s, demo.case_id, "rectification")[-1]
        assert old.number and old.issued_on == "2026-12-01"
        _change_outcome(store, demo, "建立药品追溯码核验制度并全员培训")
        with store.transaction() as s:
            new = reissue_form(s, store, demo.case_id, "rectification", demo.actor, reason="改正事项补充",
                               today=date(2026, 12, 4))
        assert new.number and new.number != old.number and new.issued_on == "2026-12-04"
        assert new.body["supersedes"]["document"] == old.sha256
        with store.session() as s:
            gone = superseded_by(s, demo.case_id)
            assert gone[old.sha256]["by"] == new.sha256 and gone[old.sha256]["number"] == old.number
            assert current_document(s, demo.case_id, "rectification", {"form": "rectification"}) == new
        pdf, _h, notes = _print(store, demo, "rectification", date(2026, 12, 9))
        text = _text(pdf)
        assert normalise(new.number) in text and normalise(old.number) not in text
        assert "2026年12月4日" in text and "建立药品追溯码核验制度并全员培训" in text
        assert not any("已变更" in n for n in notes)
        # nothing changed since: a second re-issue is refused, with its reason
        with pytest.raises(UserError) as info, store.transaction() as s:
            reissue_form(s, store, demo.case_id, "rectification", demo.actor, reason="再次", today=date(2026, 12, 5))
        assert info.value.code == "document.unchanged" and "未变更" in info.value.message_zh


def test_a_served_document_is_never_replaced(demo: Demo) -> None:
    from app.workflow.printing_data import record_service
    from app.workflow.reissue import reissue_form

    with _store(demo.root) as store:
        pdf1, hashes1, _n = _print(store, demo, "rectification", date(2026, 12, 10))
        with store.transaction() as s:
            record_service(s, store, demo.case_id, demo.actor, document_form="rectification", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 10, 10, 15), servers=["王建国", "李晓梅"],
                           today=SERVICE_DAY)
        before = _issued(store, demo, "rectification")
        _change_outcome(store, demo, "送达后变更的改正事项")
        pdf2, hashes2, notes = _print(store, demo, "rectification", date(2026, 12, 11))
        assert pdf2 == pdf1 and hashes2 == hashes1 and any("已变更" in n for n in notes)
        with pytest.raises(UserError) as info, store.transaction() as s:
            reissue_form(s, store, demo.case_id, "rectification", demo.actor, reason="送达后修改",
                         today=date(2026, 12, 11))
        assert info.value.code == "document.served"
        assert "更正" in info.value.message_zh and "correction" in info.value.message_en
        assert _issued(store, demo, "rectification") == before


def test_a_signed_record_is_never_reissued(demo: Demo) -> None:
    from app.workflow.reissue import reissue_form

    with _store(demo.root) as store, pytest.raises(UserError) as info, store.transaction() as s:
        reissue_form(s, store, demo.case_id, "interview", demo.actor, reason="x")
    assert info.value.code == "document.record"


def test_one_receipt_per_service_each_frozen(demo: Demo) -> None:
    from app.workflow.issuing import issued_documents
    from app.workflow.printing_data import record_service

    with _store(demo.root) as store:
        _pdf, hashes1, _n = _print(store, demo, "service-receipt", date(2026, 12, 12))
        with store.session() as s:
            first = [(d.sha256, d.source.get("served")) for d in issued_documents(s, demo.case_id, "service-receipt")]
        with store.transaction() as s:
            record_service(s, store, demo.case_id, demo.actor, document_form="defence-notice", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 12, 9, 0), servers=["王建国", "李晓梅"],
                           today=SERVICE_DAY)
        _pdf, hashes2, notes = _print(store, demo, "service-receipt", date(2026, 12, 13))
        with store.session() as s:
            after = [(d.sha256, d.source.get("served")) for d in issued_documents(s, demo.case_id, "service-receipt")]
        # the receipts issued before are unchanged; the new service has its own receipt
        assert after[: len(first)] == first and [f for _s, f in after[len(first):]] == ["defence-notice"]
        assert hashes2[: len(hashes1)] == hashes1 and len(hashes2) > len(hashes1)
        assert not any("已变更" in n for n in notes)


def test_cli_print_says_stale_and_reissue_names_the_refusal(demo: Demo, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.__main__ import main
    from app.workflow.printing_data import record_service

    fa = tmp_path / "p1"
    fa.write_text(P1 + "\n", encoding="utf-8")
    args = [str(demo.root), "--case", demo.case_id, "--form", "defence-notice", "--passphrase-file", str(fa)]
    assert main(["print", *args[:5], "--out", str(tmp_path / "a.pdf"), *args[5:]]) == 0
    with _store(demo.root) as store:
        _change_outcome(store, demo, "命令行测试的改正事项")
    capsys.readouterr()
    assert main(["print", *args[:5], "--out", str(tmp_path / "b.pdf"), *args[5:]]) == 0
    err = capsys.readouterr().err
    assert "已变更" in err and "changed" in err
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    with _store(demo.root) as store, store.transaction() as s:
        from app.workflow.reissue import served_on
        from app.workflow.steps_base import get_case

        if not served_on(get_case(s, demo.case_id), "defence-notice"):  # (served once only: a test before may have)
            record_service(s, store, demo.case_id, demo.actor, document_form="defence-notice", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 14, 9, 0), servers=["王建国", "李晓梅"],
                           today=SERVICE_DAY)
    capsys.readouterr()
    assert main(["reissue", *args, "--reason", "送达后修改"]) == 2
    err = capsys.readouterr().err
    assert "已于" in err and "送达" in err and "更正" in err and "correction notice" in err


def test_verify_page_names_the_document_that_superseded_a_page(demo: Demo, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A genuine page of a document replaced before service still verifies, and says by which document (文号) it was
    superseded and why."""
    from app.cli.__main__ import main

    if "superseded" not in demo.pdfs:
        pytest.skip("needs the re-issue test of this module")
    fa = tmp_path / "p1"
    fa.write_text(P1 + "\n", encoding="utf-8")
    pkg, pdf = tmp_path / "case.fapkg", tmp_path / "old.pdf"
    assert main(["export", str(demo.root), "--case", demo.case_id, "--out", str(pkg), "--passphrase-file",
                 str(fa)]) == 0
    pdf.write_bytes(demo.pdfs["superseded"])
    capsys.readouterr()
    assert main(["verify-page", str(pdf), "--package", str(pkg)]) == 0
    out = capsys.readouterr().out
    assert "取代" in out and "superseded" in out and "改正事项补充" in out and "1-2号" in out
