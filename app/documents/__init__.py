"""The printed documents (no Qt): one reportlab template per form, rendered from a DocumentContext.

``render(form, ctx, out, config)`` writes a PDF and returns a RenderResult (pages, content hash).
``FORMS`` maps the CLI form names (notice, onsite-record, interview, evidence-list, preservation,
sealing, rectification, defence-notice, result-notice, service-receipt) to their templates.
"""

from app.documents.config import AgencyConfig, ConfigError, load_agency_config
from app.documents.context import DocumentContext, DocumentError
from app.documents.form_registry import FORMS, FormSpec
from app.documents.render import RenderResult, render

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
