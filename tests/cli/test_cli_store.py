"""The CLI contract of ARCHITECTURE.md for the store: init, enroll, demo, cases, check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TwoInspectorProfile

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIELDAUDIT_LANG": "zh_CN"}
    return subprocess.run([sys.executable, "-m", "app.cli", *map(str, args)], capture_output=True, text=True, check=False,
                          cwd=ROOT, env=env, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_init_enroll_cases_check(tmp_path: Path) -> None:
    prof = tmp_path / "p"
    (tmp_path / "a").write_text("first passphrase\n", encoding="utf-8")
    (tmp_path / "b").write_text("second passphrase\n", encoding="utf-8")
    assert cli("init", prof).returncode == 0
    assert_one_line_error(cli("init", prof))  # never overwrites a profile
    first = cli("enroll", prof, "--name", "张三", "--credential", "C1", "--org", "某局", "--passphrase-file", tmp_path / "a")
    assert first.returncode == 0, first.stderr
    line = assert_one_line_error(cli("enroll", prof, "--name", "李四", "--credential", "C2", "--org", "某局",
                                     "--passphrase-file", tmp_path / "b"))
    assert "--unlock-file" in line
    second = cli("enroll", prof, "--name", "李四", "--credential", "C2", "--org", "某局",
                 "--passphrase-file", tmp_path / "b", "--unlock-file", tmp_path / "a")
    assert second.returncode == 0, second.stderr
    assert first.stdout.strip() != second.stdout.strip()
    for f in ("a", "b"):
        res = cli("cases", prof, "--passphrase-file", tmp_path / f)
        assert res.returncode == 0 and res.stdout == ""
        assert cli("check", prof, "--passphrase-file", tmp_path / f).returncode == 0


def test_wrong_passphrase_is_one_clear_line(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("wrong wrong wrong\n", encoding="utf-8")
    line = assert_one_line_error(cli("cases", two_inspectors.root, "--passphrase-file", bad))
    assert "口令不正确" in line and "passphrase is not correct" in line


def test_demo_profile_lists_its_case_and_checks(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("demo passphrase one\n", encoding="utf-8")
    (tmp_path / "b").write_text("demo passphrase two\n", encoding="utf-8")
    prof = tmp_path / "demo"
    made = cli("demo", prof, "--passphrase-file", tmp_path / "a", "--passphrase-file", tmp_path / "b")
    assert made.returncode == 0, made.stderr
    case_id = made.stdout.split("\t")[0]
    listed = cli("cases", prof, "--passphrase-file", tmp_path / "b")
    assert listed.returncode == 0
    fields = listed.stdout.strip().split("\t")
    assert fields[0] == case_id and "医院" in fields[2]
    assert cli("check", prof, "--passphrase-file", tmp_path / "a").returncode == 0


def test_check_detects_a_flipped_database_byte(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    fa, _ = two_inspectors.pass_files(tmp_path)
    db = two_inspectors.root / "store.db"
    data = bytearray(db.read_bytes())
    data[len(data) - 500] ^= 0x40
    db.write_bytes(bytes(data))
    line = assert_one_line_error(cli("check", two_inspectors.root, "--passphrase-file", fa))
    assert "损坏" in line and "damaged" in line


def test_check_detects_a_flipped_blob_byte(two_inspectors: TwoInspectorProfile, tmp_path: Path) -> None:
    import io

    from app.evidence.blobstore import BlobStore
    from app.models.profile import Profile

    with Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a) as store, store.transaction() as s:
        BlobStore(store).ingest(s, io.BytesIO(os.urandom(5000)))
    blob = next(p for p in (two_inspectors.root / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[100] ^= 1
    blob.write_bytes(bytes(data))
    fa, _ = two_inspectors.pass_files(tmp_path)
    res = cli("check", two_inspectors.root, "--passphrase-file", fa)
    assert res.returncode == 1
    assert "blob" in res.stdout and "FAILED" in res.stdout
