"""Office logins over plain HTTP: refused from another machine unless the archive was started with
``--behind-tls`` (TLS terminates in a proxy in front of it); then the session cookie is ``Secure``."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from archive.office.auth import add_user
from archive.service import open_archive
from tests.archive.helpers import ArchiveProcess

PASSWORD = "reviewer-pass-1"


def outward_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None without one."""
    for probe in ("10.255.255.255", "192.0.2.1", "198.51.100.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
            except OSError:
                continue
            address = str(s.getsockname()[0])
            if not address.startswith("127."):
                return address
    return None


def _archive(tmp_path: Path) -> Path:
    data = tmp_path / "a"
    archive = open_archive(data, create=True)
    try:
        add_user(archive.db, "head", "钱科长", "head", PASSWORD)
    finally:
        archive.db.dispose()
    return data


@pytest.mark.parametrize("behind_tls", [False, True])
def test_plain_http_login_from_another_machine(tmp_path: Path, behind_tls: bool) -> None:
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    data = _archive(tmp_path)
    proc = ArchiveProcess(data, args=["--host", "0.0.0.0", *(["--behind-tls"] if behind_tls else [])]).start()
    try:
        afar = f"http://{address}:{proc.port}"
        with httpx.Client(base_url=afar, timeout=60) as c:
            page = c.get("/office/login")
            r = c.post("/office/login", data={"login": "head", "password": PASSWORD})
        if behind_tls:
            assert page.status_code == 200 and "--behind-tls" not in page.text
            assert r.status_code == 303, r.text
            cookie = r.headers["set-cookie"]
            assert "fa_office=" in cookie and "secure" in cookie.lower() and "httponly" in cookie.lower()
        else:
            assert "--behind-tls" in page.text  # the login page says why before anyone types a password
            assert r.status_code == 403 and "--behind-tls" in r.text and "set-cookie" not in r.headers
        # from this machine (loopback) the plain-HTTP login is taken; the cookie is Secure only behind TLS
        with httpx.Client(base_url=proc.url, timeout=60) as c:
            r = c.post("/office/login", data={"login": "head", "password": PASSWORD})
            assert r.status_code == 303
            assert ("secure" in r.headers["set-cookie"].lower()) == behind_tls
    finally:
        proc.kill()
    archive = open_archive(data, create=False)
    try:
        from sqlalchemy import select

        from archive.office.models import OfficeLogEntry

        with archive.db.read() as s:
            actions = list(s.execute(select(OfficeLogEntry.action).order_by(OfficeLogEntry.seq)).scalars())
        assert ("login.plain_http" in actions) == (not behind_tls)
    finally:
        archive.db.dispose()
