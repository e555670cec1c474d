"""Archive upgrades on real old files: the frozen DDL chain (archive/ddl/vN.<dialect>.sql) builds exactly what
archive/db.py's models describe, on SQLite and PostgreSQL, and the archive each release left under
tests/data/release-*/ opens with this release and re-verifies (docs/architecture.md 'Upgrades')."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from archive.db import DDL_DIR, SCHEMA_VERSION, Base, Database, Meta
from archive.service import open_archive
from tests.archive.conftest import PG_ENV, _pg_database

ROOT = Path(__file__).resolve().parents[2]
RELEASES = sorted((ROOT / "tests" / "data").glob("release-*"))


def _structure(engine: Any) -> dict[str, Any]:
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for t in sorted(insp.get_table_names()):
        out[t] = {
            "columns": {c["name"]: (str(c["type"]), c["nullable"]) for c in insp.get_columns(t)},
            "primary key": insp.get_pk_constraint(t)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(t)),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(t)),
            "foreign keys": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in insp.get_foreign_keys(t)),
        }
    return out


def _differences(frozen: dict[str, Any], declared: dict[str, Any]) -> list[str]:
    diffs = []
    for t in sorted(set(frozen) | set(declared)):
        if t not in frozen or t not in declared:
            diffs.append(f"table {t}: {'only in the models' if t not in frozen else 'only in the frozen chain'}")
            continue
        for part, a in frozen[t].items():
            if a != declared[t][part]:
                diffs.append(f"table {t}, {part}: frozen chain {a} != models {declared[t][part]}")
    return diffs


def _url(kind: str, tmp_path: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} (archive/tests_pg.sh)")
    return _pg_database(base)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_frozen_chain_builds_what_the_models_describe(kind: str, tmp_path: Path) -> None:
    chain = Database(_url(kind, tmp_path, "chain"))
    chain.create_schema()
    declared = create_engine(_url(kind, tmp_path, "declared"))
    Base.metadata.create_all(declared)
    try:
        assert _differences(_structure(chain.engine), _structure(declared)) == [], (
            f"archive/db.py and archive/ddl/ disagree: freeze the change as archive/ddl/v{SCHEMA_VERSION + 1}"
            f".{kind}.sql for every dialect and raise SCHEMA_VERSION")
        with chain.read() as s:
            assert s.get(Meta, "schema_version").value == str(SCHEMA_VERSION)  # type: ignore[union-attr]
    finally:
        chain.dispose()
        declared.dispose()


def test_every_version_is_frozen_for_every_dialect() -> None:
    names = sorted(p.name for p in DDL_DIR.glob("v*.sql"))
    assert names == sorted(f"v{n}.{d}.sql" for n in range(1, SCHEMA_VERSION + 1) for d in ("postgresql", "sqlite"))


def _admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive", "admin", *args], check=False, capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


@pytest.mark.parametrize("release", RELEASES, ids=[r.name for r in RELEASES])
def test_a_release_archive_opens_and_reverifies(release: Path, tmp_path: Path) -> None:
    data = tmp_path / "archive"
    shutil.copytree(release / "archive", data)
    (data / "staging").mkdir(exist_ok=True)
    os.chmod(data / "archive_key.ed25519", 0o600)  # git keeps no file modes; the archive refuses a readable key
    r = _admin("verify", str(data))
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"ok": true' in r.stdout and '"failures": []' in r.stdout
    archive = open_archive(data, create=True)  # as the server opens it
    try:
        with archive.db.read() as s:
            assert s.get(Meta, "schema_version").value == str(SCHEMA_VERSION)  # type: ignore[union-attr]
    finally:
        archive.db.dispose()
    r = _admin("stats", str(data))
    assert r.returncode == 0 and '"cases": 1' in r.stdout, r.stdout + r.stderr
