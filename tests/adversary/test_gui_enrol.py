"""The first-run wizard from the stranger's side (an EMPTY profile, the real page, real Argon2id keyslots): who is
enrolled is printed and signed on every record of every audit, and a passphrase is all that stands between a lost
laptop and its cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.ui.main_window import PAGE_ENROL, MainWindow
from app.ui.store_service import StoreUnlockService
from app.ui.wiring import Services

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

ORG = "某市医疗保障基金稽核中心"


@pytest.fixture
def wizard(qtbot, tmp_path: Path, gui_app):
    root = tmp_path / "profile"  # nothing there yet
    win = MainWindow(Services(profile_dir=root, unlock=StoreUnlockService(root)), idle_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.current_page_name() == PAGE_ENROL
    yield win.page(PAGE_ENROL)
    win.close()


def _enrol(qtbot, page, name: str, credential: str, secret: str, repeat: str | None = None,
           existing: str = "") -> int:
    """Fill the page and press 登记; the number of inspectors it added."""
    for edit, text in ((page.name, name), (page.credential, credential), (page.organisation, ORG),
                       (page.passphrase, secret), (page.repeat, secret if repeat is None else repeat),
                       (page.existing, existing)):
        edit.setText(text)
    before = len(page.service.inspectors())
    qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.enrol_button.isEnabled() and not page.error.text().endswith("…")
                    and "…" not in page.error.text(), timeout=60_000)
    return len(page.service.inspectors()) - before


@pytest.mark.parametrize("name", ["张\u200b三", "李\u202e四", "\u2066王五\u2069"])
def test_a_name_with_hidden_characters_is_refused_and_kept(qtbot, wizard, name: str) -> None:
    """"张\\u200b三" looks like 张三 on screen and on paper, and is another string for every comparison (the roster,
    the archive's bound identity, a search); "李\\u202e四" reorders what follows it in Qt but not on the PDF. The
    name is printed on every notice and record and signed into every manifest."""
    assert _enrol(qtbot, wizard, name, "42010020269001", "first inspector 0001") == 0
    assert "U+" in wizard.error.text() and "不可见" in wizard.error.text()
    assert wizard.name.text() == name and wizard.passphrase.text() == "first inspector 0001"  # nothing lost


def test_an_absurdly_long_name_is_refused(qtbot, wizard) -> None:
    """5,000 characters of name were enrolled and printed (88 pages of a 稽核通知书 for 5,000-character fields)."""
    assert _enrol(qtbot, wizard, "王" * 5000, "42010020269001", "first inspector 0001") == 0
    assert "姓名" in wizard.error.text() and "字" in wizard.error.text()


@pytest.mark.parametrize("secret", ["aaaaaaaaaaaa", "1234567890", "abababababab", "0987654321"])
def test_a_trivial_passphrase_is_refused_with_the_reason(qtbot, wizard, secret: str) -> None:
    """Ten characters were the wizard's only rule (eight the store's): "1234567890" and "aaaaaaaaaa" passed, and
    they are the first that anyone who finds the laptop tries."""
    assert _enrol(qtbot, wizard, "张三", "42010020269001", secret) == 0
    assert "口令" in wizard.error.text() and "简单" in wizard.error.text()
    assert wizard.name.text() == "张三"


def test_the_length_rule_is_the_stores_not_the_pages(qtbot, wizard) -> None:
    """The page said ten characters, the store eight: one rule, in the core, that both use."""
    from app.models.keyslots import MIN_PASSPHRASE

    assert str(MIN_PASSPHRASE) in wizard.intro.text()
    assert _enrol(qtbot, wizard, "张三", "42010020269001", "x7#Qm!" [:MIN_PASSPHRASE - 1]) == 0
    assert str(MIN_PASSPHRASE) in wizard.error.text()


def test_a_mismatched_confirmation_and_the_same_person_twice(qtbot, wizard) -> None:
    """The control of two rules that held: the confirmation differs, and one 执法证号 enrolled a second time."""
    assert _enrol(qtbot, wizard, "张三", "42010020269001", "first inspector 0001", "first inspector 0002") == 0
    assert "不一致" in wizard.error.text()
    assert _enrol(qtbot, wizard, "张三", "42010020269001", "first inspector 0001") == 1
    assert _enrol(qtbot, wizard, "张三", "42010020269001", "second inspector 0002",
                  existing="first inspector 0001") == 0
    assert "已登记" in wizard.error.text()


def test_the_unlock_delay_never_says_zero_seconds() -> None:
    """After repeated wrong passphrases the unlock page said "请在 0 秒后再试" (0.4 s rounded down) and refused
    the next try all the same."""
    from app.errors import UnlockThrottled

    assert "1 秒" in UnlockThrottled(0.4).message_zh and "in 1 s" in UnlockThrottled(0.4).message_en
    assert "3 秒" in UnlockThrottled(2.01).message_zh


@pytest.mark.parametrize("again", ["４２０１００２０２６９００１", "4201 0020 2690 01", " 42010020269001\u3000"])
def test_the_same_credential_number_typed_otherwise_is_the_same_person(qtbot, wizard, again: str) -> None:
    """The 执法证号 typed in full-width digits (the input method left in full-width mode) or spaced as printed on
    the card was another string, so the same person was enrolled a second time: "two inspectors", one person."""
    assert _enrol(qtbot, wizard, "张三", "42010020269001", "first inspector 0001") == 1
    assert _enrol(qtbot, wizard, "张三", again, "second inspector 0002", existing="first inspector 0001") == 0
    assert "已登记" in wizard.error.text()
