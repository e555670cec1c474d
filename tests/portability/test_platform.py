"""Issue 16: the platform-dependent pieces, each against what Windows does (injected where it cannot happen here)."""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import bootid, fsutil, paths
from app.errors import EnvironmentProblem, ProfileProblem

ROOT = Path(__file__).resolve().parents[2]
POSIX_MODULES = {"fcntl", "termios", "pwd", "grp", "resource", "posix", "tty", "pty", "crypt", "syslog"}
# os attributes Windows' os does not have; (file, name) pairs are guarded uses
POSIX_OS = {"uname", "getuid", "geteuid", "getgid", "getegid", "fchmod", "fchown", "chown", "lchown", "statvfs",
            "killpg", "setsid", "fork", "getpgid", "sync", "O_DIRECTORY", "O_NOFOLLOW", "getloadavg", "mkfifo",
            "register_at_fork", "sched_getaffinity"}
GUARDED = {("app/fsutil.py", "O_DIRECTORY"), ("app/fsutil.py", "fchmod")}


def _sources() -> list[Path]:
    return sorted(p for d in ("app", "archive") for p in (ROOT / d).rglob("*.py"))


def test_no_posix_only_module_or_call_in_app_or_archive() -> None:
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(rel, a.name) for a in node.names if a.name.partition(".")[0] in POSIX_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] in POSIX_MODULES:
                found.append((rel, node.module))
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
                  and node.attr in POSIX_OS and (rel, node.attr) not in GUARDED):
                found.append((rel, f"os.{node.attr}"))
    assert found == []


# -- atomic replace ------------------------------------------------------------------------------------------------

def _sharing_violation() -> PermissionError:
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by another process")
    exc.winerror = 32  # type: ignore[attr-defined]  # what Windows sets; Linux never does
    return exc


def test_replace_waits_out_a_file_held_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real, refusals, sleeps = os.replace, [_sharing_violation(), _sharing_violation()], []

    def flaky(src: str, dst: str) -> None:
        if refusals:
            raise refusals.pop()
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    monkeypatch.setattr(fsutil.time, "sleep", sleeps.append)
    target = tmp_path / "keyslots.json"
    target.write_bytes(b"old")
    fsutil.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and len(sleeps) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyslots.json"]


def test_replace_gives_up_with_a_clear_error_and_leaves_the_old_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def refused(src: str, dst: str) -> None:
        calls.append(dst)
        raise _sharing_violation()

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(fsutil.time, "sleep", lambda _s: None)
    target = tmp_path / "profile.json"
    target.write_bytes(b"old")
    with pytest.raises(EnvironmentProblem) as info:
        fsutil.atomic_write_bytes(target, b"new")
    assert info.value.code == "file_busy" and "another program holds it open" in info.value.message_en
    assert "正被其他程序占用" in info.value.message_zh
    assert len(calls) == fsutil.REPLACE_ATTEMPTS
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["profile.json"]


def test_replace_does_not_retry_a_real_permission_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def denied(src: str, dst: str) -> None:
        calls.append(dst)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", denied)
    with pytest.raises(PermissionError):
        fsutil.atomic_write_bytes(tmp_path / "x", b"new")
    assert len(calls) == 1


