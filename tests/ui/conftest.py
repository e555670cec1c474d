"""UI tests run on real widgets under the offscreen platform, configured like the real app."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from app.ui.i18n import Translators

# The offscreen platform plugin warns that it cannot propagate size hints to a (non-existent) window system.
# This one message is an artefact of the test platform, not of our code; every other Qt warning fails a test.
OFFSCREEN_ONLY_WARNINGS = (r"This plugin does not support propagateSizeHints\(\)",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_ONLY_WARNINGS))


@pytest.fixture(autouse=True)
def _ui_app(translators: Translators) -> Iterator[None]:
    """Every test starts in zh_CN and leaves no background work running."""
    translators.switch("zh_CN")
    yield
    QThreadPool.globalInstance().waitForDone(10_000)
    translators.switch("zh_CN")
