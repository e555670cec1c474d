"""Where the reference data and checklist templates live, and how their JSON is read and checked.

Every entry has a stable ASCII ``code`` and a Chinese and English label. The files are plain JSON so an agency
can review and adjust them; the loaders check their shape and fail loudly (:class:`ReferenceDataError`)
rather than guessing.

The resources directory is :func:`app.paths.resources_dir` (``FIELDAUDIT_RESOURCES_DIR``, a frozen bundle, or
the source tree). Pass ``root`` explicitly where a caller knows better; caches are per root.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.paths import resources_dir

__all__ = [
    "ReferenceDataError",
    "coded_entries",
    "flag_field",
    "read_json",
    "resolve_root",
    "resources_dir",
    "text_field",
    "text_list_field",
]


class ReferenceDataError(RuntimeError):
    """A reference or template file is missing or malformed.

    An environment error, not a user's: reinstall, or fix the file an agency edited.
    """


def resolve_root(root: Path | None) -> Path:
    return (root if root is not None else resources_dir()).resolve()


@lru_cache(maxsize=64)
def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ReferenceDataError(f"reference file missing: {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"reference file unreadable: {path}: {exc}") from None


def text_field(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ReferenceDataError(f"{where}: '{key}' must be a non-empty string")
    return value


def text_list_field(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ReferenceDataError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def flag_field(obj: Mapping[str, Any], key: str, where: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise ReferenceDataError(f"{where}: '{key}' must be true or false")
    return value


def coded_entries(data: Any, key: str, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{where}: not a JSON object")
    raw = data.get(key)
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise ReferenceDataError(f"{where}: '{key}' must be a non-empty list of objects")
    codes = [e.get("code") for e in raw]
    if len(set(codes)) != len(codes):
        raise ReferenceDataError(f"{where}: duplicate codes in '{key}'")
    return raw
