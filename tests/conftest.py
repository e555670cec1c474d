"""Test-wide settings: offscreen Qt, a private data home, and fast access to ready-made profiles."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FIELDAUDIT_LANG", "zh_CN")
_HOME = tempfile.mkdtemp(prefix="fieldaudit-home-")
os.environ["FIELDAUDIT_HOME"] = _HOME

PASS_A = "correct horse 甲"
PASS_B = "battery staple 乙"


@dataclass
class TwoInspectorProfile:
    root: Path
    inspector_a: str
    inspector_b: str
    pass_a: str = PASS_A
    pass_b: str = PASS_B

    def pass_files(self, tmp: Path) -> tuple[Path, Path]:
        fa, fb = tmp / "pass-a.txt", tmp / "pass-b.txt"
        fa.write_text(self.pass_a + "\n", encoding="utf-8")
        fb.write_text(self.pass_b + "\n", encoding="utf-8")
        return fa, fb


@pytest.fixture(scope="session")
def _template_profile(tmp_path_factory: pytest.TempPathFactory) -> TwoInspectorProfile:
    from app.models.profile import Profile

    root = tmp_path_factory.mktemp("template") / "profile"
    profile = Profile.init(root)
    a = profile.enroll("王建国", "42010020260001", "某市医疗保障基金稽核中心", PASS_A)
    b = profile.enroll("李晓梅", "42010020260002", "某市医疗保障基金稽核中心", PASS_B, unlock_passphrase=PASS_A)
    return TwoInspectorProfile(root, a, b)


@pytest.fixture
def two_inspectors(_template_profile: TwoInspectorProfile, tmp_path: Path) -> TwoInspectorProfile:
    """A fresh copy of a profile with two enrolled inspectors (enrolment itself costs seconds of Argon2id)."""
    root = tmp_path / "profile"
    shutil.copytree(_template_profile.root, root)
    return TwoInspectorProfile(root, _template_profile.inspector_a, _template_profile.inspector_b)


@pytest.fixture
def unlocked(two_inspectors: TwoInspectorProfile) -> Iterator[object]:
    """The store of ``two_inspectors`` with both inspectors unlocked for signing."""
    from app.models.profile import Profile

    store = Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    store.unlock_inspector(two_inspectors.pass_b)
    yield store
    store.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def translators(qapp: Any) -> Any:
    """The application configured as the real one is (fonts, style, zh_CN), once for the whole run: the UI tests
    and the adversary's GUI tests share this one ``Translators``, so a switch of language reaches every translator
    installed (two instances left one's Chinese installed under the other's English)."""
    from app.ui.application import configure_application

    return configure_application(qapp, lang="zh_CN")
