"""Where the UI gets its services: the one place the real store is connected.

``python -m app`` calls a ``ServicesFactory`` (``build_services`` unless another is passed to ``main``) with
the profile directory; it returns ``Services``. ``build_services`` connects the encrypted store
(``StoreUnlockService`` over ``Profile``); with ``demo`` it first creates the demo profile when it is missing
(inspectors 王建国 / 李晓梅, passphrases ``demo-passphrase-1`` / ``demo-passphrase-2``).

Printing is a dependency: ``Services.printer(store, case_id, form, actor_id)`` renders one form of the case
in memory and returns an ``app.workflow.printing.RenderedForm``; it journals nothing (a preview is not a print).
Only when a printer or the PDF writer accepted the job does the closing page journal it
(``printing.record_accepted``: a ``document.printed`` event, and the PDF stored as a derived item of the case).
The default, ``render_to_memory``, is ``app.workflow.printing.render_form``; the bytes never touch the disk
unless the inspectors print to a PDF folder. ``printer_unavailable`` refuses plainly (builds without printing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool

from app import paths
from app.ui.operations import single_thread_pool
from app.ui.ports import UnlockService

if TYPE_CHECKING:
    from app.models.profile import Store
    from app.workflow.printing import RenderedForm

Printer = Callable[["Store", str, str, str], "RenderedForm"]  # (store, case_id, form, actor_id), not journaled

DEFAULT_IDLE_MINUTES = 5


class StoreNotConnected(Exception):
    message_zh = "此版本尚未接入加密数据存储，无法解锁。"
    message_en = "This build has no encrypted store connected yet; nothing can be unlocked."
    hint_zh = "请使用完整版本，或联系管理员。"
    hint_en = "Use a complete build or contact your administrator."


class PrintingUnavailable(Exception):
    message_zh = "此版本尚未接入文书打印。"
    message_en = "Printing is not connected in this build."
    hint_zh = "请使用命令行 python -m app.cli print 打印文书，或联系管理员。"
    hint_en = "Print with python -m app.cli print, or contact your administrator."


def printer_unavailable(store: Store, case_id: str, form: str, actor_id: str) -> RenderedForm:
    raise PrintingUnavailable


def render_to_memory(store: Store, case_id: str, form: str, actor_id: str) -> RenderedForm:
    """Render ``form`` into memory as ``actor_id`` (``printing.render_form``): nothing journaled yet."""
    from app.workflow.printing import render_form

    return render_form(store, case_id, form, actor_id)


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
    printer: Printer = render_to_memory


ServicesFactory = Callable[[Path, bool], Services]


def build_services(profile_dir: Path, demo: bool) -> Services:
    """The services for ``profile_dir`` (``demo``: create the demo profile if it is missing)."""
    from app.ui.store_service import StoreUnlockService

    if demo:
        ensure_demo_profile(profile_dir)
    return Services(
        profile_dir=profile_dir, unlock=StoreUnlockService(profile_dir), idle_minutes=idle_minutes_setting()
    )


def add_practice(profile_dir: Path, inspector_ids: tuple[str, str]) -> str:
    """The GUI demo also holds a practice audit at its first step beside the closed showcase (the CLI's ``demo``
    keeps its one complete audit, as its contract says)."""
    from app.models.profile import Profile
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.workflow.demo_practice import add_practice_case

    with Profile.open(profile_dir).unlock(DEMO_PASSPHRASES[0]) as store:
        store.unlock_inspector(DEMO_PASSPHRASES[1])
        return add_practice_case(store, *inspector_ids)


def idle_minutes_setting() -> int:
    """Auto-lock delay: ``FIELDAUDIT_IDLE_MINUTES`` (1–240), default 5."""
    try:
        value = int(os.environ.get("FIELDAUDIT_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return max(1, min(240, value))


def needs_demo_profile(profile_dir: Path) -> bool:
    return not (profile_dir / "profile.json").exists()


def ensure_demo_profile(profile_dir: Path) -> None:
    """Create the demo profile in ``profile_dir`` unless it is there (about ten seconds: two Argon2id keyslots and a
    complete demo audit). No Qt: ``app.__main__`` runs it on a worker thread behind a progress window."""
    from app.ui.store_service import DEMO_PASSPHRASES
    from app.workflow.demo import build_demo

    if not needs_demo_profile(profile_dir):
        return
    if profile_dir.exists() and not any(profile_dir.iterdir()):
        profile_dir.rmdir()
    profile_dir.parent.mkdir(parents=True, exist_ok=True)
    result = build_demo(profile_dir, *DEMO_PASSPHRASES)
    add_practice(profile_dir, result.inspector_ids)  # a practice audit at its first step beside the showcase


def profiles_root() -> Path:
    """Where profiles live: ``FIELDAUDIT_PROFILES_DIR``, else ``app.paths`` (``FIELDAUDIT_HOME`` or XDG data)."""
    override = os.environ.get("FIELDAUDIT_PROFILES_DIR")
    if override:
        return Path(override)
    return paths.data_home() / "profiles"


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
