"""Issue 12 item 9 (laptop): a full disk, a read-only medium or a refused permission is named as such -- never as a
damaged or tampered store, never as an internal error -- and a killed or failed ``demo`` leaves nothing half-built.

Disk full and read-only are real: a small tmpfs is mounted for the test (needs root and mount; skipped otherwise,
with the reason). Permissions cannot be refused to root, so that case goes through the classifier with the error
the OS would raise.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app import iofaults
from app.errors import StoreDamaged

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FIELDAUDIT_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)


def _one_line(res: subprocess.CompletedProcess[str]) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    return lines[0]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """mount(size) -> a fresh tmpfs of that size (remounted if called again)."""
    if getattr(os, "geteuid", lambda: 1)() != 0 or shutil.which("mount") is None:
        pytest.skip("disk-full simulation needs root and mount (a small tmpfs)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        if mounted:
            subprocess.run(["umount", str(mnt)], check=True)
            mounted.clear()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mnt)],
                             capture_output=True, text=True, check=False)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
        mounted.append(mnt)
        return mnt

    yield mount
    if mounted:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path, Path]:
    tmp = tmp_path_factory.mktemp("demo")
    pa, pb = tmp / "pa", tmp / "pb"
    pa.write_text("demo-passphrase-1\n", encoding="utf-8")
    pb.write_text("demo-passphrase-2\n", encoding="utf-8")
    res = _cli("demo", tmp / "demo", "--passphrase-file", pa, "--passphrase-file", pb)
    assert res.returncode == 0, res.stderr
    return tmp / "demo", res.stdout.split("\t")[0], pa, pb


@pytest.mark.parametrize("size", ["64k", "200k", "1200k"])
def test_demo_on_a_full_disk_exits_2_naming_it_and_leaves_nothing(small_disk: Callable[[str], Path],
                                                                  size: str) -> None:
    disk = small_disk(size)
    pa, pb = disk.parent / "pa", disk.parent / "pb"
    pa.write_text("demo-passphrase-1\n", encoding="utf-8")
    pb.write_text("demo-passphrase-2\n", encoding="utf-8")
    res = _cli("demo", disk / "demo", "--passphrase-file", pa, "--passphrase-file", pb)
    assert res.returncode == 2
    line = _one_line(res)
    assert "disk" in line.lower() and ("full" in line or "space" in line), line
    assert "damaged" not in line and "internal" not in line
    assert sorted(p.name for p in disk.iterdir() if p.name != ".demo.demo-lock") == []  # the partial one removed


def test_full_disk_under_an_existing_store_is_not_called_damaged(small_disk: Callable[[str], Path],
                                                                 demo_profile: tuple[Path, str, Path, Path]) -> None:
    src, case_id, pa, pb = demo_profile
    disk = small_disk("8m")
    prof = disk / "demo"
    shutil.copytree(src, prof)
    _fill(disk)
    for args in (("cases", prof, "--passphrase-file", pa), ("check", prof, "--passphrase-file", pa),
                 ("print", prof, "--case", case_id, "--form", "notice", "--out", disk / "n.pdf",
                  "--passphrase-file", pa, "--passphrase-file", pb)):
        res = _cli(*args)
        line = _one_line(res)
        assert res.returncode == 2 and "The disk is full" in line and "damaged" not in line, (args[0], line)
    (disk / "filler").unlink()
    res = _cli("check", prof, "--passphrase-file", pa)  # the store was intact all along
    assert res.returncode == 0 and res.stdout.strip().endswith("OK"), res.stderr


def test_read_only_medium_is_named(small_disk: Callable[[str], Path],
                                   demo_profile: tuple[Path, str, Path, Path]) -> None:
    src, _case_id, pa, pb = demo_profile
    disk = small_disk("8m")
    shutil.copytree(src, disk / "demo")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    for args in (("cases", disk / "demo", "--passphrase-file", pa),
                 ("demo", disk / "other", "--passphrase-file", pa, "--passphrase-file", pb)):
        res = _cli(*args)
        line = _one_line(res)
        assert res.returncode == 2 and "read-only" in line and "damaged" not in line, (args[0], line)


def test_killed_demo_is_cleaned_up_and_the_next_run_completes(tmp_path: Path) -> None:
    pa, pb = tmp_path / "pa", tmp_path / "pb"
    pa.write_text("demo-passphrase-1\n", encoding="utf-8")
    pb.write_text("demo-passphrase-2\n", encoding="utf-8")
    target, partial = tmp_path / "demo", tmp_path / ".demo.demo-partial"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "app.cli", "demo", str(target), "--passphrase-file", str(pa),
                              "--passphrase-file", str(pb)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # bounds the wait for the demo to get going; not a timed assertion
        while not (partial / "blobs").is_dir() or not any((partial / "blobs").iterdir()):
            assert child.poll() is None and time.monotonic() < deadline, "the demo ended before it could be killed"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert not target.exists()  # never half a demo under the profile's name
    assert partial.exists()
    res = _cli("demo", target, "--passphrase-file", pa, "--passphrase-file", pb)
    assert res.returncode == 0, res.stderr
    assert not partial.exists()
    check = _cli("check", target, "--passphrase-file", pa)
    assert check.returncode == 0 and check.stdout.strip().endswith("OK"), check.stderr


# -- the classifier, with what the OS raises where the test cannot make it happen ---------------------------------

def test_permission_denied_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exc = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "store.db"))
    fault = iofaults.io_fault(exc)
    assert fault is not None and fault.code == "permission_denied" and "store.db" in fault.message_en
    import sqlcipher3

    sqlite_exc = sqlcipher3.dbapi2.OperationalError("unable to open database file")
    monkeypatch.setattr(iofaults.os, "access", lambda *_a, **_k: False)
    fault = iofaults.io_fault(sqlite_exc, tmp_path)
    assert fault is not None and fault.code == "permission_denied"


def test_damage_is_still_damage(tmp_path: Path) -> None:
    import sqlcipher3

    from app.models.engine import damaged_or_io

    for text in ("file is not a database", "database disk image is malformed"):
        assert isinstance(damaged_or_io(sqlcipher3.dbapi2.DatabaseError(text), tmp_path / "store.db"), StoreDamaged)
    # an I/O result on a healthy folder: the device's error, still not "damaged"
    io = damaged_or_io(sqlcipher3.dbapi2.OperationalError("disk I/O error"), tmp_path / "store.db")
    assert isinstance(io, iofaults.IOFault) and io.code == "io_error"


def test_gui_names_a_full_disk_behind_a_database_error(translators: Any) -> None:
    import sqlite3

    from app.ui.widgets.errors import describe_error

    # in each language the application offers (the language set here, not whatever a test before left)
    for lang, disk_full, damage in (("zh_CN", "磁盘空间已满", "损坏"), ("en", "disk is full", "damaged")):
        translators.switch(lang)
        full = describe_error(sqlite3.OperationalError("database or disk is full"))
        assert full is not None and disk_full in full.message and damage not in full.message, (lang, full)
        damaged = describe_error(sqlite3.DatabaseError("file is not a database"))
        assert damaged is not None and damage in damaged.message, (lang, damaged)


def test_store_open_on_a_full_disk_without_mount(two_inspectors: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same verdict where no tmpfs can be mounted (CI containers): SQLite's I/O result injected at the driver,
    the free space at the OS boundary."""
    from types import SimpleNamespace

    import sqlcipher3

    from app.models import engine
    from app.models.profile import Profile
    from tests.conftest import TwoInspectorProfile

    assert isinstance(two_inspectors, TwoInspectorProfile)
    real_connect = sqlcipher3.dbapi2.connect

    class FullDiskConnection:
        def __init__(self, conn: object) -> None:
            self._conn = conn

        def execute(self, sql: str, *a: object) -> object:
            if sql.startswith("SELECT"):
                raise sqlcipher3.dbapi2.OperationalError("disk I/O error")
            return self._conn.execute(sql, *a)  # type: ignore[attr-defined]

        def close(self) -> None:
            self._conn.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(engine.sqlcipher3.dbapi2, "connect", lambda *a, **k: FullDiskConnection(real_connect(*a, **k)))
    monkeypatch.setattr(iofaults.shutil, "disk_usage", lambda _p: SimpleNamespace(total=1 << 30, used=1 << 30, free=0))
    with pytest.raises(iofaults.IOFault) as info:
        Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    assert info.value.code == "disk_full"


def test_export_to_a_full_disk_names_it_not_the_profile(small_disk: Callable[[str], Path],
                                                        demo_profile: tuple[Path, str, Path, Path]) -> None:
    src, case_id, pa, _pb = demo_profile
    disk = small_disk("256k")
    _fill(disk)
    res = _cli("export", src, "--case", case_id, "--out", disk / "case.fapkg", "--passphrase-file", pa)
    line = _one_line(res)
    assert res.returncode == 2 and "The disk is full" in line and str(src) not in line, line
    assert not (disk / "case.fapkg").exists()
    assert [p.name for p in disk.iterdir()] == ["filler"]  # no temp file left behind
