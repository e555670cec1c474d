"""Texts for users name the cited documents by title, never by their seed file (seeds/000_….txt), and English
texts name the national laws in English, never by their Chinese name (行政处罚法, 条例 …).

The demo case (app.workflow.demo) produces the citations, step statuses, deadlines and refusals; a fresh case in
the same profile adds the "missing" messages of every step. A scan of the source catches a seed path slipped into
a string literal that is not a docstring, and a Chinese law name in an English text: the English half of a
bilingual pair (an argument bound to a ``*_en`` parameter, a ``*_en`` attribute or variable, a dict's "en"), a
``tr()`` source text, a translation of the English .ts file and the "en" labels of the reference data.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.citations import CHINESE_SHORTHANDS, NATIONAL_LAWS, join_citations
from app.errors import PermissionRefused
from app.models.profile import Profile
from app.models.schema import Case, Deadline
from app.workflow import steps
from app.workflow.cases import CaseSpec, create_case
from app.workflow.demo import build_demo, demo_checklist
from app.workflow.procedure import STEPS, due_items, overview
from app.workflow.steps_findings import case_flags
from app.workflow.thresholds import ThresholdResult

ROOT = Path(__file__).resolve().parents[2]
P1, P2 = "demo-passphrase-1", "demo-passphrase-2"


def _leaks(text: str) -> bool:
    return "seeds/" in text or ".txt" in text


_HAN = "\u3400-\u9fff"
_LAW_LIKE = re.compile(f"[{_HAN}]{{2,}}(?:法|条例|规定|办法|细则)(?![{_HAN}])")
"""A Chinese title of a law, regulation or rule ("行政处罚法", "…稽核办法"), not a term such as 法制审核."""


def _chinese_law_names(text: str) -> list[str]:
    """The laws and regulations ``text`` names in Chinese (an English text must name none)."""
    named = [name for name in (*NATIONAL_LAWS, *CHINESE_SHORTHANDS) if name in text]
    return named + [m for m in _LAW_LIKE.findall(text) if m not in named]


def test_chinese_law_names_are_recognised() -> None:
    assert _chinese_law_names("There is no on-site record yet (行政处罚法 Art. 55).") == ["行政处罚法"]
    assert _chinese_law_names("… (Wuhan Audit Measures Art. 7(2); 条例 Art. 29).") == ["条例"]
    assert _chinese_law_names("See 《中华人民共和国社会保险法》 Art. 87.") == ["社会保险法", "中华人民共和国社会保险法"]
    assert _chinese_law_names("《武汉市医疗保险稽核办法（试行）》") == ["武汉市医疗保险稽核办法"]
    assert _chinese_law_names("This amount needs 法制审核 (legal review).") == []
    assert _chinese_law_names("There is no on-site record yet (Administrative Penalty Law Art. 55).") == []


def _threshold_texts(result: ThresholdResult) -> list[str]:
    return [result.citation, join_citations(result.citations, "en"),
            *(c.text(lang) for c in result.citations for lang in ("zh", "en")), *(str(c) for c in result.citations)]


def test_demo_case_texts_cite_documents_by_title(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo", P1, P2)
    a, b = demo.inspector_ids
    texts: list[str] = [s.basis for s in STEPS]
    english: list[str] = [s.basis for s in STEPS] + [s.title("en") for s in STEPS]
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
        english.append(late.value.message_en)
        with store.session() as s:
            unlocked = store.unlocked_inspectors()
            statuses = [st for case_id in (demo.case_id, fresh_id) for st in overview(s, case_id, unlocked=unlocked)]
            messages = [m for st in statuses for m in (*st.missing, *st.warnings)]
            texts += [m.message(lang) for m in messages for lang in ("zh", "en")]
            english += [m.message("en") for m in messages]
            flags = case_flags(s, demo.case_id)
            assert flags.total.legal_review and flags.total.collective_decision  # the demo is over both thresholds
            for f in (flags.total, *flags.per_finding.values()):
                texts += _threshold_texts(f.legal_review) + _threshold_texts(f.collective_decision)
                english += [join_citations(r.citations, "en") for r in (f.legal_review, f.collective_decision)]
                english += [*f.legal_review.reasons_en, *f.collective_decision.reasons_en]
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
    assert any("Administrative Penalty Law" in t for t in english)
    assert [t for t in english if _chinese_law_names(t)] == []


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
    """Only app/citations.py holds the seed paths (Source.file, for traceability)."""
    allowed = {ROOT / "app" / "workflow" / "citations.py"}
    files = [p for d in ("workflow", "evidence", "ui", "documents") for p in (ROOT / "app" / d).rglob("*.py")]
    assert len(files) > 20
    found = [f"{p.relative_to(ROOT)}:{line}: {text}" for p in files if p not in allowed
             for line, text in _string_literals(p) if "seeds/" in text]
    assert found == []


# --- English texts in the source, the .ts files and the reference data ---------------------------------------

_TR_SOURCE_ARG = {"tr": 0, "translate": 1}  # self.tr(source), QCoreApplication.translate(context, source)
_KNOWN_ELSEWHERE: set[tuple[str, str]] = set()
"""Texts outside app/workflow, app/documents, app/ui/steps and app/errors.py, left to their owners: remove an
entry once its text names the law in English."""


def _is_english_name(name: str | None) -> bool:
    return name is not None and (name == "en" or name.endswith("_en"))


def _texts(node: ast.expr) -> list[str] | None:
    """The text(s) an expression evaluates to, "{}" standing for a formatted value; None if it is no text."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _texts(node.left), _texts(node.right)
        if left is None and right is None:
            return None
        return [a + b for a in left or ["{}"] for b in right or ["{}"]]
    if isinstance(node, ast.IfExp):
        branches = [t for b in (node.body, node.orelse) for t in _texts(b) or []]
        return branches or None
    if isinstance(node, ast.Tuple | ast.List):
        items = [t for e in node.elts for t in _texts(e) or []]
        return items or None
    return None


