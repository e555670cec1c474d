"""The GUI's sync client is handed the workflow's assignment step (the client itself sits below the workflow and
must not import it: docs/architecture.md 'Layers'); without it, office assignments would never become cases."""

from __future__ import annotations

from app.models.profile import Store
from app.ui import sync_work
from app.workflow import assignments


def test_the_gui_sync_client_applies_assignments(unlocked: Store) -> None:
    client = sync_work._client(unlocked, "http://127.0.0.1:9", None)
    try:
        assert client.assignments is assignments.apply
    finally:
        client.close()
