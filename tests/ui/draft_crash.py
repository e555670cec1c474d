"""The child process of ``test_drafts.test_a_crash_keeps_what_was_typed``: the real app types into a case and is
then killed (SIGKILL, by the test) without any chance to save.

    python -m tests.ui.draft_crash PROFILE CASE_ID TEXT   (passphrases: FIELDAUDIT_TEST_PASSFILE, one a line)

It unlocks both inspectors, opens the case on its interview step and types ``TEXT`` into the interviewee's name
(its Latin head on the keyboard, its Chinese tail committed by the input method). Once the debounced draft save
has reached the store (nothing flushes it: no Esc, no lock, no quit) it prints ``typed`` and waits to be killed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.ui.application import create_application
    from app.ui.main_window import MainWindow
    from app.ui.wiring import build_services

    root, case_id, text = Path(argv[1]), argv[2], argv[3]
    secrets = Path(os.environ["FIELDAUDIT_TEST_PASSFILE"]).read_text(encoding="utf-8").splitlines()
    _app, _translators = create_application(["draft-crash"])
    services = build_services(root, False)
    win = MainWindow(services, idle_ms=3_600_000)
    win.show()

    def settle(cond=lambda: True, rounds: int = 1000) -> bool:  # type: ignore[no-untyped-def]
        for _ in range(rounds):
            loop = QEventLoop()
            QTimer.singleShot(5, loop.quit)
            loop.exec()
            if cond():
                return True
        return False

    team = services.unlock.inspectors()
    for (iid, _name), secret in zip(team, secrets, strict=True):
        services.unlock.unlock(iid, secret)
    win._on_unlocked(team)
    assert settle(lambda: win.workspace is not None and win.workspace.idle())
    case = win.open_case(case_id)
    assert settle(lambda: case.snap is not None and case.drafts.loaded())
    case.show_step("interview")
    page = case.page("interview")
    field = page.fields["name"]
    field.setFocus()
    saved = {"n": 0}
    case.drafts.saved.connect(lambda: saved.__setitem__("n", saved["n"] + 1))
    latin = text.rstrip("".join(c for c in text if ord(c) > 127))  # typed on the keyboard...
    QTest.keyClicks(field, latin)
    if text[len(latin):]:  # ...and the Chinese committed by the input method, as a pinyin IME does
        commit = QInputMethodEvent()
        commit.setCommitString(text[len(latin):])
        QApplication.sendEvent(field, commit)
    assert field.text() == text
    # the keeper saves on its own, half a second after the last key: wait for that save to reach the store
    assert settle(lambda: saved["n"] > 0 and not case.drafts.dirty() and win.workspace.idle())
    print("typed", flush=True)
    settle(rounds=1_000_000)  # until killed
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
