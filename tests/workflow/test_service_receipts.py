"""Paper is evidence: a 送达 is kept per served document, by its 文号, and each has its own 送达回证.

Two 更正（补正）通知书 of one case, both served, give two receipts, each naming its own notice's 文号 and its own
date; a second service of the same 文号 is refused with the number and when it was served; a service recorded
before services were kept per 文号 (no ``v``, no number) still prints as it did.

One demo profile for the module (real SQLCipher store, real PDFs read back with pdftotext, real verify)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from app.errors import UserError
from app.evidence.page_hash import normalise
from app.models.profile import Store
from app.workflow.demo import DEMO_HOSPITAL, build_demo
from tests.workflow.test_reissue import P1, P2, _store, _text  # the demo's passphrases; open it; a PDF's text

FIRST_AT, SECOND_AT = datetime(2026, 12, 11, 9, 30), datetime(2026, 12, 14, 15, 5)


@dataclass
class Demo:
    root: Path
    case_id: str
    actor: str
    numbers: tuple[str, str]  # the two correction notices' 文号


def _serve(store: Store, demo_id: str, actor: str, form: str, at: datetime, number: str = "") -> None:
    from app.workflow.printing_data import record_service

    with store.transaction() as s:
        record_service(s, store, demo_id, actor, document_form=form, document_number=number,
                       recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                       served_at=at, servers=["王建国", "李晓梅"], today=at.date())  # served that day, not later


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A served 责令改正通知书 corrected twice; each correction notice served on its own day."""
    from app.workflow.correction import correct
    from app.workflow.printing import print_case

    tmp = tmp_path_factory.mktemp("served")
    result = build_demo(tmp / "demo", P1, P2)
    case_id, actor = result.case_id, result.inspector_ids[0]
    with _store(tmp / "demo") as store:
        print_case(store, case_id, "rectification", io.BytesIO(), actor, today=date(2026, 12, 10))
        _serve(store, case_id, actor, "rectification", datetime(2026, 12, 10, 10, 15))
        first = correct(store, case_id, actor, "rectification", [("原文甲", "更正甲")], "第一次更正",
                        today=date(2026, 12, 11))
        _serve(store, case_id, actor, "correction", FIRST_AT)  # the one unserved notice: its number is taken
        second = correct(store, case_id, actor, "rectification", [("原文乙", "更正乙")], "第二次更正",
                         today=date(2026, 12, 14))
        _serve(store, case_id, actor, "correction", SECOND_AT, second.number)
    assert first.number and second.number and first.number != second.number
    return Demo(tmp / "demo", case_id, actor, (first.number, second.number))


