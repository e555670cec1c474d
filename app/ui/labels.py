"""Display labels for the workflow's codes: reference data carries both languages; the rest go through tr()."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.ui.i18n import pick


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def audit_kind_label(code: str) -> str:
    from app.workflow.reference import audit_kinds

    entry = next((e for e in audit_kinds().sources if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def case_status_label(code: str) -> str:
    return {"assigned": _t("Assigned"), "active": _t("On site"), "closed": _t("Closed")}.get(code, code)


def deadline_kind_label(code: str) -> str:
    return {"preservation": _t("preservation decision"), "sealing": _t("sealing ends"),
            "defence": _t("statement and defence"), "notice": _t("notice to serve")}.get(code, code)


def evidence_kind_label(code: str) -> str:
    from app.workflow.reference import evidence_kinds

    entry = next((e for e in evidence_kinds() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def measure_label(code: str) -> str:
    from app.workflow.reference import onsite_measures

    entry = next((e for e in onsite_measures() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def violation_label(code: str) -> str:
    from app.workflow.reference import violation_types

    entry = next((e for e in violation_types() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def step_label(code: str) -> str:
    return {
        "arrival": _t("Arrival and credentials"), "recusal": _t("Recusal"), "checklist": _t("Checklist"),
        "evidence": _t("Evidence"), "interview": _t("Interview records"), "onsite": _t("On-site record"),
        "measures": _t("Preservation and sealing"), "findings": _t("Findings"), "closing": _t("Closing"),
    }.get(code, code)


def form_label(code: str) -> str:
    return {"onsite-record": _t("On-site record"), "evidence-list": _t("Evidence list"),
            "interview": _t("Interview record"), "preservation": _t("Preservation notice and list"),
            "sealing": _t("Sealing decision and list"), "notice": _t("Audit notice")}.get(code, code)


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"
