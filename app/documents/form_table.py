"""The one table of printed forms: CLI name, Chinese and English titles, who issues each, and whether it is
handed over on the spot. The builders (:mod:`app.documents.form_registry`), the agency file's form list
(:mod:`app.documents.config`), the CLI, closing (:mod:`app.workflow.steps_closing`) and the power check
(:mod:`app.documents.powers`) all read it; nothing else lists the forms.

``issuer``: "department" (医疗保障行政部门 only: a coercive measure, 责令改正 or 行政处罚 step), "agency"
(经办机构 only: a 稽核 result under the service agreement), "track" (the body running the case: its notice, its
records, its 告知书), or "served" (the 送达回证 follows the document it proves was served; the 更正（补正）通知书
the document it corrects).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormInfo:
    name: str  # the CLI name, e.g. "interview"
    title: str  # the Chinese name, e.g. 询问笔录 (the agency file may retitle it)
    title_en: str
    issuer: str  # department / agency / track / served
    on_the_spot: bool  # handed over (or signed) on site, before the inspectors leave
    affects_party: bool  # a decision or notice that affects the party: it states the party's remedies


FORM_TABLE: tuple[FormInfo, ...] = (
    FormInfo("notice", "稽核通知书", "audit notice", "track", False, False),
    FormInfo("onsite-record", "现场检查笔录", "on-site record", "track", True, False),
    FormInfo("interview", "询问笔录", "interview record", "track", True, False),
    FormInfo("evidence-list", "证据材料登记表", "evidence list", "track", True, False),
    FormInfo("preservation", "先行登记保存证据通知书", "preservation notice and list", "department", True, True),
    FormInfo("sealing", "封存决定书", "sealing decision and list", "department", True, True),
    FormInfo("rectification", "责令改正通知书", "order to rectify", "department", False, True),
    FormInfo("defence-notice", "陈述申辩告知书", "notice of the right to state and defend", "track", False, True),
    FormInfo("result-notice", "稽核结果告知书", "audit result notice", "agency", False, True),
    FormInfo("service-receipt", "送达回证", "proof of service", "served", False, False),
    # after service a document is changed only by a correction notice of the body that issued it (reissue.py)
    FormInfo("correction", "更正（补正）通知书", "correction notice", "served", False, True),
)

#: Forms the office prints after the visit (``archive/office/outcome.py``), from the same document model: they
#: are not printed on the laptop (``print --form``), so they are outside ``FORM_NAMES``.
OFFICE_FORM_TABLE: tuple[FormInfo, ...] = (
    FormInfo("decision", "行政处罚决定书", "decision (penalty or handling)", "track", False, True),
)

FORM_INFO: dict[str, FormInfo] = {f.name: f for f in (*FORM_TABLE, *OFFICE_FORM_TABLE)}
FORM_NAMES: tuple[str, ...] = tuple(f.name for f in FORM_TABLE)
OFFICE_FORM_NAMES: tuple[str, ...] = tuple(f.name for f in OFFICE_FORM_TABLE)


def issuing_body(form: str, track: str, served_form: str = "") -> str:
    """The body whose name, 文号 series, seal and approver the form carries on a case run by ``track``."""
    issuer = FORM_INFO[form].issuer
    if issuer == "served":
        return issuing_body(served_form, track) if served_form and served_form != form else track
    return track if issuer == "track" else issuer
