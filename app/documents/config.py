"""Agency-specific wording of the printed forms, read from an editable JSON file.

The default file ``resources/documents/agency.json`` describes a fictitious agency with its two bodies: the
医疗保障行政部门 (某市医疗保障局, ``bodies.department``: 行政检查, coercive measures, 责令改正, 行政处罚) and the
经办机构 (某市医疗保障基金稽核中心, ``bodies.agency``: 稽核 under the service agreement). Each body has its own
name, 文号 prefix, seal, head's title, review body and court; ``entrustment`` names an organisation the
department entrusted (条例 Art. 28), which then acts in the department's name. An agency copies the file,
adjusts it and points the app at its copy. The legal basis printed on each form is not here: it comes from the
one citation table (:mod:`app.citations`). The national template set could not be retrieved, so every
form is a template an agency adjusts.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.documents.form_table import FORM_INFO, FORM_NAMES, OFFICE_FORM_NAMES
from app.paths import resources_dir

__all__ = ["FORM_NAMES", "OFFICE_FORM_NAMES", "AgencyConfig", "Body", "ConfigError", "Contact", "Entrustment", "FormWording",
           "load_agency_config", "parse_agency_config"]

DEFAULT_CONFIG_PATH = resources_dir() / "documents" / "agency.json"

_PATTERN_FIELDS = {"agency_short", "year", "seq"}  # agency_short: the issuing body's 文号 prefix
BODY_KEYS = ("department", "agency")  # 医疗保障行政部门, 经办机构
OFFICE_NUMBER_PATTERN = "{agency_short}决〔{year}〕{seq}号"  # an office form the agency file does not word
#: forms added after agency files were written: the wording an older file without them gets
LATER_FORM_DEFAULTS: dict[str, dict[str, str]] = {
    "correction": {"title": "更正（补正）通知书", "number_pattern": "{agency_short}更〔{year}〕{seq}号"},
}
_TEXT_FIELDS = {"agency_name", "unit_name", "agency_short", "days", "unit", "inspectors"}


class ConfigError(ValueError):
    """The agency file is missing, not JSON, or lacks a field (shown to the user with the file name)."""


@dataclass(frozen=True)
class FormWording:
    title: str
    number_pattern: str  # e.g. {agency_short}稽通〔{year}〕{seq}号; {agency_short} is the issuing body's prefix
    opening: str = ""  # the statement read out at the start of a record
    titles: Mapping[str, str] = field(default_factory=dict)  # body → title where it differs (检查通知书)

    def title_for(self, body: str) -> str:
        return self.titles.get(body, self.title)


@dataclass(frozen=True)
class Contact:
    person: str
    phone: str
    address: str


@dataclass(frozen=True)
class Body:
    """One of the two bodies: who a form is issued by, sealed by, approved by, and who reviews its acts."""

    key: str  # "department" (医疗保障行政部门) or "agency" (经办机构)
    name: str  # e.g. 某市医疗保障局
    short: str  # 文号 prefix, e.g. 某医保
    seal: str  # the name on the seal (usually the name)
    head_title: str  # the head who approves, e.g. 局长 (行政机关负责人) / 主任
    review_body: str  # 行政复议机关 for its acts, e.g. 某市人民政府
    court: str  # the court of first instance for 行政诉讼
    contact: Contact
    aliases: tuple[str, ...] = ()  # other names it goes by (稽核中心): an approver so named is this body's


@dataclass(frozen=True)
class Entrustment:
    """条例 Art. 28: an organisation the department entrusted with enforcement; it acts in the department's name
    (行政处罚法 Art. 20) and may not take a 行政强制措施 such as 封存 (行政强制法 Art. 17)."""

    organisation: str = ""  # "" = none
    document: str = ""  # the 委托书 (number / title), printed where the entrusted body acts


@dataclass(frozen=True)
class AgencyConfig:
    agency_name: str  # the department's name (kept for callers that print one name)
    unit_name: str  # the 经办机构's name
    agency_short: str  # the department's 文号 prefix
    contact: Contact
    forms: Mapping[str, FormWording]
    bodies: Mapping[str, Body] = field(default_factory=dict)
    entrustment: Entrustment = Entrustment()
    default_track: str = "department"  # which body runs a case unless the case says otherwise
    hearing_threshold_fen: int = 0  # 较大数额罚款 (行政处罚法 Art. 63(一)): set by the province; 0 = always offer
    objection_days: int = 15  # days to object to a 稽核结果告知书 (000 Art. 15: "a set period")
    fonts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role → installed font files/names

    def wording(self, form: str) -> FormWording:
        return self.forms[form]

    def body(self, key: str) -> Body:
        return self.bodies[key]

    def number(self, form: str, year: int, seq: int, body: str | None = None) -> str:
        short = self.bodies[body].short if body else self.agency_short
        return self.forms[form].number_pattern.format(agency_short=short, year=year, seq=seq)

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


def _contact(data: Any, where: str) -> Contact:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: “contact” must be an object")
    return Contact(
        person=_str(data, "person", where, required=False),
        phone=_str(data, "phone", where, required=False),
        address=_str(data, "address", where, required=False),
    )


def _body(key: str, data: Any, where: str, default_contact: Contact) -> Body:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: body “{key}” must be an object")
    at = f"{where} bodies.{key}"
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{at}: “aliases” must be a list of texts")
    name = _str(data, "name", at)
    return Body(
        key=key,
        name=name,
        short=_str(data, "short", at),
        seal=_str(data, "seal", at, required=False) or name,
        head_title=_str(data, "head_title", at),
        review_body=_str(data, "review_body", at),
        court=_str(data, "court", at),
        contact=_contact(data["contact"], at) if "contact" in data else default_contact,
        aliases=tuple(a.strip() for a in aliases),
    )


def _int(data: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{where}: “{key}” must be a whole number from {low} to {high}")
    return value


def _fonts(data: Any, where: str) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: “fonts” must be an object")
    out: dict[str, tuple[str, ...]] = {}
    for role in ("body", "title"):
        names = data.get(role, [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigError(f"{where}: fonts.{role} must be a list of font file names")
        out[role] = tuple(n.strip() for n in names)
    return out


def parse_agency_config(data: Any, where: str = "agency.json") -> AgencyConfig:
    """Validate parsed JSON into an :class:`AgencyConfig`; placeholders are checked so errors show early."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: the top level must be an object")
    # the default for a body without its own contact (each body of the bundled file has its own)
    contact = _contact(data["contact"], f"{where} contact") if "contact" in data else Contact("", "", "")
    forms_data = data.get("forms")
    if not isinstance(forms_data, Mapping):
        raise ConfigError(f"{where}: “forms” must be an object")
    bodies_data = data.get("bodies")
    if not isinstance(bodies_data, Mapping):
        raise ConfigError(f"{where}: “bodies” must be an object with “department” and “agency”")
    bodies = {key: _body(key, bodies_data.get(key), where, contact) for key in BODY_KEYS}
    forms: dict[str, FormWording] = {}
    for name in (*FORM_NAMES, *OFFICE_FORM_NAMES):
        entry = forms_data.get(name)
        if entry is None and name in OFFICE_FORM_NAMES:  # an agency file written before the office printed
            entry = {"title": FORM_INFO[name].title, "number_pattern": OFFICE_NUMBER_PATTERN}
        if entry is None and name in LATER_FORM_DEFAULTS:  # an agency file written before the form existed
            entry = LATER_FORM_DEFAULTS[name]
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: form “{name}” is missing")
        titles = entry.get("titles", {})
        if not isinstance(titles, Mapping) or not all(
            k in BODY_KEYS and isinstance(v, str) and v.strip() for k, v in titles.items()
        ):
            raise ConfigError(f"{where} forms.{name}: “titles” maps department/agency to a title")
        fw = FormWording(
            title=_str(entry, "title", f"{where} forms.{name}"),
            number_pattern=_str(entry, "number_pattern", f"{where} forms.{name}"),
            opening=_str(entry, "opening", f"{where} forms.{name}", required=False),
            titles=dict(titles),
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
    ent = data.get("entrustment", {})
    if not isinstance(ent, Mapping):
        raise ConfigError(f"{where}: “entrustment” must be an object")
    track = data.get("default_track", "department")
    if track not in BODY_KEYS:
        raise ConfigError(f"{where}: “default_track” must be “department” or “agency”")
    return AgencyConfig(
        agency_name=bodies["department"].name,
        unit_name=bodies["agency"].name,
        agency_short=bodies["department"].short,
        contact=contact,
        forms=forms,
        bodies=bodies,
        entrustment=Entrustment(
            organisation=_str(ent, "organisation", f"{where} entrustment", required=False).strip(),
            document=_str(ent, "document", f"{where} entrustment", required=False).strip(),
        ),
        default_track=str(track),
        hearing_threshold_fen=_int(data, "hearing_threshold_fen", where, 0, 0, 10**12),
        objection_days=_int(data, "objection_days", where, 15, 1, 365),
        fonts=_fonts(data.get("fonts"), where),
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
