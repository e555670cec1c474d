"""Upgrades on real old files: the frozen DDL chain (app/models/ddl/vN.sql) builds exactly what app/models/schema.py
describes, and the profile every release left under tests/data/release-*/ opens, upgrades and verifies with this
release (docs/architecture.md 'Upgrades')."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.errors import ProfileProblem
from app.models import migrations
from app.models.profile import Profile
from app.models.schema import Base

ROOT = Path(__file__).resolve().parents[2]
RELEASES = sorted((ROOT / "tests" / "data").glob("release-*"))
PASSPHRASES = ("release-data-passphrase-1", "release-data-passphrase-2")  # tests/data/make_release_data.py


def _structure(conn: Any) -> dict[str, Any]:
    """Tables with their columns, indexes and foreign keys, and the trigger names: what a store is made of."""
    out: dict[str, Any] = {}
    tables = [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for t in tables:
        cols = {r[1]: (r[2].upper(), bool(r[3]), r[4], r[5]) for r in conn.exec_driver_sql(f"PRAGMA table_info({t})")}
        idx = {}
        for r in conn.exec_driver_sql(f"PRAGMA index_list({t})"):
            names = [c[2] for c in conn.exec_driver_sql(f"PRAGMA index_info('{r[1]}')")]
            idx[r[1] if not r[1].startswith("sqlite_autoindex") else f"auto:{','.join(names)}"] = (bool(r[2]), names)
        fks = sorted((r[2], r[3], r[4]) for r in conn.exec_driver_sql(f"PRAGMA foreign_key_list({t})"))
        out[t] = {"columns": cols, "indexes": idx, "foreign keys": fks}
    return out


def _differences(frozen: dict[str, Any], declared: dict[str, Any]) -> list[str]:
    diffs = []
    for t in sorted(set(frozen) | set(declared)):
        if t not in frozen:
            diffs.append(f"table {t}: in schema.py, not made by the frozen DDL chain")
            continue
        if t not in declared:
            diffs.append(f"table {t}: made by the frozen DDL chain, not in schema.py")
            continue
        for part in ("columns", "indexes"):
            a, b = frozen[t][part], declared[t][part]
            for name in sorted(set(a) | set(b)):
                if a.get(name) != b.get(name):
                    diffs.append(f"table {t}, {part[:-1]} {name}: frozen chain {a.get(name)} != schema.py "
                                 f"{b.get(name)}")
        if frozen[t]["foreign keys"] != declared[t]["foreign keys"]:
            diffs.append(f"table {t}: foreign keys {frozen[t]['foreign keys']} != {declared[t]['foreign keys']}")
    return diffs


def test_the_frozen_ddl_chain_builds_what_schema_py_describes() -> None:
    chain = create_engine("sqlite://")
    with chain.begin() as conn:
        for step in migrations.MIGRATIONS:
            step(conn)
        frozen = _structure(conn)
        triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    declared_engine = create_engine("sqlite://")
    with declared_engine.begin() as conn:
        Base.metadata.create_all(conn)
        declared = _structure(conn)
    assert _differences(frozen, declared) == [], (
        "app/models/schema.py and app/models/ddl/v*.sql disagree: freeze the change as "
        f"ddl/v{migrations.SCHEMA_VERSION + 1}.sql and append its step to MIGRATIONS")
    for table in ("signed_objects", "journal", "checkpoints", "payloads", "blobs", "evidence_items"):
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers


def test_frozen_files_are_numbered_like_the_steps() -> None:
    files = sorted(p.name for p in migrations.DDL_DIR.glob("v*.sql"))
    assert files == [f"v{n}.sql" for n in range(1, migrations.SCHEMA_VERSION + 1)]
    assert all(migrations.frozen_statements(n) for n in range(1, migrations.SCHEMA_VERSION + 1))


def test_the_differences_name_what_is_missing() -> None:
    a = {"t": {"columns": {"x": ("TEXT", True, None, 0)}, "indexes": {}, "foreign keys": []}}
    b = {"t": {"columns": {"x": ("TEXT", True, None, 0), "y": ("INTEGER", False, None, 0)}, "indexes": {},
               "foreign keys": []}, "u": a["t"]}
    assert _differences(a, b) == ["table t, column y: frozen chain None != schema.py ('INTEGER', False, None, 0)",
                                  "table u: in schema.py, not made by the frozen DDL chain"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], check=False, capture_output=True, text=True,
                          cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


@pytest.mark.parametrize("release", RELEASES, ids=[r.name for r in RELEASES])
def test_a_release_profile_upgrades_and_verifies(release: Path, tmp_path: Path) -> None:
    root = tmp_path / "profile"
    shutil.copytree(release / "profile", root)
    (root / "staging").mkdir(exist_ok=True)  # git keeps no empty directory
    (root / "blobs").mkdir(exist_ok=True)
    p1 = tmp_path / "p1"
    p1.write_text(PASSPHRASES[0] + "\n", encoding="utf-8")
    r = _cli("check", str(root), "--passphrase-file", str(p1))
    assert r.returncode == 0 and r.stdout.rstrip().endswith("OK"), r.stdout + r.stderr
    r = _cli("cases", str(root), "--passphrase-file", str(p1))
    case_id = (release / "case_id").read_text("utf-8").strip()
    assert r.returncode == 0 and r.stdout.startswith(case_id), r.stdout + r.stderr
    with Profile.open(root).unlock(PASSPHRASES[0]) as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA user_version")).scalar_one() == migrations.SCHEMA_VERSION
        with pytest.raises(Exception, match="append-only"):
            conn.execute(text("DELETE FROM journal"))


def test_a_store_of_a_newer_release_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    shutil.copytree(RELEASES[-1] / "profile", root)
    (root / "staging").mkdir(exist_ok=True)
    with Profile.open(root).unlock(PASSPHRASES[0]) as store, store.engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    with pytest.raises(ProfileProblem, match="newer release"):
        Profile.open(root).unlock(PASSPHRASES[0])


def test_release_data_exists() -> None:
    assert RELEASES, "tests/data/release-*/ holds the files of each release (tests/data/make_release_data.py)"
