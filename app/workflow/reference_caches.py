"""Forgetting what the reference loaders cached (after an agency edits a file, or the archive pulls new
templates)."""

from __future__ import annotations

from app.workflow import checklist_templates, reference_entries, reference_files, reference_holidays

__all__ = ["clear_caches"]


def clear_caches() -> None:
    """Forget everything loaded (after an agency edits a file, or the archive pulls new templates)."""
    for fn in (
        reference_files.read_json,
        reference_entries._evidence_kinds,
        reference_entries._onsite_measures,
        reference_entries._institution_kinds,
        reference_entries._audit_kinds,
        reference_entries._violation_types,
        reference_entries._outcomes,
        reference_entries._service_methods,
        reference_holidays._work_calendar,
        checklist_templates._templates,
    ):
        fn.cache_clear()
