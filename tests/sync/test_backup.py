"""admin backup / admin restore: a real laptop syncs into a real archive, the archive is backed up and restored
into a fresh one (SQLite, and PostgreSQL when the test server runs), the two are compared table by table, the
restored archive passes admin verify and takes the same laptop's next sync on top of what it held."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archive.conftest import PG_ENV, _pg_database
from tests.archive.helpers import REPO, ArchiveProcess
from tests.sync.conftest import DemoProfile, cli, stats
from tests.sync.helpers import add_data_item, open_demo, random_bytes, register_and_sync


def admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive", "admin", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)


def _tables(backup: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((backup / "db").glob("*.jsonl"))}


@pytest.fixture(params=["sqlite", "postgres"])
def target_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (archive/tests_pg.sh starts a throwaway server)")
    return _pg_database(base)


def test_backup_restore_compare_and_sync_on(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path,
                                            target_url: str | None) -> None:
    assigned = register_and_sync(demo, archive, tmp_path)
    before = stats(archive)
    assert before["blobs"] > 10 and before["leaves"] > 10

    b1 = tmp_path / "backup1"
    key_pass = tmp_path / "key.pass"
    key_pass.write_text("a long passphrase for the archive key\n", encoding="utf-8")
    r = admin("backup", str(archive.data), "--out", str(b1), "--key-passphrase-file", str(key_pass))
    assert r.returncode == 0, r.stderr
    manifest = json.loads((b1 / "manifest.json").read_text())
    assert manifest["blobs"]["count"] == before["blobs"] and manifest["blobs"]["included"] is True
    assert manifest["tables"]["leaves"]["rows"] == before["leaves"]
    assert manifest["key"]["included"] == "encrypted" and not (b1 / "archive_key.ed25519").exists()
    assert oct((b1 / "archive_key.enc.json").stat().st_mode & 0o777) == "0o600"
    assert oct(b1.stat().st_mode & 0o777) == "0o700"

    new = tmp_path / "restored"
    cmd = ["restore", str(b1), "--data", str(new), "--key-passphrase-file", str(key_pass)] + (
        ["--database-url", target_url] if target_url else [])
    r = admin(*cmd)
    assert r.returncode == 0, r.stderr + r.stdout
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["restored"]["leaves"] == before["leaves"]

    # table by table: a backup of the restored archive holds the same rows, byte for byte
    b2 = tmp_path / "backup2"
    assert admin("backup", str(new), "--out", str(b2)).returncode == 0
    assert _tables(b2) == _tables(b1)
    assert sorted(p.name for p in (b2 / "blobs").rglob("*") if p.is_file()) == \
        sorted(p.name for p in (b1 / "blobs").rglob("*") if p.is_file())

    # the restored archive is the same archive: same key, and it takes the laptop's next sync on top
    archive.kill()
    restored = ArchiveProcess(new).start()
    try:
        assert restored.admin("fingerprint").stdout == admin("fingerprint", str(archive.data)).stdout
        assert stats(restored) == before
        with open_demo(demo.root) as store:
            add_data_item(store, assigned, random_bytes(200_000), "after-restore.csv")
        r = cli("sync", str(demo.root), "--archive", restored.url, "--passphrase-file", str(demo.pass_files[0]))
        assert r.returncode == 0, r.stdout + r.stderr
        after = stats(restored)
        assert after["blobs"] == before["blobs"] + 1 and after["leaves"] > before["leaves"]
        assert restored.admin("verify", check=False).returncode == 0
    finally:
        restored.kill()


def test_restore_refuses_damage_and_never_overwrites(demo: DemoProfile, archive: ArchiveProcess,
                                                    tmp_path: Path) -> None:
    register_and_sync(demo, archive, tmp_path)
    b1 = tmp_path / "backup"
    assert admin("backup", str(archive.data), "--out", str(b1)).returncode == 0
    # a backup never overwrites
    r = admin("backup", str(archive.data), "--out", str(b1))
    assert r.returncode == 1 and "never overwrites" in r.stderr
    # a restore never writes into an existing archive
    r = admin("restore", str(b1), "--data", str(archive.data))
    assert r.returncode == 1 and "never writes into an existing archive" in r.stderr
    key = ["--key", str(archive.data / "archive_key.ed25519")]  # the backup holds none: kept apart

    def damaged(name: str, change: object) -> Path:
        copy = tmp_path / f"damaged-{name}"
        shutil.copytree(b1, copy)
        change(copy)  # type: ignore[operator]
        return copy

    def edit_leaf(d: Path) -> None:
        p = d / "db" / "leaves.jsonl"
        text = p.read_text()
        assert '"seq":1}' in text
        p.write_text(text.replace('"seq":1}', '"seq":987654}', 1))

    def edit_leaf_and_manifest(d: Path) -> None:
        """A forger who also fixes the manifest's hash: the signatures still give it away."""
        edit_leaf(d)
        m = json.loads((d / "manifest.json").read_text())
        import hashlib

        m["tables"]["leaves"]["sha256"] = hashlib.sha256((d / "db" / "leaves.jsonl").read_bytes()).hexdigest()
        (d / "manifest.json").write_text(json.dumps(m))

    def drop_blob(d: Path) -> None:
        next(p for p in (d / "blobs").rglob("*") if p.is_file()).unlink()

    def flip_blob(d: Path) -> None:
        p = next(p for p in (d / "blobs").rglob("*") if p.is_file())
        data = bytearray(p.read_bytes())
        data[0] ^= 1
        p.write_bytes(bytes(data))

    def other_version(d: Path) -> None:
        m = json.loads((d / "manifest.json").read_text())
        m["schema_version"] = 99
        (d / "manifest.json").write_text(json.dumps(m))

    cases = {"leaf": (edit_leaf, "differs from the manifest"), "blob": (drop_blob, "not in the target store"),
             "flip": (flip_blob, "hash"), "version": (other_version, "schema 99"),
             "forged": (edit_leaf_and_manifest, "verification")}
    for name, (change, reason) in cases.items():
        target = tmp_path / f"new-{name}"
        r = admin("restore", str(damaged(name, change)), "--data", str(target), *key)
        assert r.returncode == 1, name
        assert reason in r.stderr, (name, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1  # one line, no traceback
        assert not target.exists()  # nothing half-restored is left behind
