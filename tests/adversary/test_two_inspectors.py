"""Two inspectors act, or nothing happens (条例 Art. 29; 武汉稽核办法 Art. 7(2)). Printing is the place where a
decision is *issued* (issuing.issue_form: its 文号, date and text fixed and journaled on the first print), and
printing needed only one passphrase: one inspector alone, even after the case was closed, issued a 责令改正通知书.
Issuing (and re-issuing) now needs two inspectors of the case unlocked; a reprint of an issued document, one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli.__main__ import main
from app.models.profile import Profile
from tests.adversary.conftest import P1, AdvDemo


def _issued(root: Path, case_id: str) -> list[tuple[str, int]]:
    from app.workflow.issuing import issued_documents

    with Profile.open(root).unlock(P1) as store, store.session() as s:
        return [(d.form, d.seq) for d in issued_documents(s, case_id)]


@pytest.fixture
def demo_copy(adv_demo: AdvDemo, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(adv_demo.root, root)
    return root


def test_the_demo_has_not_issued_a_rectification_notice(adv_demo: AdvDemo, demo_copy: Path) -> None:
    """The premise of the next test."""
    assert "rectification" not in {f for f, _s in _issued(demo_copy, adv_demo.case_id)}


def test_one_inspector_alone_cannot_issue_a_decision_by_printing(adv_demo: AdvDemo, demo_copy: Path,
                                                                 tmp_path: Path) -> None:
    before = _issued(demo_copy, adv_demo.case_id)
    main(["print", str(demo_copy), "--case", adv_demo.case_id, "--form", "rectification",
          "--out", str(tmp_path / "rect.pdf"), "--passphrase-file", str(adv_demo.p1)])
    assert _issued(demo_copy, adv_demo.case_id) == before
    assert not (tmp_path / "rect.pdf").exists()


def test_two_inspectors_issue_and_one_reprints(adv_demo: AdvDemo, demo_copy: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The control: with both passphrases the notice is issued; a reprint of it needs one (same document)."""
    before = _issued(demo_copy, adv_demo.case_id)
    base = ["print", str(demo_copy), "--case", adv_demo.case_id, "--form", "rectification"]
    assert main([*base, "--out", str(tmp_path / "a.pdf"), "--passphrase-file", str(adv_demo.p1),
                 "--passphrase-file", str(adv_demo.p2)]) == 0
    issued = _issued(demo_copy, adv_demo.case_id)
    assert len(issued) == len(before) + 1 and issued[-1][0] == "rectification"
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "b.pdf"), "--passphrase-file", str(adv_demo.p1)]) == 0
    assert _issued(demo_copy, adv_demo.case_id) == issued
