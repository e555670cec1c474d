"""The documents under docs/ name code and tests that exist: every `path.py:name` (a function, class, method or
constant) and every `path.py::test_name` in docs/*.md, so a rename cannot leave the explanation behind."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = re.compile(r"`((?:app|archive|tests|scripts|bench)/[\w/.-]+\.py)(::?)([\w.]+)`")


def defined_names(path: Path) -> set[str]:
    """Module-level functions, classes and assignments, ``Class.method`` and every test function."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names |= {f"{node.name}.{n.name}" for n in node.body
                          if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def reference_problems(doc: Path) -> list[str]:
    problems = []
    cache: dict[Path, set[str]] = {}
    for file, sep, name in REF.findall(doc.read_text("utf-8")):
        path = ROOT / file
        where = f"{doc.relative_to(ROOT)}: `{file}{sep}{name}`"
        if not path.is_file():
            problems.append(f"{where}: no file {file}")
            continue
        names = cache.setdefault(path, defined_names(path))
        if name not in names:
            problems.append(f"{where}: {file} defines no {name}")
        elif sep == "::" and not name.startswith("test_"):
            problems.append(f"{where}: {name} is not a test")
    return problems


def test_every_code_and_test_named_in_docs_exists() -> None:
    docs = sorted((ROOT / "docs").rglob("*.md"))
    counted = sum(len(REF.findall(d.read_text("utf-8"))) for d in docs)
    assert counted > 60
    assert [p for d in docs for p in reference_problems(d)] == []


def test_every_rule_has_an_article_a_function_and_a_test() -> None:
    rows = [line for line in (ROOT / "docs" / "rules.md").read_text("utf-8").splitlines()
            if re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 20
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        _number, rule, article, function, test = cells
        assert rule, row
        assert re.search(r"Art\. \d", article), row
        assert REF.search(function) and ":" in function and "::" not in function, row
        assert "::test_" in test, row


def test_the_checker_names_what_is_wrong(tmp_path: Path) -> None:
    doc = ROOT / "docs" / "probe-refs-not-committed.md"
    try:
        doc.write_text("`app/workflow/deadlines.py:defence_deadline` `app/workflow/deadlines.py:no_such_rule` "
                       "`app/nowhere.py:x` `tests/workflow/test_rules.py::test_yuan_to_fen_is_exact` "
                       "`app/workflow/deadlines.py::defence_deadline` "
                       "`app/workflow/work_calendar.py:WorkCalendar.add_working_days`\n", encoding="utf-8")
        assert reference_problems(doc) == [
            "docs/probe-refs-not-committed.md: `app/workflow/deadlines.py:no_such_rule`: "
            "app/workflow/deadlines.py defines no no_such_rule",
            "docs/probe-refs-not-committed.md: `app/nowhere.py:x`: no file app/nowhere.py",
            "docs/probe-refs-not-committed.md: `app/workflow/deadlines.py::defence_deadline`: "
            "defence_deadline is not a test",
        ]
    finally:
        doc.unlink()
