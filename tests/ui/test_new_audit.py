"""Issue 10's first "Done when": two inspectors with an EMPTY laptop do a real audit with nothing but the widgets —
enrol through the wizard, create the audit with 新建稽核, carry it through every step to closed, and the exported
package passes ``python -m app.cli verify``. No demo data, no direct store calls."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app.evidence.page_hash import normalise
from app.ui.main_window import PAGE_CASE, PAGE_ENROL, PAGE_HOME, MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services
from tests.cli.test_paper import _program_text
from tests.ui.test_walkthrough import TIMEOUT, Driver, opened, unlock  # noqa: F401 (the fixture)
from tests.ui.walkthrough_helpers import REP_ID, draw_signature, error_boxes, photo

ROOT = Path(__file__).resolve().parents[2]
PASS_A, PASS_B = "first inspector 0001", "second inspector 0002"  # password fields take no input method
USCC = "91350100M000100Y30"  # GB 32100 check character valid


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` as a person does: ASCII by key clicks, Chinese committed by the input method (QTest's key
    clicks take Latin-1 only)."""
    widget.setFocus()
    for chunk in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if chunk.isascii():
            qtbot.keyClicks(widget, chunk)
        else:
            event = QInputMethodEvent()
            event.setCommitString(chunk)
            QApplication.sendEvent(widget, event)


