"""Every directory the application uses, in one place, with an environment override for tests.

``FIELDAUDIT_HOME`` replaces the per-user data directory, so tests never touch a real profile.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = PROJECT_ROOT / "resources"
FONTS = RESOURCES / "fonts"
TEMPLATES = RESOURCES / "templates"


def data_home() -> Path:
    env = os.environ.get("FIELDAUDIT_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "fieldaudit"


def default_profile_dir() -> Path:
    return data_home() / "profiles" / "default"


def demo_profile_dir() -> Path:
    return data_home() / "profiles" / "demo"


class ProfilePaths:
    """The layout of one profile directory. Nothing here but the store holds case data, and it is encrypted."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def profile_file(self) -> Path:  # format version and profile id; no case data
        return self.root / "profile.json"

    @property
    def keyslots(self) -> Path:  # wrapped data keys, one per inspector
        return self.root / "keyslots.json"

    @property
    def unlock_state(self) -> Path:  # failed-unlock counter for the growing delay
        return self.root / "unlock-state.json"

    @property
    def database(self) -> Path:
        return self.root / "store.db"

    @property
    def blobs(self) -> Path:  # AES-256-GCM chunked files, names keyed by HMAC
        return self.root / "blobs"

    @property
    def staging(self) -> Path:  # encrypted ingests in progress; removed at open
        return self.root / "staging"

    @property
    def logs(self) -> Path:  # operational logs and crash reports; never case data
        return self.root / "logs"
