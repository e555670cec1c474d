"""Every form rendered with realistic data and read back: text, pages, fonts, QR codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.documents import FORMS, DocumentError, RenderResult, load_agency_config, render
from app.documents.chinese import chinese_date, money_capital, numeric_date
from app.documents.context import QA, DocumentContext, SignatureMark
from app.documents.fonts import font_for, has_glyph, register_fonts
from app.documents.layout import BODY_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, PAGE_W, TextOp
from app.documents.linebreak import NO_LINE_START
from app.documents.sample import CASE_ID, CHECKPOINT, PARTY_NAME, sample_context
from app.documents.verify import Statement, decode
from app.evidence.page_hash import normalise, text_sha256

SIGNATURE_LABEL = {
    "notice": "签收人",
    "onsite-record": "被检查人签名",
    "interview": "被询问人签名",
    "evidence-list": "证据提供人签名",
    "preservation": "当事人签名",
    "sealing": "当事人签名",
    "rectification": "签收人",
    "defence-notice": "签收人",
    "result-notice": "签收人",
    "service-receipt": "受送达人签名",
    "correction": "签收人",
}

EXPECTED_TEXT = {
    "notice": [
        "某市医疗保障局",
        "检查通知书",
        "某医保通〔2026〕17号",
        "12345678MB0123456X",
        "诸葛长青",
        "医保执法（2026）第0000123号",
        "医保执法（2026）第0000456号",
        "进销存台账",
        "2026年11月20日",  # GB/T 9704-2012 7.3.5.1: Arabic numerals
    ],
    "onsite-record": [
        "现场检查笔录",
        "2026年11月23日09时30分至12时10分",
        "欧阳明轩",
        "司马晓燕",
        "110101198502022345",
        "P001—P018",
        "申请回避",
        "记录人",
    ],
    "interview": [
        "询问笔录",
        "第一次",
        "2026年11月23日14时00分至16时25分",
        "（第30问）",
        "以下空白",
        "110101198001011234",
    ],
    "evidence-list": ["证据材料登记表", "与原件核对一致", "拒绝签名", "以上证据共60项"],
    "preservation": [
        "先行登记保存证据通知书",
        "先行登记保存证据清单",
        "HL-2026-006",
        "七日内",
        "不得损毁、销毁或者转移",
        "2026年11月29日",
    ],
    "sealing": [
        "封存决定书",
        "封存资料清单",
        "第一联（交被封存单位）",
        "第二联（本机关存档）",
        "共30日",
        "申请行政复议",
        "提起行政诉讼",
    ],
    "rectification": [
        "责令改正通知书",
        "2026年12月31日前",
        "逾期不改正",
        "人民币壹拾万元伍角（¥100,000.50）",
    ],
    "defence-notice": ["行政处罚事先告知书", "5个工作日内", "听证", "陈述和申辩", "拟给予罚款",
                       "第三十八条第（一）项", "责令退回"],
    "result-notice": ["稽核结果告知书", "1,005.00", "124,462.28", money_capital(12_446_228), "15日内",
                      "某医稽结〔2026〕17号", "某市医疗保障基金稽核中心"],
    "service-receipt": [
        "送达回证",
        "某医保封〔2026〕17号",
        "某医保告〔2026〕17号",
        "行政处罚事先告知书",
        "留置送达",
        "需请示院领导",
        "刘某某",
        "P101、P102",
    ],
    # issued by the body that issued the original (the department's 责令改正通知书), naming its 文号
    "correction": ["某市医疗保障局", "更正（补正）通知书", "某医保更〔2026〕17号", "《责令改正通知书》（某医保改〔2026〕17号）",
                   "原文：“于2026年12月31日前改正”", "更正为：“于2027年1月15日前改正”", "建立住院患者在床核查制度",
                   "改正期限和改正事项表述有误", "其他内容不变，继续有效", "申请行政复议"],
}


@dataclasses.dataclass
class Rendered:
    result: RenderResult
    path: Path
    reader: PdfReader
    texts: list[str]
    qr: list[Statement]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def big_ctx() -> DocumentContext:
    return sample_context(interview_questions=30, evidence_items=60, onsite_paragraphs=14)


@pytest.fixture(scope="session")
def agency_ctx() -> DocumentContext:
    """The same case run by the 稽核中心 under the agreement: the track that issues the 稽核结果告知书."""
    return sample_context(interview_questions=30, evidence_items=60, onsite_paragraphs=14, track="agency")


@pytest.fixture(scope="session")
def rendered(big_ctx: DocumentContext, agency_ctx: DocumentContext,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to read the QR codes back"
    out_dir = tmp_path_factory.mktemp("forms")
    done: dict[str, Rendered] = {}
    for form in FORMS:
        path = out_dir / f"{form}.pdf"
        result = render(form, agency_ctx if form == "result-notice" else big_ctx, path)
        reader = PdfReader(path)
        texts = [_squash(p.extract_text()) for p in reader.pages]
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(path), str(out_dir / form)], check=True)
        pngs = sorted(out_dir.glob(f"{form}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        qr = []
        for png in pngs:
            with Image.open(png) as im:
                codes = [b for b in zxingcpp.read_barcodes(im) if b.format == zxingcpp.BarcodeFormat.QRCode]
            assert len(codes) == 1, f"{png.name}: {len(codes)} QR codes"
            qr.append(decode(codes[0].text)[0])
        done[form] = Rendered(result, path, reader, texts, qr)
    return done


@pytest.mark.parametrize("form", list(FORMS))
def test_expected_text_present(rendered: dict[str, Rendered], form: str) -> None:
    whole = "".join(rendered[form].texts)
    for text in EXPECTED_TEXT[form]:
        assert _squash(text) in whole, f"{form}: {text!r} missing"
    if form not in {"service-receipt", "interview"}:
        assert _squash(PARTY_NAME) in whole


@pytest.mark.parametrize("form", list(FORMS))
def test_every_page_has_signature_line_page_number_and_code(rendered: dict[str, Rendered], form: str) -> None:
    r = rendered[form]
    assert len(r.reader.pages) == r.result.pages == sum(p.pages for p in r.result.parts)
    page_index = 0
    for part in r.result.parts:
        for n in range(1, part.pages + 1):
            text = r.texts[page_index]
            assert SIGNATURE_LABEL[form] + "：" in text, f"{form} page {page_index + 1}"
            assert f"第{n}页共{part.pages}页" in text, f"{form} page {page_index + 1}"
            assert "核验码" + r.qr[page_index].code() in text
            assert CHECKPOINT in text
            page_index += 1


def test_page_counts(rendered: dict[str, Rendered]) -> None:
    pages = {form: r.result.pages for form, r in rendered.items()}
    assert pages["interview"] >= 4  # 30 questions flow over several pages
    assert pages["evidence-list"] >= 5  # 60 items with hashes
    assert pages["onsite-record"] >= 3
    # one 送达回证 per served document, each on one page
    assert [p.pages for p in rendered["service-receipt"].result.parts] == [1, 1]
    assert pages["preservation"] <= 3  # 16 pt body (GB/T 9704-2012): notice, remedies and seal, then the list
    # the kept copy adds the 现场笔录 of the sealing act
    assert rendered["sealing"].result.parts[0].pages <= rendered["sealing"].result.parts[1].pages
    assert [p.part for p in rendered["sealing"].result.parts] == ["copy-1", "copy-2"]


@pytest.mark.parametrize("form", list(FORMS))
def test_fonts_embedded_as_subsets(rendered: dict[str, Rendered], form: str) -> None:
    seen: set[str] = set()
    for page in rendered[form].reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            m = re.fullmatch(r"/[A-Z]{6}\+(UMingCN|WenQuanYiMicroHei|FandolFang|FandolSong)-(?:\d+|Regular|Bold)",
                             name)
            assert m, name
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, name
            assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000
            seen.add(m.group(1))
    # the bundled 仿宋 body and 小标宋-like titles (GB/T 9704-2012), UMing only for glyphs they lack
    assert {"FandolFang", "FandolSong"} <= seen <= {"FandolFang", "FandolSong", "UMingCN", "WenQuanYiMicroHei"}


@pytest.mark.parametrize("form", list(FORMS))
def test_qr_codes_carry_the_page_text_hash(rendered: dict[str, Rendered], form: str) -> None:
    """Each QR statement names the case, the form, the page and the SHA-256 of exactly that page's printed text
    (agency wording, 文号 and date included), and is signed by the (sample) laptop key."""
    from app.documents.renderer import sample_signer
    from app.evidence.signing import SigningKey, verify_raw

    r = rendered[form]
    key = SigningKey.from_raw(hashlib.sha256(b"fieldaudit sample forms: not a device key").digest())
    assert key.sign(b"x") == sample_signer()(b"x")
    page_index = 0
    for part in r.result.parts:
        for n in range(1, part.pages + 1):
            st = r.qr[page_index]
            printed = r.result.printed[page_index]
            assert (st.case_id, st.form, st.page, st.of, st.checkpoint) == (CASE_ID, form, n, part.pages, CHECKPOINT)
            assert st.sha256 == printed.sha256 == text_sha256(printed.text)
            assert normalise(printed.text) in r.texts[page_index]
            _st, sig = decode(printed.statement)
            verify_raw(key.public_raw(), st.signing_input(), sig)
            page_index += 1


def test_hash_follows_the_content(big_ctx: DocumentContext) -> None:
    iv = big_ctx.interviews[0]
    changed_iv = dataclasses.replace(
        iv, qa=(*iv.qa[:-1], QA(iv.qa[-1].question, iv.qa[-1].answer + "补充。"))
    )
    changed = dataclasses.replace(big_ctx, interviews=(changed_iv,))
    a = render("interview", big_ctx, io.BytesIO())
    b = render("interview", changed, io.BytesIO())
    assert a.printed[-1].sha256 != b.printed[-1].sha256
    assert a.printed[0].sha256 == b.printed[0].sha256  # only the page that changed
    # a change elsewhere in the case does not touch the interview record's pages
    other = dataclasses.replace(big_ctx, evidence=big_ctx.evidence[:3])
    assert [p.sha256 for p in render("interview", other, io.BytesIO()).printed] == [p.sha256 for p in a.printed]


def test_output_is_deterministic(big_ctx: DocumentContext) -> None:
    one, two = io.BytesIO(), io.BytesIO()
    ra = render("onsite-record", big_ctx, one)
    rb = render("onsite-record", big_ctx, two)
    assert one.getvalue() == two.getvalue()
    assert ra == rb


@pytest.mark.parametrize("form", list(FORMS))
def test_layout_stays_in_the_box_with_real_glyphs(big_ctx: DocumentContext, agency_ctx: DocumentContext,
                                                 form: str) -> None:
    """Every text run fits between the margins, body text stays above the footer, no character lacks a glyph
    (it would print as an empty box) and no wrapped line starts with closing punctuation."""
    register_fonts()
    sections = FORMS[form].build(agency_ctx if form == "result-notice" else big_ctx, load_agency_config())
    for sec in sections:
        for ops in sec.pages:
            for op in ops:
                if not isinstance(op, TextOp):
                    continue
                width = op.style.width(op.text) + op.char_space * (len(op.text) - 1)
                assert op.x >= MARGIN_LEFT - 0.01, op
                assert op.x + width <= PAGE_W - MARGIN_RIGHT + 0.01, op
                assert op.y >= BODY_BOTTOM - 0.01, op
                # a glyph the face lacks is drawn by its fallback (fonts.font_for): it must exist there
                missing = [ch for ch in op.text if not has_glyph(font_for(op.style.font, ch), ch)]
                assert not missing, (missing, op.text)
                if len(op.text) > 1 and op.text != "—":
                    assert op.text[0] not in NO_LINE_START, op.text


def test_seal_date_in_arabic_numerals_like_the_body(rendered: dict[str, Rendered], big_ctx: DocumentContext) -> None:
    """GB/T 9704-2012 7.3.5.1: the date under the seal in Arabic numerals, the one date style of the forms."""
    text = "".join(rendered["sealing"].texts)
    assert numeric_date(big_ctx.issued_on) in text
    assert chinese_date(big_ctx.issued_on) not in text


def test_missing_parts_are_user_errors(big_ctx: DocumentContext) -> None:
    with pytest.raises(DocumentError):
        render("no-such-form", big_ctx, io.BytesIO())
    with pytest.raises(DocumentError, match="两名以上"):
        render("notice", dataclasses.replace(big_ctx, inspectors=big_ctx.inspectors[:1]), io.BytesIO())
    with pytest.raises(DocumentError):
        render("interview", dataclasses.replace(big_ctx, interviews=()), io.BytesIO())
    assert big_ctx.sealing is not None
    too_long = dataclasses.replace(big_ctx.sealing, end=big_ctx.sealing.start.replace(month=12, day=31))
    with pytest.raises(DocumentError, match="三十日"):
        render("sealing", dataclasses.replace(big_ctx, sealing=too_long), io.BytesIO())
    with pytest.raises(DocumentError):
        render("notice", dataclasses.replace(big_ctx, checkpoint=""), io.BytesIO())


def test_written_file_is_owner_only(big_ctx: DocumentContext, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "notice.pdf"
    render("notice", big_ctx, out)
    assert out.stat().st_mode & 0o077 == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in out.parent.iterdir()] == ["notice.pdf"]


def test_no_qt_is_imported() -> None:
    code = (
        "import sys, io; import app.documents as d; from app.documents.sample import sample_context;"
        "d.render('notice', sample_context(), io.BytesIO());"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'app.ui'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_captured_signature_is_printed_where_given_with_its_time(big_ctx: DocumentContext) -> None:
    img = Image.new("RGB", (300, 80), "white")
    for x in range(20, 280):
        img.putpixel((x, 40 + (x % 17) - 8), (0, 0, 0))
    png = io.BytesIO()
    img.save(png, format="PNG")
    mark = SignatureMark(
        "被询问人", "张某某", signed_at=dt.datetime(2026, 11, 23, 16, 30), image_png=png.getvalue()
    )
    iv = dataclasses.replace(big_ctx.interviews[0], signature=mark)
    out = io.BytesIO()
    result = render("interview", dataclasses.replace(big_ctx, interviews=(iv,)), out)
    reader = PdfReader(out)
    assert len(reader.pages) == result.pages >= 4
    # a bare context's signature stands for the last page, where the party signed last; no other page has it
    assert [len(p.images) for p in reader.pages] == [0] * (result.pages - 1) + [1]
    assert "16时30分" in reader.pages[-1].extract_text()
    assert all("16时30分" not in p.extract_text() for p in reader.pages[:-1])
    # the signature is on the printed page, so that page's text hash changes, the others' do not
    plain = render("interview", big_ctx, io.BytesIO())
    assert [p.sha256 for p in plain.printed[:-1]] == [p.sha256 for p in result.printed[:-1]]
    assert plain.printed[-1].sha256 != result.printed[-1].sha256


def test_the_package_render_is_the_function_whatever_was_imported_first() -> None:
    """``from app.documents import render`` gives the function even after the renderer module was imported by
    its own name (a submodule named like the function replaced it with the module, by import order)."""
    import types

    import app.documents.renderer  # noqa: F401
    from app.documents import render as exported

    assert callable(exported) and not isinstance(exported, types.ModuleType)