def button(parent: QWidget, text: str) -> QPushButton:
    """The visible button whose text is ``text`` (the zh_CN label a person reads)."""
    found = [b for b in parent.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert found, f"no button {text!r}"
    return found[0]


def enrol(qtbot, win: MainWindow, name: str, cred: str, secret: str, existing: str = "") -> None:
    page = win.page(PAGE_ENROL)
    before = len(page.service.inspectors())
    type_text(qtbot, page.name, name)
    type_text(qtbot, page.credential, cred)
    page.organisation.clear()
    type_text(qtbot, page.organisation, "某市医疗保障基金稽核中心")
    type_text(qtbot, page.passphrase, secret)
    type_text(qtbot, page.repeat, secret)
    if existing:
        type_text(qtbot, page.existing, existing)
    qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
    # done when the page cleared its fields (or, after the second, handed over to the unlock page)
    qtbot.waitUntil(lambda: page.enrol_button.isEnabled() and (page.name.text() == "" or page.error.text()),
                    timeout=60_000)
    assert len(page.service.inspectors()) == before + 1, page.error.text()


def set_date(edit, day: date) -> None:
    edit.setFocus()
    edit.setDate(QDate(day.year, day.month, day.day))


def test_a_new_audit_from_an_empty_profile_to_closed_through_the_widgets(qtbot, tmp_path: Path) -> None:
    root = tmp_path / "profile"  # nothing there yet
    services = Services(profile_dir=root, unlock=StoreUnlockService(root))
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)

    # first run: the wizard enrols two inspectors
    assert win.current_page_name() == PAGE_ENROL
    enrol(qtbot, win, "张稽核", "42010020269001", PASS_A)
    enrol(qtbot, win, "刘稽核", "42010020269002", PASS_B, existing=PASS_A)
    qtbot.waitUntil(lambda: win.current_page_name() == "unlock", timeout=TIMEOUT)
    unlock(qtbot, win, PASS_A, PASS_B)
    home = win.home_page
    assert home.model.rowCount() == 0

    # 新建稽核
    qtbot.mouseClick(home.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.new_audit_dialog is not None and win.new_audit_dialog.isVisible(), timeout=TIMEOUT)
    dialog = win.new_audit_dialog
    dialog.party.setCurrentIndex(dialog.party.findData("__new__"))
    type_text(qtbot, dialog.party_name, "某市虚构第三医院（练习）")
    dialog.party_kind.setCurrentIndex(dialog.party_kind.findData("designated_hospital"))
    type_text(qtbot, dialog.uscc, USCC[:17] + "1")  # a wrong check character is named at once
    assert dialog.uscc_error.text()
    dialog.uscc.clear()
    type_text(qtbot, dialog.uscc, USCC)
    assert dialog.uscc_error.text() == ""
    type_text(qtbot, dialog.address, "某市某区练习路 3 号")
    type_text(qtbot, dialog.legal_rep, "钱院长")
    dialog.kind.setCurrentIndex(dialog.kind.findData("special"))
    assert dialog.template.count() >= 1
    dialog.template.setCurrentIndex(0)
    type_text(qtbot, dialog.doc_no, "某医保稽通〔2026〕21号")
    type_text(qtbot, dialog.matters, "住院费用结算")
    today = date.today()
    set_date(dialog.planned, today)
    dialog.notice_mode.setCurrentIndex(dialog.notice_mode.findData("served"))
    set_date(dialog.served_on, today - timedelta(days=5))
    # the period is missing: refused, and the field named gets the focus
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=TIMEOUT)
    assert "稽核期间" in dialog.error.text() or "日期" in dialog.error.text()
    assert dialog.isVisible()
    set_date(dialog.period_from, date(today.year - 1, 1, 1))
    set_date(dialog.period_to, date(today.year - 1, 12, 31))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.current_page_name() == PAGE_CASE, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    d = Driver(qtbot, win)
    case = d.case
    case_id = case.case_id
    # truthful steps: nothing is ✓ on a new audit
    assert not any(case.steps.state(p) == "done" for p in ("arrival", "recusal", "checklist", "evidence",
                                                             "interview", "onsite", "findings", "closing"))
    assert case.missing.count() > 0  # 尚缺 is shown from the start

    # arrival
    page = d.page("arrival")
    d.do(lambda: d.click(button(page, "记录通知情况")))
    for _iid, (_label, b) in page.cred_rows.items():
        d.do(lambda b=b: d.click(b))
    type_text(qtbot, page.rep_name, "孙主任")
    type_text(qtbot, page.rep_post, "医保办主任")
    type_text(qtbot, page.rep_id, REP_ID)
    type_text(qtbot, page.rep_phone, "13800138000")
    d.do(lambda: d.click(page.rep_button))
    for box in page.rights.values():
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()
    type_text(qtbot, page.rights_answer, "清楚，不申请回避")
    d.do(lambda: d.click(button(page, "记录权利义务告知")))
    assert case.steps.state("arrival") == "done", case.snap.statuses["arrival"].missing

    # 下一步 → recusal
    qtbot.mouseClick(case.next_button, Qt.MouseButton.LeftButton)
    assert case.current_step() == "recusal"
    page = case.page("recusal")
    for info in case.snap.inspectors:
        d.do(lambda n=info.name: d.click(button(page, f"声明：{n}")))
    assert case.steps.state("recusal") == "done"

    # evidence: three photos and one document
    page = d.page("evidence")
    files = []
    for n in range(3):
        f = tmp_path / f"IMG_{n:04d}.JPG"
        f.write_bytes(photo(n))
        files.append(f)
    doc = tmp_path / "住院费用清单.pdf"
    doc.write_bytes(b"%PDF-1.4\n% an inpatient cost list\n%%EOF\n")
    page.describe_toggle.setChecked(True)
    type_text(qtbot, page.source, "住院部三病区护士站")
    type_text(qtbot, page.provider_name, "钱护士")
    type_text(qtbot, page.provider_role, "护士长")
    d.do(lambda: page.import_paths(files))
    page.kind.setCurrentIndex(page.kind.findData("documentary"))
    d.do(lambda: page.import_paths([doc]))
    assert len(case.snap.evidence) == 4
    photos = [e.id for e in case.snap.evidence if e.is_image]
    assert len(photos) == 3
    # the provider signs once for the three photos (the list shown, each ticked) ...
    d.click(page.batch_button)
    batch = page.batch_dialog
    assert batch is not None and batch.items.count() == 4
    for i in range(batch.items.count()):
        if batch.items.item(i).data(Qt.ItemDataRole.UserRole) not in photos:
            batch.items.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert sorted(batch.chosen()) == sorted(photos)
    draw_signature(qtbot, batch.panel.pad)
    d.do(lambda: d.click(batch.ok_button))
    assert {e.id: e.provider_state for e in case.snap.evidence if e.is_image} == dict.fromkeys(photos, "signed")
    # ... and refuses to sign the document
    last = next(e for e in case.snap.evidence if not e.is_image)
    page.select_item(last.id)
    d.click(page.refuse_button)
    type_text(qtbot, page.refusal_dialog.reason, "提供者拒绝签字，未说明理由")
    type_text(qtbot, page.refusal_dialog.witness, "孙见证")
    d.do(lambda: d.click(button(page.refusal_dialog, "记录拒签")))
    assert case.steps.state("evidence") == "done"

    # checklist: every item gets a finding, the first non-compliant with the photos linked
    page = d.page("checklist")
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        code = "noncompliant" if row == 0 else "compliant"
        page.radios[code].setChecked(True)
        if row == 0:
            type_text(qtbot, page.note, "三病区 12 张床位中 5 张无患者")
            for i in range(page.evidence.count()):
                if page.evidence.item(i).data(Qt.ItemDataRole.UserRole) in photos:
                    page.evidence.item(i).setCheckState(Qt.CheckState.Checked)
        d.do(lambda: d.click(button(page, "保存结论（Ctrl+S）")))
    assert case.steps.state("checklist") == "done"

    # interview with the interviewee's signature on every page
    page = d.page("interview")
    for key, value in {"name": "钱护士", "sex": "女", "id_number": REP_ID, "employer": "某市虚构第三医院",
                       "post": "护士长", "phone": "13800138001", "relation": "证人"}.items():
        type_text(qtbot, page.fields[key], value)
    page.qa.item(0, 0).setText("今天上午三病区有多少住院患者在床？")
    page.qa.item(0, 1).setText("在床 7 人。")
    for i in range(4):
        page.add_pair(f"问题 {i + 2}？", f"回答 {i + 2}。")
    d.do(lambda: d.click(button(page, "两名稽核人员签署本笔录")))
    rec = case.snap.current_records("interview")[0]
    n_pages = len(page.record_pages(rec))
    assert n_pages >= 2
    for p in range(1, n_pages + 1):
        page.page_spin.setValue(p)
        d.click(page.sign_page_button)
        draw_signature(qtbot, page.sign_dialog.panel.pad)
        d.do(lambda: d.click(page.sign_dialog.ok_button))
    rec = case.snap.current_records("interview")[0]
    assert rec.pages_signed == n_pages and rec.party == "signed"
    assert case.steps.state("interview") == "done"

    # the on-site record; the party signs
    page = d.page("onsite")
    type_text(qtbot, page.findings, "检查发现三病区 12 张床位中 5 张无患者在床，床头卡与住院清单不符。")
    d.do(lambda: d.click(button(page, "两名稽核人员签署本笔录")))
    d.click(page.sign_page_button)
    draw_signature(qtbot, page.sign_dialog.panel.pad)
    d.do(lambda: d.click(page.sign_dialog.ok_button))
    assert case.steps.state("onsite") == "done"

    # one finding
    page = d.page("findings")
    page.violation.setCurrentIndex(page.violation.findData("ghost_bed"))
    type_text(qtbot, page.description, "挂床住院 5 人次，虚计床位费、护理费。")
    type_text(qtbot, page.amount, "3000.00")
    type_text(qtbot, page.person, "周医生")
    d.do(lambda: d.click(button(page, "添加问题（Ctrl+Enter）")))
    assert len(case.snap.findings) == 1
    assert case.steps.state("findings") == "done", case.snap.statuses["findings"].missing
    assert case.steps.state("measures") == "empty"  # not needed here, and never a ✓ for nothing done

    # closing: every on-the-spot form printed to PDF in one action, then closed
    page = d.page("closing")
    assert any(c.startswith("closing.print.") for c in case.missing_codes())
    out = tmp_path / "prints"
    out.mkdir()
    page.target.setCurrentIndex(page.target.findData(""))
    type_text(qtbot, page.pdf_folder, str(out))
    d.do(lambda: d.click(page.print_all_button))
    forms = list(case.snap.required_forms)
    assert set(forms) == {"onsite-record", "evidence-list", "interview"}
    for form in forms:
        assert len(case.snap.printed[form]) == 1
        assert (out / f"{form}-{case_id[:8]}.pdf").read_bytes().startswith(b"%PDF")
    # no program text on any printed page of the new audit ...
    for form in forms:
        pdf = out / f"{form}-{case_id[:8]}.pdf"
        whole = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout
        assert not _program_text(whole), (form, _program_text(whole))
    # ... and what the party read and signed on screen is, page for page, the text of the printed form
    for kind, form in (("interview", "interview"), ("onsite", "onsite-record")):
        rec = case.snap.current_records(kind)[0]
        shown = d.page(kind).record_pages(rec)
        pdf = out / f"{form}-{case_id[:8]}.pdf"
        assert len(shown) >= 1
        for k, text in enumerate(shown, 1):
            assert not _program_text(text), (kind, k, _program_text(text))
            printed = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(k), "-l", str(k), str(pdf),
                                      "-"], capture_output=True, text=True, check=True).stdout
            assert normalise(printed).startswith(normalise(text)), (form, k)  # then only the verification lines
    assert case.steps.state("closing") == "ready", case.snap.statuses["closing"].missing
    d.do(lambda: d.click(page.close_button))
    assert case.snap.is_closed and case.steps.state("closing") == "done"
    assert not error_boxes()

    # back home: the audit is listed as closed
    qtbot.mouseClick(button(case, "← 案件列表（Esc）"), Qt.MouseButton.LeftButton)
    assert win.current_page_name() == PAGE_HOME

    # export and verify independently
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    pass_file = tmp_path / "pass-a.txt"
    pass_file.write_text(PASS_A + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    package = tmp_path / "case.fapkg"
    export = subprocess.run([sys.executable, "-m", "app.cli", "export", str(root), "--case", case_id,
                             "--out", str(package), "--passphrase-file", str(pass_file)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert export.returncode == 0, export.stderr
    verify = subprocess.run([sys.executable, "-m", "app.cli", "verify", str(package)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    QApplication.processEvents()
    win.close()


def test_the_gui_demo_holds_a_practice_audit_at_its_first_step(qtbot, tmp_path: Path) -> None:
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.ui.wiring import build_services

    services = build_services(tmp_path / "demo", True)
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    unlock(qtbot, win, *DEMO_PASSPHRASES)
    home = win.home_page
    qtbot.waitUntil(lambda: home.model.rowCount() == 2, timeout=TIMEOUT)
    rows = {home.model.row_at(r).status: home.model.row_at(r) for r in range(2)}
    assert set(rows) == {"closed", "assigned"}
    practice = rows["assigned"]
    # the notice deadline is the workflow's (3 days before the planned date), listed on the home page
    due = date.fromisoformat(practice.planned_date) - timedelta(days=3)
    assert practice.next_due == due.isoformat() and practice.next_due_kind == "notice"
    win.open_case(practice.case_id)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    case = win.case_page
    assert case.snap.progress.current_page() == "arrival"
    assert case.steps.state("arrival") == "missing" and case.steps.state("closing") == "missing"
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()


def _opened_case(qtbot, two_inspectors, institution: dict, **case: object):
    """A case made as the sync client makes an office assignment (no period, no 文号 unless given), opened in the
    real window, unlocked by both inspectors: (window, driver, services)."""
    from app.models.profile import Profile
    from app.workflow.cases import CaseSpec, add_institution, create_case

    with Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a) as store:
        store.unlock_inspector(two_inspectors.pass_b)
        ids = [slot.inspector_id for slot in store.profile.inspectors()]
        with store.transaction() as s:
            inst = add_institution(s, **institution)
            case_id = create_case(s, store, ids[0], CaseSpec(institution_id=inst.id, kind="routine",
                                                             inspector_ids=ids, **case)).id
    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root))
    win = MainWindow(services, idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    unlock(qtbot, win, two_inspectors.pass_a, two_inspectors.pass_b)
    win.open_case(case_id)
    qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
    return win, Driver(qtbot, win), services


def test_an_assignment_without_its_period_names_the_field_and_goes_there(qtbot, two_inspectors) -> None:
    """An audit pulled from the office arrives without 稽核期间: the print names the field, "去填写" goes to the
    arrival page's field, and once entered there the print goes through."""
    from tests.ui.walkthrough_helpers import HOSPITAL

    win, d, services = _opened_case(qtbot, two_inspectors, HOSPITAL, title="办公室下发的稽核")
    case = d.case
    # the arrival step lists the period as missing, each entry a link
    d.page("arrival")
    assert "arrival.case.period_from" in case.missing_codes()
    closing = d.page("closing")
    closing.print_form_now("notice")  # the 稽核通知书 states the period under review
    qtbot.waitUntil(lambda: getattr(closing, "missing_field_box", None) is not None, timeout=TIMEOUT)
    box = closing.missing_field_box
    assert "稽核期间起始日" in box.text()
    go = next(b for b in box.buttons() if b.text() == "去填写")
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert case.current_step() == "arrival"
    arrival = case.page("arrival")
    box.close()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is arrival.case_fields["period_from"], timeout=TIMEOUT)
    set_date(arrival.case_fields["period_from"], date(2025, 1, 1))
    set_date(arrival.case_fields["period_to"], date(2025, 12, 31))
    d.do(lambda: d.click(button(arrival, "保存案件信息")))
    assert case.snap.period_from == "2025-01-01" and "arrival.case.period_from" not in case.missing_codes()
    # the office gave no 文号: every form is numbered from it, so the next print names it and goes there
    assert "arrival.case.doc_no" in case.missing_codes()
    closing = d.page("closing")
    closing.missing_field_box = None
    closing.print_form_now("notice")
    qtbot.waitUntil(lambda: closing.missing_field_box is not None, timeout=TIMEOUT)
    box = closing.missing_field_box
    assert "文号" in box.text()
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "去填写"), Qt.MouseButton.LeftButton)
    assert case.current_step() == "arrival"
    box.close()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is arrival.case_fields["doc_no"], timeout=TIMEOUT)
    arrival.case_fields["doc_no"].setText("某医保稽通〔2026〕22号")
    d.do(lambda: d.click(button(arrival, "保存案件信息")))
    assert case.snap.doc_no == "某医保稽通〔2026〕22号" and "arrival.case.doc_no" not in case.missing_codes()
    # clicking a missing entry goes to where it is fixed
    d.page("closing")
    codes = case.missing_codes()
    row = codes.index("arrival.representative")
    qtbot.mouseClick(case.missing.viewport(), Qt.MouseButton.LeftButton,
                     pos=case.missing.visualItemRect(case.missing.item(row)).center())
    assert case.current_step() == "arrival"
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()


