"""Typed, cached access to the reference data in ``resources/reference`` and the checklist templates in
``resources/templates/checklists``.

Every entry has a stable ASCII ``code`` and a Chinese and English label. The files are plain JSON so an agency
can review and adjust them; the loader checks their shape and fails loudly (:class:`ReferenceDataError`)
rather than guessing.

The resources directory is found, in order, from ``FIELDAUDIT_RESOURCES_DIR``, a frozen (PyInstaller) bundle,
or the source tree. Pass ``root`` explicitly where a caller knows better; caches are per root.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.workflow.work_calendar import WorkCalendar

__all__ = [
    "AuditKinds",
    "ChecklistItem",
    "ChecklistTemplate",
    "EvidenceHint",
    "Outcome",
    "RefEntry",
    "ReferenceDataError",
    "ServiceMethod",
    "ViolationType",
    "audit_kinds",
    "clear_caches",
    "evidence_kinds",
    "institution_kinds",
    "list_checklist_templates",
    "load_checklist_template",
    "load_work_calendar",
    "onsite_measures",
    "outcomes",
    "resources_dir",
    "service_methods",
    "violation_types",
]


class ReferenceDataError(RuntimeError):
    """A reference or template file is missing or malformed.

    An environment error, not a user's: reinstall, or fix the file an agency edited.
    """


def resources_dir() -> Path:
    """The ``resources`` directory of this installation."""
    override = os.environ.get("FIELDAUDIT_RESOURCES_DIR")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def _root(root: Path | None) -> Path:
    return (root if root is not None else resources_dir()).resolve()


@lru_cache(maxsize=64)
def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ReferenceDataError(f"reference file missing: {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"reference file unreadable: {path}: {exc}") from None


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ReferenceDataError(f"{where}: '{key}' must be a non-empty string")
    return value


def _str_list(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ReferenceDataError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _bool(obj: Mapping[str, Any], key: str, where: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ReferenceDataError(f"{where}: '{key}' must be true or false")
    return value


def _entries(data: Any, key: str, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{where}: not a JSON object")
    raw = data.get(key)
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise ReferenceDataError(f"{where}: '{key}' must be a non-empty list of objects")
    codes = [e.get("code") for e in raw]
    if len(set(codes)) != len(codes):
        raise ReferenceDataError(f"{where}: duplicate codes in '{key}'")
    return raw


# ----------------------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class RefEntry:
    """A coded reference entry with labels in Chinese and English and its legal basis (may be empty)."""

    code: str
    zh: str
    en: str
    basis: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


def _ref(e: Mapping[str, Any], where: str) -> RefEntry:
    return RefEntry(
        code=_str(e, "code", where),
        zh=_str(e, "zh", where),
        en=_str(e, "en", where),
        basis=str(e.get("basis", "")),
    )


def _ref_list(file: str, key: str, root: Path | None) -> tuple[RefEntry, ...]:
    path = _root(root) / "reference" / file
    return tuple(_ref(e, f"{path}#{i}") for i, e in enumerate(_entries(_read_json(path), key, str(path))))


@lru_cache(maxsize=8)
def _evidence_kinds(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("evidence_kinds.json", "entries", root)


def evidence_kinds(root: Path | None = None) -> tuple[RefEntry, ...]:
    """The eight evidence types of 001 Art. 37 / 行政处罚法 Art. 46, in statutory order."""
    return _evidence_kinds(_root(root))


@lru_cache(maxsize=8)
def _onsite_measures(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("onsite_measures.json", "entries", root)


def onsite_measures(root: Path | None = None) -> tuple[RefEntry, ...]:
    """On-site measures of 条例 Art. 27 (plus 先行登记保存).

    Each piece of evidence is tagged with the measure by which it was obtained.
    """
    return _onsite_measures(_root(root))


@lru_cache(maxsize=8)
def _institution_kinds(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("institution_kinds.json", "entries", root)


def institution_kinds(root: Path | None = None) -> tuple[RefEntry, ...]:
    """Kinds of audited party.

    Whether a kind is identified by USCC or ID number: :func:`institution_identifier`.
    """
    return _institution_kinds(_root(root))


def institution_identifier(code: str, root: Path | None = None) -> str:
    """"uscc" or "resident_id": which identifier a party of this kind carries."""
    path = _root(root) / "reference" / "institution_kinds.json"
    for e in _entries(_read_json(path), "entries", str(path)):
        if e.get("code") == code:
            return _str(e, "identifier", str(path))
    raise KeyError(code)


@dataclass(frozen=True)
class AuditKinds:
    sources: tuple[RefEntry, ...]
    forms: tuple[RefEntry, ...]
    flags: tuple[RefEntry, ...]
    special_topics: tuple[RefEntry, ...]


@lru_cache(maxsize=8)
def _audit_kinds(root: Path) -> AuditKinds:
    path = root / "reference" / "audit_kinds.json"
    data = _read_json(path)

    def group(key: str) -> tuple[RefEntry, ...]:
        return tuple(_ref(e, f"{path}#{key}") for e in _entries(data, key, str(path)))

    return AuditKinds(group("sources"), group("forms"), group("flags"), group("special_topics"))


def audit_kinds(root: Path | None = None) -> AuditKinds:
    """Audit sources, forms, the unannounced flag and special-campaign topics.

    Sources: routine, special, targeted, complaint; forms: onsite, written; topics from 002 §三(三)5.
    """
    return _audit_kinds(_root(root))


@dataclass(frozen=True)
class EvidenceHint:
    zh: str
    en: str


@dataclass(frozen=True)
class ViolationType(RefEntry):
    evidence_kinds: tuple[str, ...] = ()
    evidence: tuple[EvidenceHint, ...] = ()


@lru_cache(maxsize=8)
def _violation_types(root: Path) -> tuple[ViolationType, ...]:
    path = root / "reference" / "violation_types.json"
    result: list[ViolationType] = []
    known_kinds = {k.code for k in _evidence_kinds(root)}
    for i, e in enumerate(_entries(_read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        kinds = _str_list(e, "evidence_kinds", where)
        unknown = set(kinds) - known_kinds
        if unknown:
            raise ReferenceDataError(f"{where}: unknown evidence kinds {sorted(unknown)}")
        raw_hints = e.get("evidence", [])
        if not isinstance(raw_hints, list):
            raise ReferenceDataError(f"{where}: 'evidence' must be a list")
        hints = tuple(EvidenceHint(_str(h, "zh", where), _str(h, "en", where)) for h in raw_hints)
        result.append(ViolationType(base.code, base.zh, base.en, base.basis, kinds, hints))
    return tuple(result)


def violation_types(root: Path | None = None) -> tuple[ViolationType, ...]:
    """Common violations with their legal basis and the evidence usually captured for each."""
    return _violation_types(_root(root))


@dataclass(frozen=True)
class Outcome(RefEntry):
    monetary: bool = False
    suspends: bool = False
    ends_agreement: bool = False


@lru_cache(maxsize=8)
def _outcomes(root: Path) -> tuple[Outcome, ...]:
    path = root / "reference" / "outcomes.json"
    result = []
    for i, e in enumerate(_entries(_read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        result.append(
            Outcome(
                base.code, base.zh, base.en, base.basis,
                monetary=_bool(e, "monetary", where),
                suspends=_bool(e, "suspends", where),
                ends_agreement=_bool(e, "ends_agreement", where),
            )
        )
    return tuple(result)


def outcomes(root: Path | None = None) -> tuple[Outcome, ...]:
    """Handling outcomes (000 Art. 16; 001 Art. 18–20).

    ``suspends`` / ``ends_agreement`` feed :func:`app.workflow.thresholds.needs_collective_decision`
    and :func:`app.workflow.thresholds.needs_legal_review`.
    """
    return _outcomes(_root(root))


@dataclass(frozen=True)
class ServiceMethod(RefEntry):
    needs_witness: bool = False
    needs_consent: bool = False


@lru_cache(maxsize=8)
def _service_methods(root: Path) -> tuple[ServiceMethod, ...]:
    path = root / "reference" / "service_methods.json"
    result = []
    for i, e in enumerate(_entries(_read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        result.append(
            ServiceMethod(
                base.code, base.zh, base.en, base.basis,
                needs_witness=_bool(e, "needs_witness", where),
                needs_consent=_bool(e, "needs_consent", where),
            )
        )
    return tuple(result)


def service_methods(root: Path | None = None) -> tuple[ServiceMethod, ...]:
    """Methods of 送达 (行政处罚法 Art. 61 via the Civil Procedure Law)."""
    return _service_methods(_root(root))


# ----------------------------------------------------------------------------------------------- calendar


def _parse_day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise ReferenceDataError(f"{where}: dates are YYYY-MM-DD strings")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReferenceDataError(f"{where}: not a date: {value!r}") from None


def parse_work_calendar(data: Any, where: str = "holidays.json") -> WorkCalendar:
    """Build a :class:`WorkCalendar` from the JSON shape of ``holidays.json`` (see that file)."""
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ReferenceDataError(f"{where}: expected an object with 'years'")
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for year_text, spec in data["years"].items():
        here = f"{where}#{year_text}"
        if not (isinstance(year_text, str) and year_text.isdigit()) or not isinstance(spec, dict):
            raise ReferenceDataError(f"{here}: malformed year")
        year = int(year_text)
        years.add(year)
        for rng in spec.get("holidays", []):
            start = _parse_day(rng.get("from"), here)
            end = _parse_day(rng.get("to"), here)
            if end < start or start.year != year:
                raise ReferenceDataError(f"{here}: bad holiday range {rng!r}")
            day = start
            while day <= end:
                holidays.add(day)
                day += timedelta(days=1)
        for text in spec.get("adjusted_workdays", []):
            day = _parse_day(text, here)
            if day.weekday() < 5:
                raise ReferenceDataError(f"{here}: adjusted working day {text} is not a weekend day")
            workdays.add(day)
    if holidays & workdays:
        raise ReferenceDataError(f"{where}: a day is both a holiday and a working day")
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years))


@lru_cache(maxsize=8)
def _work_calendar(path: Path) -> WorkCalendar:
    return parse_work_calendar(_read_json(path), str(path))


def load_work_calendar(root: Path | None = None, *, path: Path | None = None) -> WorkCalendar:
    """The working-day calendar from ``resources/reference/holidays.json`` (or ``path``)."""
    target = path.resolve() if path is not None else _root(root) / "reference" / "holidays.json"
    return _work_calendar(target)


# ----------------------------------------------------------------------------------------------- checklists


@dataclass(frozen=True)
class ChecklistItem:
    """One line of a checklist.

    ``requirements``: the numbered 规范要求 / 相关要求, in order. ``focus``: the 重点内容.
    ``evidence_hints``: violation codes whose evidence lists suit this item.
    The responsibility fields are empty when the source has none.
    """

    id: str
    category: str
    title: str
    requirements: tuple[str, ...]
    focus: tuple[str, ...]
    evidence_hints: tuple[str, ...]
    responsible_leader: str = ""
    responsible_unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class ChecklistTemplate:
    id: str
    version: int
    title: str
    title_en: str
    source: str
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def categories(self) -> tuple[str, ...]:
        """Distinct categories in order of first appearance."""
        seen: dict[str, None] = {}
        for it in self.items:
            seen.setdefault(it.category, None)
        return tuple(seen)


def _checklist_dir(root: Path) -> Path:
    return root / "templates" / "checklists"


def _parse_template(data: Any, where: str, known_violations: set[str]) -> ChecklistTemplate:
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{where}: not a JSON object")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReferenceDataError(f"{where}: 'version' must be a positive integer")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ReferenceDataError(f"{where}: 'items' must be a non-empty list")
    items: list[ChecklistItem] = []
    for i, raw in enumerate(raw_items):
        here = f"{where}#items[{i}]"
        if not isinstance(raw, dict):
            raise ReferenceDataError(f"{here}: not an object")
        hints = _str_list(raw, "evidence_hints", here)
        unknown = set(hints) - known_violations
        if unknown:
            raise ReferenceDataError(f"{here}: unknown violation codes {sorted(unknown)}")
        items.append(
            ChecklistItem(
                id=_str(raw, "id", here),
                category=_str(raw, "category", here),
                title=_str(raw, "title", here),
                requirements=_str_list(raw, "requirements", here),
                focus=_str_list(raw, "focus", here),
                evidence_hints=hints,
                responsible_leader=str(raw.get("responsible_leader", "")),
                responsible_unit=str(raw.get("responsible_unit", "")),
                note=str(raw.get("note", "")),
            )
        )
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise ReferenceDataError(f"{where}: duplicate item ids")
    return ChecklistTemplate(
        id=_str(data, "id", where),
        version=version,
        title=_str(data, "title", where),
        title_en=str(data.get("title_en", "")),
        source=_str(data, "source", where),
        items=tuple(items),
    )


@lru_cache(maxsize=8)
def _templates(root: Path) -> Mapping[str, ChecklistTemplate]:
    folder = _checklist_dir(root)
    if not folder.is_dir():
        raise ReferenceDataError(f"checklist folder missing: {folder}")
    known = {v.code for v in _violation_types(root)}
    result: dict[str, ChecklistTemplate] = {}
    for path in sorted(folder.glob("*.json")):
        template = _parse_template(_read_json(path), str(path), known)
        if template.id in result:
            raise ReferenceDataError(f"{path}: duplicate template id {template.id!r}")
        if template.id != path.stem:
            raise ReferenceDataError(f"{path}: template id {template.id!r} must match the file name")
        result[template.id] = template
    return result


def list_checklist_templates(root: Path | None = None) -> Sequence[ChecklistTemplate]:
    """All checklist templates, sorted by id."""
    return tuple(_templates(_root(root)).values())


def load_checklist_template(template_id: str, root: Path | None = None) -> ChecklistTemplate:
    """One checklist template by id; KeyError when there is none."""
    templates = _templates(_root(root))
    if template_id not in templates:
        raise KeyError(template_id)
    return templates[template_id]


def clear_caches() -> None:
    """Forget everything loaded (after an agency edits a file, or the archive pulls new templates)."""
    for fn in (
        _read_json, _evidence_kinds, _onsite_measures, _institution_kinds, _audit_kinds,
        _violation_types, _outcomes, _service_methods, _work_calendar, _templates,
    ):
        fn.cache_clear()