def test_directory_fsync_is_skipped_where_a_directory_cannot_be_opened(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []

    def no_dirs(path: object, flags: int, *a: object, **k: object) -> int:
        opened.append(path)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", no_dirs)
    fsutil.fsync_dir(tmp_path)
    assert opened == [tmp_path]
    with pytest.raises(PermissionError):  # the archive's durability is not passed over on Linux
        fsutil.fsync_dir(tmp_path, strict=True)
    opened.clear()
    monkeypatch.setattr(fsutil, "IS_WINDOWS", True)
    fsutil.fsync_dir(tmp_path)
    fsutil.fsync_dir(tmp_path, strict=True)
    assert opened == []  # on Windows not even tried


# -- boot identifier -----------------------------------------------------------------------------------------------

def test_linux_boot_id_is_the_kernels() -> None:
    if not bootid.LINUX_BOOT_ID.exists():
        pytest.skip("no /proc/sys/kernel/random/boot_id here")
    assert bootid.boot_id() == bootid.LINUX_BOOT_ID.read_text().strip()


def test_windows_boot_id_follows_the_boot_counter_not_the_wall_clock() -> None:
    now = 1_780_000_000.0
    first = bootid.windows_boot_id(lambda: 41, lambda: 3_600_000, lambda: now)
    clock_set = bootid.windows_boot_id(lambda: 41, lambda: 3_660_000, lambda: now + 86_400)  # a day forward
    rebooted = bootid.windows_boot_id(lambda: 42, lambda: 1_000, lambda: now + 200)
    assert first == clock_set == "win-bootid:41" and rebooted == "win-bootid:42"


def test_windows_boot_id_fallback_is_the_boot_time() -> None:
    now = 1_780_000_004.0
    a = bootid.windows_boot_id(lambda: None, lambda: 3_600_000, lambda: now)
    b = bootid.windows_boot_id(lambda: None, lambda: 3_900_000, lambda: now + 300)  # same boot, 5 min later
    c = bootid.windows_boot_id(lambda: None, lambda: 5_000, lambda: now + 600)  # a new boot
    assert a == b and a.startswith("win-boottime:") and c != a
    assert bootid.windows_boot_id(lambda: None, lambda: None, lambda: now).startswith("process:")


# -- locations -----------------------------------------------------------------------------------------------------

def test_data_home_override_and_platform_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIELDAUDIT_HOME", str(tmp_path / "h"))
    assert paths.data_home() == tmp_path / "h"
    monkeypatch.delenv("FIELDAUDIT_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert paths.data_home() == tmp_path / "xdg" / "fieldaudit"


def test_windows_data_home_is_local_appdata(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs.windows

    # On Windows platformdirs asks the shell for the known folder; here its documented environment-variable route.
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER", platformdirs.windows.get_win_folder_from_env_vars)
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\inspector\AppData\Local")
    monkeypatch.setenv("APPDATA", r"C:\Users\inspector\AppData\Roaming")
    where = paths.platform_data_dir(platformdirs.windows.Windows, "FieldAudit")
    assert where.parts[-1] == "FieldAudit" and where.parts[-2] == r"C:\Users\inspector\AppData\Local"


def test_one_resources_override_for_every_reader(tmp_path: Path) -> None:
    code = ("from app.documents import config, fonts\nfrom app.ui import resources\n"
            "from app.workflow import reference_files\n"
            "print(resources.resources_dir(), reference_files.resources_dir(), fonts.FONT_DIR.parent, "
            "config.DEFAULT_CONFIG_PATH.parents[1])\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FIELDAUDIT_RESOURCES_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         timeout=120).stdout.split()
    assert out == [str(tmp_path)] * 4


def test_windows_refuses_a_profile_folder_too_deep_for_max_path(tmp_path: Path) -> None:
    limit = paths.WINDOWS_MAX_PATH - 1 - paths.PROFILE_NAME_BUDGET
    shallow = Path("C:/Users/inspector/AppData/Local/FieldAudit/profiles/default")
    paths.check_profile_root(shallow, windows=True)
    deep = tmp_path / ("d" * max(1, limit - len(str(tmp_path))))
    with pytest.raises(ProfileProblem) as info:
        paths.check_profile_root(deep, windows=True)
    assert info.value.code == "path_too_long" and str(limit) in info.value.message_en
    paths.check_profile_root(deep, windows=False)  # Linux has no such limit


# -- what Windows tools write and read -------------------------------------------------------------------------------

def test_passphrase_file_saved_by_a_windows_editor(tmp_path: Path) -> None:
    from app.cli.common import read_passphrase

    bom_crlf = tmp_path / "p.txt"
    bom_crlf.write_bytes("\ufeff口令 one\r\n".encode())
    assert read_passphrase(str(bom_crlf)) == "口令 one"


def test_redirected_cli_output_is_utf8_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from app.cli.__main__ import utf8_when_redirected

    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", out)
    utf8_when_redirected(windows=False)
    assert out.encoding == "cp1252"
    utf8_when_redirected(windows=True)
    print("某市虚构第一人民医院")  # would raise UnicodeEncodeError in cp1252
    out.flush()
    assert out.buffer.getvalue().decode("utf-8") == "某市虚构第一人民医院\n"  # type: ignore[attr-defined]