def test_a_print_the_pdf_writer_refused_is_not_counted(opened, tmp_path: Path) -> None:  # noqa: F811
    d, _case_id, _profile = opened
    page = d.page("closing")
    page.target.setCurrentIndex(page.target.findData(""))
    # no folder chosen: asked for first, nothing rendered or counted
    d.click(page.print_all_button)
    assert "文件夹" in page.print_state.text()
    # a folder that does not exist: the writer refuses, the refusal is shown, nothing is counted
    type_text(d.qtbot, page.pdf_folder, str(tmp_path / "gone"))
    d.click(page.print_all_button)
    d.qtbot.waitUntil(lambda: bool(error_boxes()), timeout=TIMEOUT)
    box = error_boxes()[0]
    assert "无法写入PDF文件" in box.text()
    box.close()
    d.qtbot.waitUntil(d.win.workspace.idle, timeout=TIMEOUT)
    assert not any(d.case.snap.printed.get(f) for f in d.case.snap.required_forms)
    assert "未打印" in page.print_state.text()


def test_the_sync_summary_names_the_office_records_it_skipped(qtbot) -> None:
    from app.sync.results import SyncReport, TransferStats
    from app.ui.sync_dialogs import SyncSummaryBox
    from app.ui.sync_work import SyncSummary

    report = SyncReport(skipped={"institutions 某市坏代码医院": "check character wrong"})
    summary = SyncSummary.of("http://127.0.0.1:1", report, TransferStats(), {})
    assert summary.skipped == [("institutions 某市坏代码医院", "check character wrong")]
    box = SyncSummaryBox(None, summary)
    qtbot.addWidget(box)
    assert "已跳过" in box.informativeText() and "某市坏代码医院" in box.informativeText()
    assert "check character wrong" in box.detailedText()


