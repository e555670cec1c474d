"""Fixtures for the sync client tests: a real archive process on 127.0.0.1 and real encrypted demo profiles."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import tests.archive.helpers as archive_helpers
from tests.archive.helpers import REPO, ArchiveProcess

P1 = "demo-passphrase-1"
P2 = "demo-passphrase-2"
P3 = "third-inspector-pass"


@dataclass
class DemoProfile:
    root: Path
    case_id: str
    inspectors: tuple[str, str]
    pass_files: tuple[Path, Path]


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoProfile:
    from app.workflow.demo import build_demo

    base = tmp_path_factory.mktemp("sync-demo")
    result = build_demo(base / "demo", P1, P2)
    return DemoProfile(base / "demo", result.case_id, result.inspector_ids, (Path(), Path()))


@pytest.fixture
def demo(_demo_template: DemoProfile, tmp_path: Path) -> DemoProfile:
    root = tmp_path / "demo"
    shutil.copytree(_demo_template.root, root)
    f1, f2 = tmp_path / "p1.txt", tmp_path / "p2.txt"
    f1.write_text(P1 + "\n", encoding="utf-8")
    f2.write_text(P2 + "\n", encoding="utf-8")
    return DemoProfile(root, _demo_template.case_id, _demo_template.inspectors, (f1, f2))


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[ArchiveProcess]:
    proc = ArchiveProcess(tmp_path / "archive").start()
    try:
        yield proc
    finally:
        proc.kill()


def restart_same_port(proc: ArchiveProcess, env: dict[str, str] | None = None) -> None:
    """Kill the archive (SIGKILL; a no-op if it died already) and start it again on the same port and data."""
    port = proc.port
    proc.kill()
    original = archive_helpers.free_port
    archive_helpers.free_port = lambda: port
    try:
        proc.start(env)
    finally:
        archive_helpers.free_port = original


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)


def stats(proc: ArchiveProcess) -> dict[str, int]:
    return dict(json.loads(proc.admin("stats").stdout))


def archive_rows(proc: ArchiveProcess, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True) as db:
        return list(db.execute(sql))
