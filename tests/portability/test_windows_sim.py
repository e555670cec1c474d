"""Issue 16: the CLI runs where no POSIX-only module exists and a directory cannot be opened for fsync (Windows).

The child Pythons get ``winsim/`` on their PYTHONPATH (its ``sitecustomize`` blocks ``fcntl``, ``termios``,
``pwd``, ``grp``, ``resource``, removes ``os.fchmod``/``os.uname``/..., and makes ``os.open(DIRECTORY)`` fail with
EACCES) and log what they refused, so the test also proves the simulation was in force and was hit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.paths import PROFILE_NAME_BUDGET

ROOT = Path(__file__).resolve().parents[2]
WINSIM = Path(__file__).resolve().parent / "winsim"

HOLD_STORE = """
import sys
from pathlib import Path
from app.models.profile import Profile
store = Profile.open(Path(sys.argv[1])).unlock(Path(sys.argv[2]).read_text(encoding="utf-8").strip())
print("holding", flush=True)
sys.stdin.read()
"""


def _env(log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=os.pathsep.join([str(WINSIM), str(ROOT)]), WINSIM_LOG=str(log), FIELDAUDIT_LANG="en")
    return env


def _cli(log: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=_env(log), timeout=600, check=False)


def _ok(log: Path, *args: str | Path) -> str:
    res = _cli(log, *args)
    assert res.returncode == 0, (args[0], res.returncode, res.stderr)
    assert "Traceback" not in res.stderr and "Warning" not in res.stderr, res.stderr
    return res.stdout


def test_simulation_refuses_what_windows_lacks(tmp_path: Path) -> None:
    log = tmp_path / "winsim.log"
    code = ("import importlib, os\n"
            "for m in ('fcntl', 'termios', 'pwd', 'grp', 'resource'):\n"
            "    try: importlib.import_module(m)\n"
            "    except ImportError: print('blocked', m)\n"
            "print('fchmod' in dir(os), 'chown' in dir(os))\n"
            "try: os.open('.', os.O_RDONLY)\n"
            "except PermissionError: print('dir refused')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=_env(log),
                         check=True, timeout=60)
    assert res.stdout.split("\n")[:7] == [*(f"blocked {m}" for m in ("fcntl", "termios", "pwd", "grp", "resource")),
                                          "False False", "dir refused"]


def test_cli_contract_without_posix_modules(tmp_path: Path) -> None:
    log = tmp_path / "winsim.log"
    a, b = tmp_path / "pa", tmp_path / "pb"
    a.write_text("first passphrase 甲\n", encoding="utf-8")
    b.write_text("second passphrase 乙\n", encoding="utf-8")

    prof = tmp_path / "p"
    _ok(log, "init", prof)
    _ok(log, "enroll", prof, "--name", "张三", "--credential", "C1", "--org", "某局", "--passphrase-file", a)
    _ok(log, "enroll", prof, "--name", "李四", "--credential", "C2", "--org", "某局", "--passphrase-file", b,
        "--unlock-file", a)

    demo = tmp_path / "demo"
    case_id = _ok(log, "demo", demo, "--passphrase-file", a, "--passphrase-file", b).split("\t")[0]
    assert "OK" in _ok(log, "check", demo, "--passphrase-file", a)
    longest = max((p.relative_to(demo).as_posix() for p in demo.rglob("*")), key=len)
    assert len(longest) <= PROFILE_NAME_BUDGET, longest  # within Windows' MAX_PATH budget (app/paths.py)
    pkg = tmp_path / "case.fapkg"
    _ok(log, "export", demo, "--case", case_id, "--out", pkg, "--passphrase-file", a)
    assert _ok(log, "verify", pkg).strip().splitlines()[-1].endswith("OK")
    pdf = tmp_path / "onsite.pdf"
    _ok(log, "print", demo, "--case", case_id, "--form", "onsite-record", "--out", pdf,
        "--passphrase-file", a, "--passphrase-file", b)
    assert pdf.read_bytes().startswith(b"%PDF-")

    refused = log.read_text(encoding="utf-8").splitlines()
    assert "import fcntl" in refused  # something tried (filelock), was refused, and the program went on
    assert any(line.startswith("open-dir ") for line in refused)  # a directory fsync was attempted and failed


def test_profile_lock_refuses_a_second_program_and_survives_a_kill(two_inspectors: object, tmp_path: Path) -> None:
    from tests.conftest import TwoInspectorProfile

    assert isinstance(two_inspectors, TwoInspectorProfile)
    log = tmp_path / "winsim.log"
    pa, _pb = two_inspectors.pass_files(tmp_path)
    # The profile was made by this (native, flock) process, whose lock leaves an empty .lock behind; the marker-file
    # lock filelock falls back to where neither flock nor Windows' locking exists (only in this simulation) takes
    # an ownerless marker for a live one, so start from a profile without it, as one made there would be.
    (two_inspectors.root / ".lock").unlink(missing_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_STORE, str(two_inspectors.root), str(pa)], cwd=ROOT,
                              env=_env(log), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        second = _cli(log, "cases", two_inspectors.root, "--passphrase-file", pa)
        assert second.returncode == 2
        assert "in use by another program" in second.stderr and len(second.stderr.strip().splitlines()) == 1
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: nothing released by the program itself
        holder.wait(timeout=60)
    assert holder.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60  # not a timed assertion: the lock must be free at once; this bounds a hang
    res = _cli(log, "cases", two_inspectors.root, "--passphrase-file", pa)
    assert time.monotonic() < deadline
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("simulated", [False, True], ids=["native", "winsim"])
def test_lock_in_one_process_refuses_a_second_open(two_inspectors: object, simulated: bool, tmp_path: Path) -> None:
    """Two opens of one profile in the same program conflict too (the GUI's store and a stray CLI call)."""
    from tests.conftest import TwoInspectorProfile

    assert isinstance(two_inspectors, TwoInspectorProfile)
    code = ("import sys\nfrom pathlib import Path\nfrom app.errors import ProfileProblem\n"
            "from app.models.profile import Profile\n"
            "p = Profile.open(Path(sys.argv[1]))\n"
            "s = p.unlock(sys.argv[2])\n"
            "try:\n    p.unlock(sys.argv[2]); print('second open allowed')\n"
            "except ProfileProblem: print('refused')\n"
            "s.close()\n"
            "p.unlock(sys.argv[2]).close(); print('reopened')\n")
    if simulated:
        (two_inspectors.root / ".lock").unlink(missing_ok=True)  # see the test above
    env = _env(tmp_path / "log") if simulated else {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code, str(two_inspectors.root), two_inspectors.pass_a], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert res.stdout.split() == ["refused", "reopened"], res.stderr


def test_every_module_of_app_and_archive_imports_without_posix_modules(tmp_path: Path) -> None:
    log = tmp_path / "winsim.log"
    code = ("import importlib, pkgutil, app, archive\n"
            "names = [m.name for pkg in (app, archive) for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.')\n"
            "         if not m.name.endswith('__main__')]\n"
            "for name in names:\n"
            "    importlib.import_module(name)\n"
            "print(len(names))\n")
    env = {**_env(log), "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    assert int(res.stdout.strip()) > 100
    assert "winsim active" in log.read_text(encoding="utf-8")
