"""Keeping the process small with a large case open: two things otherwise hold memory nobody uses.

* PySide6's import hook reads the source of every module imported after PySide6 (``inspect.getsource``, to
  see whether it mentions "PySide6" and may use ``from __feature__``; PYSIDE-2029). That fills ``linecache``
  with the text of several hundred files, about 20 MiB once the store and the workflow are imported, and
  clearing it afterwards gives little back (the lines are interleaved with long-lived objects in Python's
  allocator). ``scan_sources_without_caching()`` makes the hook answer the same question by reading the file
  without keeping it; it is installed when ``app.ui`` is imported, before anything heavy is.
* glibc keeps freed heap pages (decrypted thumbnails, a decoded photo, a snapshot's rows) in its arenas;
  ``release_memory()`` hands them back with ``malloc_trim`` (and drops whatever ``linecache`` holds);
  ``ReleaseScheduler`` calls it once the GUI has been idle for a moment after a burst of work.

None of this touches case data: it is bookkeeping of the process's own memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import linecache
import sys
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QObject, QThreadPool, QTimer

# How long after the last finished operation the memory is given back.
RELEASE_DELAY_MS = 400


def scan_sources_without_caching() -> bool:
    """Make PySide6's per-import source scan read files without caching them; False if its hook is not there.

    The replacement answers exactly what the original does ("does the source mention PySide6?") and falls back
    to the original for anything that is not a plain ``.py`` file (frozen, zipped or source-less modules)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None:
        return False
    if getattr(original, "_fieldaudit", False):
        return True

    def mod_uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))
        try:
            with open(path, "rb") as handle:
                return b"PySide6" in handle.read()
        except OSError:
            return bool(original(module))

    mod_uses_pyside._fieldaudit = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
    return True


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim  # glibc only; musl has none
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release_memory() -> None:
    """Drop the cached module sources and return freed heap pages to the system (where the C library can)."""
    linecache.clearcache()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class ReleaseScheduler(QObject):
    """``poke()`` after work finishes; ``release_memory`` runs once no poke came for ``RELEASE_DELAY_MS``.

    With ``first`` (and the ``pool`` to run it on), that work runs before, off the GUI thread: what it frees (the
    store's page cache, on the store's worker) is then handed back too."""

    def __init__(self, parent: QObject | None = None, delay_ms: int = RELEASE_DELAY_MS,
                 first: Callable[[], None] | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._release)
        self._first = first
        self._pool = pool
        self._running = False

    def poke(self) -> None:
        self._timer.start()

    def pending(self) -> bool:
        """A release is scheduled or under way."""
        return self._timer.isActive() or self._running

    def _release(self) -> None:
        first = self._first
        if first is None:
            release_memory()
            return
        from app.ui.operations import Operation

        def done(_result: object = None) -> None:
            self._running = False
            release_memory()

        self._running = True
        # a failure (the store locked meanwhile) only means there was nothing of the store's to give back
        Operation(self, lambda _ctx: first()).success(done).failure(done).run(self._pool)
