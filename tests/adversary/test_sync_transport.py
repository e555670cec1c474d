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


@pytest.mark.parametrize("url", ["http://localhost:8443", "http://127.8.9.10:8443/", "http://[::1]:8443",
                                 "https://archive.example.internal", "https://192.0.2.10:8443"])
def test_https_anywhere_and_http_to_this_machine_are_accepted(url: str) -> None:
    from app.sync.address import check_archive_url

    assert check_archive_url(f" {url} ") == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://archive.example.internal", "http://192.0.2.10:8443", "http://[2001:db8::1]",
                                 "http://localhost.evil.example", "http://127.0.0.1.nip.io:8443", "http://0.0.0.0:8443"])
def test_plain_http_elsewhere_is_refused_in_both_languages(url: str) -> None:
    from app.sync.address import PlainHttpRefused, check_archive_url

    with pytest.raises(PlainHttpRefused) as err:
        check_archive_url(url)
    assert "https" in err.value.message_zh and "明文" in err.value.message_zh
    assert "unencrypted" in err.value.message_en
