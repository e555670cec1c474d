"""register and sync through the command line against a real archive process, compared item by item."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import select

from app.evidence.signing import SigningKey, b64
from app.models.profile import Profile
from app.models.schema import Blob, Case, JournalLeaf, SignedObject
from tests.archive.helpers import ArchiveProcess
from tests.sync.conftest import P1, P3, DemoProfile, archive_rows, cli, stats
from tests.sync.helpers import add_case, add_data_item, local_leaves, open_demo, random_bytes


def _lines(out: str) -> dict[str, str]:
    return {line.split("\t", 1)[0]: line for line in out.splitlines() if line.strip()}


def _register(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> str:
    code = tmp_path / "code.txt"
    code.write_text(archive.admin("enrolment-code").stdout.strip() + "\n", encoding="utf-8")
    r = cli("register", str(demo.root), "--archive", archive.url, "--code-file", str(code),
            "--passphrase-file", str(demo.pass_files[0]), "--passphrase-file", str(demo.pass_files[1]))
    assert r.returncode == 0, r.stderr
    device_id, fingerprint, count = r.stdout.strip().split("\t")
    assert count == "2 inspectors"
    assert httpx.get(archive.url + "/v1/health").json()["archive_fingerprint"] == fingerprint  # pinned = served
    return device_id


def test_register_sync_refusal_and_second_sync(demo: DemoProfile, archive: ArchiveProcess, tmp_path: Path) -> None:
    a, b = demo.inspectors
    device_id = _register(demo, archive, tmp_path)
    # an assignment made at the office for the two local inspectors
    assigned = json.loads(archive.admin("cases", "add", "--institution-name", "某市第二人民医院", "--inspector", a,
                                        "--inspector", b, "--title", "办公室下发的专项稽核").stdout)["id"]
    # and one for a local inspector with a colleague who is not on this laptop: it waits as pending
    stranger = json.loads(archive.admin("inspectors", "add", "--name", "孙七", "--credential", "42010020268888",
                                        "--org", "某市医疗保障基金稽核中心", "--public-key",
                                        b64(SigningKey.generate().public_raw())).stdout)["id"]
    pending = json.loads(archive.admin("cases", "add", "--institution-name", "某市第三医院", "--inspector", a,
                                       "--inspector", stranger).stdout)["id"]
    # a third inspector enrolled on the laptop after registration: the archive must refuse their journal
    c = Profile.open(demo.root).enroll("赵六", "42010020269999", "某市医疗保障基金稽核中心", P3, P1)
    with open_demo(demo.root, P3) as store:
        refused_case = add_case(store, [c, a], c, "第三人员的案件")
        good_case = add_case(store, [a, b], a, "正常的案件")
        blobs = {add_data_item(store, good_case, random_bytes(300_000), "a.csv"),
                 add_data_item(store, good_case, random_bytes(2_500_000), "b.db")}
    r = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    assert r.returncode == 1, r.stderr  # one case refused
    lines = _lines(r.stdout)
    assert "\tREFUSED\tactor_not_device_inspector" in lines[refused_case]
    assert "actor_not_device_inspector" in r.stderr
    assert f"assignment {pending} pending: assigned inspectors not enrolled on this laptop" in r.stderr
    assert pending not in lines
    good = lines[good_case].split("\t")
    assert good[1] == "leaves 3" and good[2] == "blobs 2" and good[3] == f"bytes {2_800_000}"
    assert lines[assigned].split("\t")[1] == "leaves 1"  # the assignment became a local case and was pushed
    demo_line = lines[demo.case_id].split("\t")  # the closed demo audit: 45+ blobs, the whole journal
    assert demo_line[1].startswith("leaves ") and demo_line[2].startswith("blobs ")
    # the order of the queue: the refused case came before the good one and did not block it
    order = [line.split("\t", 1)[0] for line in r.stdout.splitlines()]
    assert order.index(refused_case) < order.index(good_case)

    accepted = [demo.case_id, good_case, assigned]
    with open_demo(demo.root) as store:
        with store.session() as s:
            case = s.get(Case, assigned)
            assert case is not None and case.origin == "archive"
            local_blob_set = set(s.scalars(select(Blob.sha256)))
            archived_blobs = set(s.scalars(select(Blob.sha256).where(Blob.archived.is_(True))))
            assert all(s.scalars(select(SignedObject.archived).where(SignedObject.case_id == demo.case_id)))
            unarchived_leaves = set(s.scalars(select(JournalLeaf.log_id).where(JournalLeaf.archived.is_(False))))
        leaves = {cid: local_leaves(store, cid) for cid in accepted}
    assert blobs <= archived_blobs
    assert unarchived_leaves == {refused_case}
    assert archived_blobs == local_blob_set
    # item by item: every leaf of every accepted journal, every blob
    for cid in accepted:
        held = archive_rows(archive, f"SELECT seq, leaf_hash FROM leaves WHERE case_id = '{cid}' ORDER BY seq")
        assert [(int(s_), h) for s_, h in held] == leaves[cid]
    assert archive_rows(archive, f"SELECT count(*) FROM leaves WHERE case_id = '{refused_case}'") == [(0,)]
    assert {h for (h,) in archive_rows(archive, "SELECT sha256 FROM blobs")} == local_blob_set  # blobs go first
    st = stats(archive)
    assert st["leaves"] == sum(len(v) for v in leaves.values())
    assert st["blobs"] == len(local_blob_set) and st["receipts"] == len(accepted) and st["uploads_open"] == 0
    assert st["devices"] == 1 and st["inspectors"] == 3  # two from this laptop, one added at the office
    assert archive.admin("verify", check=False).returncode == 0

    # a second sync sends nothing for the archived cases
    r2 = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    lines2 = _lines(r2.stdout)
    assert good_case not in lines2 and assigned not in lines2
    assert "REFUSED" in lines2[refused_case]
    assert stats(archive) == st
    assert device_id

    # the archive unreachable: one clear line on stderr, no traceback
    archive.kill()
    r3 = cli("sync", str(demo.root), "--archive", archive.url, "--passphrase-file", str(demo.pass_files[0]))
    assert r3.returncode == 2
    assert len(r3.stderr.strip().splitlines()) == 1
    assert "Cannot reach the archive" in r3.stderr and "无法连接档案中心" in r3.stderr
