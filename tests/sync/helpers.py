"""Building cases in a demo profile for the sync tests (through the real workflow and evidence code)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sqlalchemy import select

from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.models.profile import Profile, Store
from app.models.schema import Blob, JournalLeaf
from app.workflow.cases import CaseSpec, add_institution, create_case
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import P1, P2, DemoProfile, cli


def open_demo(root: Path, *extra: str) -> Store:
    store = Profile.open(root).unlock(P1)
    for p in (P2, *extra):
        store.unlock_inspector(p)
    return store


def add_case(store: Store, inspectors: list[str], actor: str, title: str) -> str:
    with store.transaction() as s:
        inst = add_institution(s, name=f"{title}药房", kind="designated_pharmacy")
        case = create_case(s, store, actor, CaseSpec(institution_id=inst.id, kind="routine",
                                                     inspector_ids=inspectors, title=title))
        return case.id


def add_data_item(store: Store, case_id: str, data: bytes, name: str = "his-export.bin") -> str:
    meta = CaptureMeta(kind="electronic", measure="request_material", title=f"电子数据 {name}",
                       source="被检查单位 HIS 系统导出", source_system="HIS", extraction_method="数据库导出")
    capture(store, case_id, [CaptureSource(name=name, data=data)], meta)
    return hashlib.sha256(data).hexdigest()


def random_bytes(n: int) -> bytes:
    return os.urandom(n)


def local_leaves(store: Store, case_id: str) -> list[tuple[int, str]]:
    with store.session() as s:
        return [(r.seq, r.leaf_hash.hex()) for r in
                s.scalars(select(JournalLeaf).where(JournalLeaf.log_id == case_id).order_by(JournalLeaf.seq))]


def local_blobs(store: Store) -> dict[str, bool]:
    with store.session() as s:
        return {b.sha256: b.archived for b in s.scalars(select(Blob))}


def register(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> None:
    """Register the demo laptop at the archive with a one-time enrolment code (both inspectors)."""
    code = tmp_path / "code.txt"
    code.write_text(archive.admin("enrolment-code").stdout.strip() + "\n", encoding="utf-8")
    r = cli("register", str(demo.root), "--archive", archive.url, "--code-file", str(code),
            "--passphrase-file", str(demo.pass_files[0]), "--passphrase-file", str(demo.pass_files[1]))
    assert r.returncode == 0, r.stderr


def register_and_sync(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> str:
    """Register the demo laptop, assign it an office case, sync; returns the (open) assigned case's id."""
    register(demo, archive, tmp_path)
    a, b = demo.inspectors
    assigned = json.loads(archive.admin("cases", "add", "--institution-name", "某市第二人民医院", "--inspector", a,
                                        "--inspector", b).stdout)["id"]
    archive.admin("institutions", "add", "--name", "某市第三医院", "--uscc", "")
    r = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    assert r.returncode == 0, r.stdout + r.stderr
    return str(assigned)
