"""The forms printed after the visit read details no on-site step records: the notice's hour and materials, the
proposed handling, a 送达. Each is entered on the step that owns it; a print that lacks one names it and
"去填写" lands on its input (app.workflow.document_fields)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.ui.main_window import MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services
from tests.ui.test_new_audit import type_text
from tests.ui.test_walkthrough import TIMEOUT, Driver, unlock
from tests.ui.walkthrough_helpers import make_case


def _missing_then_go(qtbot, d: Driver, form: str, words: str, step: str, widget) -> None:
    closing = d.page("closing")
    qtbot.waitUntil(lambda: form in closing.later_rows and closing.later_rows[form].isVisible(), timeout=TIMEOUT)
    closing.missing_field_box = None
    qtbot.mouseClick(closing.later_rows[form], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: closing.missing_field_box is not None, timeout=TIMEOUT)
    box = closing.missing_field_box
    assert words in box.text(), box.text()
    go = next(b for b in box.buttons() if b.text() == "去填写")
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    box.close()
    assert d.case.current_step() == step
    d.win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=TIMEOUT)


def _save(d: Driver, box) -> None:
    d.do(lambda: d.click(box.findChildren(QPushButton)[0]))


def test_later_forms_name_what_they_lack_and_it_is_entered_where_they_say(qtbot, two_inspectors) -> None:
    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    services = Services(profile_dir=two_inspectors.root, unlock=StoreUnlockService(two_inspectors.root))
    win = MainWindow(services, idle_ms=3_600_000)  # the real renderer: the forms are laid out for the preview
    qtbot.addWidget(win)
    win.show()
    try:
        unlock(qtbot, win, two_inspectors.pass_a, two_inspectors.pass_b)
        win.open_case(case_id)
        qtbot.waitUntil(lambda: win.case_page.snap is not None, timeout=TIMEOUT)
        d = Driver(qtbot, win)
        closing = d.page("closing")
        # an announced audit without findings: the notice and the 送达回证, no outcome notices yet
        qtbot.waitUntil(lambda: "notice" in closing.later_rows, timeout=TIMEOUT)
        assert [f for f, b in closing.later_rows.items() if not b.isHidden()] == ["notice", "service-receipt"]

        # the notice lacks its hour and materials: named, and "去填写" goes to the arrival page's box
        arrival = d.case.page("arrival")
        _missing_then_go(qtbot, d, "notice", "稽核（检查）时间和需准备的材料", "arrival", arrival.notice_details["time"])
        materials = arrival.notice_details["materials"]
        box = d.do(lambda: d.click(arrival._notice_box.findChildren(QPushButton)[0]), expect_error=True)
        assert box is not None and "材料" in box.text()
        box.close()
        type_text(qtbot, materials, "住院病历")
        qtbot.keyClick(materials, Qt.Key.Key_Return)
        type_text(qtbot, materials, "费用明细清单")
        _save(d, arrival._notice_box)
        assert "住院病历、费用明细清单" in arrival._notice_box.state.text()
        closing = d.page("closing")
        closing.missing_field_box = None
        qtbot.mouseClick(closing.later_rows["notice"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: closing.preview is not None, timeout=TIMEOUT)  # laid out: the preview opens
        assert closing.missing_field_box is None
        closing.preview.close()

        # the 送达回证 needs a recorded service: "去填写" goes to the closing page's box, filled from the case
        service = closing._service_box
        _missing_then_go(qtbot, d, "service-receipt", "送达记录", "closing", service.recipient)
        assert service.recipient.text() and service.place.text() and "、" in service.servers.text()
        type_text(qtbot, service.received_by, "孙演示")
        _save(d, service)
        assert "稽核通知书" in service.state.text()
        assert "〔2026〕" in service.state.text()  # the served document's 文号, taken from the case, not typed

        # a finding brings the outcome notices; their handling is entered on the findings page
        findings = d.page("findings")
        type_text(qtbot, findings.description, "超标准收费")
        type_text(qtbot, findings.amount, "1200")
        type_text(qtbot, findings.person, "张某")
        d.do(lambda: d.click(findings.add_button))
        closing = d.page("closing")
        qtbot.waitUntil(lambda: "result-notice" in closing.later_rows
                        and not closing.later_rows["result-notice"].isHidden(), timeout=TIMEOUT)
        _missing_then_go(qtbot, d, "result-notice", "处理意见", "findings", findings.outcome["handling"])
        type_text(qtbot, findings.outcome["handling"], "责令退回医疗保障基金")
        type_text(qtbot, findings.outcome["fine"], "abc")
        box = d.do(lambda: d.click(findings._outcome_box.findChildren(QPushButton)[0]), expect_error=True)
        assert box is not None and "abc" in box.text()  # a bad amount is refused with its reason
        box.close()
        findings.outcome["fine"].clear()
        _save(d, findings._outcome_box)
        assert findings._outcome_box.state.text()
        _missing_then_go(qtbot, d, "rectification", "责令改正事项和改正期限", "findings",
                         findings.outcome["rectification"])
    finally:
        if win.is_unlocked():
            win.lock_now()
        services.store_pool.waitForDone(10_000)
        win.close()
