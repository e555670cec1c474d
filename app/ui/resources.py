"""Where the UI finds its bundled resources (fonts, translations, icons): :func:`app.paths.resources_dir`
(``resources/`` of the source tree or the frozen bundle, or ``FIELDAUDIT_RESOURCES_DIR``)."""

from __future__ import annotations

from pathlib import Path

from app.paths import resources_dir


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


__all__ = ["fonts_dir", "i18n_dir", "resources_dir"]
