"""Every directory the application uses, in one place, with environment overrides for tests.

- ``FIELDAUDIT_HOME`` replaces the per-user data directory, so tests never touch a real profile. Without it the
  data lives where the platform puts applications' data (``platformdirs``): ``%LOCALAPPDATA%\\FieldAudit`` on
  Windows (local, not roaming: the store never travels with a roaming profile), ``$XDG_DATA_HOME/fieldaudit``
  (``~/.local/share/fieldaudit``) on Linux, ``~/Library/Application Support/FieldAudit`` on macOS.
- ``FIELDAUDIT_RESOURCES_DIR`` replaces the bundled ``resources/`` directory (fonts, translations, reference data,
  document configuration); without it, a frozen (PyInstaller) bundle's copy, else the source tree's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = PROJECT_ROOT / "resources"
FONTS = RESOURCES / "fonts"
TEMPLATES = RESOURCES / "templates"
RESOURCES_ENV = "FIELDAUDIT_RESOURCES_DIR"
# Linux keeps the lower-case directory earlier releases used; elsewhere the product's name as the platform shows it.
APP_DIR_NAME = "fieldaudit" if sys.platform.startswith("linux") else "FieldAudit"


def data_home() -> Path:
    env = os.environ.get("FIELDAUDIT_HOME")
    if env:
        return Path(env)
    return platform_data_dir(platformdirs.PlatformDirs, APP_DIR_NAME)


def platform_data_dir(dirs: type[platformdirs.PlatformDirsABC], name: str) -> Path:
    """The per-user, per-machine data folder by ``dirs``' convention (a parameter so tests can ask Windows')."""
    return Path(dirs(name, appauthor=False, roaming=False).user_data_dir)


def resources_dir() -> Path:
    """The ``resources`` directory of this installation: the override, a frozen bundle's, or the source tree's."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return RESOURCES


# Windows' MAX_PATH (260, less the terminating NUL): SQLite, Qt and the shell do not all honour long-path support.
WINDOWS_MAX_PATH = 259
# The longest path inside a profile, relative to its root ("blobs/ab/<40 hex>", "staging/<24 hex>.part",
# "logs/crash-<date>-<time>-<pid>-<6 digits>.txt", "store.db-journal", temp names): tests/portability checks a demo
# profile against it. A profile's root may be at most WINDOWS_MAX_PATH - 1 - this long on Windows.
PROFILE_NAME_BUDGET = 64


def check_profile_root(root: Path, *, windows: bool = os.name == "nt") -> None:
    """Refuse, on Windows, a profile folder so deep that a file inside it would pass MAX_PATH."""
    if not windows:
        return
    length = len(str(Path(os.path.abspath(root))))
    limit = WINDOWS_MAX_PATH - 1 - PROFILE_NAME_BUDGET
    if length > limit:
        from app.errors import ProfileProblem

        raise ProfileProblem(
            f"档案目录路径过长（{length} 个字符，Windows 下最多 {limit} 个）：请选择层级更浅的目录。",
            f"The profile folder's path is too long ({length} characters; at most {limit} on Windows): "
            "choose a shallower folder.",
            code="path_too_long",
        )


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
