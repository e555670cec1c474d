"""Where the UI finds its bundled resources (fonts, translations, icons).

The resources live in ``resources/`` at the repository root; a frozen build or a test may point elsewhere with
``FIELDAUDIT_RESOURCES``.
"""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT = Path(__file__).resolve().parents[2] / "resources"


def resources_dir() -> Path:
    override = os.environ.get("FIELDAUDIT_RESOURCES")
    return Path(override) if override else _DEFAULT


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def i18n_dir() -> Path:
    return resources_dir() / "i18n"
