"""One demo profile for the adversary tests: built once per session, with a printed 现场检查笔录 and an exported
package; tests that change the store copy it first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.ui.i18n import Translators
    from tests.conftest import TwoInspectorProfile
    from tests.ui.test_walkthrough import Driver

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"


@dataclass
class AdvDemo:
    root: Path
    case_id: str
    actor: str
    tmp: Path
    onsite_pdf: Path
    sealing_pdf: Path
    package: Path
    p1: Path
    p2: Path


@pytest.fixture(scope="session")
def adv_demo(tmp_path_factory: pytest.TempPathFactory) -> AdvDemo:
    from app.cli.__main__ import main
    from app.workflow.demo import build_demo

    tmp = tmp_path_factory.mktemp("adv")
    result = build_demo(tmp / "demo", P1, P2)
    p1, p2 = tmp / "p1", tmp / "p2"
    p1.write_text(P1 + "\n", encoding="utf-8")
    p2.write_text(P2 + "\n", encoding="utf-8")
    onsite, sealing, package = tmp / "onsite.pdf", tmp / "sealing.pdf", tmp / "case.fapkg"
    for form, out in (("onsite-record", onsite), ("sealing", sealing)):
        assert main(["print", str(tmp / "demo"), "--case", result.case_id, "--form", form, "--out", str(out),
                     "--passphrase-file", str(p1), "--passphrase-file", str(p2)]) == 0
    assert main(["export", str(tmp / "demo"), "--case", result.case_id, "--out", str(package),
                 "--passphrase-file", str(p1)]) == 0
    return AdvDemo(tmp / "demo", result.case_id, result.inspector_ids[0], tmp, onsite, sealing, package, p1, p2)


@pytest.fixture
def gui_app(translators: Translators) -> Iterator[Translators]:
    """The real application's configuration in zh_CN (what tests/ui's conftest does for every UI test, with the same
    session ``translators``); waits for background work at the end."""
    from PySide6.QtCore import QThreadPool

    translators.switch("zh_CN")
    yield translators
    QThreadPool.globalInstance().waitForDone(10_000)
    translators.switch("zh_CN")


@pytest.fixture
def gui_window(qtbot, two_inspectors: TwoInspectorProfile, gui_app: Translators) -> Iterator[Driver]:
    """The real main window on a real two-inspector store, both unlocked, one case open."""
    from tests.ui.test_walkthrough import case_window
    from tests.ui.walkthrough_helpers import make_case

    case_id = make_case(two_inspectors.root, two_inspectors.pass_a, two_inspectors.pass_b)
    driver = case_window(qtbot, two_inspectors, case_id)
    win = driver.win
    yield driver
    win.lock_now()
    win.services.store_pool.waitForDone(10_000)
    win.close()
