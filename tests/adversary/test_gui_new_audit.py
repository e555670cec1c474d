"""新建稽核 from the stranger's side: the real dialog of the real window on a real store with no case. Every bad
value is refused with its reason while the dialog stays open with everything typed, and nothing is created."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt

from app.ui.main_window import PAGE_CASE, MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services
from tests.ui.test_walkthrough import TIMEOUT, unlock

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

USCC = "91350100M000100Y30"


@pytest.fixture
def dialog(qtbot, two_inspectors, gui_app):
    win = MainWindow(Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root)),
                     idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    unlock(qtbot, win, two_inspectors.pass_a, two_inspectors.pass_b)
    qtbot.mouseClick(win.home_page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.new_audit_dialog is not None and win.new_audit_dialog.isVisible(), timeout=TIMEOUT)
    dlg = win.new_audit_dialog
    fill_valid(dlg)
    yield win, dlg
    if shiboken6.isValid(dlg):
        dlg.reject()
    win.lock_now()
    win.services.store_pool.waitForDone(10_000)
    win.close()


def set_day(edit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def fill_valid(dlg) -> None:
    """A complete, valid 新建稽核 (each test then spoils one thing)."""
    today = date.today()
    dlg.party.setCurrentIndex(dlg.party.findData("__new__"))
    dlg.party_name.setText("某市虚构第三医院（练习）")
    dlg.party_kind.setCurrentIndex(dlg.party_kind.findData("designated_hospital"))
    dlg.uscc.setText(USCC)
    dlg.address.setText("某市某区练习路 3 号")
    dlg.legal_rep.setText("钱院长")
    dlg.kind.setCurrentIndex(dlg.kind.findData("special"))
    dlg.template.setCurrentIndex(0)
    dlg.doc_no.setText("某医保稽通〔2026〕21号")
    dlg.matters.setText("住院费用结算")
    set_day(dlg.planned, today + timedelta(days=7))
    dlg.notice_mode.setCurrentIndex(dlg.notice_mode.findData("served"))
    set_day(dlg.served_on, today)
    set_day(dlg.period_from, date(today.year - 1, 1, 1))
    set_day(dlg.period_to, date(today.year - 1, 12, 31))
    dlg.inspector_a.setCurrentIndex(0)
    dlg.inspector_b.setCurrentIndex(1)


def submit_refused(qtbot, win: MainWindow, dlg) -> str:
    """Press 创建稽核; the refusal shown in the dialog (which stays open, nothing created)."""
    dlg.error.setText("")
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.error.text() != "" or win.current_page_name() == PAGE_CASE, timeout=TIMEOUT)
    assert win.current_page_name() != PAGE_CASE, "created"
    assert dlg.isVisible() and dlg.create_button.isEnabled()
    return dlg.error.text()


@pytest.mark.parametrize("field, limit", [("doc_no", 64), ("title", 300), ("place", 300), ("matters", 2000),
                                          ("basis", 2000), ("party_name", 200), ("address", 300),
                                          ("legal_rep", 100)])
def test_a_5000_character_field_is_refused_as_too_long(qtbot, dialog, field: str, limit: int) -> None:
    """5,000 characters pasted into 文号 (or any field) made a case whose 稽核通知书 was 88 pages, signed as such;
    the same 文号 typed on the arrival page afterwards was refused as longer than 64 (one rule, two answers)."""
    win, dlg = dialog
    text = "稽" * 5000
    getattr(dlg, field).setText(text)
    error = submit_refused(qtbot, win, dlg)
    assert "过长" in error and str(limit) in error, error
    assert getattr(dlg, field).text() == text  # kept, for the inspector to shorten
    assert dlg.focusWidget() is getattr(dlg, field) or not dlg.isActiveWindow()


def test_a_notice_served_in_the_future_is_refused(qtbot, dialog) -> None:
    """"Notice served on" a day after today recorded a service that has not happened as a fact of the case."""
    win, dlg = dialog
    today = date.today()
    set_day(dlg.planned, today + timedelta(days=30))
    set_day(dlg.served_on, today + timedelta(days=10))
    error = submit_refused(qtbot, win, dlg)
    assert "送达" in error and "今天" in error, error


@pytest.mark.parametrize("offset", [-3 * 365, 5 * 365])
def test_a_planned_date_years_away_is_refused(qtbot, dialog, offset: int) -> None:
    """A planned date three years ago or five years ahead (a slip of the year, or a clock set wrong) was taken."""
    win, dlg = dialog
    today = date.today()
    planned = today + timedelta(days=offset)
    set_day(dlg.planned, planned)
    set_day(dlg.served_on, planned - timedelta(days=5))
    set_day(dlg.period_from, date(planned.year - 1, 1, 1))
    set_day(dlg.period_to, date(planned.year - 1, 12, 31))
    error = submit_refused(qtbot, win, dlg)
    assert "计划稽核日期" in error and "时钟" in error, error


@pytest.mark.parametrize("offset", [-3 * 365, 5 * 365])
def test_a_planned_date_years_away_is_refused_when_edited_later(gui_window, offset: int) -> None:
    """The same date the new-audit form refuses was taken when typed later into the arrival page's case details:
    the edit gets the new audit's refusal, and the date stays as it was."""
    from tests.ui.test_new_audit import button

    d = gui_window
    arrival = d.page("arrival")
    before = d.case.snap.planned_date
    set_day(arrival.case_fields["planned_date"], date.today() + timedelta(days=offset))
    shown = d.do(lambda: d.click(button(arrival, "保存案件信息")), expect_error=True)
    assert shown is not None
    text = d.dismiss(shown)
    assert "计划稽核日期" in text and "一年以上" in text and "时钟" in text, text
    d.qtbot.waitUntil(d.win.workspace.idle, timeout=TIMEOUT)
    assert d.case.snap.planned_date == before


