"""A complete audit driven through the real widgets against a real encrypted store, and the refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ui.main_window import PAGE_CASE, PAGE_HOME, MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services
from tests.ui.walkthrough_helpers import REP_ID, draw_signature, error_boxes, fake_printer, make_case, photo

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30_000


class Driver:
    def __init__(self, qtbot, win: MainWindow) -> None:
        self.qtbot = qtbot
        self.win = win

    @property
    def case(self):
        return self.win.case_page

    def page(self, step: str):
        self.case.show_step(step)
        return self.case.page(step)

    def do(self, action, *, expect_error: bool = False) -> QMessageBox | None:
        """Run a UI action that changes the case; wait for the reloaded snapshot (or the error box)."""
        before = self.case.loads
        action()
        self.qtbot.waitUntil(lambda: self.case.loads > before or bool(error_boxes()), timeout=TIMEOUT)
        boxes = error_boxes()
        if expect_error:
            assert boxes, "expected the UI to refuse"
            return boxes[0]
        assert not boxes, boxes[0].text() if boxes else ""
        self.qtbot.waitUntil(self.win.workspace.idle, timeout=TIMEOUT)
        return None

    def click(self, button) -> None:
        assert button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def dismiss(self, box: QMessageBox) -> str:
        text = box.text()
        box.close()
        return text


def unlock(qtbot, win: MainWindow, pass_a: str, pass_b: str, land: str | tuple[str, ...] = PAGE_HOME) -> None:
    """Unlock both inspectors and wait for the page the window lands on (home; the case when it resumes one; any
    of several when given a tuple)."""
    page = win.unlock_page
    for slot, (index, secret) in enumerate(((0, pass_a), (1, pass_b))):
        panel = page.panels[slot]
        panel.chooser.setCurrentIndex(index)
        panel.passphrase.setText(secret)
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda p=panel: p.unlocked_as() is not None, timeout=TIMEOUT)
    pages = land if isinstance(land, tuple) else (land,)
    qtbot.waitUntil(lambda: win.current_page_name() in pages, timeout=TIMEOUT)



def case_window(qtbot, profile, case_id: str) -> Driver:
    """The real main window on ``profile`` (a two-inspector profile), both unlocked, ``case_id`` open."""
    win = MainWindow(Services(profile_dir=profile.root, unlock=StoreUnlockService(profile.root),
                              printer=fake_printer), idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, profile.pass_a, profile.pass_b)
    win.open_case(case_id)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    return Driver(qtbot, win)


@pytest.fixture
def opened(qtbot, two_inspectors):
    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root),
                        printer=fake_printer)
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, two_inspectors.pass_a, two_inspectors.pass_b)
    home = win.home_page
    qtbot.waitUntil(lambda: home.model.rowCount() == 1, timeout=TIMEOUT)
    home.table.selectRow(0)
    qtbot.mouseClick(home.open_button, Qt.MouseButton.LeftButton)
    assert win.current_page_name() == PAGE_CASE
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    yield Driver(qtbot, win), case_id, two_inspectors
    win.close()


def do_arrival(d: Driver) -> None:
    page = d.page("arrival")
    d.do(page.record_notice)
    for iid, (_label, button) in page.cred_rows.items():
        d.do(lambda b=button: d.click(b))
        assert iid in page.snap.data["arrival"]["credentials"]
    page.rep_name.setText("赵测试")
    page.rep_post.setText("医保办主任")
    d.qtbot.keyClicks(page.rep_id, REP_ID[:17] + "9")  # wrong check digit: refused inline
    assert page.rep_id_error.text()
    page.rep_id.clear()
    d.qtbot.keyClicks(page.rep_id, REP_ID)
    assert page.rep_id_error.text() == ""
    page.rep_phone.setText("13800138000")
    d.do(lambda: d.click(page.rep_button))
    for box in page.rights.values():
        box.setChecked(True)
    page.rights_answer.setText("清楚，不申请回避")
    d.do(page.record_rights)
    assert d.case.snap.statuses["arrival"].done, d.case.snap.statuses["arrival"].missing


def test_complete_audit_through_the_widgets(opened, tmp_path, qtmodeltester):
    d, case_id, profile = opened
    qtmodeltester.check(d.win.home_page.model)
    qtmodeltester.check(d.win.home_page.proxy)
    qtmodeltester.check(d.case.steps)
    do_arrival(d)

    page = d.page("recusal")
    for iid in list(page.decl_rows):
        d.do(lambda i=iid: page.declare(i))
    assert d.case.snap.statuses["recusal"].done

    # evidence: three photos and one document
    page = d.page("evidence")
    files = []
    for n in range(3):
        f = tmp_path / f"IMG_{n:04d}.JPG"
        f.write_bytes(photo(n))
        files.append(f)
    doc = tmp_path / "住院费用清单.pdf"
    doc.write_bytes(b"%PDF-1.4\n% an inpatient cost list\n%%EOF\n")
    page.source.setText("住院部三病区护士站")
    page.provider_name.setText("钱护士")
    page.provider_role.setText("护士长")
    d.do(lambda: page.import_paths(files))
    page.kind.setCurrentIndex(page.kind.findData("documentary"))
    page.measure.setCurrentIndex(page.measure.findData("request_material"))
    d.do(lambda: page.import_paths([doc]))
    assert len(d.case.snap.evidence) == 4
    assert all(e.inspector_signatures == 2 for e in d.case.snap.evidence)
    # thumbnails decoded from the store in memory
    d.qtbot.waitUntil(lambda: page.model.data(page.model.index(0), Qt.ItemDataRole.DecorationRole) is not None,
                      timeout=TIMEOUT)
    photos = [e for e in d.case.snap.evidence if e.is_image]
    assert len(photos) == 3
    # the provider signs three items on the pad, refuses the fourth
    for e in d.case.snap.evidence[:3]:
        page.select_item(e.id)
        d.qtbot.waitUntil(page.viewer.has_image, timeout=TIMEOUT)
        d.click(page.sign_button)
        dialog = page.sign_dialog
        draw_signature(d.qtbot, dialog.panel.pad)
        d.do(lambda dl=dialog: d.click(dl.ok_button))
    last = d.case.snap.evidence[3]
    page.select_item(last.id)
    d.click(page.refuse_button)
    page.refusal_dialog.reason.setPlainText("提供者拒绝签字，未说明理由")
    page.refusal_dialog.witness.setText("孙见证")
    d.do(page.refusal_dialog.accept)
    assert {e.provider_state for e in d.case.snap.evidence} == {"signed", "refused"}
    assert d.case.snap.statuses["evidence"].done

    # checklist: every item gets a finding; the first is non-compliant with the photos linked
    page = d.page("checklist")
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        code = "noncompliant" if row == 0 else "compliant"
        page.radios[code].setChecked(True)
        page.note.setPlainText("三病区 12 张床位中 5 张无患者" if row == 0 else "")
        if row == 0:
            for i in range(3):
                page.evidence.item(i).setCheckState(Qt.CheckState.Checked)
        d.do(page.save)
    assert d.case.snap.statuses["checklist"].done
    assert len(d.case.snap.checklist[0]["evidence_ids"]) == 3
    qtmodeltester.check(page.model)
    qtmodeltester.check(d.case.page("evidence").model)

    # interview with the interviewee's signature on every page
    page = d.page("interview")
    for key, value in {"name": "钱护士", "sex": "女", "id_number": REP_ID, "employer": "某市虚构第二医院",
                       "post": "护士长", "phone": "13800138001", "relation": "证人"}.items():
        page.fields[key].setText(value)
    page.qa.item(0, 0).setText("今天上午三病区有多少住院患者在床？")
    page.qa.item(0, 1).setText("在床 7 人。")
    for i in range(4):
        page.add_pair(f"问题 {i + 2}？", f"回答 {i + 2}。")
    d.do(page.sign_record)
    rec = d.case.snap.current_records("interview")[0]
    n_pages = len(page.record_pages(rec))
    assert n_pages >= 1 and rec.pages == page.record_pages(rec)
    for p in range(1, n_pages + 1):
        page.page_spin.setValue(p)
        # the party reads exactly the page of the record's document (no repr, no ISO time, no field name)
        shown = page.readback.toPlainText()
        assert shown == page.record_pages(d.case.snap.current_records("interview")[0])[p - 1]
        assert "询问笔录" in shown or p > 1
        assert not any(x in shown for x in ("{'", "T0", "T1", "interviewee", "None"))
        d.click(page.sign_page_button)
        draw_signature(d.qtbot, page.sign_dialog.panel.pad)
        d.do(lambda: d.click(page.sign_dialog.ok_button))
    rec = d.case.snap.current_records("interview")[0]
    assert rec.pages_signed == n_pages and rec.party == "signed"

    # on-site record, attachments from the evidence; the party signs
    page = d.page("onsite")
    page.findings.setPlainText("检查发现三病区 12 张床位中 5 张无患者在床，床头卡与住院清单不符。")
    assert page.attachments.count() == 4
    d.do(page.sign_record)
    d.click(page.sign_page_button)
    draw_signature(d.qtbot, page.sign_dialog.panel.pad)
    d.do(lambda: d.click(page.sign_dialog.ok_button))
    assert d.case.snap.statuses["onsite"].done

    # findings over 100,000 yuan: the 法制审核 flag appears
    page = d.page("findings")
    page.violation.setCurrentIndex(page.violation.findData("ghost_bed"))
    page.description.setPlainText("挂床住院 5 人次，虚计床位费、护理费。")
    d.qtbot.keyClicks(page.amount, "123456.78")
    assert "法制审核" in page.amount_flags.text()
    page.person.setText("周医生")
    d.do(page.add)
    assert page.legal_flag.isVisible() and "法制审核" in page.legal_flag.text()
    assert page.collective_flag.isVisible()
    assert not d.case.snap.statuses["findings"].done
    d.do(lambda: d.click(page.ack_button))
    assert d.case.snap.statuses["findings"].done

    # closing: a preview is not a print; then every on-the-spot form printed to PDF files in one action
    page = d.page("closing")
    first = d.case.snap.required_forms[0]
    page.print_form_now(first)
    d.qtbot.waitUntil(lambda: page.preview is not None and page.preview.isVisible(), timeout=TIMEOUT)
    preview = page.preview
    d.qtbot.waitUntil(preview.loaded, timeout=TIMEOUT)
    assert preview.page_count() == 2
    preview.close()
    d.qtbot.waitUntil(d.win.workspace.idle, timeout=TIMEOUT)
    assert not d.case.snap.printed.get(first)  # previews never count
    out = tmp_path / "prints"
    out.mkdir()
    page.target.setCurrentIndex(page.target.findData(""))
    page.pdf_folder.setText(str(out))
    d.do(lambda: d.click(page.print_all_button))
    for form in d.case.snap.required_forms:
        # the print is journaled once, after the PDF writer wrote it
        assert len(d.case.snap.printed[form]) == 1
        assert (out / f"{form}-{case_id[:8]}.pdf").read_bytes().startswith(b"%PDF")
    assert d.case.snap.statuses["closing"].done, d.case.snap.statuses["closing"].missing
    d.do(lambda: d.click(page.close_button))
    assert d.case.snap.is_closed and d.case.banner.isVisible()

    # after closing the case is read-only: every editing control is disabled ...
    arrival = d.page("arrival")
    assert not arrival.rep_button.isEnabled()
    assert not d.case.page("evidence").sign_button.isEnabled()
    assert not d.case.page("findings").ack_button.isEnabled()
    # ... and an edit that reaches the store anyway is refused plainly
    box = d.do(arrival.record_notice, expect_error=True)
    assert "已结案" in d.dismiss(box)

    # export the package with the CLI and verify it independently
    d.win.lock_now()
    d.qtbot.waitUntil(lambda: not d.win.services.unlock.is_open(), timeout=TIMEOUT)
    fa, _fb = profile.pass_files(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = tmp_path / "case.fapkg"
    export = subprocess.run([sys.executable, "-m", "app.cli", "export", str(profile.root), "--case", case_id,
                             "--out", str(out), "--passphrase-file", str(fa)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert export.returncode == 0, export.stderr
    verify = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # after the export: unlock again and correct the closed case, the one way to change it — a new signed
    # version that supersedes the old
    d.win.lock_page.unlock_button.click()
    # the window lands on the list and then, once it has read where the inspectors were, resumes the closed case:
    # wait for that to finish (on a busy machine it can finish before the list is ever looked at)
    unlock(d.qtbot, d.win, profile.pass_a, profile.pass_b, land=(PAGE_HOME, PAGE_CASE))
    d.qtbot.waitUntil(lambda: d.win.workspace is not None and d.win.workspace.idle(), timeout=TIMEOUT)
    d.win.open_case(case_id)
    d.qtbot.waitUntil(lambda: d.case.snap is not None, timeout=TIMEOUT)
    # a correction is the one way to change it: a new signed version that supersedes the old
    onsite = d.page("onsite")
    old = d.case.snap.current_records("onsite")[0].id
    onsite.findings.setPlainText(onsite.findings.toPlainText() + "（更正：床位号 12 应为 21）")
    onsite.correction_reason.setText("床位号笔误")
    d.do(lambda: d.click(onsite.correct_button))
    current = d.case.snap.current_records("onsite")
    assert len(current) == 1 and current[0].id != old and current[0].version == 2


def test_closing_refused_with_one_inspector_present(opened):
    d, _case_id, profile = opened
    page = d.page("closing")
    b_id = d.case.snap.inspectors[1].id
    d.do(lambda: d.click(page.team_rows[b_id][1]))  # inspector B leaves the site
    assert not d.case.snap.inspectors[1].unlocked
    missing = d.case.missing  # the 尚缺 list under every page
    assert any("两名稽核人员" in missing.item(i).text() for i in range(missing.count()))
    box = d.do(lambda: d.click(page.close_button), expect_error=True)
    assert "两名稽核人员" in d.dismiss(box)
    assert not d.case.snap.is_closed
    # evidence cannot be captured by one inspector either
    evidence = d.page("evidence")
    evidence.source.setText("测试")
    box = d.do(lambda: evidence.import_bytes("x.jpg", b"\xff\xd8not a real jpeg"), expect_error=True)
    assert "两名稽核人员" in d.dismiss(box)
    # B comes back and confirms with their own passphrase
    d.click(page.team_rows[b_id][2])
    d.do(lambda: page.passphrase_dialog.textValueSelected.emit(profile.pass_b))
    assert d.case.snap.inspectors[1].unlocked


def test_closing_refused_with_an_unsigned_evidence_item(opened, tmp_path):
    d, _case_id, _profile = opened
    evidence = d.page("evidence")
    evidence.source.setText("住院部")
    f = tmp_path / "IMG_1.JPG"
    f.write_bytes(photo(1))
    d.do(lambda: evidence.import_paths([f]))
    item = d.case.snap.evidence[0]
    assert item.provider_state is None
    # the list shows it as awaiting a signature or refusal, the step as missing
    assert evidence.model.state_text(item) == "待签名或记录拒签"
    assert not d.case.snap.statuses["evidence"].done
    page = d.page("closing")
    texts = [d.case.missing.item(i).text() for i in range(d.case.missing.count())]
    assert any("既无提供者签字" in t for t in texts)
    box = d.do(lambda: d.click(page.close_button), expect_error=True)
    assert "尚不能结案" in d.dismiss(box)
    # an empty pad is not a signature
    evidence.select_item(item.id)
    d.click(evidence.sign_button)
    dialog = evidence.sign_dialog
    d.click(dialog.ok_button)
    assert dialog.isVisible() and dialog.error.text()
    dialog.reject()
    # a refusal needs its reason
    d.click(evidence.refuse_button)
    evidence.refusal_dialog._accept()
    assert evidence.refusal_dialog.isVisible() and evidence.refusal_dialog.error.text()
    evidence.refusal_dialog.reject()


def test_a_folder_import_names_the_file_it_could_not_take_and_keeps_the_rest(opened, tmp_path):
    d, _case_id, _profile = opened
    page = d.page("evidence")
    files = []
    for n in range(3):
        f = tmp_path / f"IMG_{n:04d}.JPG"
        f.write_bytes(photo(n))
        files.append(f)
    vanished = tmp_path / "IMG_GONE.JPG"  # listed by the folder chooser, removed before it was read
    page.source.setText("住院三病区护士站")
    d.do(lambda: page.import_paths([files[0], vanished, files[1], files[2]]))
    assert len(page.last_import) == 3, page.import_state.text()
    assert page.model.rowCount() == 3
    state = page.import_state.text()
    assert "3" in state and "IMG_GONE.JPG" in state
    assert {page.model.item(r).title for r in range(3)} == {"IMG_0000", "IMG_0001", "IMG_0002"}


def test_an_import_shows_what_capture_noted_in_the_signed_items(opened, tmp_path):
    """A .jpg that is not an image is kept as a plain file; the note signed with the item is shown on the page
    (it was written into the manifest only), for one file and for a folder."""
    d, _case_id, _profile = opened
    page = d.page("evidence")
    page.source.setText("住院部")
    fake = tmp_path / "IMG_FAKE.JPG"
    fake.write_bytes(b"this is a text file, not a photo\n")
    d.do(lambda: page.import_paths([fake]))
    assert len(page.last_import) == 1
    state = page.import_state.text()
    assert "已签名的证据中记有" in state and "IMG_FAKE.JPG" in state and "plain file" in state, state
    good = tmp_path / "IMG_0001.JPG"
    good.write_bytes(photo(1))
    fake2 = tmp_path / "IMG_FAKE2.JPG"
    fake2.write_bytes(b"also not a photo\n")
    d.do(lambda: page.import_paths([good, fake2]))
    state = page.import_state.text()
    assert "IMG_FAKE2.JPG" in state and "IMG_0001.JPG" not in state.split("\n", 1)[1], state


def test_a_second_print_to_pdf_keeps_the_first_and_says_where_it_went(opened, tmp_path, translators):
    """Printing the on-the-spot forms to PDF twice: the second set takes -2 names, nothing is replaced, and the
    status line names the folder and the files (the field may show only a long path's end), listed in the
    language shown."""
    d, case_id, _profile = opened
    page = d.page("closing")
    out = tmp_path / "prints"
    out.mkdir()
    page.target.setCurrentIndex(page.target.findData(""))
    page.pdf_folder.setText(str(out))
    forms = d.case.snap.required_forms
    assert forms
    d.do(lambda: d.click(page.print_all_button))
    first = {f: (out / f"{f}-{case_id[:8]}.pdf").read_bytes() for f in forms}
    translators.switch("en")
    d.do(lambda: d.click(page.print_all_button))
    again = [f"{f}-{case_id[:8]}-2.pdf" for f in forms]
    assert all((out / name).read_bytes().startswith(b"%PDF") for name in again)
    assert all((out / f"{f}-{case_id[:8]}.pdf").read_bytes() == first[f] for f in forms)  # never replaced
    said = page.print_state.text()
    assert f"Saved in {out} as: " + ", ".join(again) in said and "、" not in said, said