def test_a_person_audited_is_recorded_at_arrival_as_themself_with_no_post(qtbot, two_inspectors) -> None:
    """For an insured person the arrival page asks for the person audited (or an agent), not the party's
    representative, and records them with no post; the 尚缺 entry says the same."""
    win, d, services = _opened_case(qtbot, two_inspectors, {"name": "张某某", "kind": "insured_person",
                                                            "uscc": REP_ID, "address": "某市某路 1 号"})
    arrival = d.page("arrival")
    assert "被检查人" in arrival.rep_box.title() and "负责人" not in arrival.rep_box.title()
    assert "负责人" not in arrival.rep_button.text()
    said = d.case.missing.item(d.case.missing_codes().index("arrival.representative")).text()
    assert "被检查人" in said and "负责人" not in said
    arrival.rep_name.setText("张某某")
    qtbot.keyClicks(arrival.rep_id, REP_ID)
    arrival.rep_phone.setText("13800138000")
    d.do(lambda: d.click(arrival.rep_button))  # no post: the person is there as themself
    assert "arrival.representative" not in d.case.missing_codes()
    assert arrival.rep_state.text() == "已登记：张某某"
    win.lock_now()
    qtbot.waitUntil(lambda: not services.unlock.is_open(), timeout=TIMEOUT)
    win.close()