def test_the_rules_that_held(qtbot, dialog) -> None:
    """The control: the period ending before it starts, a notice two days ahead, an unannounced audit without a
    reason, one inspector chosen twice and a wrong check character are each refused with their reason."""
    win, dlg = dialog
    today = date.today()
    set_day(dlg.period_from, date(today.year - 1, 12, 31))
    set_day(dlg.period_to, date(today.year - 1, 1, 1))
    assert "晚于" in submit_refused(qtbot, win, dlg)
    fill_valid(dlg)
    set_day(dlg.planned, today + timedelta(days=2))
    assert "提前3日" in submit_refused(qtbot, win, dlg)
    fill_valid(dlg)
    dlg.notice_mode.setCurrentIndex(dlg.notice_mode.findData("unannounced"))
    assert "理由" in submit_refused(qtbot, win, dlg)
    fill_valid(dlg)
    dlg.inspector_b.setCurrentIndex(dlg.inspector_a.currentIndex())
    assert "两名" in submit_refused(qtbot, win, dlg)
    fill_valid(dlg)
    dlg.uscc.setText(USCC[:17] + "1")
    assert "统一社会信用代码" in submit_refused(qtbot, win, dlg)


def test_the_arrival_page_refuses_a_notice_served_tomorrow(gui_window) -> None:
    """The same claim on the arrival page (记录通知情况): a service date after today was recorded as served."""
    d = gui_window
    page = d.page("arrival")
    today = date.today()
    set_day(page.audit_date, today + timedelta(days=7))  # tomorrow is 6 days before it: the 3-day rule holds
    set_day(page.served_on, today + timedelta(days=1))
    box = d.do(page.record_notice, expect_error=True)
    assert box is not None
    text = d.dismiss(box)
    assert "晚于今天" in text, text
    assert d.case.snap.notice_served_on != (today + timedelta(days=1)).isoformat()


def test_a_document_served_next_month_is_refused(gui_window) -> None:
    """送达 recorded for a day that has not come (a slip of the month in the date-time field) was kept as the
    service of the document, and its 送达回证 printed with that date."""
    from PySide6.QtCore import QDateTime

    d = gui_window
    box = d.page("closing")._service_box
    box.recipient.setText("某市虚构第二医院（测试）")
    box.place.setText("某市某区测试路 2 号")
    box.servers.setText("王建国、李晓梅")
    box.served_at.setDateTime(QDateTime.currentDateTime().addMonths(1))
    shown = d.do(box.save, expect_error=True)
    assert shown is not None
    text = d.dismiss(shown)
    assert "送达时间" in text and "晚于今天" in text, text
    assert not (d.case.snap.data.get("documents") or {}).get("service")


