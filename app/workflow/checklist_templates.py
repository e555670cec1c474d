"""The checklist templates in ``resources/templates/checklists``: one JSON file a template, its items checked
against the violation types. Typed and cached per root.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.workflow.reference_entries import violation_types
from app.workflow.reference_files import (
    ReferenceDataError,
    read_json,
    resolve_root,
    text_field,
    text_list_field,
)

__all__ = ["ChecklistItem", "ChecklistTemplate", "list_checklist_templates", "load_checklist_template"]


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
        hints = text_list_field(raw, "evidence_hints", here)
        unknown = set(hints) - known_violations
        if unknown:
            raise ReferenceDataError(f"{here}: unknown violation codes {sorted(unknown)}")
        items.append(
            ChecklistItem(
                id=text_field(raw, "id", here),
                category=text_field(raw, "category", here),
                title=text_field(raw, "title", here),
                requirements=text_list_field(raw, "requirements", here),
                focus=text_list_field(raw, "focus", here),
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
        id=text_field(data, "id", where),
        version=version,
        title=text_field(data, "title", where),
        title_en=str(data.get("title_en", "")),
        source=text_field(data, "source", where),
        items=tuple(items),
    )


@lru_cache(maxsize=8)
def _templates(root: Path) -> Mapping[str, ChecklistTemplate]:
    folder = _checklist_dir(root)
    if not folder.is_dir():
        raise ReferenceDataError(f"checklist folder missing: {folder}")
    known = {v.code for v in violation_types(root)}
    result: dict[str, ChecklistTemplate] = {}
    for path in sorted(folder.glob("*.json")):
        template = _parse_template(read_json(path), str(path), known)
        if template.id in result:
            raise ReferenceDataError(f"{path}: duplicate template id {template.id!r}")
        if template.id != path.stem:
            raise ReferenceDataError(f"{path}: template id {template.id!r} must match the file name")
        result[template.id] = template
    return result


def list_checklist_templates(root: Path | None = None) -> Sequence[ChecklistTemplate]:
    """All checklist templates, sorted by id."""
    return tuple(_templates(resolve_root(root)).values())


def load_checklist_template(template_id: str, root: Path | None = None) -> ChecklistTemplate:
    """One checklist template by id; KeyError when there is none."""
    templates = _templates(resolve_root(root))
    if template_id not in templates:
        raise KeyError(template_id)
    return templates[template_id]
