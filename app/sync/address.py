"""The archive address the laptop accepts (one rule for the CLI, the GUI and :class:`app.sync.client.SyncClient`).

Requests are signed, not encrypted: over plain http anyone on the network between the laptop and the archive reads
the journal payloads (names, ID numbers, findings) and the evidence. So http is accepted only to this machine itself
(127.0.0.0/8, ::1, ``localhost``: the archive run locally, or a local TLS tunnel); any other host needs https
(docs/office.md: the archive behind a TLS proxy).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.errors import UserError


class BadArchiveUrl(UserError):
    code = "bad_archive_url"

    def __init__(self, url: str) -> None:
        super().__init__(f"档案中心地址无效：{url}（应为 https://主机[:端口]）",
                         f"Not a valid archive address: {url} (expected https://host[:port])")


class PlainHttpRefused(BadArchiveUrl):
    code = "plain_http_refused"

    def __init__(self, url: str) -> None:
        UserError.__init__(
            self,
            f"拒绝以未加密的 http 连接其他主机：{url}。案件数据会在网络上以明文传输；请使用 https://"
            "（档案中心应部署在 TLS 代理之后），http 仅限本机地址（127.0.0.1、::1、localhost）。",
            f"Refusing unencrypted http to another host: {url}. Case data would cross the network in clear; use "
            "https:// (the archive belongs behind a TLS proxy); http is only for this machine (127.0.0.1, ::1, "
            "localhost).")


def is_loopback(host: str) -> bool:
    """``localhost`` or an address of this machine (127.0.0.0/8, ::1)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_archive_url(url: str) -> str:
    """The address without surrounding blanks or a trailing slash; refused unless https://host[:port][/path], or
    http:// to this machine."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise BadArchiveUrl(url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadArchiveUrl(url)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PlainHttpRefused(url)
    return url