def _print_to(d, folder: str) -> list[str]:
    from tests.ui.walkthrough_helpers import error_boxes

    page = d.page("closing")
    page.target.setCurrentIndex(page.target.findData(""))
    page.pdf_folder.setText(folder)
    d.click(page.print_all_button)
    d.qtbot.waitUntil(lambda: bool(error_boxes()) or "已打印" in page.print_state.text()
                      or "未打印" in page.print_state.text(), timeout=30_000)
    d.qtbot.waitUntil(d.win.workspace.idle, timeout=30_000)
    return [d.dismiss(b) for b in error_boxes()]


def test_a_pdf_folder_that_is_relative_or_a_file_is_refused_once_before_rendering(gui_window, tmp_path) -> None:
    """"pdf" typed into the folder field wrote the forms into whatever folder the program was started from; a
    file's path gave one identical message box per form (five for one typo)."""
    d = gui_window
    texts = _print_to(d, "pdf")
    assert len(texts) == 1 and "不是完整的文件夹路径" in texts[0], texts
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    texts = _print_to(d, str(a_file))
    assert len(texts) == 1 and "是一个文件" in texts[0], texts
    assert not any(d.case.snap.printed.get(f) for f in d.case.snap.required_forms)


def test_a_folder_where_the_pdf_should_go_is_named_not_blamed_on_the_folder(gui_window, tmp_path) -> None:
    """A folder named like the PDF (onsite-record-0194….pdf, left by an unzip) made the writer say the chosen
    folder "does not exist or is not writable" — it is both there and writable."""
    d = gui_window
    out = tmp_path / "out"
    out.mkdir()
    forms = list(d.case.snap.required_forms)
    blocked = forms[0]
    (out / f"{blocked}-{d.case.case_id[:8]}.pdf").mkdir()
    texts = _print_to(d, str(out))
    assert len(texts) == 1 and "已有一个名为" in texts[0], texts
    assert not d.case.snap.printed.get(blocked)


def test_printing_to_pdf_again_never_replaces_the_earlier_file(gui_window, tmp_path) -> None:
    """Paper is evidence: the second print of a form to the same folder wrote over the first file (an earlier copy
    may have been handed out). The reprint gets its own name (-2) and the status line names the files written."""
    d = gui_window
    out = tmp_path / "out"
    out.mkdir()
    forms = list(d.case.snap.required_forms)
    assert _print_to(d, str(out)) == []
    firsts = {f: out / f"{f}-{d.case.case_id[:8]}.pdf" for f in forms}
    earlier = {f: p.read_bytes() for f, p in firsts.items()}
    mark = forms[0]
    firsts[mark].write_bytes(earlier[mark] + b"% handed to the hospital\n")  # the earlier copy differs on disk
    assert _print_to(d, str(out)) == []
    status = d.page("closing").print_state.text()
    for form in forms:
        again = out / f"{form}-{d.case.case_id[:8]}-2.pdf"
        assert again.read_bytes().startswith(b"%PDF"), form
        if form != mark:
            assert firsts[form].read_bytes() == earlier[form], form
        assert again.name in status, status
        assert len(d.case.snap.printed[form]) == 2, form
    assert firsts[mark].read_bytes() == earlier[mark] + b"% handed to the hospital\n"
    assert sorted(p.name for p in out.iterdir()) == sorted([p.name for p in firsts.values()]
                                                           + [f"{f}-{d.case.case_id[:8]}-2.pdf" for f in forms])


def _open_new_audit(qtbot, win: MainWindow):
    qtbot.mouseClick(win.home_page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.new_audit_dialog is not None and win.new_audit_dialog.isVisible(), timeout=TIMEOUT)
    return win.new_audit_dialog