def test_each_served_correction_notice_has_its_own_receipt(demo: Demo, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.__main__ import main
    from app.workflow.printing import print_case

    one, two = (normalise(n) for n in demo.numbers)
    with _store(demo.root) as store:
        everything = io.BytesIO()  # the closing page's preview: every receipt, none replacing another
        print_case(store, demo.case_id, "service-receipt", everything, demo.actor, today=date(2026, 12, 15))
    all_text = _text(everything.getvalue())
    assert one in all_text and two in all_text and "2026年12月10日10时15分" in all_text  # + the rectification's
    fa, fb = tmp_path / "p1", tmp_path / "p2"
    fa.write_text(P1 + "\n", encoding="utf-8")
    fb.write_text(P2 + "\n", encoding="utf-8")
    pdfs = [tmp_path / "receipt-1.pdf", tmp_path / "receipt-2.pdf"]
    for number, pdf in zip(demo.numbers, pdfs, strict=True):  # one 送达回证 a PDF, by the served 文号
        assert main(["print", str(demo.root), "--case", demo.case_id, "--form", "service-receipt", "--out", str(pdf),
                     "--served", number, "--passphrase-file", str(fa), "--passphrase-file", str(fb)]) == 0
    assert main(["print", str(demo.root), "--case", demo.case_id, "--form", "service-receipt", "--out",
                 str(tmp_path / "none.pdf"), "--served", "某〔2026〕99号", "--passphrase-file", str(fa)]) == 2
    assert "某〔2026〕99号" in capsys.readouterr().err and not (tmp_path / "none.pdf").exists()
    first, second = (_text(p.read_bytes()) for p in pdfs)
    assert "送达回证" in first and "更正（补正）通知书" in first
    assert one in first and "2026年12月11日09时30分" in first
    assert two not in first and "2026年12月14日" not in first
    assert two in second and "2026年12月14日15时05分" in second
    assert one not in second and "2026年12月11日" not in second
    pkg = tmp_path / "case.fapkg"
    assert main(["export", str(demo.root), "--case", demo.case_id, "--out", str(pkg), "--passphrase-file",
                 str(fa)]) == 0
    assert main(["verify", str(pkg)]) == 0
    for pdf in pdfs:
        capsys.readouterr()
        assert main(["verify-page", str(pdf), "--package", str(pkg)]) == 0, capsys.readouterr()


def test_each_receipt_is_its_own_document_keyed_by_the_served_number(demo: Demo) -> None:
    from app.workflow.issuing import issued_documents

    with _store(demo.root) as store, store.session() as s:
        receipts = issued_documents(s, demo.case_id, "service-receipt")
    served = [(d.source.get("served"), d.source.get("number")) for d in receipts]
    assert ("correction", demo.numbers[0]) in served and ("correction", demo.numbers[1]) in served
    assert len(set(served)) == len(served) == len({d.sha256 for d in receipts})


def test_a_second_service_of_the_same_number_is_refused_naming_it(demo: Demo) -> None:
    from app.workflow.printing_data import document_details

    with _store(demo.root) as store:
        with store.session() as s:
            before = list(document_details(s, demo.case_id)["service"])
        with pytest.raises(UserError) as info:
            _serve(store, demo.case_id, demo.actor, "correction", datetime(2026, 12, 16, 9, 0), demo.numbers[0])
        assert info.value.code == "service.duplicate"
        assert demo.numbers[0] in info.value.message_zh and "2026-12-11 09:30" in info.value.message_zh
        assert demo.numbers[0] in info.value.message_en and "2026-12-11 09:30" in info.value.message_en
        with pytest.raises(UserError) as info:  # no number named: every correction notice is served already
            _serve(store, demo.case_id, demo.actor, "correction", datetime(2026, 12, 16, 9, 0))
        assert info.value.code == "service.duplicate" and demo.numbers[1] in info.value.message_zh
        with pytest.raises(UserError) as info:
            _serve(store, demo.case_id, demo.actor, "rectification", datetime(2026, 12, 16, 9, 0))
        assert info.value.code == "service.duplicate" and "2026-12-10 10:15" in info.value.message_zh
        with pytest.raises(UserError) as info:  # a number that is no correction notice of the case
            _serve(store, demo.case_id, demo.actor, "correction", datetime(2026, 12, 16, 9, 0), "某〔2026〕99号")
        assert "某〔2026〕99号" in info.value.message_zh and demo.numbers[0] in info.value.message_zh
        with store.session() as s:
            assert document_details(s, demo.case_id)["service"] == before  # nothing kept of a refused record


def test_a_service_recorded_before_numbers_still_prints(demo: Demo) -> None:
    """A legacy entry (keyed by form, no number) prints its receipt with the form's 文号, as it always did."""
    from app.workflow.issuing import issued_documents
    from app.workflow.printing import print_case
    from app.workflow.steps_base import case_data, get_case, save_data, section

    with _store(demo.root) as store:
        with store.transaction() as s:
            case = get_case(s, demo.case_id)
            data = case_data(case)
            section(data, "documents")["service"].append(
                {"form": "defence-notice", "number": "", "recipient": DEMO_HOSPITAL["name"], "place": "医院",
                 "method": "直接送达", "served_at": "2026-12-12T11:40", "servers": ["王建国", "李晓梅"],
                 "refusal_reason": "", "witness": "", "photos": [], "received_by": "", "consent": "",
                 "address": "", "recorded": "2026-12-12T03:40:00Z"})
            save_data(case, data)
        pdf = io.BytesIO()
        print_case(store, demo.case_id, "service-receipt", pdf, demo.actor, today=date(2026, 12, 15),
                   served_number="")
        with store.session() as s:
            receipts = issued_documents(s, demo.case_id, "service-receipt")
            result = [d for d in receipts if d.source.get("served") == "defence-notice"]
        text = _text(pdf.getvalue())
        assert result and result[-1].source == {"form": "service-receipt", "served": "defence-notice"}
        assert "2026年12月12日11时40分" in text and "〔2026〕" in text
        assert all(normalise(n) not in text for n in demo.numbers)
        again = io.BytesIO()  # a reprint is the same document
        print_case(store, demo.case_id, "service-receipt", again, demo.actor, today=date(2026, 12, 20),
                   served_number="")
        assert _text(again.getvalue()) == text
        with pytest.raises(UserError) as info:  # the legacy entry counts: that document was served
            _serve(store, demo.case_id, demo.actor, "defence-notice", datetime(2026, 12, 16, 9, 0))
        assert info.value.code == "service.duplicate" and "2026-12-12 11:40" in info.value.message_zh


def test_reissuing_a_receipt_names_which_served_document(demo: Demo) -> None:
    """Two receipts of one form: re-issuing one needs the served 文号 (and one whose data did not change is
    refused as unchanged, never replaced)."""
    from app.workflow.printing import print_case
    from app.workflow.reissue import reissue_form

    with _store(demo.root) as store:
        print_case(store, demo.case_id, "service-receipt", io.BytesIO(), demo.actor, today=date(2026, 12, 15),
                   served_number=demo.numbers[0])  # issued (a reprint when the first test ran)
        with pytest.raises(UserError) as info, store.transaction() as s:
            reissue_form(s, store, demo.case_id, "service-receipt", demo.actor, reason="核对",
                         served_form="correction", today=date(2026, 12, 20))
        assert info.value.code == "document.which_receipt"
        assert all(n in info.value.message_zh for n in demo.numbers)
        with pytest.raises(UserError) as info, store.transaction() as s:
            reissue_form(s, store, demo.case_id, "service-receipt", demo.actor, reason="核对",
                         served_form="correction", served_number=demo.numbers[0], today=date(2026, 12, 20))
        assert info.value.code == "document.unchanged"
