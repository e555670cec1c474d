"""The laptop sends journal payloads (names, ID numbers, findings) and evidence to the archive. Over plain http to a
host that is not this machine anyone on the network reads them (requests are signed, not encrypted); the laptop
accepts such an address without a word (docs/office.md only advises a TLS proxy)."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.models.profile import Store
from app.sync.client import SyncClient


def test_loopback_http_is_accepted(unlocked: Store) -> None:
    SyncClient(unlocked, "http://127.0.0.1:8443").close()


def test_plain_http_to_another_host_is_refused(unlocked: Store) -> None:
    with pytest.raises(UserError):
        SyncClient(unlocked, "http://192.0.2.10:8443").close()
