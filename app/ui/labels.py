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


def measure_kind_label(kind: str) -> str:
    """A coercive measure's kind (``preservation`` / ``sealing``) by the on-site measure it is
    (``steps_measures.MEASURE_KINDS``)."""
    from app.workflow.steps_measures import MEASURE_KINDS

    return measure_label(MEASURE_KINDS.get(kind, kind))


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
    """The form's title from the one table of forms (``app.documents.form_table``)."""
    from app.documents.form_table import FORM_INFO

    info = FORM_INFO.get(code)
    return pick(info.title, info.title_en[:1].upper() + info.title_en[1:]) if info else code


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def local_time(value: str, *, date_only: bool = False) -> str:
    """A stored time as a person reads it: in this laptop's time zone, "2026-11-23 09:30" (or the date alone). The
    store keeps UTC ("2026-11-23T01:30:00.000Z"); shown as stored it was ISO with a "T" and, in China, eight hours
    early (a photo taken at 09:30 "obtained at 01:30", a case closed before 08:00 closed "yesterday"). A time
    without a zone (typed on this laptop) is shown as it is; text that is not a time, unchanged."""
    from app.evidence.records import local_time as parse_local_time  # the one reading of a stored time

    text = (value or "").strip()
    if not text:
        return ""
    try:
        moment = parse_local_time(text)
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M")
