"""Attacks on backup and restore: a restore pointed (by mistake) at the database of a live archive must refuse
instead of replacing that archive's rows with the backup's."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.evidence.signing import SigningKey, b64
from archive.backup import BackupError, backup, restore
from archive.db import Inspector
from archive.roster import add_inspector
from archive.service import open_archive


def _archive_with(path: Path, inspector: str) -> None:
    archive = open_archive(path, create=True)
    try:
        with archive.db.write() as s:
            add_inspector(s, id=inspector, name=inspector, credential_no="CN1", organisation="某市医保局",
                          public_key=b64(SigningKey.generate().public_raw()))
    finally:
        archive.db.dispose()


def test_restore_refuses_a_database_that_already_holds_an_archive(tmp_path: Path) -> None:
    _archive_with(tmp_path / "old", "insp-old")
    old = open_archive(tmp_path / "old", create=False)
    try:
        backup(old, tmp_path / "bk")
    finally:
        old.db.dispose()
    _archive_with(tmp_path / "live", "insp-live")  # the live archive, with rows the backup does not hold
    live_url = f"sqlite:///{tmp_path / 'live' / 'archive.db'}"
    with pytest.raises(BackupError, match="already holds"):
        restore(tmp_path / "bk", tmp_path / "new", live_url, key_file=tmp_path / "old" / "archive_key.ed25519")
    live = open_archive(tmp_path / "live", create=False)
    try:
        with live.db.read() as s:
            assert s.execute(select(Inspector.id)).scalars().all() == ["insp-live"]
            assert s.execute(select(func.count()).select_from(Inspector)).scalar_one() == 1
    finally:
        live.db.dispose()


def test_a_manifest_missing_a_field_is_refused_by_name(tmp_path: Path) -> None:
    import json

    _archive_with(tmp_path / "old", "insp-old")
    old = open_archive(tmp_path / "old", create=False)
    try:
        backup(old, tmp_path / "bk")
    finally:
        old.db.dispose()
    path = tmp_path / "bk" / "manifest.json"
    good = json.loads(path.read_text())
    for field, broken in (("blobs", None), ("key", None), ("key", {"included": "encrypted"}), ("tables", {"cases": "x"}),
                          ("blobs", {"sha256": "ab", "included": True}), ("archive_fingerprint", 7)):
        manifest = {k: v for k, v in good.items() if k != field}
        if broken is not None:
            manifest[field] = broken
        path.write_text(json.dumps(manifest))
        with pytest.raises(BackupError, match=field):
            restore(tmp_path / "bk", tmp_path / "new")
        assert not (tmp_path / "new").exists()