def test_what_was_typed_into_new_audit_survives_the_idle_lock_and_esc(qtbot, dialog, two_inspectors) -> None:
    """The inspector types the party, its code, the dates and the reason of an unannounced audit, then steps away
    to ask for the 文号: the idle lock closed the dialog and everything typed was gone (Esc the same). The case
    pages keep drafts in the encrypted store; 新建稽核, having no case yet, kept nothing."""
    win, dlg = dialog
    dlg.doc_no.setText("某医保稽通〔2026〕77号")
    dlg.notice_mode.setCurrentIndex(dlg.notice_mode.findData("unannounced"))
    dlg.unannounced_reason.setPlainText("举报线索显示存在挂床住院，事先通知可能导致证据灭失")
    win.lock_now()
    qtbot.waitUntil(lambda: win.current_page_name() != "home", timeout=TIMEOUT)
    win.services.store_pool.waitForDone(10_000)
    qtbot.waitUntil(lambda: win.current_page_name() in ("unlock", "lock"), timeout=TIMEOUT)
    if win.current_page_name() == "lock":
        win._to_unlock()
    unlock(qtbot, win, two_inspectors.pass_a, two_inspectors.pass_b)
    again = _open_new_audit(qtbot, win)
    assert again.party_name.text() == "某市虚构第三医院（练习）" and again.uscc.text() == USCC
    assert again.doc_no.text() == "某医保稽通〔2026〕77号"
    assert again.notice_mode.currentData() == "unannounced"
    assert again.unannounced_reason.toPlainText() == "举报线索显示存在挂床住院，事先通知可能导致证据灭失"
    # Esc: kept for the next 新建稽核 as well; created: the draft ends
    again.doc_no.setText("某医保稽通〔2026〕78号")
    again.reject()
    win.workspace.pool.waitForDone(10_000)
    third = _open_new_audit(qtbot, win)
    assert third.doc_no.text() == "某医保稽通〔2026〕78号"
    third.notice_mode.setCurrentIndex(third.notice_mode.findData("served"))
    qtbot.mouseClick(third.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.current_page_name() == PAGE_CASE, timeout=TIMEOUT)
    qtbot.waitUntil(win.workspace.idle, timeout=TIMEOUT)
    win.show_page("home")
    fresh = _open_new_audit(qtbot, win)
    assert fresh.doc_no.text() == "" and fresh.notice_mode.currentData() != "unannounced"


def test_a_malformed_doc_no_is_refused_before_it_numbers_every_form(qtbot, dialog) -> None:
    """Every form of the case is numbered from its 文号: one without a year and a serial printed 〔2026〕0号."""
    win, dlg = dialog
    for bad in ("某医保稽通2026-21", "某医保稽通〔2026〕0号"):
        dlg.doc_no.setText(bad)
        assert "文号" in submit_refused(qtbot, win, dlg)
        assert dlg.doc_no.text() == bad  # kept as typed, to be corrected


def test_an_insured_person_is_named_by_the_identity_number(qtbot, dialog) -> None:
    """参保人员 as the party: the field asks for the resident identity number and checks it as typed; a USCC is
    not one; there is no legal representative to enter; the audit is created with the number."""
    from app.models.validators import resident_id_check_char

    win, dlg = dialog
    first17 = "42010219850304246"
    dlg.party_name.setText("张某某")
    dlg.party_kind.setCurrentIndex(dlg.party_kind.findData("insured_person"))
    assert dlg.uscc_label.text() in ("居民身份证号", "Resident ID number")
    assert not dlg.legal_rep.isVisible()
    dlg.uscc.setText(USCC)  # an organisation's code
    assert dlg.uscc_error.text()
    assert "居民身份证号" in submit_refused(qtbot, win, dlg)
    dlg.uscc.setText(first17 + resident_id_check_char(first17))
    assert dlg.uscc_error.text() == ""
    dlg.party_kind.setCurrentIndex(dlg.party_kind.findData("designated_hospital"))  # back: the number is wrong
    assert dlg.uscc_error.text() and dlg.legal_rep.isVisible()
    dlg.party_kind.setCurrentIndex(dlg.party_kind.findData("insured_person"))
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.current_page_name() == PAGE_CASE, timeout=TIMEOUT)
