"""The core never imports Qt or the UI (ARCHITECTURE.md 'Layers'; STYLE.md practice 1)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ["app/models", "app/evidence", "app/workflow", "app/documents", "app/sync"]
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
