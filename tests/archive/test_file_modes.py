"""Archive files are 0600 and folders 0700 whatever the umask or a pre-created 0755 folder (archive/filemodes.py)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from archive.config import ArchivePaths, ConfigError
from archive.filemodes import secure_tree
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal


def loose(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath) / name
            mode = stat.S_IMODE(p.lstat().st_mode)
            if mode & 0o077:
                out.append(f"{p.relative_to(root)} {mode:o}")
    mode = stat.S_IMODE(root.stat().st_mode)
    return out + ([f". {mode:o}"] if mode & 0o077 else [])


def test_private_whatever_the_umask_and_fixed_at_start(tmp_path: Path) -> None:
    data = tmp_path / "archive"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # what an admin's mkdir gives
    old = os.umask(0)  # the most careless umask the archive could inherit
    try:
        proc = ArchiveProcess(data).start()
    finally:
        os.umask(old)
    try:
        laptop = enrolled_laptop(proc)
        blob = b"scan of the ledger " * 500
        with laptop.client() as c:
            laptop.upload(c, blob)
            j = Journal(laptop)
            j.append("evidence.captured", j.manifest(hashlib.sha256(blob).hexdigest()))
            assert c.post("/v1/push", json=j.batch()).status_code == 200
        assert loose(data) == []
        proc.kill()
        # an admin copies things around and loosens them: fixed at the next start, and said so
        os.chmod(data, 0o755)
        os.chmod(data / "archive.db", 0o644)
        os.chmod(data / "blobs", 0o755)
        assert loose(data)
        proc.start()
        assert loose(data) == []
        assert '"permissions.fixed"' in proc.log_path.read_text()
        assert proc.admin("stats").returncode == 0
    finally:
        proc.kill()


def test_a_mode_that_cannot_be_fixed_is_refused_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "archive"
    data.mkdir(mode=0o700)
    (data / "archive.db").write_bytes(b"")
    os.chmod(data / "archive.db", 0o644)

    def refuse(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    with pytest.raises(ConfigError, match=r"archive\.db is accessible to others \(mode 644\).*chmod 600"):
        secure_tree(ArchivePaths(data))
