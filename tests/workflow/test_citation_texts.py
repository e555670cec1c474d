"""Texts for users name the cited documents by title, never by their seed file (seeds/000_….txt).

The demo case (app.workflow.demo) produces the citations, step statuses, deadlines and refusals; a fresh case in
the same profile adds the "missing" messages of every step. A scan of the source catches a seed path slipped into
a string literal that is not a docstring.
"""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import PermissionRefused
from app.models.profile import Profile
from app.models.schema import Case, Deadline
from app.workflow import steps
from app.workflow.cases import CaseSpec, create_case
from app.workflow.citations import join_citations
from app.workflow.demo import build_demo, demo_checklist
from app.workflow.procedure import STEPS, due_items, overview
from app.workflow.steps_findings import case_flags
from app.workflow.thresholds import ThresholdResult

ROOT = Path(__file__).resolve().parents[2]
P1, P2 = "demo-passphrase-1", "demo-passphrase-2"


def _leaks(text: str) -> bool:
    return "seeds/" in text or ".txt" in text


def _threshold_texts(result: ThresholdResult) -> list[str]:
    return [result.citation, join_citations(result.citations, "en"),
            *(c.text(lang) for c in result.citations for lang in ("zh", "en")), *(str(c) for c in result.citations)]


def test_demo_case_texts_cite_documents_by_title(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo", P1, P2)
    a, b = demo.inspector_ids
    texts: list[str] = [s.basis for s in STEPS]
    with Profile.open(tmp_path / "demo").unlock(P1) as store:
        store.unlock_inspector(P2)
        with store.transaction() as s:
            demo_case = s.get(Case, demo.case_id)
            assert demo_case is not None
            fresh = create_case(s, store, a, CaseSpec(
                institution_id=demo_case.institution_id, kind="routine", inspector_ids=[a, b],
                title="未开始的演示稽核", planned_date=(date.today() + timedelta(days=30)).isoformat(),
                checklist=demo_checklist()[:2]))
            fresh_id = fresh.id
        with store.transaction() as s, pytest.raises(PermissionRefused) as late:
            steps.record_notice(s, store, fresh_id, a, audit_date=date.today() + timedelta(days=30),
                                served_on=date.today() + timedelta(days=29))
        texts += [late.value.message_zh, late.value.message_en]
        with store.session() as s:
            unlocked = store.unlocked_inspectors()
            statuses = [st for case_id in (demo.case_id, fresh_id) for st in overview(s, case_id, unlocked=unlocked)]
            messages = [m for st in statuses for m in (*st.missing, *st.warnings)]
            texts += [m.message(lang) for m in messages for lang in ("zh", "en")]
            flags = case_flags(s, demo.case_id)
            assert flags.total.legal_review and flags.total.collective_decision  # the demo is over both thresholds
            for f in (flags.total, *flags.per_finding.values()):
                texts += _threshold_texts(f.legal_review) + _threshold_texts(f.collective_decision)
            texts += [d.basis for d in s.scalars(select(Deadline))]
            due = due_items(s, date.today())
            assert any(item.kind == "notice" for item in due)  # the fresh case's notice, with its citation
            texts += [item.basis for item in due]
    assert messages, "the fresh case must report what is missing"
    assert any("《武汉市医疗保险稽核办法（试行）》" in t for t in texts)
    assert any("《兰州市医疗保障基金使用监督管理办法》" in t for t in texts)
    assert any("Wuhan Audit Measures" in t for t in texts)
    assert any("Lanzhou Fund Supervision Measures" in t for t in texts)
    assert [t for t in texts if _leaks(t)] == []


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module except docstrings, with its line."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_string_for_users_names_a_seed_file() -> None:
    """Only app/workflow/citations.py holds the seed paths (Source.file, for traceability)."""
    allowed = {ROOT / "app" / "workflow" / "citations.py"}
    files = [p for d in ("workflow", "evidence", "ui", "documents") for p in (ROOT / "app" / d).rglob("*.py")]
    assert len(files) > 20
    found = [f"{p.relative_to(ROOT)}:{line}: {text}" for p in files if p not in allowed
             for line, text in _string_literals(p) if "seeds/" in text]
    assert found == []
