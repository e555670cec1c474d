"""The printed forms by CLI name: one template per form, each laying a :class:`DocumentContext` out into
sections of pages. The builders live by family in ``form_notices``, ``form_records``, ``form_evidence_list``
``form_measures`` and ``form_correction``.

Templates, not the national forms: the national template set could not be retrieved, so the wording that
differs between agencies (names, 文号 patterns, legal basis, routes of objection and review, contact) comes
from :class:`AgencyConfig`, and the layout follows the minimum fields listed in DOMAIN.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext
from app.documents.form_correction import build_correction
from app.documents.form_decision import build_decision
from app.documents.form_evidence_list import build_evidence_list
from app.documents.form_measures import build_preservation, build_sealing
from app.documents.form_notices import (
    build_defence_notice,
    build_notice,
    build_rectification,
    build_result_notice,
)
from app.documents.form_records import build_interview, build_onsite_record, build_service_receipt
from app.documents.layout import Section

Builder = Callable[[DocumentContext, AgencyConfig], list[Section]]


@dataclass(frozen=True)
class FormSpec:
    name: str  # the CLI name, e.g. "interview"
    title: str  # the Chinese name, e.g. 询问笔录
    build: Builder


FORMS: dict[str, FormSpec] = {
    spec.name: spec
    for spec in (
        FormSpec("notice", "稽核通知书", build_notice),
        FormSpec("onsite-record", "现场检查笔录", build_onsite_record),
        FormSpec("interview", "询问笔录", build_interview),
        FormSpec("evidence-list", "证据材料登记表", build_evidence_list),
        FormSpec("preservation", "先行登记保存证据通知书", build_preservation),
        FormSpec("sealing", "封存决定书", build_sealing),
        FormSpec("rectification", "责令改正通知书", build_rectification),
        FormSpec("defence-notice", "陈述申辩告知书", build_defence_notice),
        FormSpec("result-notice", "稽核结果告知书", build_result_notice),
        FormSpec("service-receipt", "送达回证", build_service_receipt),
        FormSpec("correction", "更正（补正）通知书", build_correction),
    )
}

#: the forms the office prints after the visit (``app.documents.form_table.OFFICE_FORM_TABLE``)
OFFICE_FORMS: dict[str, FormSpec] = {"decision": FormSpec("decision", "行政处罚决定书", build_decision)}
