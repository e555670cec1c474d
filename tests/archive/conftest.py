from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archive.helpers import ArchiveProcess, Laptop
from tests.archive.s3server import S3Server

PG_ENV = "FIELDAUDIT_TEST_PG_URL"


def _pg_database(base_url: str) -> str:
    """A fresh database on the test PostgreSQL server for one archive."""
    import psycopg

    name = "fa_" + uuid.uuid4().hex[:12]
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = base_url.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"set {PG_ENV} (archive/tests_pg.sh)")
    return _pg_database(base)


@pytest.fixture
def archive_proc(tmp_path: Path, database_url: str | None) -> Iterator[ArchiveProcess]:
    proc = ArchiveProcess(tmp_path / "archive", database_url).start()
    try:
        yield proc
    finally:
        proc.kill()


@pytest.fixture
def sqlite_archive(tmp_path: Path) -> Iterator[ArchiveProcess]:
    proc = ArchiveProcess(tmp_path / "archive").start()
    try:
        yield proc
    finally:
        proc.kill()


def enrolled_laptop(proc: ArchiveProcess) -> Laptop:
    code = proc.admin("enrolment-code").stdout.strip()
    laptop = Laptop(proc.url)
    r = laptop.register(code)
    assert r.status_code == 201, r.text
    return laptop


@pytest.fixture
def laptop(archive_proc: ArchiveProcess) -> Laptop:
    return enrolled_laptop(archive_proc)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    try:
        yield server
    finally:
        server.stop()
