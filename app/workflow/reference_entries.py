"""The coded reference entries in ``resources/reference``: evidence kinds, on-site measures, kinds of audited
party, audit kinds, violation types, handling outcomes and methods of service. Typed and cached per root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.workflow.reference_files import (
    ReferenceDataError,
    coded_entries,
    flag_field,
    read_json,
    resolve_root,
    text_field,
    text_list_field,
)

__all__ = [
    "AuditKinds",
    "EvidenceHint",
    "Outcome",
    "RefEntry",
    "ServiceMethod",
    "ViolationType",
    "audit_kinds",
    "evidence_kinds",
    "institution_identifier",
    "institution_kinds",
    "onsite_measures",
    "outcomes",
    "service_methods",
    "violation_types",
]


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
        code=text_field(e, "code", where),
        zh=text_field(e, "zh", where),
        en=text_field(e, "en", where),
        basis=str(e.get("basis", "")),
    )


def _ref_list(file: str, key: str, root: Path | None) -> tuple[RefEntry, ...]:
    path = resolve_root(root) / "reference" / file
    return tuple(_ref(e, f"{path}#{i}") for i, e in enumerate(coded_entries(read_json(path), key, str(path))))


@lru_cache(maxsize=8)
def _evidence_kinds(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("evidence_kinds.json", "entries", root)


def evidence_kinds(root: Path | None = None) -> tuple[RefEntry, ...]:
    """The eight evidence types of 001 Art. 37 / 行政处罚法 Art. 46, in statutory order."""
    return _evidence_kinds(resolve_root(root))


@lru_cache(maxsize=8)
def _onsite_measures(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("onsite_measures.json", "entries", root)


def onsite_measures(root: Path | None = None) -> tuple[RefEntry, ...]:
    """On-site measures of 条例 Art. 27 (plus 先行登记保存).

    Each piece of evidence is tagged with the measure by which it was obtained.
    """
    return _onsite_measures(resolve_root(root))


@lru_cache(maxsize=8)
def _institution_kinds(root: Path) -> tuple[RefEntry, ...]:
    return _ref_list("institution_kinds.json", "entries", root)


def institution_kinds(root: Path | None = None) -> tuple[RefEntry, ...]:
    """Kinds of audited party.

    Whether a kind is identified by USCC or ID number: :func:`institution_identifier`.
    """
    return _institution_kinds(resolve_root(root))


def institution_identifier(code: str, root: Path | None = None) -> str:
    """"uscc" or "resident_id": which identifier a party of this kind carries."""
    path = resolve_root(root) / "reference" / "institution_kinds.json"
    for e in coded_entries(read_json(path), "entries", str(path)):
        if e.get("code") == code:
            return text_field(e, "identifier", str(path))
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
    data = read_json(path)

    def group(key: str) -> tuple[RefEntry, ...]:
        return tuple(_ref(e, f"{path}#{key}") for e in coded_entries(data, key, str(path)))

    return AuditKinds(group("sources"), group("forms"), group("flags"), group("special_topics"))


def audit_kinds(root: Path | None = None) -> AuditKinds:
    """Audit sources, forms, the unannounced flag and special-campaign topics.

    Sources: routine, special, targeted, complaint; forms: onsite, written; topics from 002 §三(三)5.
    """
    return _audit_kinds(resolve_root(root))


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
    for i, e in enumerate(coded_entries(read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        kinds = text_list_field(e, "evidence_kinds", where)
        unknown = set(kinds) - known_kinds
        if unknown:
            raise ReferenceDataError(f"{where}: unknown evidence kinds {sorted(unknown)}")
        raw_hints = e.get("evidence", [])
        if not isinstance(raw_hints, list):
            raise ReferenceDataError(f"{where}: 'evidence' must be a list")
        hints = tuple(EvidenceHint(text_field(h, "zh", where), text_field(h, "en", where)) for h in raw_hints)
        result.append(ViolationType(base.code, base.zh, base.en, _basis(base.code, base.basis), kinds, hints))
    return tuple(result)


def _basis(code: str, fallback: str) -> str:
    """The short basis shown beside a violation type: from the one citation table when it knows the type
    (norm violated, then handling article with its 项), else the reference file's text."""
    from app.citations import VIOLATION_RULES

    rule = VIOLATION_RULES.get(code)
    if rule is None:
        return fallback
    norm = "、".join(c.article_zh for c in rule.norm)
    handling = "、".join(c.article_zh for c in rule.handling)
    return f"条例 {norm}（违反的规范）；{handling}（处理依据）"


def violation_types(root: Path | None = None) -> tuple[ViolationType, ...]:
    """Common violations with their legal basis and the evidence usually captured for each."""
    return _violation_types(resolve_root(root))


@dataclass(frozen=True)
class Outcome(RefEntry):
    monetary: bool = False
    suspends: bool = False
    ends_agreement: bool = False


@lru_cache(maxsize=8)
def _outcomes(root: Path) -> tuple[Outcome, ...]:
    path = root / "reference" / "outcomes.json"
    result = []
    for i, e in enumerate(coded_entries(read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        result.append(
            Outcome(
                base.code, base.zh, base.en, base.basis,
                monetary=flag_field(e, "monetary", where),
                suspends=flag_field(e, "suspends", where),
                ends_agreement=flag_field(e, "ends_agreement", where),
            )
        )
    return tuple(result)


def outcomes(root: Path | None = None) -> tuple[Outcome, ...]:
    """Handling outcomes (000 Art. 16; 001 Art. 18–20).

    ``suspends`` / ``ends_agreement`` feed :func:`app.workflow.thresholds.needs_collective_decision`
    and :func:`app.workflow.thresholds.needs_legal_review`.
    """
    return _outcomes(resolve_root(root))


@dataclass(frozen=True)
class ServiceMethod(RefEntry):
    needs_witness: bool = False
    needs_consent: bool = False


@lru_cache(maxsize=8)
def _service_methods(root: Path) -> tuple[ServiceMethod, ...]:
    path = root / "reference" / "service_methods.json"
    result = []
    for i, e in enumerate(coded_entries(read_json(path), "entries", str(path))):
        where = f"{path}#{i}"
        base = _ref(e, where)
        result.append(
            ServiceMethod(
                base.code, base.zh, base.en, base.basis,
                needs_witness=flag_field(e, "needs_witness", where),
                needs_consent=flag_field(e, "needs_consent", where),
            )
        )
    return tuple(result)


def service_methods(root: Path | None = None) -> tuple[ServiceMethod, ...]:
    """Methods of 送达 (行政处罚法 Art. 61 via the Civil Procedure Law)."""
    return _service_methods(resolve_root(root))
