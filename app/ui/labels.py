"""Display labels for the workflow's codes: reference data carries both languages; the rest go through tr()."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.ui.i18n import pick


def audit_kind_label(code: str) -> str:
    from app.workflow.reference_entries import audit_kinds

    entry = next((e for e in audit_kinds().sources if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def case_status_label(code: str) -> str:
    return {"assigned": QCoreApplication.translate("Labels", "Assigned"), "active": QCoreApplication.translate("Labels", "On site"), "closed": QCoreApplication.translate("Labels", "Closed")}.get(code, code)


def deadline_kind_label(code: str) -> str:
    return {"preservation_decision": QCoreApplication.translate("Labels", "preservation decision"),
            "sealing_end": QCoreApplication.translate("Labels", "sealing ends"),
            "preservation": QCoreApplication.translate("Labels", "preservation decision"), "sealing": QCoreApplication.translate("Labels", "sealing ends"),
            "defence": QCoreApplication.translate("Labels", "statement and defence"), "notice": QCoreApplication.translate("Labels", "notice to serve")}.get(code, code)


def evidence_kind_label(code: str) -> str:
    from app.workflow.reference_entries import evidence_kinds

    entry = next((e for e in evidence_kinds() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def measure_label(code: str) -> str:
    from app.workflow.reference_entries import onsite_measures

    entry = next((e for e in onsite_measures() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def violation_label(code: str) -> str:
    from app.workflow.reference_entries import violation_types

    entry = next((e for e in violation_types() if e.code == code), None)
    return pick(entry.zh, entry.en) if entry else code


def step_label(code: str) -> str:
    return {
        "arrival": QCoreApplication.translate("Labels", "Arrival and credentials"), "recusal": QCoreApplication.translate("Labels", "Recusal"), "checklist": QCoreApplication.translate("Labels", "Checklist"),
        "evidence": QCoreApplication.translate("Labels", "Evidence"), "interview": QCoreApplication.translate("Labels", "Interview records"), "onsite": QCoreApplication.translate("Labels", "On-site record"),
        "measures": QCoreApplication.translate("Labels", "Preservation and sealing"), "findings": QCoreApplication.translate("Labels", "Findings"), "closing": QCoreApplication.translate("Labels", "Closing"),
    }.get(code, code)


def form_label(code: str) -> str:
    return {"onsite-record": QCoreApplication.translate("Labels", "On-site record"), "evidence-list": QCoreApplication.translate("Labels", "Evidence list"),
            "interview": QCoreApplication.translate("Labels", "Interview record"), "preservation": QCoreApplication.translate("Labels", "Preservation notice and list"),
            "sealing": QCoreApplication.translate("Labels", "Sealing decision and list"), "notice": QCoreApplication.translate("Labels", "Audit notice")}.get(code) or _printed_title(code)


def _printed_title(code: str) -> str:
    """A form without a label above: its printed title (app.documents.form_table), else its code."""
    from app.documents.form_table import FORM_INFO

    info = FORM_INFO.get(code)
    return pick(info.title, info.title_en) if info is not None else code


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"
