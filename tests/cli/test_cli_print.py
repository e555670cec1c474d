"""`python -m app.cli print`: every form of the demo case, parsed back with pypdf.

The demo profile is built once per module and completed with what the demo does not hold yet (notice details,
a preservation and a sealing, a finding, the handling, a service), all through the workflow's own functions.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli.__main__ import main
from app.evidence.canonical import loads
from app.models.profile import Profile
from app.models.schema import EvidenceItem, JournalLeaf, Payload, SignedObject
from app.workflow.demo import DEMO_HOSPITAL, DEMO_INSPECTORS, build_demo

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"
# The demo runs on the department's track (行政检查): the 稽核中心's 稽核结果告知书 is refused there (see below).
ALL_FORMS = ("notice", "onsite-record", "interview", "evidence-list", "preservation", "sealing", "rectification",
             "defence-notice", "service-receipt")


@dataclass
class Demo:
    root: Path
    case_id: str
    pass_a: Path
    pass_b: Path
    tmp: Path


def _complete(root: Path, case_id: str, actor: str) -> None:
    """The demo is closed; a service is a follow-up the demo does not record."""
    from app.workflow.printing_data import record_service

    store = Profile.open(root).unlock(P1)
    try:
        store.unlock_inspector(P2)
        with store.transaction() as s:
            record_service(s, store, case_id, actor, document_form="defence-notice", document_number="",
                           recipient=DEMO_HOSPITAL["name"], place="医院行政楼收发室", method="直接送达",
                           served_at=datetime(2026, 12, 1, 10, 15), servers=["王建国", "李晓梅"])
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    tmp = tmp_path_factory.mktemp("print")
    result = build_demo(tmp / "demo", P1, P2)
    _complete(tmp / "demo", result.case_id, result.inspector_ids[0])
    fa, fb = tmp / "p1", tmp / "p2"
    fa.write_text(P1 + "\n", encoding="utf-8")
    fb.write_text(P2 + "\n", encoding="utf-8")
    return Demo(tmp / "demo", result.case_id, fa, fb, tmp)


@pytest.fixture(scope="module")
def printed(demo: Demo) -> dict[str, Path]:
    out = {}
    for form in ALL_FORMS:
        path = demo.tmp / "out" / f"{form}.pdf"
        rc = main(["print", str(demo.root), "--case", demo.case_id, "--form", form, "--out", str(path),
                   "--passphrase-file", str(demo.pass_a), "--passphrase-file", str(demo.pass_b)])
        assert rc == 0, form
        out[form] = path
    return out


def _text(path: Path) -> tuple[str, list[str]]:
    pages = [p.extract_text() or "" for p in PdfReader(path).pages]
    return "".join(pages).replace(" ", "").replace("\n", ""), pages


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def test_every_form_prints_with_party_inspectors_and_page_numbers(printed: dict[str, Path]) -> None:
    (n1, c1, _), (n2, c2, _) = DEMO_INSPECTORS
    for form, path in printed.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, form
        text, pages = _text(path)
        if form != "interview":  # the interview names the interviewee's employer instead
            assert _squash(DEMO_HOSPITAL["name"]) in text, form
        total = len(pages)
        for k, page in enumerate(pages, 1):  # numbered per record (sealing: per copy; interview: per record)
            m = re.search(r"第(\d+)页共(\d+)页", _squash(page))
            assert m is not None and 1 <= int(m.group(1)) <= int(m.group(2)), (form, k)
        if form not in ("sealing", "interview", "service-receipt"):  # one 回证 per served document
            assert f"第{total}页共{total}页" in _squash(pages[-1]), form
        for name, cred in ((n1, c1), (n2, c2)):
            if form in ("notice", "onsite-record", "interview"):
                assert name in text, form
            if form in ("notice", "onsite-record", "interview", "preservation", "sealing"):
                assert cred in text, form  # names are signed by hand there, next to the printed 执法证号
        assert total >= 1


def test_evidence_list_holds_every_original_hash(demo: Demo, printed: dict[str, Path]) -> None:
    text, _ = _text(printed["evidence-list"])
    store = Profile.open(demo.root).unlock(P1)
    try:
        from app.workflow.print_context import build_context

        with store.session() as s:
            ctx = build_context(s, store, demo.case_id, "evidence-list")
    finally:
        store.close()
    assert len(ctx.evidence) >= 9
    assert all(len(e.sha256) == 64 for e in ctx.evidence if e.kind != "物证")
    for e in ctx.evidence:
        if e.sha256:
            assert e.sha256[:32] in text and e.sha256[32:] in text
        assert _squash(e.name)[:8] in text
    assert "书证" in text and "电子数据" in text and "证人证言" in text


def test_interview_questions_answers_and_signature(demo: Demo, printed: dict[str, Path]) -> None:
    text, pages = _text(printed["interview"])
    for q in ("请假有无书面手续", "没有书面手续", "钱演示", "住院三病区护士长"):
        assert q in text
    assert "不申请" in text
    reader = PdfReader(printed["interview"])
    # the interviewee signed page 1 in the demo: the signature image is there and nowhere else (issue 11 item 2)
    assert [len(p.images) for p in reader.pages] == [1] + [0] * (len(pages) - 1)


def test_other_forms_carry_their_facts(printed: dict[str, Path]) -> None:
    assert "ZY100012" in _text(printed["preservation"])[0]
    sealing = _text(printed["sealing"])[0]
    assert "处方底方" in sealing and "医院药剂科档案柜" in sealing
    assert "规范住院患者管理" in _text(printed["rectification"])[0]
    defence = _text(printed["defence-notice"])[0]
    assert "行政处罚事先告知书" in defence and "陈述" in defence and "听证" in defence  # ¥128,016 fine offers a hearing
    assert "128,016.00" in defence.replace("¥", "") or "128,016" in defence
    receipt = _text(printed["service-receipt"])[0]
    # one 回证 per served document, each with the document's own title and 文号
    assert "行政处罚事先告知书" in receipt and "直接送达" in receipt and "某医保告〔2026〕1号" in receipt
    assert "封存决定书" in receipt and "某医保封〔2026〕1号" in receipt
    assert _squash(_text(printed["sealing"])[0]).count("某医保封〔2026〕1号") >= 1
    assert "09时30分" in _text(printed["notice"])[0]


def test_prints_are_journaled_and_stored(demo: Demo, printed: dict[str, Path]) -> None:
    import hashlib

    store = Profile.open(demo.root).unlock(P1)
    try:
        with store.session() as s:
            leaves = list(s.query(JournalLeaf).filter(JournalLeaf.log_id == demo.case_id,
                                                      JournalLeaf.type == "document.printed"))
            forms = {loads(s.get(Payload, leaf.payload_sha256).body)["form"] for leaf in leaves}  # type: ignore[union-attr]
            assert set(ALL_FORMS) <= forms
            stored = set()
            for item in s.query(EvidenceItem).filter(EvidenceItem.case_id == demo.case_id,
                                                    EvidenceItem.title == "print"):
                body = loads(s.get(SignedObject, item.id).body)  # type: ignore[union-attr]
                assert body["parent"]["relation"] == "print"
                stored.add(body["streams"][0]["sha256"])
    finally:
        store.close()
    for path in printed.values():
        assert hashlib.sha256(path.read_bytes()).hexdigest() in stored


def test_check_passes_after_printing(demo: Demo, printed: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(demo.root), "--passphrase-file", str(demo.pass_a)]) == 0
    assert "OK" in capsys.readouterr().out


def test_one_passphrase_prints_without_storing(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    out = demo.tmp / "single.pdf"
    assert main(["print", str(demo.root), "--case", demo.case_id, "--form", "onsite-record", "--out", str(out),
                 "--passphrase-file", str(demo.pass_a)]) == 0
    captured = capsys.readouterr()
    assert out.exists() and "not stored" in captured.err


def test_unknown_form_and_missing_data_are_one_line(demo: Demo, tmp_path: Path) -> None:
    env = {**os.environ, "FIELDAUDIT_DEBUG": "0"}
    run = subprocess.run([sys.executable, "-m", "app.cli", "print", str(demo.root), "--case", demo.case_id,
                          "--form", "bogus", "--out", str(tmp_path / "x.pdf"), "--passphrase-file",
                          str(demo.pass_a)], check=False, capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode != 0
    assert len(run.stderr.strip().splitlines()) == 1 and "bogus" in run.stderr
    assert not (tmp_path / "x.pdf").exists()

    bare = tmp_path / "bare"
    shutil.copytree(demo.root, bare)  # a case with nothing for the form: a fresh demo lacks none, so use a fake id
    rc = main(["print", str(bare), "--case", "no-such-case", "--form", "notice", "--out", str(tmp_path / "y.pdf"),
               "--passphrase-file", str(demo.pass_a)])
    assert rc == 2 and not (tmp_path / "y.pdf").exists()


def test_pngs_render(printed: dict[str, Path]) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (apt-get install poppler-utils, README)")
    for form in ("interview", "evidence-list"):
        prefix = printed[form].with_suffix("")
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(printed[form]), str(prefix)],
                       check=True, timeout=60)
        assert any(re.match(rf"{form}-0*1\.png", p.name) for p in prefix.parent.iterdir())


def test_a_form_of_the_other_body_is_refused(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    """The 稽核结果告知书 is the 经办机构's; the demo case is the department's inspection: refused, exit 2."""
    path = demo.tmp / "out" / "refused.pdf"
    rc = main(["print", str(demo.root), "--case", demo.case_id, "--form", "result-notice", "--out", str(path),
               "--passphrase-file", str(demo.pass_a), "--passphrase-file", str(demo.pass_b)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "医疗保障经办机构" in err and "agency" in err
    assert not path.exists()


def test_printing_again_to_the_same_out_keeps_every_printed_copy_in_the_store(demo: Demo, tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``--out`` is the file the caller names (the CLI contract): a second print to it replaces it whole. What was
    printed before is not lost with it: each print's PDF is kept in the encrypted store as a derived item (the
    GUI's PDF writer, which names its own files, never replaces one: ``printing.write_print``)."""
    out = tmp_path / "notice.pdf"
    args = ["print", str(demo.root), "--case", demo.case_id, "--form", "notice", "--out", str(out),
            "--passphrase-file", str(demo.pass_a), "--passphrase-file", str(demo.pass_b)]
    capsys.readouterr()
    assert main(args) == 0
    first = capsys.readouterr().out.strip().split("\t")
    out.write_bytes(b"%PDF-1.7 not what was printed\n")
    assert main(args) == 0
    second = capsys.readouterr().out.strip().split("\t")
    assert first[0] == second[0] == str(out) and len(PdfReader(out).pages) >= 1
    assert len(first) == len(second) == 5 and first[4] != second[4]  # two derived items, one per print
