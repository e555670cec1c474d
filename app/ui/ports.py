"""What the UI needs from the rest of the application, as small Protocols.

The UI depends on these, never on ``app.models`` directly, so the widgets can be built and tested before (and
without) the encrypted store; ``app.ui.wiring`` connects the real implementations.

Errors raised through a port should carry ``message_zh`` and ``message_en`` (and optionally ``hint_zh`` /
``hint_en``: what to do); ``app.ui.widgets.errors.show_error`` shows those as they are.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class UserFacingError(Protocol):
    """An error the user can act on, with its text in both languages."""

    message_zh: str
    message_en: str


class UnlockService(Protocol):
    """Unlocking one profile's store by each inspector's own passphrase.

    ``unlock`` may be slow (a memory-hard KDF); the UI calls it on a worker thread, one call at a time.
    """

    def inspectors(self) -> list[tuple[str, str]]:
        """The enrolled inspectors as ``(inspector_id, display_name)``, in enrolment order."""
        ...

    def unlock(self, inspector_id: str, passphrase: str) -> None:
        """Check the passphrase and open the store for this inspector.

        Raises an exception with ``message_zh``/``message_en`` for a wrong passphrase, unknown inspector, or a
        store that cannot be opened.
        """
        ...

    def lock(self) -> None:
        """Forget every key and session (auto-lock, Ctrl+L, quitting)."""
        ...