def _positional(args: ast.arguments, method: bool) -> tuple[str, ...]:
    names = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    return names[1:] if method else names


def _signatures(trees: list[ast.Module]) -> dict[str, tuple[int, ...]]:
    """Callable name → the positions of its English arguments (parameters named ``*_en`` or ``en``).

    Functions, methods and classes of the app by name: a class by its ``__init__``, its dataclass fields or else
    its first base (FieldAuditError subclasses). A name defined more than once is left out when one definition
    has another parameter where another has an English one (its keyword arguments still count)."""
    params: dict[str, set[tuple[str, ...]]] = {}
    classes: dict[str, ast.ClassDef] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name != "__init__":
                        params.setdefault(item.name, set()).add(_positional(item.args, method=True))
            elif isinstance(node, ast.FunctionDef):
                params.setdefault(node.name, set()).add(_positional(node.args, method=False))

    def class_params(cls: ast.ClassDef, depth: int = 0) -> tuple[str, ...] | None:
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                return _positional(item.args, method=True)
        if any("dataclass" in ast.unparse(d) for d in cls.decorator_list):
            return tuple(i.target.id for i in cls.body if isinstance(i, ast.AnnAssign)
                         and isinstance(i.target, ast.Name) and "ClassVar" not in ast.unparse(i.annotation))
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes and depth < 20:
                return class_params(classes[base.id], depth + 1)
        return None

    for name, cls in classes.items():
        found = class_params(cls)
        if found is not None:
            params.setdefault(name, set()).add(found)
    signatures = {}
    for name, sigs in params.items():
        english = sorted({i for sig in sigs for i, p in enumerate(sig) if _is_english_name(p)})
        if english and all(_is_english_name(sig[i]) for sig in sigs for i in english if i < len(sig)):
            signatures[name] = tuple(english)
    return signatures


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _target_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _english_in_tree(tree: ast.Module, signatures: dict[str, tuple[int, ...]]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        english: list[ast.expr] = []
        if isinstance(node, ast.Call):
            name = _callee(node)
            positions = signatures.get(name or "", ())
            if name in _TR_SOURCE_ARG:
                positions = (*positions, _TR_SOURCE_ARG[name])
            english += [a for i, a in enumerate(node.args) if i in positions]
            english += [k.value for k in node.keywords if _is_english_name(k.arg)]
        elif isinstance(node, ast.Assign):
            if any(_is_english_name(_target_name(t)) for t in node.targets):
                english.append(node.value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None and _is_english_name(_target_name(node.target)):
                english.append(node.value)
        elif isinstance(node, ast.Dict):
            english += [v for k, v in zip(node.keys, node.values, strict=True)
                        if isinstance(k, ast.Constant) and isinstance(k.value, str) and _is_english_name(k.value)]
        for expr in english:
            for text in _texts(expr) or []:
                yield expr.lineno, text


def _english_in_json(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if _is_english_name(key) and isinstance(value, str):
                yield value
            else:
                yield from _english_in_json(value)
    elif isinstance(data, list):
        for item in data:
            yield from _english_in_json(item)


def _english_texts() -> list[tuple[str, str]]:
    """(where, text) for every English text of the app found in the source, the .ts files and reference data."""
    paths = sorted((ROOT / "app").rglob("*.py"))
    trees = [ast.parse(p.read_text("utf-8"), filename=str(p)) for p in paths]
    signatures = _signatures(trees)
    assert {"Missing", "refuse", "UserError", "EnvironmentProblem", "InvalidInput", "pick"} <= signatures.keys()
    found = [(f"{p.relative_to(ROOT).as_posix()}:{line}", text)
             for p, tree in zip(paths, trees, strict=True) for line, text in _english_in_tree(tree, signatures)]
    i18n = ROOT / "resources" / "i18n"
    for ts in sorted(i18n.glob("*.ts")):
        for message in ET.parse(ts).getroot().iter("message"):
            where = f"{ts.relative_to(ROOT).as_posix()}: {message.findtext('source')}"
            found.append((where, message.findtext("source") or ""))  # the source texts are the English UI
            if ts.name == "fieldaudit_en.ts":
                found += [(where, t.text or "") for t in message.iter() if t.tag in ("translation", "numerusform")]
    for ref in sorted((ROOT / "resources" / "reference").glob("*.json")):
        found += [(ref.relative_to(ROOT).as_posix(), t) for t in _english_in_json(json.loads(ref.read_text("utf-8")))]
    found += [(f"STEPS[{s.name}].basis", s.basis) for s in STEPS]  # English only, no *_en name to find it by
    return found


def test_english_texts_name_national_laws_in_english() -> None:
    """"There is no on-site record yet (Administrative Penalty Law Art. 55).", never "(行政处罚法 Art. 55)"."""
    texts = _english_texts()
    collected = {t for _, t in texts}
    # the collector reaches every kind of English text: Missing, a class attribute, tr(), the .ts file, JSON
    assert any(t.startswith("There is no on-site record yet") for t in collected)
    assert "The passphrase is not correct. Please try again." in collected
    assert "Unlock" in collected
    assert "Routine audit" in collected
    assert len(texts) > 500
    found = [f"{where}: {name}: {text}" for where, text in texts for name in _chinese_law_names(text)
             if (where.split(":")[0], name) not in _KNOWN_ELSEWHERE]
    assert found == []


def test_english_texts_cite_seed_documents_by_title() -> None:
    """"Wuhan Audit Measures Art. 13", never the seed number "000 Art. 13" (docstrings may use it)."""
    seed_article = re.compile(r"\b00\d Art\.")
    assert [f"{where}: {text}" for where, text in _english_texts() if seed_article.search(text)] == []
