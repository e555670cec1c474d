"""The core never imports Qt or the UI, no inner layer imports an outer one, and the UI reaches the store only
through the facade (docs/architecture.md 'Layers' and 'The facade')."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ["app/models", "app/evidence", "app/workflow", "app/documents", "app/sync", "app/facade"]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "app.ui")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def offending(paths: list[Path]) -> list[str]:
    bad = []
    for path in paths:
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                bad.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name} imports {name}")
    return bad


def test_core_packages_do_not_import_qt() -> None:
    files = [p for d in CORE for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 10
    assert offending(files) == []


def test_archive_does_not_import_qt() -> None:
    assert offending(list((ROOT / "archive").rglob("*.py"))) == []


def test_checker_catches_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text("import os\nfrom PySide6 import QtCore\nimport app.ui.main_window\n", encoding="utf-8")
    assert offending([bad]) == ["probe.py imports PySide6", "probe.py imports app.ui.main_window"]


# docs/architecture.md 'Layers': a package may import its own layer's modules and any lower layer, never a higher
# one; packages on the same layer do not import each other. The foundation modules (app/errors.py, app/ids.py,
# app/fsutil.py, app/paths.py) are layer 0.
LAYERS: dict[str, int] = {
    "app.errors": 0, "app.ids": 0, "app.fsutil": 0, "app.paths": 0, "app.bootid": 0, "app.iofaults": 0,
    "app.citations": 0,  # the table of legal citations: plain data that documents and workflow both cite
    "app.models": 1,
    "app.evidence": 2,
    "app.documents": 3, "app.sync": 3,
    "app.workflow": 4,
    "app.facade": 5,  # the UI's one door into the core: owns sessions and transactions
    "app.cli": 6, "app.ui": 6,
}


def layer_of(module: str) -> str | None:
    for name in LAYERS:
        if module == name or module.startswith(name + "."):
            return name
    return None


def layer_violations(paths: list[Path]) -> list[str]:
    bad = []
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path("app", *path.parts[-2:])
        own = layer_of(".".join(rel.with_suffix("").parts))
        if own is None:
            continue
        for name in imported_modules(path):
            other = layer_of(name)
            if other is None or other == own:
                continue
            if LAYERS[other] >= LAYERS[own]:
                bad.append(f"{rel} ({own}, layer {LAYERS[own]}) imports {name} ({other}, layer {LAYERS[other]})")
    return bad


def test_inner_layers_do_not_import_outer_ones() -> None:
    files = [p for d in CORE for p in (ROOT / d).rglob("*.py")]
    assert layer_violations(files) == []


def test_every_core_package_has_a_layer() -> None:
    for d in CORE:
        assert layer_of(d.replace("/", ".")) is not None, d
    for path in (ROOT / "app").glob("*.py"):
        if path.stem not in ("__init__", "__main__"):
            assert layer_of(f"app.{path.stem}") is not None, f"{path.name} has no layer in LAYERS"


def test_layer_checker_catches_an_upward_import(tmp_path: Path) -> None:
    pkg = tmp_path / "models"
    pkg.mkdir()
    bad = pkg / "probe.py"
    bad.write_text("from app.evidence.signing import SigningKey\nfrom app.models import keys\n"
                   "def f():\n    import app.workflow.cases\n", encoding="utf-8")
    sibling = tmp_path / "sync"
    sibling.mkdir()
    (sibling / "probe.py").write_text("from app.documents import render\nfrom app.errors import UserError\n",
                                      encoding="utf-8")
    assert layer_violations([bad, sibling / "probe.py"]) == [
        "app/models/probe.py (app.models, layer 1) imports app.evidence.signing (app.evidence, layer 2)",
        "app/models/probe.py (app.models, layer 1) imports app.workflow.cases (app.workflow, layer 4)",
        "app/sync/probe.py (app.sync, layer 3) imports app.documents (app.documents, layer 3)",
    ]


# docs/architecture.md 'The facade': the UI never reads a table, opens a session or a transaction itself; it calls
# the facade's named operations and read models (``app.facade``), which own them.
UI_FORBIDDEN_IMPORTS = ("sqlalchemy", "app.models.schema")
UI_FORBIDDEN_CALLS = ("session", "transaction")


def facade_bypasses(paths: list[Path]) -> list[str]:
    bad = []
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in UI_FORBIDDEN_IMPORTS):
                bad.append(f"{rel} imports {name}")
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in UI_FORBIDDEN_CALLS):
                bad.append(f"{rel}:{node.lineno} calls .{node.func.attr}()")
    return bad


def test_ui_reaches_the_store_only_through_the_facade() -> None:
    files = list((ROOT / "app" / "ui").rglob("*.py"))
    assert len(files) > 10
    assert facade_bypasses(files) == []


def test_facade_checker_catches_a_session_in_the_ui(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text("from sqlalchemy import select\nimport app.models.schema\nfrom app.models.profile import Store\n"
                   "def f(store):\n    with store.session() as s:\n        pass\n"
                   "    with store.transaction() as s:\n        pass\n"
                   "    return store.unlocked_inspectors()\n", encoding="utf-8")
    assert facade_bypasses([bad]) == [
        "probe.py imports sqlalchemy", "probe.py imports app.models.schema",
        "probe.py:5 calls .session()", "probe.py:7 calls .transaction()",
    ]
