"""The office's outcome forms are printed by the laptop's document model: the decision (行政处罚决定书) and its
送达回证 come out of a real archive as PDFs that pdftotext reads back with the decision's 文号, date and the
office user who took it, and a page statement the archive key signed."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import httpx
from pypdf import PdfReader

from app.documents.verify import decode
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.signing import SigningKey, b64, verify_raw
from archive.db import Case, StoredObject
from archive.office.auth import add_user
from archive.roster import add_inspector
from archive.service import open_archive
from tests.archive.helpers import ArchiveProcess

PASSWORD = "reviewer-pass-1"
CASE = "0190a0b4-1111-7222-8333-444455556666"


def _pushed(s, kind: str, body: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    s.add(StoredObject(sha256=canonical_sha256({"kind": kind, "body": body}), case_id=CASE, kind=kind,
                       body=canonical_bytes(body).decode(), device_id="dev-1", created_at=dt.datetime(2026, 10, 1)))


def _seed(data: Path) -> str:
    archive = open_archive(data, create=True)
    try:
        with archive.db.write() as s:
            for iid, name in (("insp-a", "李晓梅"), ("insp-b", "王建国")):
                add_inspector(s, id=iid, name=name, credential_no=f"CN-{iid}", organisation="某市医疗保障局",
                              public_key=b64(SigningKey.generate().public_raw()))
            s.add(Case(id=CASE, source="device", created_at=dt.datetime(2026, 10, 1)))
            _pushed(s, "case.created", {"case": CASE, "kind": "日常稽核", "title": "年度稽核",
                                        "institution": {"id": "inst-1", "name": "某市第一人民医院",
                                                        "uscc": "12340000123456789X",
                                                        "address": "某市某区解放路 18 号"},
                                        "period": ["2026-01-01", "2026-06-30"], "matters": ["住院费用"],
                                        "inspectors": ["insp-a", "insp-b"]})
            _pushed(s, "finding.added", {"finding": "f1", "violation": "", "description": "串换药品收费",
                                         "basis": "《医疗保障基金使用监督管理条例》第十五条", "amount_fen": 123456})
            _pushed(s, "case.closed", {"case": CASE})
        add_user(archive.db, "head", "钱科长", "head", PASSWORD)
        return archive.fingerprint
    finally:
        archive.db.dispose()


def _pdftotext(pdf: bytes, tmp: Path) -> str:
    path = tmp / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_decision_and_receipt_print_from_the_document_model(tmp_path: Path) -> None:
    _seed(tmp_path / "a")
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        with httpx.Client(base_url=proc.url, timeout=120) as c:
            assert c.post("/office/login", data={"login": "head", "password": PASSWORD}).status_code == 303
            page = c.get(f"/office/cases/{CASE}")
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)  # type: ignore[union-attr]
            before = c.get(f"/office/cases/{CASE}/outcome/decision.pdf")
            assert before.status_code == 409 and "decided step is not recorded" in before.text
            for stage, form in (("filed", {"on": "2026-11-02"}), ("investigated", {"on": "2026-11-03"}),
                                ("notified", {"on": "2026-11-04"}),
                                ("decided", {"on": "2026-11-05", "waived": "yes", "amount": "1234.56",
                                             "decision": "责令退回违规使用的医保基金，并自收到本决定书之日起十五日内履行。"}),
                                ("served", {"on": "2026-11-06", "method": "直接送达", "recipient": "某市第一人民医院",
                                            "place": "医院行政楼", "servers": "李晓梅、王建国"})):
                r = c.post(f"/office/cases/{CASE}/steps/{stage}", data={"csrf": csrf, **form})
                assert r.status_code == 303, (stage, r.text)
            page = c.get(f"/office/cases/{CASE}")
            assert 'id="decision-pdf"' in page.text and 'id="receipt-pdf"' in page.text
            # every step taken over the web is signed by the user's own key, and the page says so
            assert page.text.count("本人密钥签名 signed by 钱科长") == 5
            decision = c.get(f"/office/cases/{CASE}/outcome/decision.pdf")
            receipt = c.get(f"/office/cases/{CASE}/outcome/service-receipt.pdf")
            assert c.get(f"/office/cases/{CASE}/outcome/notice.pdf").status_code == 404
        assert decision.status_code == 200 and decision.headers["content-type"] == "application/pdf"
        text = _pdftotext(decision.content, tmp_path)
        flat = re.sub(r"\s+", "", text)
        number = "某医保罚决〔2026〕1号"  # the bundled agency file's pattern, the office's first decision of 2026
        assert number in flat
        assert "行政处罚决定书" in flat and "某市第一人民医院" in flat and "12340000123456789X" in flat
        assert "某市某区解放路18号" in flat  # the party's address, as the laptop pushed it (行政处罚法 Art. 59)
        assert "签发：钱科长（科室负责人）2026年11月5日" in flat  # who took the decision, and when
        assert "串换药品收费" in flat and "退回医疗保障基金人民币壹仟贰佰叁拾肆元伍角陆分（¥1,234.56）" in flat
        assert "你单位明确放弃陈述、申辩权利" in flat
        assert "《中华人民共和国行政处罚法》第五十七条" in flat
        assert re.search(r"核验码\s*[A-Z0-9]{4}-[A-Z0-9]{4}", text)  # each page carries its 核验码
        rtext = re.sub(r"\s+", "", _pdftotext(receipt.content, tmp_path))
        assert "送达回证" in rtext and number in rtext and "直接送达" in rtext and "李晓梅、王建国" in rtext
    finally:
        proc.kill()


def test_the_page_statements_are_signed_by_the_archive(tmp_path: Path) -> None:
    """The office's decision PDF carries the laptop's page statements; the archive key signs them."""
    from archive.office.auth import Principal
    from archive.office.cases import summaries
    from archive.office.outcome import outcome_pdf
    from archive.office.procedure import state, take_step

    _seed(tmp_path / "a")
    archive = open_archive(tmp_path / "a", create=False)
    head = Principal("u", "head", "钱科长", "head", None, "x" * 64)
    try:
        with archive.db.write() as s:
            summary = next(c for c in summaries(s) if c.id == CASE)
            for stage, form in (("filed", {"on": "2026-11-02"}), ("investigated", {"on": "2026-11-03"}),
                                ("notified", {"on": "2026-11-04"}),
                                ("decided", {"on": "2026-11-05", "waived": "yes", "decision": "追回",
                                             "number": "某医保罚决〔2026〕88号"})):
                take_step(archive, s, head, summary, stage, form, today=dt.date(2026, 12, 1))
        with archive.db.read() as s:
            pdf = outcome_pdf(archive, s, summary, state(archive, s, summary)["done"], "decision")
        reader = PdfReader(io.BytesIO(pdf))
        assert "某医保罚决〔2026〕88号" in re.sub(r"\s+", "", reader.pages[0].extract_text())
        # the QR statement, as the laptop's page check reads it, is the archive key's
        qr = _qr_statements(pdf, tmp_path)
        assert qr, "no QR code on the decision"
        st, sig = decode(qr[0])
        assert st.case_id == CASE and st.form == "decision"
        verify_raw(archive.key.public_raw(), st.signing_input(), sig)
    finally:
        archive.db.dispose()


def _qr_statements(pdf: bytes, tmp: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    path = tmp / "q.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp / "q")], check=True)
    out = []
    for png in sorted(tmp.glob("q-*.png")):
        with Image.open(png) as im:
            out += [b.text for b in zxingcpp.read_barcodes(im) if b.format == zxingcpp.BarcodeFormat.QRCode]
    return out
