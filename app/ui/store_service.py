"""The real ``UnlockService``: a profile directory and, once the first inspector has unlocked, its open ``Store``.

The first unlock opens the store with that inspector's passphrase (``Profile.unlock``); the second proves the
second inspector's presence with their own passphrase (``Store.unlock_inspector``); ``lock()`` closes the store,
which drops the data key and every signing key. Every method runs on the store's one worker thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import PermissionRefused
from app.models.keyslots import enrolled_inspectors

if TYPE_CHECKING:
    from app.models.profile import Profile, Store

DEMO_PASSPHRASES = ("demo-passphrase-1", "demo-passphrase-2")


class StoreLocked(PermissionRefused):
    code = "store_locked"
    message_zh = "数据已锁定，请两名检查人员重新输入口令。"
    message_en = "The store is locked; both inspectors must unlock again."


class StoreUnlockService:
    """Unlocking one profile by each inspector's own passphrase; ``store`` while unlocked."""

    def __init__(self, profile_dir: Path) -> None:
        self.profile_dir = Path(profile_dir)
        self._store: Store | None = None
        self._lock = threading.Lock()

    # --- the profile
    def profile(self) -> Profile | None:
        """The profile, or ``None`` when the directory holds none yet (first run)."""
        from app.models.profile import Profile  # SQLAlchemy loads on first unlock, not at start-up

        if not (self.profile_dir / "profile.json").exists():
            return None
        return Profile.open(self.profile_dir)

    def inspectors(self) -> list[tuple[str, str]]:
        try:
            return enrolled_inspectors(self.profile_dir)
        except FileNotFoundError:
            return []

    def needs_enrolment(self) -> bool:
        """Fewer than two inspectors enrolled: the first-run wizard is shown instead of the unlock page."""
        return len(self.inspectors()) < 2

    def enroll(self, name: str, credential_no: str, organisation: str, passphrase: str,
               unlock_passphrase: str | None = None) -> str:
        """Enrol an inspector (creating the profile on the first one); slow (memory-hard KDF)."""
        from app.models.profile import Profile

        profile = self.profile() or Profile.init(self.profile_dir)
        return profile.enroll(name, credential_no, organisation, passphrase, unlock_passphrase)

    # --- UnlockService
    def unlock(self, inspector_id: str, passphrase: str) -> None:
        with self._lock:
            if self._store is None:
                profile = self.profile()
                if profile is None:
                    raise StoreLocked()
                self._store = profile.unlock(passphrase, inspector_id)
            else:
                self._store.unlock_inspector(passphrase, inspector_id)

    def lock(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # --- the open store
    @property
    def store(self) -> Store:
        store = self._store
        if store is None:
            raise StoreLocked()
        return store

    def is_open(self) -> bool:
        return self._store is not None
