"""Property-based fuzzing of every operation in /openapi.json (schemathesis): no input yields a 500.

Each generated request is sent twice: signed by an enrolled device (so it reaches the handlers) and unsigned.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Laptop


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ArchiveProcess, Laptop]]:
    proc = ArchiveProcess(tmp_path_factory.mktemp("fuzz") / "a",
                          env={"FIELDAUDIT_ARCHIVE_RATE": "100000", "FIELDAUDIT_ARCHIVE_BURST": "100000"})
    proc.start()
    try:
        yield proc, enrolled_laptop(proc)
    finally:
        proc.kill()


@pytest.fixture(scope="module")
def api_schema(fuzz_target: tuple[ArchiveProcess, Laptop]) -> Any:
    proc, _ = fuzz_target
    return schemathesis.openapi.from_url(proc.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.serializer("application/offset+octet-stream")
def _offset_stream(ctx: Any, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, fuzz_target: tuple[ArchiveProcess, Laptop]) -> None:
    proc, laptop = fuzz_target
    kw = case.as_transport_kwargs(base_url=proc.url)
    method = kw.pop("method")
    url = kw.pop("url")
    headers = {k: str(v) for k, v in (kw.pop("headers", None) or {}).items()}
    params = kw.pop("params", None)
    body: dict[str, Any] = {}
    if "json" in kw:
        body["json"] = kw.pop("json")
    elif kw.get("data") is not None:
        data = kw.pop("data")
        body["content"] = data if isinstance(data, bytes | str) else str(data)
    with laptop.client() as signed:
        r = signed.request(method, url, headers=headers, params=params, **body)
        assert r.status_code < 500, f"{method} {url} -> {r.status_code} {r.text[:300]}"
    r = httpx.request(method, url, headers=headers, params=params, timeout=30, **body)
    assert r.status_code < 500, f"unsigned {method} {url} -> {r.status_code} {r.text[:300]}"
    if not url.endswith("/v1/health"):
        assert r.status_code >= 400, f"unsigned {method} {url} was accepted"
