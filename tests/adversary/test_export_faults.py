"""Export to a place that cannot be written: the command fails with a clear reason, and the case's journal does not
claim an export that never happened (today the signed ``case.exported`` statement and its checkpoint are journaled
before the package is written, and stay when writing fails: every failed attempt adds a leaf)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli.__main__ import main
from app.evidence import journal
from app.models.profile import Profile
from tests.adversary.conftest import P1, AdvDemo


def _size(root: Path, case_id: str) -> int:
    with Profile.open(root).unlock(P1) as store, store.session() as s:
        return journal.size(s, case_id)


@pytest.fixture
def demo_copy(adv_demo: AdvDemo, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(adv_demo.root, root)
    return root


def test_a_failed_export_journals_nothing(adv_demo: AdvDemo, demo_copy: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = _size(demo_copy, adv_demo.case_id)
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    capsys.readouterr()
    rc = main(["export", str(demo_copy), "--case", adv_demo.case_id, "--out", str(blocker / "case.fapkg"),
               "--passphrase-file", str(adv_demo.p1)])
    assert rc == 2 and "错误" in capsys.readouterr().err  # this part holds today
    assert _size(demo_copy, adv_demo.case_id) == before


def test_a_full_disk_during_export_journals_nothing_and_leaves_no_partial_file(
        adv_demo: AdvDemo, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The package is written in full, then fsync reports a full disk (ENOSPC, as a real full disk does at the
    latest there): no file at --out, no temporary file beside it, no statement or checkpoint journaled."""
    import errno

    from app import fsutil

    before = _size(demo_copy, adv_demo.case_id)
    out_dir = tmp_path / "usb"
    out_dir.mkdir()

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil.os, "fsync", full)
    capsys.readouterr()
    rc = main(["export", str(demo_copy), "--case", adv_demo.case_id, "--out", str(out_dir / "case.fapkg"),
               "--passphrase-file", str(adv_demo.p1)])
    monkeypatch.undo()
    assert rc == 2 and "磁盘空间已满" in capsys.readouterr().err
    assert list(out_dir.iterdir()) == []
    assert _size(demo_copy, adv_demo.case_id) == before
    # and a later export that can write journals exactly one statement and its checkpoint
    assert main(["export", str(demo_copy), "--case", adv_demo.case_id, "--out", str(out_dir / "case.fapkg"),
                 "--passphrase-file", str(adv_demo.p1)]) == 0
    assert _size(demo_copy, adv_demo.case_id) == before + 1
    assert [p.name for p in out_dir.iterdir()] == ["case.fapkg"]


@pytest.mark.parametrize("command", ["export", "print", "roster"])
@pytest.mark.parametrize("where", ["under-a-file", "a-folder"])
def test_an_output_path_that_cannot_be_a_file_is_a_clear_error(adv_demo: AdvDemo, tmp_path: Path, command: str,
                                                               where: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--out naming a folder, or a path under a file: exit 2 naming the path (was exit 3, "internal error
    (FileExistsError) ... no case data was written", while the export had journaled its statement)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    out = blocker / "x.out" if where == "under-a-file" else tmp_path
    args = {"export": ["export", str(adv_demo.root), "--case", adv_demo.case_id],
            "print": ["print", str(adv_demo.root), "--case", adv_demo.case_id, "--form", "notice"],
            "roster": ["roster", str(adv_demo.root)]}[command]
    capsys.readouterr()
    assert main([*args, "--out", str(out), "--passphrase-file", str(adv_demo.p1)]) == 2
    err = capsys.readouterr().err
    assert "无法写入输出文件" in err and str(out) in err


@pytest.mark.parametrize("command, target", [("print", "store.db"), ("export", "store.db"), ("roster", "keyslots.json"),
                                             ("export", "blobs/x.fapkg"), ("roster", ".")])
def test_an_output_inside_the_profile_is_refused(adv_demo: AdvDemo, demo_copy: Path, command: str, target: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`print … --out PROFILE/store.db` replaced the encrypted store with a PDF; `roster --out PROFILE/keyslots.json`
    replaced the keyslots: every case of the profile lost, exit 0."""
    args = {"export": ["export", str(demo_copy), "--case", adv_demo.case_id],
            "print": ["print", str(demo_copy), "--case", adv_demo.case_id, "--form", "notice"],
            "roster": ["roster", str(demo_copy)]}[command]
    before = {p: p.read_bytes() for p in (demo_copy / "store.db", demo_copy / "keyslots.json")}
    capsys.readouterr()
    assert main([*args, "--out", str(demo_copy / target), "--passphrase-file", str(adv_demo.p1)]) == 2
    assert "档案目录" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert main(["cases", str(demo_copy), "--passphrase-file", str(adv_demo.p1)]) == 0
