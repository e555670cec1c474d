"""Agency-specific wording of the printed forms, read from an editable JSON file.

The default file ``resources/documents/agency.json`` describes a fictitious agency (某市医疗保障局).
An agency copies it, adjusts names, 文号 patterns, legal-basis wording, the objection and review routes
and its contact, and points the app at its copy. The national template set could not be retrieved, so
every form is a template an agency adjusts.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.paths import resources_dir

DEFAULT_CONFIG_PATH = resources_dir() / "documents" / "agency.json"

FORM_NAMES = (
    "notice",
    "onsite-record",
    "interview",
    "evidence-list",
    "preservation",
    "sealing",
    "rectification",
    "defence-notice",
    "result-notice",
    "service-receipt",
)

_PATTERN_FIELDS = {"agency_short", "year", "seq"}
_TEXT_FIELDS = {"agency_name", "unit_name", "agency_short", "days", "unit", "inspectors"}


class ConfigError(ValueError):
    """The agency file is missing, not JSON, or lacks a field (shown to the user with the file name)."""


@dataclass(frozen=True)
class FormWording:
    title: str
    number_pattern: str  # e.g. {agency_short}稽通〔{year}〕{seq}号
    basis: str
    opening: str = ""  # the statement read out at the start of a record


@dataclass(frozen=True)
class Contact:
    person: str
    phone: str
    address: str


@dataclass(frozen=True)
class AgencyConfig:
    agency_name: str
    unit_name: str
    agency_short: str
    contact: Contact
    review_route: str  # 行政复议 / 行政诉讼 wording for decisions (封存决定书)
    objection_route: str  # objection wording for 稽核结果告知书, with {days}
    forms: Mapping[str, FormWording]

    def wording(self, form: str) -> FormWording:
        return self.forms[form]

    def number(self, form: str, year: int, seq: int) -> str:
        return self.forms[form].number_pattern.format(agency_short=self.agency_short, year=year, seq=seq)

    def fill(self, text: str, **values: str | int) -> str:
        """Fill a wording template with the agency's names and the given values."""
        return text.format(
            agency_name=self.agency_name, unit_name=self.unit_name, agency_short=self.agency_short, **values
        )


def _fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _str(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise ConfigError(f"{where}: “{key}” must be a non-empty text")
    return value


def parse_agency_config(data: Any, where: str = "agency.json") -> AgencyConfig:
    """Validate parsed JSON into an :class:`AgencyConfig`; placeholders are checked so errors show early."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: the top level must be an object")
    contact = data.get("contact")
    if not isinstance(contact, Mapping):
        raise ConfigError(f"{where}: “contact” must be an object")
    forms_data = data.get("forms")
    if not isinstance(forms_data, Mapping):
        raise ConfigError(f"{where}: “forms” must be an object")
    forms: dict[str, FormWording] = {}
    for name in FORM_NAMES:
        entry = forms_data.get(name)
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: form “{name}” is missing")
        fw = FormWording(
            title=_str(entry, "title", f"{where} forms.{name}"),
            number_pattern=_str(entry, "number_pattern", f"{where} forms.{name}"),
            basis=_str(entry, "basis", f"{where} forms.{name}", required=False),
            opening=_str(entry, "opening", f"{where} forms.{name}", required=False),
        )
        unknown = _fields_of(fw.number_pattern) - _PATTERN_FIELDS
        if unknown:
            raise ConfigError(
                f"{where} forms.{name}: unknown placeholder(s) {sorted(unknown)} in number_pattern"
            )
        unknown = _fields_of(fw.opening) - _TEXT_FIELDS
        if unknown:
            raise ConfigError(f"{where} forms.{name}: unknown placeholder(s) {sorted(unknown)} in opening")
        forms[name] = fw
    objection = _str(data, "objection_route", where)
    unknown = _fields_of(objection) - _TEXT_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown placeholder(s) {sorted(unknown)} in objection_route")
    return AgencyConfig(
        agency_name=_str(data, "agency_name", where),
        unit_name=_str(data, "unit_name", where),
        agency_short=_str(data, "agency_short", where),
        contact=Contact(
            person=_str(contact, "person", f"{where} contact", required=False),
            phone=_str(contact, "phone", f"{where} contact", required=False),
            address=_str(contact, "address", f"{where} contact", required=False),
        ),
        review_route=_str(data, "review_route", where),
        objection_route=objection,
        forms=forms,
    )


def load_agency_config(path: Path | None = None) -> AgencyConfig:
    """Read the agency file (the bundled fictitious default when ``path`` is None)."""
    path = path or DEFAULT_CONFIG_PATH
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"无法读取机构配置文件 {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"机构配置文件 {path} 不是有效的 JSON（第 {exc.lineno} 行）") from exc
    return parse_agency_config(data, str(path))
