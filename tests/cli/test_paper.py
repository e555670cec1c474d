"""Paper from the store (issue 11): documents issued once and frozen, printed as recorded, verifiable from the page.

One demo profile per module; every form printed through ``print_case`` (the CLI's and the GUI's printer), read
back with poppler (``pdftotext -raw``, ``pdftoppm``) and zbar (``zbarimg``), then checked with ``verify-page``
against an exported package.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.cli.__main__ import main
from app.documents.frozen import pages
from app.documents.layout import Op, TextOp, draw_op
from app.documents.renderer import draw_verification
from app.documents.verify import decode
from app.evidence.canonical import loads
from app.evidence.page_hash import normalise, text_sha256
from app.models.profile import Profile, Store
from app.models.schema import JournalLeaf, Payload
from app.workflow.demo import DEMO_HOSPITAL, build_demo

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"
# the demo is the department's inspection: every form it may issue (the 稽核结果告知书 is the 经办机构's)
FORMS = ("notice", "onsite-record", "interview", "evidence-list", "preservation", "sealing", "rectification",
         "defence-notice", "service-receipt")


@dataclass
class Demo:
    root: Path
    case_id: str
    actor: str
    tmp: Path
    pdfs: dict[str, Path]
    package: Path


def _store(root: Path, both: bool = True) -> Store:
    store = Profile.open(root).unlock(P1)
    if both:
        store.unlock_inspector(P2)
    return store


def _pdftotext(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, timeout=60).stdout.decode("utf-8")


def _page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert m is not None
    return int(m.group(1))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from app.workflow.printing import print_case
    from app.workflow.printing_data import record_service

    tmp = tmp_path_factory.mktemp("paper")
    result = build_demo(tmp / "demo", P1, P2)
    actor = result.inspector_ids[0]
    pdfs = {}
    with _store(tmp / "demo") as store:
        with store.transaction() as s:
            record_service(s, store, result.case_id, actor, document_form="rectification", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 1, 10, 15), servers=["王建国", "李晓梅"])
        for form in FORMS:
            pdfs[form] = tmp / f"{form}.pdf"
            print_case(store, result.case_id, form, pdfs[form], actor, today=date(2026, 12, 1))
    fa = tmp / "p1"
    fa.write_text(P1 + "\n", encoding="utf-8")
    package = tmp / "case.fapkg"
    assert main(["export", str(tmp / "demo"), "--case", result.case_id, "--out", str(package),
                 "--passphrase-file", str(fa)]) == 0
    return Demo(tmp / "demo", result.case_id, actor, tmp, pdfs, package)


# ============================================================================================== frozen


def test_two_prints_on_different_days_are_identical(demo: Demo) -> None:
    """A reprint days later (the clock injected) is the same document: same bytes, same page hashes, same date."""
    from app.workflow.printing import print_case

    with _store(demo.root) as store:
        for form in FORMS:
            one, two = io.BytesIO(), io.BytesIO()
            a = print_case(store, demo.case_id, form, one, demo.actor, today=date(2026, 12, 2))
            b = print_case(store, demo.case_id, form, two, demo.actor, today=date(2026, 12, 9))
            assert one.getvalue() == two.getvalue() == demo.pdfs[form].read_bytes(), form
            assert a.page_hashes == b.page_hashes and a.codes == b.codes and a.checkpoint == b.checkpoint, form
    # the decisions carry the day they were made, not the day of printing
    path = demo.pdfs["rectification"]
    text = "".join(_pdftotext(path, k) for k in range(1, _page_count(path) + 1))
    assert "2026年12月1日" in normalise(text)  # Arabic numerals, as GB/T 9704-2012 7.3.5.1 writes dates


def test_each_document_is_issued_once_and_journaled(demo: Demo) -> None:
    from app.workflow.issuing import issued_documents

    with _store(demo.root) as store, store.session() as s:
        issued = issued_documents(s, demo.case_id)
        forms = [d.form for d in issued]
        for form in FORMS:
            assert form in forms, form
        # reprints added no document: one per form (one per interview record, one 送达回证 per service)
        keys = [(d.form, tuple(sorted(d.source.items()))) for d in issued]
        assert len(keys) == len(set(keys))
        assert sorted(str(d.source["served"]) for d in issued if d.form == "service-receipt") == [
            "rectification", "sealing"]
        for d in issued:
            assert d.checkpoint, d.form
            assert [p["sha256"] for p in d.body["pages"]] == [text_sha256(p.text) for p in pages(d.doc)]
            assert [p["text"] for p in d.body["pages"]] == [p.text for p in pages(d.doc)]


def test_printed_record_text_equals_the_signed_record_text(demo: Demo) -> None:
    """The 询问笔录 and 现场检查笔录 print exactly what was signed: the read-back pages (what the party signs) are
    the printed pages; every recorded word is there in order; nothing was added (closing question, confirmation)."""
    from app.evidence.records import CLOSING_STATEMENT, records_of_case
    from app.workflow.issuing import read_back

    with _store(demo.root) as store:
        for kind, form in (("interview", "interview"), ("onsite", "onsite-record")):
            body = records_of_case(store, demo.case_id, kind)[-1]
            with store.session() as s:
                rb = read_back(s, store, demo.case_id, body["record"])
            path = demo.pdfs[form]
            assert _page_count(path) == len(rb.texts)
            printed = []
            for k, text in enumerate(rb.texts, 1):
                read = normalise(_pdftotext(path, k))
                assert read.startswith(normalise(text)), (form, k)  # then only the verification block follows
                printed.append(normalise(text))
            whole = "".join(printed)
            c = body["content"]
            recorded = [c.get("opening", "")] + [x for p in c.get("qa", []) for x in (p["q"], p["a"])] \
                if kind == "interview" else [c.get("rights_told", ""), c.get("answer", ""), c.get("findings_text", "")]
            at = 0
            for words in filter(None, recorded):
                found = whole.find(normalise(words), at)
                assert found >= at, (form, words)
                at = found
            assert "以上笔录请你核对" not in whole and normalise(CLOSING_STATEMENT) not in whole
            assert "以下空白" in whole


def test_signature_image_only_where_given_with_its_own_time(demo: Demo) -> None:
    from pypdf import PdfReader

    reader = PdfReader(demo.pdfs["interview"])
    assert [len(p.images) for p in reader.pages] == [1] + [0] * (len(reader.pages) - 1)  # given on page 1
    first = normalise(_pdftotext(demo.pdfs["interview"], 1))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日\d{2}时\d{2}分", first)


def test_print_with_one_inspector_keeps_the_page_hashes(demo: Demo) -> None:
    from app.workflow.printing import print_case

    with _store(demo.root, both=False) as store:
        result = print_case(store, demo.case_id, "notice", io.BytesIO(), demo.actor)
        assert result.derived_item_id is None and result.notes
        with store.session() as s:
            leaf = s.query(JournalLeaf).filter(JournalLeaf.log_id == demo.case_id,
                                               JournalLeaf.type == "document.printed").order_by(
                JournalLeaf.seq.desc()).first()
            assert leaf is not None
            payload = loads(s.get(Payload, leaf.payload_sha256).body)  # type: ignore[union-attr]
    assert [p["sha256"] for p in payload["pages"]] == list(result.page_hashes)
    assert [p["code"] for p in payload["pages"]] == list(result.codes)


def test_every_qr_decodes_with_zbarimg_at_100_dpi(demo: Demo, tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbar-tools (zbarimg) is needed"
    for form, path in demo.pdfs.items():
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(tmp_path / form)], check=True, timeout=120)
        pngs = sorted(tmp_path.glob(f"{form}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        assert len(pngs) == _page_count(path)
        for k, png in enumerate(pngs, 1):
            run = subprocess.run([zbarimg, "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60,
                                 check=False)
            lines = run.stdout.strip().splitlines()
            assert run.returncode == 0 and len(lines) == 1, (form, k)
            st, _sig = decode(lines[0])
            assert (st.case_id, st.form) == (demo.case_id, form)
            assert st.sha256 == text_sha256(_pdftotext(path, k).rsplit("核验码", 1)[0])


# ============================================================================================== no program text


PROGRAM_TEXT = {
    "Python repr": re.compile(r"[\[{]'|'[\]}]|': |\bNone\b|\bTrue\b|\bFalse\b"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),
    "UUID": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I),
    "field name": re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:qa|content|interviewee|findings|attachments|present)\b"),
}


def _program_text(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for what, rx in PROGRAM_TEXT.items() for m in rx.finditer(text)]


def test_no_repr_timestamp_uuid_or_field_name_on_any_page(demo: Demo) -> None:
    from app.evidence.records import records_of_case
    from app.workflow.issuing import read_back

    found = []
    for form, path in demo.pdfs.items():
        for k in range(1, _page_count(path) + 1):
            found += [f"{form} p{k} {x}" for x in _program_text(_pdftotext(path, k))]
    with _store(demo.root) as store:
        for body in records_of_case(store, demo.case_id):
            with store.session() as s:
                for k, text in enumerate(read_back(s, store, demo.case_id, body["record"]).texts, 1):
                    found += [f"read-back {body['kind']} p{k} {x}" for x in _program_text(text)]
    assert not found, found
    assert _program_text("{'name': '孙演示'} 2026-11-23T09:30 0193a7c2-5b1e-7cc0-9f3a-2d4e5f607182 id_number")


# ============================================================================================== verify-page


def _verify_page(file: Path, package: Path | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["verify-page", str(file)] + (["--package", str(package)] if package else [])
    rc = main(argv)
    return rc, capsys.readouterr().out


def _forge(path: Path, text_ops: list[Op], statement: str) -> None:
    """A page drawn again (a new PDF file) with the given operations and the QR code and verification block of
    ``statement``."""
    st, _sig = decode(statement)
    canvas = Canvas(str(path), pagesize=A4, invariant=True)
    from app.documents.fonts import register_fonts

    register_fonts()
    for op in text_ops:
        draw_op(canvas, op)
    draw_verification(canvas, statement, st)  # as the renderer draws it: verify-page compares what a page shows
    canvas.showPage()
    canvas.save()


def _genuine_page(demo: Demo, form: str) -> tuple[list[Op], str]:
    """The first page of ``form``: its drawing operations (from the issued document) and its QR statement."""
    from app.workflow.issuing import issued_documents

    with _store(demo.root) as store, store.session() as s:
        doc = next(d for d in issued_documents(s, demo.case_id, form))
    ops = list(pages(doc.doc)[0].ops)
    zbar = subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(demo.pdfs[form])],
                          check=True, capture_output=True, timeout=60).stdout
    import zxingcpp
    from PIL import Image

    with Image.open(io.BytesIO(zbar)) as im:
        statement = zxingcpp.read_barcodes(im)[0].text
    return ops, statement


def test_verify_page_accepts_every_genuine_printed_page(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    for form in ("interview", "onsite-record", "sealing", "notice"):
        rc, out = _verify_page(demo.pdfs[form], demo.package, capsys)
        assert rc == 0, out
        assert "FAILED" not in out and "OK" in out


def test_verify_page_accepts_a_scan_and_shows_the_text_to_compare(demo: Demo, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "scan.png"
    png.write_bytes(subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1",
                                    str(demo.pdfs["notice"])], check=True, capture_output=True).stdout)
    rc, out = _verify_page(png, demo.package, capsys)
    assert rc == 4, out  # the QR statement verifies; a 100-dpi scan's text is not compared, and it says so
    assert "页面文字未核对" in out and "was NOT checked" in out and "matches the package" not in out
    assert "稽核通知书" in out  # the page's text in the package, for a person to compare


def test_verify_page_rejects_one_character_changed(demo: Demo, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ops, statement = _genuine_page(demo, "notice")
    genuine = tmp_path / "genuine.pdf"
    _forge(genuine, ops, statement)
    rc, out = _verify_page(genuine, demo.package, capsys)
    assert rc == 0, out  # the re-drawn genuine page passes: the check reads what the page says, not the file's bytes
    k = next(i for i, op in enumerate(ops) if isinstance(op, TextOp) and "〔" in op.text)  # the line with the 文号
    old = ops[k]
    assert isinstance(old, TextOp)
    ops[k] = TextOp(old.x, old.y, old.style, old.text.replace("1号", "2号"), old.char_space, old.grey)
    assert ops[k].text != old.text
    forged = tmp_path / "forged.pdf"
    _forge(forged, ops, statement)
    rc, out = _verify_page(forged, demo.package, capsys)
    assert rc == 1 and "页面文字与二维码中的摘要不符" in out


def test_verify_page_rejects_a_qr_copied_onto_other_text(demo: Demo, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _ops, statement = _genuine_page(demo, "sealing")
    other_ops, _st = _genuine_page(demo, "notice")
    forged = tmp_path / "copied.pdf"
    _forge(forged, other_ops, statement)
    rc, out = _verify_page(forged, demo.package, capsys)
    assert rc == 1 and "页面文字与二维码中的摘要不符" in out


def test_verify_page_rejects_a_page_of_another_case(demo: Demo, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from app.documents.renderer import render
    from app.documents.sample import sample_context

    other = tmp_path / "other-case.pdf"
    render("notice", sample_context(), other)
    rc, out = _verify_page(other, demo.package, capsys)
    assert rc == 1 and "该页属于另一案件" in out


def test_verify_page_without_package_or_qr_is_refused(demo: Demo, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _verify_page(demo.pdfs["notice"], None, capsys)
    assert rc == 1 and "未提供案卷包" in out
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank)
    rc, out = _verify_page(blank, demo.package, capsys)
    assert rc == 1 and "未找到可读的核验二维码" in out
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    assert main(["verify-page", str(junk), "--package", str(demo.package)]) == 2
    assert main(["verify-page", str(tmp_path / "missing.pdf")]) == 2


def test_agency_wording_is_frozen_into_the_issued_document(demo: Demo) -> None:
    """Editing agency.json after a document was issued changes nothing on its reprint; a document not issued yet
    takes the new wording, and its page hashes differ."""
    import dataclasses

    from app.documents.config import load_agency_config
    from app.workflow.printing import print_case

    cfg = load_agency_config()
    dept = cfg.bodies["department"]
    edited = dataclasses.replace(cfg, agency_name=cfg.agency_name + "（改）",
                                 bodies={**cfg.bodies, "department": dataclasses.replace(dept, name=dept.name + "（改）")})
    with _store(demo.root) as store:
        again = io.BytesIO()
        print_case(store, demo.case_id, "sealing", again, demo.actor, edited, today=date(2026, 12, 20))
        assert again.getvalue() == demo.pdfs["sealing"].read_bytes()
        with store.session() as s:
            from app.workflow.issuing import freeze_with_fingerprint
            from app.workflow.print_context import build_context

            ctx = build_context(s, store, demo.case_id, "rectification", cfg)
            before, fp1 = freeze_with_fingerprint("rectification", ctx, cfg)
            after, fp2 = freeze_with_fingerprint("rectification", ctx, edited)
    assert fp1 == fp2  # the fingerprint is of the case, not of the wording
    assert [text_sha256(p.text) for p in pages(before)] != [text_sha256(p.text) for p in pages(after)]


def test_read_back_in_a_fresh_process(demo: Demo) -> None:
    """The GUI's first snapshot may come before anything was laid out: the read-back registers its fonts."""
    import sys

    code = (
        "import sys; from pathlib import Path; from app.models.profile import Profile;"
        "from app.evidence.records import records_of_case; from app.workflow.issuing import read_back;"
        f"store = Profile.open(Path({str(demo.root)!r})).unlock({P1!r});"
        f"bodies = records_of_case(store, {demo.case_id!r});"
        "s = store.session().__enter__();"
        f"print(sum(len(read_back(s, store, {demo.case_id!r}, b['record']).texts) for b in bodies))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) >= 2
