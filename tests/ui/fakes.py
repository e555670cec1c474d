"""An in-memory UnlockService for UI tests (the real one is the encrypted store)."""

from __future__ import annotations

import threading
import time


class WrongPassphrase(Exception):
    message_zh = "口令不正确，请重新输入。"
    message_en = "Wrong passphrase. Please try again."


class InMemoryUnlockService:
    def __init__(self, inspectors: dict[str, tuple[str, str]], delay_s: float = 0.0) -> None:
        self._inspectors = inspectors  # id -> (name, passphrase)
        self._delay_s = delay_s
        self.unlocked: set[str] = set()
        self.lock_calls = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def inspectors(self) -> list[tuple[str, str]]:
        return [(iid, name) for iid, (name, _secret) in self._inspectors.items()]

    def unlock(self, inspector_id: str, passphrase: str) -> None:
        with self._lock:
            self.threads.add(threading.current_thread().name)
        time.sleep(self._delay_s)
        name_secret = self._inspectors.get(inspector_id)
        if name_secret is None or name_secret[1] != passphrase:
            raise WrongPassphrase
        with self._lock:
            self.unlocked.add(inspector_id)

    def lock(self) -> None:
        with self._lock:
            self.unlocked.clear()
            self.lock_calls += 1


def two_inspectors(delay_s: float = 0.0) -> InMemoryUnlockService:
    return InMemoryUnlockService(
        {
            "i-zhang": ("张伟", "zhang-secret"),
            "i-li": ("李娜", "li-secret"),
            "i-wang": ("王芳", "wang-secret"),
        },
        delay_s=delay_s,
    )
