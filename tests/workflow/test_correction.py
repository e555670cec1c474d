"""After service a document is changed only by a 更正（补正）通知书 (app/workflow/correction.py): issued by two
inspectors in the name of the body that issued the original, naming its 文号 and each correction; the original
stays valid; the notice is served like any document, and its printed pages verify against the exported package.

One demo profile for the module (real SQLCipher store, real PDFs read back with pdftotext, real verify)."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from app.errors import UserError
from app.evidence.page_hash import normalise
from app.models.profile import Profile, Store
from app.workflow.demo import DEMO_HOSPITAL, build_demo

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"
CHANGED = "建立住院患者在床核查制度"


@dataclass
class Demo:
    root: Path
    case_id: str
    actor: str


def _store(root: Path, both: bool = True) -> Store:
    store = Profile.open(root).unlock(P1)
    if both:
        store.unlock_inspector(P2)
    return store


def _text(pdf: bytes) -> str:
    return normalise(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, check=True,
                                    capture_output=True, timeout=60).stdout.decode("utf-8"))


def _serve(store: Store, demo: Demo, form: str, at: datetime) -> None:
    from app.workflow.printing_data import record_service

    with store.transaction() as s:
        record_service(s, store, demo.case_id, demo.actor, document_form=form, document_number="",
                       recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                       served_at=at, servers=["王建国", "李晓梅"], today=at.date())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from app.workflow.printing import print_case
    from app.workflow.printing_data import set_outcome_details

    tmp = tmp_path_factory.mktemp("correction")
    result = build_demo(tmp / "demo", P1, P2)
    d = Demo(tmp / "demo", result.case_id, result.inspector_ids[0])
    with _store(d.root) as store:
        print_case(store, d.case_id, "rectification", io.BytesIO(), d.actor, today=date(2026, 12, 10))
        _serve(store, d, "rectification", datetime(2026, 12, 10, 10, 15))
        with store.transaction() as s:  # the case data the served notice read changes afterwards
            set_outcome_details(s, store, d.case_id, d.actor, handling="责令退回医疗保障基金，责令限期改正，并处罚款",
                                penalty="罚款", fine_fen=12_801_600, rectification=[CHANGED],
                                rectification_deadline=date(2026, 12, 31))
    return d


def _original(store: Store, demo: Demo, form: str = "rectification") -> tuple[str, str]:
    from app.workflow.issuing import current_document

    with store.session() as s:
        doc = current_document(s, demo.case_id, form, {"form": form})
        assert doc is not None
        return doc.sha256, doc.number


def test_reissue_of_a_served_document_is_refused_and_names_the_correct_command(demo: Demo) -> None:
    from app.workflow.reissue import reissue_form

    with _store(demo.root) as store, pytest.raises(UserError) as info, store.transaction() as s:
        reissue_form(s, store, demo.case_id, "rectification", demo.actor, reason="送达后修改",
                     today=date(2026, 12, 11))
    assert info.value.code == "document.served"
    assert "app.cli correct" in info.value.message_zh and "app.cli correct" in info.value.message_en


def test_one_inspector_cannot_issue_a_correction(demo: Demo) -> None:
    from app.workflow.correction import correct, corrections_of

    with _store(demo.root, both=False) as store:
        with pytest.raises(UserError) as info:
            correct(store, demo.case_id, demo.actor, "rectification", [("旧", "新")], "一人更正",
                    today=date(2026, 12, 12))
        assert "两名" in info.value.message_zh
        with store.session() as s:
            from app.workflow.steps_base import get_case

            assert corrections_of(get_case(s, demo.case_id)) == ()  # nothing kept of the refused attempt


def test_correction_of_an_unserved_or_unissued_document_or_a_record_is_refused(demo: Demo) -> None:
    from app.workflow.correction import correct, parse_item
    from app.workflow.printing import print_case

    with _store(demo.root) as store:
        print_case(store, demo.case_id, "defence-notice", io.BytesIO(), demo.actor, today=date(2026, 12, 10))
        with pytest.raises(UserError) as info:
            correct(store, demo.case_id, demo.actor, "defence-notice", [("甲", "乙")], "未送达", today=date(2026, 12, 12))
        assert info.value.code == "correction.not_served" and "reissue" in info.value.message_zh
        with pytest.raises(UserError) as info:
            correct(store, demo.case_id, demo.actor, "interview", [("甲", "乙")], "笔录", today=date(2026, 12, 12))
        assert info.value.code == "correction.form"
        with pytest.raises(UserError) as info:
            correct(store, demo.case_id, demo.actor, "rectification", [], "无事项", today=date(2026, 12, 12))
        assert info.value.code == "correction.items"
        with pytest.raises(UserError) as info:
            correct(store, demo.case_id, demo.actor, "rectification", [("甲", "乙")], "  ", today=date(2026, 12, 12))
        assert info.value.code == "correction.reason"
    with pytest.raises(UserError):
        parse_item("没有箭头")


def test_correction_issued_served_and_verified(demo: Demo, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.__main__ import main
    from app.workflow.issuing import SUPERSEDED, current_document, issued_documents
    from app.workflow.printing import print_case

    with _store(demo.root) as store:
        sha, number = _original(store, demo)
    assert number
    fa, fb = tmp_path / "p1", tmp_path / "p2"
    fa.write_text(P1 + "\n", encoding="utf-8")
    fb.write_text(P2 + "\n", encoding="utf-8")
    pdf = tmp_path / "correction.pdf"
    capsys.readouterr()
    assert main(["correct", str(demo.root), "--case", demo.case_id, "--form", "rectification",
                 "--item", f"建立挂床住院自查制度=>{CHANGED}", "--item", "原文第二处=>更正第二处",
                 "--reason", "改正事项表述有误", "--out", str(pdf),
                 "--passphrase-file", str(fa), "--passphrase-file", str(fb)]) == 0
    out = capsys.readouterr().out
    assert f"corrects {number}" in out
    text = _text(pdf.read_bytes())
    for wanted in ("更正（补正）通知书", number, CHANGED, "原文第二处", "更正第二处", "改正事项表述有误", "继续有效",
                   "某市医疗保障局", "行政复议"):
        assert normalise(wanted) in text, wanted
    with _store(demo.root) as store:
        with store.session() as s:
            docs = issued_documents(s, demo.case_id, "correction")
            assert len(docs) == 1 and docs[0].source["corrects"] == sha and docs[0].number
            # the original stays valid: still the document in force, never superseded
            orig = current_document(s, demo.case_id, "rectification", {"form": "rectification"})
            assert orig is not None and orig.sha256 == sha
            from sqlalchemy import select

            from app.models.schema import JournalLeaf

            assert not s.execute(select(JournalLeaf.seq).where(JournalLeaf.log_id == demo.case_id,
                                                               JournalLeaf.type == SUPERSEDED)).all()
        # a reprint gives the same document; the correction is served with its own 送达回证
        again = io.BytesIO()
        print_case(store, demo.case_id, "correction", again, demo.actor, today=date(2026, 12, 20))
        assert _text(again.getvalue()) == text
        _serve(store, demo, "correction", datetime(2026, 12, 13, 9, 30))
        receipt = io.BytesIO()
        print_case(store, demo.case_id, "service-receipt", receipt, demo.actor, today=date(2026, 12, 13))
        assert normalise("更正（补正）通知书") in _text(receipt.getvalue())
        assert normalise(docs[0].number) in _text(receipt.getvalue())
    pkg = tmp_path / "case.fapkg"
    assert main(["export", str(demo.root), "--case", demo.case_id, "--out", str(pkg), "--passphrase-file",
                 str(fa)]) == 0
    assert main(["verify", str(pkg)]) == 0
    capsys.readouterr()
    assert main(["verify-page", str(pdf), "--package", str(pkg)]) == 0, capsys.readouterr()
