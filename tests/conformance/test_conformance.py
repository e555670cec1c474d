"""The conformance suite (tests/conformance/generate.py, docs/package-format.md "Conformance suite") passes under
``python -m app.cli verify``, and the committed manifest is what the generator makes."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.generate import expected_manifest, generate
from tests.conformance.run import run_case

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("conformance")
    return out, generate(out)


def test_committed_manifest_is_the_generated_one(suite: tuple[Path, list[dict[str, Any]]]) -> None:
    committed = json.loads((HERE / "manifest.json").read_text("utf-8"))
    assert committed == expected_manifest(suite[1])


def test_every_case_passes_under_the_cli(suite: tuple[Path, list[dict[str, Any]]]) -> None:
    out, cases = suite
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    verifier = [sys.executable, "-m", "app.cli", "verify"]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: (c["name"], run_case(out, verifier, c, env)), cases))
    failed = [f"{name}: {why}" for name, why in results if why is not None]
    assert not failed, "\n".join(failed)
    assert {c["exit"] for c in cases} == {0, 1}
