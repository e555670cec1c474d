"""The case read model the step pages show, from the facade (``app.facade.case_view``); no store access here."""

from __future__ import annotations

from app.facade.case_view import (
    PAGES,
    CaseSnapshot,
    EvidenceInfo,
    InspectorInfo,
    Missing,
    RecordInfo,
    StepStatus,
    arrival_section,
    load_snapshot,
    recusal_section,
)

__all__ = ["PAGES", "CaseSnapshot", "EvidenceInfo", "InspectorInfo", "Missing", "RecordInfo", "StepStatus",
           "arrival_section", "load_snapshot", "recusal_section"]
