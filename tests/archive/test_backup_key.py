"""The archive's signing key and its backups: whoever holds the key signs receipts and rosters (what every laptop and
``verify --trust`` pin), and backups travel where the archive's folder never goes. A backup holds the key only when
asked, encrypted under a passphrase file; otherwise a restore is given the key kept apart (``--key``)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.evidence.signing import SigningKey, b64
from archive.backup import KEY_FILE, BackupError, backup, restore
from archive.roster import add_inspector
from archive.service import open_archive
from tests.archive.helpers import REPO

PASSPHRASE = "correct horse battery staple"


def _archive(path: Path) -> bytes:
    archive = open_archive(path, create=True)
    try:
        with archive.db.write() as s:
            add_inspector(s, id="insp-1", name="张三", credential_no="CN1", organisation="某市医保局",
                          public_key=b64(SigningKey.generate().public_raw()))
        return archive.paths.key.read_bytes()
    finally:
        archive.db.dispose()


def _backup(path: Path, out: Path, passphrase: str | None = None) -> dict[str, object]:
    archive = open_archive(path, create=False)
    try:
        return backup(archive, out, key_passphrase=passphrase)
    finally:
        archive.db.dispose()


def _key_nowhere_in(raw: bytes, folder: Path) -> None:
    forms = [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]
    for p in folder.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert not any(f in data for f in forms), p


def _fingerprint(data: Path) -> str:
    archive = open_archive(data, create=False)
    try:
        return archive.fingerprint
    finally:
        archive.db.dispose()


def test_a_backup_holds_no_signing_key_unless_asked(tmp_path: Path) -> None:
    raw = _archive(tmp_path / "a")
    manifest = _backup(tmp_path / "a", tmp_path / "bk")
    assert manifest["key"] == {"included": "none", "sha256": None}
    _key_nowhere_in(raw, tmp_path / "bk")
    with pytest.raises(BackupError, match="holds no archive key"):
        restore(tmp_path / "bk", tmp_path / "new")
    assert not (tmp_path / "new").exists()
    # another archive's key is refused before anything is written
    _archive(tmp_path / "other")
    with pytest.raises(BackupError, match="not this backup's archive key"):
        restore(tmp_path / "bk", tmp_path / "new", key_file=tmp_path / "other" / "archive_key.ed25519")
    assert not (tmp_path / "new").exists()
    (tmp_path / "short.key").write_bytes(raw[:31])
    with pytest.raises(BackupError, match="32-byte"):
        restore(tmp_path / "bk", tmp_path / "new", key_file=tmp_path / "short.key")
    # the key kept apart restores the same archive
    kept = tmp_path / "offline.key"
    kept.write_bytes(raw)
    restore(tmp_path / "bk", tmp_path / "new", key_file=kept)
    assert (tmp_path / "new" / "archive_key.ed25519").read_bytes() == raw
    assert _fingerprint(tmp_path / "new") == _fingerprint(tmp_path / "a")


def test_an_encrypted_key_in_the_backup_opens_only_with_its_passphrase(tmp_path: Path) -> None:
    raw = _archive(tmp_path / "a")
    with pytest.raises(BackupError, match="at least 16"):
        _backup(tmp_path / "a", tmp_path / "weak", "short")
    manifest = _backup(tmp_path / "a", tmp_path / "bk", PASSPHRASE)
    assert manifest["key"]["included"] == "encrypted"  # type: ignore[index]
    sealed = tmp_path / "bk" / KEY_FILE
    assert oct(sealed.stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "bk" / "archive_key.ed25519").exists()
    _key_nowhere_in(raw, tmp_path / "bk")
    with pytest.raises(BackupError, match="encrypted: give --key-passphrase-file"):
        restore(tmp_path / "bk", tmp_path / "new")
    with pytest.raises(BackupError, match="does not open"):
        restore(tmp_path / "bk", tmp_path / "new", key_passphrase=PASSPHRASE + "!")
    assert not (tmp_path / "new").exists()
    restore(tmp_path / "bk", tmp_path / "new", key_passphrase=PASSPHRASE)
    assert (tmp_path / "new" / "archive_key.ed25519").read_bytes() == raw
    # another archive's sealed key, swapped in with the manifest's hash fixed, is refused
    _backup(tmp_path / "new", tmp_path / "bk2", PASSPHRASE)
    _archive(tmp_path / "other")
    _backup(tmp_path / "other", tmp_path / "bk-other", PASSPHRASE)
    swapped = (tmp_path / "bk-other" / KEY_FILE).read_bytes()
    (tmp_path / "bk2" / KEY_FILE).write_bytes(swapped)
    m = json.loads((tmp_path / "bk2" / "manifest.json").read_text())
    import hashlib

    m["key"]["sha256"] = hashlib.sha256(swapped).hexdigest()
    (tmp_path / "bk2" / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(BackupError, match="not this archive's key"):
        restore(tmp_path / "bk2", tmp_path / "new2", key_passphrase=PASSPHRASE)
    assert not (tmp_path / "new2").exists()


def test_a_version_1_backup_with_the_key_in_clear_still_restores(tmp_path: Path) -> None:
    import hashlib

    raw = _archive(tmp_path / "a")
    _backup(tmp_path / "a", tmp_path / "bk")
    (tmp_path / "bk" / "archive_key.ed25519").write_bytes(raw)
    m = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    del m["key"]
    m.update(version=1, key_sha256=hashlib.sha256(raw).hexdigest())
    (tmp_path / "bk" / "manifest.json").write_text(json.dumps(m))
    restore(tmp_path / "bk", tmp_path / "new")
    assert _fingerprint(tmp_path / "new") == _fingerprint(tmp_path / "a")


def test_the_admin_commands(tmp_path: Path) -> None:
    raw = _archive(tmp_path / "a")
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "archive", "admin", *args], cwd=REPO, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)

    r = admin("backup", str(tmp_path / "a"), "--out", str(tmp_path / "bk"), "--key-passphrase-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["key_included"] == "encrypted"
    r = admin("restore", str(tmp_path / "bk"), "--data", str(tmp_path / "new"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "--key-passphrase-file" in r.stderr
    r = admin("restore", str(tmp_path / "bk"), "--data", str(tmp_path / "new"), "--key-passphrase-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "new" / "archive_key.ed25519").read_bytes() == raw
    r = admin("backup", str(tmp_path / "a"), "--out", str(tmp_path / "plain"))
    assert r.returncode == 0 and json.loads(r.stdout)["key_included"] == "none"
    r = admin("restore", str(tmp_path / "plain"), "--data", str(tmp_path / "new2"), "--key",
              str(tmp_path / "a" / "archive_key.ed25519"))
    assert r.returncode == 0, r.stderr
