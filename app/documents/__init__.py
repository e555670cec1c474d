"""The printed documents (no Qt): one reportlab template per form, rendered from a DocumentContext.

``render(form, ctx, out, config)`` writes a PDF and returns a RenderResult (pages, content hash).
``FORMS`` maps the CLI form names (notice, onsite-record, interview, evidence-list, preservation,
sealing, rectification, defence-notice, result-notice, service-receipt) to their templates.

The names below are imported on first use: a module that only needs the form table (``form_table``) or the
context types does not load reportlab, the fonts and every template (the GUI's step list asks which forms a
case needs long before anything is printed; loading the renderer then cost a fifth of a second and ~20 MiB).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.documents.config import AgencyConfig, ConfigError, load_agency_config
    from app.documents.context import DocumentContext, DocumentError
    from app.documents.form_registry import FORMS, FormSpec
    from app.documents.renderer import RenderResult, render

__all__ = [
    "FORMS",
    "AgencyConfig",
    "ConfigError",
    "DocumentContext",
    "DocumentError",
    "FormSpec",
    "RenderResult",
    "load_agency_config",
    "render",
]

_HOME = {
    "AgencyConfig": "config", "ConfigError": "config", "load_agency_config": "config",
    "DocumentContext": "context", "DocumentError": "context",
    "FORMS": "form_registry", "FormSpec": "form_registry",
    "RenderResult": "renderer", "render": "renderer",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'app.documents' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"app.documents.{module}"), name)
    globals()[name] = value
    return value
