"""``archive admin fingerprint DIR``: the office reads out exactly what the laptop shows at registration and pins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.archive.helpers import REPO, ArchiveProcess

P1, P2 = "fingerprint-pass-one", "fingerprint-pass-two"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)


def _profile(root: Path, p1: Path, p2: Path) -> None:
    """A laptop profile with two enrolled inspectors, made through the laptop's own command line."""
    for args in (("init", str(root)),
                 ("enroll", str(root), "--name", "张三", "--credential", "42010020261111",
                  "--org", "某市医疗保障基金稽核中心", "--passphrase-file", str(p1)),
                 ("enroll", str(root), "--name", "李四", "--credential", "42010020262222",
                  "--org", "某市医疗保障基金稽核中心", "--passphrase-file", str(p2), "--unlock-file", str(p1))):
        r = _run("app.cli", *args)
        assert r.returncode == 0, r.stderr


def _register(proc: ArchiveProcess, root: Path, tmp: Path, p1: Path, p2: Path,
              fingerprint: str) -> subprocess.CompletedProcess[str]:
    code = tmp / f"code-{root.name}.txt"
    code.write_text(proc.admin("enrolment-code").stdout.strip() + "\n", encoding="utf-8")
    return _run("app.cli", "register", str(root), "--archive", proc.url, "--code-file", str(code),
                "--passphrase-file", str(p1), "--passphrase-file", str(p2), "--fingerprint", fingerprint)


def test_printed_fingerprint_is_the_one_the_laptop_shows_and_pins(sqlite_archive: ArchiveProcess,
                                                                  tmp_path: Path) -> None:
    res = _run("archive", "admin", "fingerprint", str(sqlite_archive.data))
    assert res.returncode == 0 and res.stderr == "", res.stderr
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}\n", res.stdout), res.stdout
    printed = res.stdout[:-1]
    # the same with the remembered database named explicitly, and the same across a restart (the key is kept)
    sqlite_archive.kill()
    sqlite_archive.start()
    again = _run("archive", "admin", "fingerprint", str(sqlite_archive.data), "--database-url",
                 f"sqlite:///{sqlite_archive.data / 'archive.db'}")
    assert again.returncode == 0 and again.stdout == res.stdout, again.stderr

    p1, p2 = tmp_path / "p1.txt", tmp_path / "p2.txt"
    p1.write_text(P1 + "\n", encoding="utf-8")
    p2.write_text(P2 + "\n", encoding="utf-8")
    laptop = tmp_path / "laptop"
    _profile(laptop, p1, p2)

    # what the registration dialog shows for the inspector to compare (app.ui.sync_dialogs -> fetch_fingerprint)
    from app.models.profile import Profile
    from app.sync import state
    from app.ui.sync_work import fetch_fingerprint

    with Profile.open(laptop).unlock(P1) as store:
        store.unlock_inspector(P2)
        assert fetch_fingerprint(store, sqlite_archive.url) == printed

    # registering with the value read out: the laptop pins exactly it and prints it
    r = _register(sqlite_archive, laptop, tmp_path, p1, p2, printed)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\t")[1] == printed
    with Profile.open(laptop).unlock(P1) as store, store.session() as s:
        assert state.get(s, "archive")["fingerprint"] == printed

    # a misread digit is refused by the laptop
    other = tmp_path / "other"
    _profile(other, p1, p2)
    wrong = printed[:-1] + ("0" if printed[-1] != "0" else "1")
    r = _register(sqlite_archive, other, tmp_path, p1, p2, wrong)
    assert r.returncode != 0 and "Traceback" not in r.stderr


def test_fingerprint_of_no_archive_is_one_line_and_an_error(tmp_path: Path) -> None:
    res = _run("archive", "admin", "fingerprint", str(tmp_path / "nothing"))
    assert res.returncode != 0 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("archive: "), res.stderr
    (tmp_path / "empty").mkdir()
    res = _run("archive", "admin", "fingerprint", str(tmp_path / "empty"))
    assert res.returncode != 0 and res.stdout == "" and res.stderr.count("\n") == 1, res.stderr
