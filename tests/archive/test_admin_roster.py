"""``archive admin roster DIR --out FILE``: the signed roster a reviewer gives ``verify --trust`` with the archive
key's fingerprint pinned; a roster altered after signing, or checked against another fingerprint, is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.evidence.package import PackageError, RosterRefused, load_roster
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import REPO, ArchiveProcess


def test_signed_roster_verifies_with_the_pinned_fingerprint(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    revoked = laptop.inspectors[1].id
    sqlite_archive.admin("inspectors", "revoke", revoked)
    out = tmp_path / "roster.json"
    res = subprocess.run([sys.executable, "-m", "archive", "admin", "roster", str(sqlite_archive.data), "--out",
                          str(out)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                         text=True, timeout=120, check=True)
    fingerprint = sqlite_archive.admin("fingerprint").stdout.strip()
    assert res.stdout.strip().endswith(fingerprint)

    keys = load_roster(out, fingerprint)
    assert {laptop.device_id, *(i.id for i in laptop.inspectors)} <= set(keys)
    assert keys[revoked].valid_until is not None and keys[laptop.inspectors[0].id].valid_until is None
    assert keys[laptop.inspectors[0].id].name == laptop.inspectors[0].name and not keys[revoked].claimed

    with pytest.raises(PackageError):  # a signed roster is only checked against a pinned key
        load_roster(out, None)
    with pytest.raises(RosterRefused) as wrong:
        load_roster(out, "0000 0000 0000 0000")
    assert wrong.value.code == "roster_wrong_key"
    doc = json.loads(out.read_text("utf-8"))
    doc["roster"]["inspectors"][0]["name"] = "王五"
    out.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(RosterRefused) as forged:
        load_roster(out, fingerprint)
    assert forged.value.code == "roster_bad_signature"
