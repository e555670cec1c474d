"""Where the UI gets its services: the one place the real store is connected.

``python -m app`` calls a ``ServicesFactory`` (``build_services`` unless another is passed to ``main``) with
the profile directory; it returns ``Services``. Until the encrypted store is wired, ``build_services``
returns a service with no enrolled inspectors, so the GUI starts and shows the unlock page.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QThreadPool

from app.ui.operations import single_thread_pool
from app.ui.ports import UnlockService

DEFAULT_IDLE_MINUTES = 5


class StoreNotConnected(Exception):
    message_zh = "此版本尚未接入加密数据存储，无法解锁。"
    message_en = "This build has no encrypted store connected yet; nothing can be unlocked."
    hint_zh = "请使用完整版本，或联系管理员。"
    hint_en = "Use a complete build or contact your administrator."


class NoStoreUnlockService:
    """A profile without a store: no inspectors; unlocking is refused with a clear message."""

    def inspectors(self) -> list[tuple[str, str]]:
        return []

    def unlock(self, inspector_id: str, passphrase: str) -> None:
        raise StoreNotConnected

    def lock(self) -> None:
        return None


@dataclass
class Services:
    """Everything the UI talks to for one open profile."""

    profile_dir: Path
    unlock: UnlockService
    # one worker thread owns the store connection: every store call runs on this pool
    store_pool: QThreadPool = field(default_factory=single_thread_pool)
    idle_minutes: int = DEFAULT_IDLE_MINUTES


ServicesFactory = Callable[[Path, bool], Services]


def build_services(profile_dir: Path, demo: bool) -> Services:
    """The services for ``profile_dir`` (``demo``: create the demo profile if needed). Wire the store here."""
    return Services(
        profile_dir=profile_dir, unlock=NoStoreUnlockService(), idle_minutes=idle_minutes_setting()
    )


def idle_minutes_setting() -> int:
    """Auto-lock delay: ``FIELDAUDIT_IDLE_MINUTES`` (1–240), default 5."""
    try:
        value = int(os.environ.get("FIELDAUDIT_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return max(1, min(240, value))


def profiles_root() -> Path:
    """Where profiles live: ``FIELDAUDIT_PROFILES_DIR`` or the platform's application data folder."""
    override = os.environ.get("FIELDAUDIT_PROFILES_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "FieldAudit" / "profiles"


def default_profile_dir(demo: bool) -> Path:
    return profiles_root() / ("demo" if demo else "default")


def list_profiles(root: Path | None = None) -> list[Path]:
    """Profile directories under ``root`` (sorted by name)."""
    root = root or profiles_root()
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def log_dir(profile_dir: Path) -> Path:
    return profile_dir / "logs"
