"""Who may issue what: the check that refuses a form or a measure in the name of a body that lacks the power.

The 经办机构 (稽核中心) audits under the service agreement (条例 Art. 10, 13): its own notice, records and
稽核结果告知书, and agreement handling after hearing the party. The 医疗保障行政部门 inspects (条例 Art. 27, 29)
and enforces: 先行登记保存 (行政处罚法 Art. 56), 封存 (条例 Art. 27(五); a 行政强制措施, 行政强制法 Art. 17–18),
责令改正 (条例 Art. 38–41) and 行政处罚 with its 事先告知 (行政处罚法 Art. 44). It may entrust an organisation
(条例 Art. 28), which then acts in its name (行政处罚法 Art. 20) but may never take a 行政强制措施 (行政强制法
Art. 17: 行政强制措施权不得委托).

Messages are one line, "中文" and English apart (:class:`PowerError.zh` / ``.en``), each naming the article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.citations import (
    COE_17,
    COE_18,
    FORM_BASIS,
    FUND_13_1,
    FUND_27,
    FUND_27_5,
    FUND_38,
    PEN_20,
    PEN_56,
    Citation,
    join_citations,
)
from app.documents.config import AgencyConfig, Body
from app.documents.context import DocumentError
from app.documents.form_table import FORM_INFO, issuing_body


class PowerError(DocumentError):
    """A form or measure asked of a body that lacks the power (user-facing, with the article)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class Power:
    """A measure: the bodies that hold it, whether it may be entrusted, and the articles saying so."""

    zh: str
    en: str
    bodies: tuple[str, ...]
    entrustable: bool
    basis: tuple[Citation, ...]


MEASURES: dict[str, Power] = {
    "preservation": Power("先行登记保存", "preservation of evidence", ("department",), True, (PEN_56, FUND_27)),
    "sealing": Power("封存", "sealing", ("department",), False, (FUND_27_5, COE_17, COE_18)),
    "rectification": Power("责令改正", "an order to rectify", ("department",), True, (FUND_38,)),
    "penalty": Power("行政处罚", "an administrative penalty", ("department",), True, (PEN_20, FUND_38)),
    "agreement": Power("协议处理", "handling under the service agreement", ("agency",), False, (FUND_13_1,)),
}

_BODY_ZH = {"department": "医疗保障行政部门", "agency": "医疗保障经办机构"}
_BODY_EN = {"department": "the medical-security administrative department", "agency": "the agency (经办机构)"}


def check_measure(measure: str, track: str, *, entrusted: bool = False) -> None:
    """Refuse ``measure`` on a case run by ``track`` (or by an entrusted organisation) that lacks the power."""
    power = MEASURES[measure]
    cites_zh, cites_en = join_citations(power.basis), join_citations(power.basis, "en")
    if track not in power.bodies:
        raise PowerError(
            f"{_BODY_ZH[track]}无权{power.zh}，应由{_BODY_ZH[power.bodies[0]]}以其名义作出（{cites_zh}）",
            f"{_BODY_EN[track]} has no power to order {power.en}; only {_BODY_EN[power.bodies[0]]} may, "
            f"in its own name ({cites_en})",
        )
    if entrusted and not power.entrustable:
        raise PowerError(
            f"{power.zh}属于行政强制措施，不得委托，受委托组织无权实施（{cites_zh}）",
            f"{power.en} is a coercive measure that cannot be entrusted; an entrusted organisation may not take it "
            f"({cites_en})",
        )


def form_body(form: str, track: str, served_form: str = "") -> str:
    """The body a form is issued by on a case run by ``track``; refuses a form that body may not issue."""
    body = issuing_body(form, track, served_form)
    if body not in FORM_BASIS[form]:
        info = FORM_INFO[form]
        other = next(iter(FORM_BASIS[form]))
        basis = FORM_BASIS[form][other]
        raise PowerError(
            f"{info.title}只能由{_BODY_ZH[other]}以其名义制发，本案由{_BODY_ZH[body]}办理（{join_citations(basis)}）",
            f"The {info.title_en} can only be issued by {_BODY_EN[other]} in its own name; this case is run by "
            f"{_BODY_EN[body]} ({join_citations(basis, 'en')})",
        )
    if track != body and FORM_INFO[form].issuer != "served":
        # a department-only form on an agency-track case
        raise PowerError(
            f"{FORM_INFO[form].title}只能由{_BODY_ZH[body]}制发，本案由{_BODY_ZH[track]}办理",
            f"The {FORM_INFO[form].title_en} is issued by {_BODY_EN[body]} only; this case is run by {_BODY_EN[track]}",
        )
    return body


def check_approver(approved_by: str, cfg: AgencyConfig, measure: str) -> None:
    """A coercive or preservation measure is approved by the department's head (行政强制法 Art. 18(一);
    行政处罚法 Art. 56 "行政机关负责人"), never by the head of the 经办机构."""
    agency = cfg.bodies.get("agency")
    if agency is None:
        return
    names: Iterable[str] = (agency.name, *agency.aliases)
    if any(n and n in approved_by for n in names):
        power = MEASURES[measure]
        raise PowerError(
            f"{power.zh}须经{cfg.bodies['department'].name}负责人批准，{agency.name}负责人无权批准"
            f"（{join_citations((COE_18, PEN_56))}）",
            f"{power.en} needs the approval of the head of {cfg.bodies['department'].name}, not of the agency's "
            f"head ({join_citations((COE_18, PEN_56), 'en')})",
        )


def body_of(cfg: AgencyConfig, key: str) -> Body:
    return cfg.bodies[key]
