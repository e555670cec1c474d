"""Push: receipts, replays, refusals with reasons, id conflicts, field conflicts, crashes mid-batch."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.evidence.signing import unb64, verify_object
from app.sync.protocol import CTX_RECEIPT
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Journal, Laptop, new_inspector


def stats(proc: ArchiveProcess) -> dict[str, int]:
    return dict(json.loads(proc.admin("stats").stdout))


def blob_journal(laptop: Laptop, client: httpx.Client, n_items: int = 2) -> tuple[Journal, list[bytes]]:
    j = Journal(laptop)
    j.append("case.created", {"case": j.case_id, "institution": {"name": "某医院"}})
    blobs = []
    for i in range(n_items):
        data = f"photo {i} {j.case_id}".encode() * 1000
        laptop.upload(client, data)
        j.append("evidence.captured", j.manifest(hashlib.sha256(data).hexdigest()))
        blobs.append(data)
    return j, blobs


def codes(r: httpx.Response) -> list[str]:
    return [x["code"] for x in r.json().get("reasons", [])]


def test_push_receipt_and_replay_is_a_noop(archive_proc: ArchiveProcess) -> None:
    laptop = enrolled_laptop(archive_proc)
    with laptop.client() as c:
        j, _ = blob_journal(laptop, c)
        batch = j.batch()
        r1 = c.post("/v1/push", json=batch)
        assert r1.status_code == 200, r1.text
        receipt = r1.json()
        pub = unb64(c.get("/v1/roster").json()["payload"]["archive"]["public_key"])
        verify_object(receipt["sig"], CTX_RECEIPT, receipt["payload"], pub)
        p = receipt["payload"]
        assert (p["device"], p["case"], p["size"]) == (laptop.device_id, j.case_id, 3)
        assert p["root"] == batch["checkpoint"]["checkpoint"]["root"]
        assert p["counts"]["leaves_new"] == 3 and p["counts"]["payloads_new"] == 3
        assert p["counts"]["blobs_referenced"] == 2 and p["archive_time"]
        before = stats(archive_proc)
        r2 = c.post("/v1/push", json=batch)
        assert r2.status_code == 200 and r2.json() == receipt  # same receipt, byte for byte
        assert stats(archive_proc) == before
        assert before["leaves"] == 3 and before["items"] == 3 and before["receipts"] == 1
        # a record event whose payload is no signed object is refused as `verify` refuses it
        j.pushed = 3
        j.append("record.signed", {"id": "rec-1", "version": 1, "text": "现场检查笔录"})
        r = c.post("/v1/push", json=j.batch())
        assert r.status_code == 422 and "bad_object" in codes(r), r.text
        assert stats(archive_proc) == before
        # incremental push with a consistency proof from the archive's size
        j.leaves.pop()
        j.append("record.signed", j.record("rec-1", "现场检查笔录"))
        r3 = c.post("/v1/push", json=j.batch())
        assert r3.status_code == 200, r3.text
        assert r3.json()["payload"]["size"] == 4 and r3.json()["payload"]["counts"]["leaves_new"] == 1
        # the older batch replayed later still gets its own receipt, nothing changes
        assert c.post("/v1/push", json=batch).json() == receipt
    assert archive_proc.admin("verify").returncode == 0


def test_missing_blob_refused_with_list(archive_proc: ArchiveProcess) -> None:
    laptop = enrolled_laptop(archive_proc)
    j = Journal(laptop)
    absent = hashlib.sha256(b"never uploaded").hexdigest()
    j.append("evidence.captured", j.manifest(absent))
    with laptop.client() as c:
        r = c.post("/v1/push", json=j.batch())
    assert r.status_code == 422 and r.json()["error"] == "batch_refused"
    assert r.json()["missing"] == [absent] and "missing_blobs" in codes(r)
    assert stats(archive_proc)["leaves"] == 0


def test_forged_signature_refused(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    with laptop.client() as c:
        j, _ = blob_journal(laptop, c, 1)
        batch = j.batch()
        # tamper with the signed manifest and re-point the leaf at it: the journal signature then fails too
        forged = copy.deepcopy(batch)
        forged["payloads"][1]["body"]["kind"] = "物证"
        r = c.post("/v1/push", json=forged)
        assert r.status_code == 422 and "unreferenced_payload" in codes(r) and "missing_payload" in codes(r)
        # a manifest signature made by a key that is not the signer's
        j2 = Journal(laptop)
        data = b"x" * 5000
        laptop.upload(c, data)
        m = j2.manifest(hashlib.sha256(data).hexdigest())
        m["signatures"][1]["signature"] = m["signatures"][0]["signature"]
        j2.append("evidence.captured", m)
        r = c.post("/v1/push", json=j2.batch())
        assert r.status_code == 422 and "bad_signature" in codes(r), r.text
        # a journal entry whose signature does not verify
        j3 = Journal(laptop)
        leaf = j3.append("case.created", {"case": j3.case_id})
        leaf["entry"]["type"] = "case.closed"
        r = c.post("/v1/push", json=j3.batch())
        assert r.status_code == 422 and "bad_signature" in codes(r)
        # a checkpoint not signed by this device
        j4 = Journal(laptop)
        j4.append("case.created", {"case": j4.case_id})
        b4 = j4.batch()
        b4["checkpoint"]["checkpoint"]["step"] = "tampered"
        r = c.post("/v1/push", json=b4)
        assert r.status_code == 422 and codes(r) == ["bad_checkpoint_signature"]
    assert stats(sqlite_archive)["leaves"] == 0


def test_journal_with_a_leaf_removed_refused(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    j = Journal(laptop)
    for i in range(5):
        j.append("note.added", {"n": i, "case": j.case_id})
    with laptop.client() as c:
        batch = j.batch()
        del batch["leaves"][2]
        r = c.post("/v1/push", json=batch)
        assert r.status_code == 422
        assert {"size_mismatch"} <= set(codes(r)) or {"journal_gap", "broken_chain"} & set(codes(r))
        # pushed whole, then rolled back and rewritten: refused as a fork / rollback
        assert c.post("/v1/push", json=j.batch()).status_code == 200
        rewritten = Journal(laptop, j.case_id)
        for i in range(5):
            rewritten.append("note.added", {"n": i + 100, "case": j.case_id})
        r = c.post("/v1/push", json=rewritten.batch())
        assert r.status_code == 422 and "journal_fork" in codes(r)
        shorter = Journal(laptop, j.case_id)
        for i in range(3):
            shorter.append("note.added", {"n": i + 200, "case": j.case_id})
        r = c.post("/v1/push", json=shorter.batch())
        assert r.status_code == 422 and "journal_rollback" in codes(r)
        # a gap: new leaves that start beyond what the archive holds
        j.append("note.added", {"n": 5, "case": j.case_id})
        j.append("note.added", {"n": 6, "case": j.case_id})
        r = c.post("/v1/push", json=j.batch(first_seq=6))
        assert r.status_code == 422 and "journal_gap" in codes(r)
    assert stats(sqlite_archive)["leaves"] == 5
    assert stats(sqlite_archive)["alerts"] >= 1  # the fork


def test_inspector_pushing_as_another_refused(archive_proc: ArchiveProcess) -> None:
    laptop_a = enrolled_laptop(archive_proc)
    laptop_b = enrolled_laptop(archive_proc)
    outsider = laptop_b.inspectors[0]  # enrolled, but on the other laptop
    with laptop_a.client() as c:
        j = Journal(laptop_a)
        j.append("case.created", {"case": j.case_id}, actor=outsider)
        r = c.post("/v1/push", json=j.batch())
        assert r.status_code == 422 and codes(r) == ["actor_not_device_inspector"]
        # a payload co-signed by an inspector of another laptop
        data = b"y" * 4000
        laptop_a.upload(c, data)
        j2 = Journal(laptop_a)
        m = j2.manifest(hashlib.sha256(data).hexdigest())
        from app.evidence.signing import sign_object
        from app.sync.protocol import CTX_MANIFEST

        m["signatures"].append(sign_object(outsider.key, outsider.id, CTX_MANIFEST, m["body"]))
        j2.append("evidence.captured", m)
        r = c.post("/v1/push", json=j2.batch())
        assert r.status_code == 422 and "signer_not_device_inspector" in codes(r)
        # an unknown key claiming an enrolled inspector's id
        impostor = new_inspector()
        impostor.id = laptop_a.inspectors[1].id
        j3 = Journal(laptop_a)
        j3.append("case.created", {"case": j3.case_id}, actor=impostor)
        r = c.post("/v1/push", json=j3.batch())
        assert r.status_code == 422 and "bad_signature" in codes(r)
    # an unknown device cannot push at all
    stranger = Laptop(archive_proc.url)
    j4 = Journal(stranger)
    j4.append("case.created", {"case": j4.case_id})
    with stranger.client() as c:
        r = c.post("/v1/push", json=j4.batch())
    assert r.status_code == 401 and r.json()["error"] == "unknown_device"
    assert stats(archive_proc)["leaves"] == 0


def test_same_id_other_bytes_409_and_alert(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    with laptop.client() as c:
        j = Journal(laptop)
        j.append("record.signed", j.record("rec-7", "原文"))
        assert c.post("/v1/push", json=j.batch()).status_code == 200
        j2 = Journal(laptop)
        j2.append("record.signed", j2.record("rec-7", "改过的"))
        r = c.post("/v1/push", json=j2.batch())
        assert r.status_code == 409 and r.json()["error"] == "id_conflict"
        # a bad batch does not block the queue: another case goes through
        j3 = Journal(laptop)
        j3.append("record.signed", j3.record("rec-8", "另一份"))
        assert c.post("/v1/push", json=j3.batch()).status_code == 200
    s = stats(sqlite_archive)
    assert s["alerts"] == 1 and s["items"] == 2


def test_two_laptops_editing_the_same_field_conflict(archive_proc: ArchiveProcess) -> None:
    laptop_a = enrolled_laptop(archive_proc)
    # a second laptop of the same team (a case belongs to its team: archive/teams.py)
    laptop_b = Laptop(archive_proc.url, inspectors=laptop_a.inspectors)
    assert laptop_b.register(archive_proc.admin("enrolment-code").stdout.strip()).status_code == 201
    case_id = "case-shared-1"
    results: dict[str, Any] = {}
    for laptop, value in ((laptop_a, "已完成现场检查"), (laptop_b, "暂停检查")):
        j = Journal(laptop, case_id)
        j.append("case.field_changed", {"case": case_id, "field": "status", "old": "进行中", "new": value})
        j.append("case.field_changed", {"case": case_id, "field": "place", "old": "",
                                        "new": "门诊楼" if laptop is laptop_a else ""})
        with laptop.client() as c:
            r = c.post("/v1/push", json=j.batch())
            assert r.status_code == 200, r.text
            results[laptop.device_id] = r.json()["payload"]["counts"]["conflicts"]
    assert results == {laptop_a.device_id: 0, laptop_b.device_id: 1}
    with laptop_a.client() as c:
        conflicts = c.get(f"/v1/cases/{case_id}/conflicts").json()["conflicts"]
    assert len(conflicts) == 1
    got = conflicts[0]
    assert got["field"] == "status" and got["base"] == "进行中"
    assert {got["value_a"], got["value_b"]} == {"已完成现场检查", "暂停检查"}
    assert {got["device_a"], got["device_b"]} == {laptop_a.device_id, laptop_b.device_id}
    assert stats(archive_proc)["conflicts"] == 1


@pytest.mark.parametrize("point", ["push.before_commit", "push.after_commit"])
def test_killed_mid_batch(tmp_path: Path, point: str) -> None:
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        laptop = enrolled_laptop(proc)
        with laptop.client() as c:
            j, blobs = blob_journal(laptop, c, 3)
        proc.kill()
        proc.start(env={"FIELDAUDIT_ARCHIVE_CRASHPOINT": point})
        laptop.base_url = proc.url
        batch = j.batch()
        with laptop.client() as c, pytest.raises(httpx.HTTPError):
            c.post("/v1/push", json=batch)
        assert proc.wait_dead() == 137
        proc.kill()
        proc.start()
        laptop.base_url = proc.url
        s = stats(proc)
        assert s["blobs"] == 3  # nothing lost
        if point == "push.before_commit":
            assert (s["leaves"], s["items"], s["receipts"], s["cases"]) == (0, 0, 0, 0)  # nothing partial
        else:
            assert (s["leaves"], s["items"], s["receipts"]) == (4, 4, 1)
        with laptop.client() as c:
            hashes = [hashlib.sha256(b).hexdigest() for b in blobs]
            assert c.post("/v1/blobs/missing", json={"hashes": hashes}).json()["missing"] == []  # no re-upload
            r1 = c.post("/v1/push", json=batch)
            r2 = c.post("/v1/push", json=batch)
        assert r1.status_code == 200 and r1.json() == r2.json()
        assert r1.json()["payload"]["size"] == 4
        assert stats(proc)["leaves"] == 4 and stats(proc)["receipts"] == 1
        assert proc.admin("verify").returncode == 0
    finally:
        proc.kill()


def test_envelopes_need_two_inspectors_and_object_hashes_are_not_blobs(sqlite_archive: ArchiveProcess) -> None:
    laptop = enrolled_laptop(sqlite_archive)
    a, b = laptop.inspectors
    with laptop.client() as c:
        data = b"z" * 7000
        laptop.upload(c, data)
        sha = hashlib.sha256(data).hexdigest()
        lone = Journal(laptop)
        lone.append("evidence.captured", lone.manifest(sha, signers=[a]))
        r = c.post("/v1/push", json=lone.batch())
        assert r.status_code == 422 and codes(r) == ["needs_two_inspectors"]
        # a provider signature bound to the item: target_sha256 names an object, only strokes/image are blobs
        from app.evidence.canonical import canonical_sha256
        from app.evidence.signing import sign_object
        from app.sync.protocol import CTX_PROVIDER_SIGNATURE

        j = Journal(laptop)
        env = j.manifest(sha)
        j.append("evidence.captured", env)
        strokes, image = b"strokes" * 100, b"png" * 300
        laptop.upload(c, strokes)
        laptop.upload(c, image)
        body = {"case": j.case_id, "target": env["id"], "target_type": "evidence",
                "target_sha256": canonical_sha256(env["body"]), "shown_sha256": canonical_sha256(env["body"]),
                "strokes_sha256": hashlib.sha256(strokes).hexdigest(),
                "image_sha256": hashlib.sha256(image).hexdigest()}
        sigs = [sign_object(i.key, i.id, CTX_PROVIDER_SIGNATURE, body) for i in (a, b)]
        j.append("provider.signed", {"type": "provider-signature", "id": "ps-1", "body": body, "signatures": sigs},
                 actor=b)
        r = c.post("/v1/push", json=j.batch())
        assert r.status_code == 200, r.text
        assert r.json()["payload"]["counts"]["blobs_referenced"] == 3
    assert sqlite_archive.admin("verify").returncode == 0


def test_a_manifest_lying_about_a_stream_size_is_refused(sqlite_archive: ArchiveProcess) -> None:
    """The package verifier's rule at the archive: an evidence manifest whose stream ``size`` is not the length of
    the blob it names (its hash matches) is refused with ``blob_mismatch``; nothing is stored. The true size is
    accepted."""
    laptop = enrolled_laptop(sqlite_archive)
    data = b"ledger page " * 800
    sha = hashlib.sha256(data).hexdigest()
    with laptop.client() as c:
        laptop.upload(c, data)
        for claimed in (len(data) * 10, 1, str(len(data))):
            j = Journal(laptop)
            j.append("evidence.captured", j.manifest(sha, size=claimed))  # type: ignore[arg-type]
            r = c.post("/v1/push", json=j.batch())
            assert r.status_code == 422 and codes(r) == ["blob_mismatch"], (claimed, r.text)
            assert str(claimed) in r.text
        assert stats(sqlite_archive)["leaves"] == 0
        j = Journal(laptop)
        j.append("evidence.captured", j.manifest(sha, size=len(data)))
        assert c.post("/v1/push", json=j.batch()).status_code == 200
    assert sqlite_archive.admin("verify").returncode == 0
