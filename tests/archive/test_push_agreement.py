"""The archive and the package verifier apply one set of evidence rules: the same tampered journal, pushed as a
batch and written as a case package, is refused by the archive with the reason codes ``verify`` reports."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.evidence import merkle
from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.package import verify_package
from app.evidence.signing import b64, sign_object
from app.evidence.verify_rules import (
    CHECKPOINT_CONTEXT,
    JOURNAL_CONTEXT,
    OBJECT_CONTEXTS,
    checkpoint_fingerprint,
)
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess, Inspector, Journal, Laptop

BLOB = b"photo of the prescription ledger " * 200
BLOB_SHA = hashlib.sha256(BLOB).hexdigest()


def envelope(j: Journal, type_: str, body: dict[str, Any], signers: list[Inspector]) -> dict[str, Any]:
    body = {"v": 1, "type": type_, "case": j.case_id, "inspectors": [i.id for i in j.laptop.inspectors], **body}
    sigs = [sign_object(i.key, i.id, OBJECT_CONTEXTS[type_], body) for i in signers]
    return {"type": type_, "id": body.get("item") or str(uuid.uuid4()), "body": body, "signatures": sigs}


def case_journal(laptop: Laptop, *, manifest_change: Callable[[dict[str, Any]], None] | None = None,
                 manifest_signers: int = 2, manifest_extra: dict[str, Any] | None = None,
                 refusal: dict[str, Any] | None = None) -> Journal:
    """A complete little case: created, one evidence item, the provider's signed refusal."""
    j = Journal(laptop)
    a, b = laptop.inspectors
    j.append("case.created", {"case": j.case_id})
    item = str(uuid.uuid4())
    manifest = envelope(j, "evidence", {"item": item, "kind": "documentary",
                                        "streams": [{"index": 0, "sha256": BLOB_SHA, "size": len(BLOB)}],
                                        **(manifest_extra or {})},
                        [a, b][:manifest_signers])
    signed_sha = canonical_sha256(manifest["body"])
    if manifest_change is not None:
        manifest_change(manifest["body"])  # after signing
    j.append("evidence.captured", manifest)
    body = {"target": item, "target_type": "evidence", "target_sha256": signed_sha, "reason": "当事人拒绝签字",
            "time": "2026-11-23T09:40:00.000Z", **(refusal or {})}
    j.append("provider.refused", envelope(j, "provider-refusal", body, [a, b]), actor=b)
    return j


def resign_leaf(j: Journal, seq: int, change: Callable[[dict[str, Any]], None]) -> None:
    """The actor (who holds their key) rewrites an entry and signs it again."""
    leaf = j.leaves[seq]
    change(leaf["entry"])
    actor = next(i for i in j.laptop.inspectors if i.id == leaf["entry"]["actor"])
    leaf["sig"] = sign_object(actor.key, actor.id, JOURNAL_CONTEXT, leaf["entry"])


def export_statement(j: Journal) -> dict[str, Any]:
    """The claims a package header makes, as the export signs them (journal event ``case.exported``)."""
    laptop = j.laptop
    return {"case": j.case_id, "time": "2026-11-23T09:50:00.000Z", "institution": "",
            "inspectors": [{"id": i.id, "name": i.name, "credential_no": i.credential_no,
                            "organisation": i.organisation, "suite": "ed25519",
                            "public_key": b64(i.key.public_raw())} for i in laptop.inspectors],
            "devices": [{"id": laptop.device_id, "name": "laptop", "suite": "ed25519",
                         "public_key": laptop.public_key}]}


def write_package(j: Journal, batch: dict[str, Any], path: Path) -> Path:
    """The case package holding exactly what the batch carries (payloads named by their content hash, as the
    archive addresses them); its header repeats the export statement (complete only when the journal ends with
    one, see :data:`PACKAGE_ONLY`)."""
    leaves = [canonical_bytes(leaf) for leaf in batch["leaves"]]
    root = merkle.root_from_leaf_hashes([merkle.leaf_hash(raw) for raw in leaves]).hex()
    statement = export_statement(j)
    manifest = {"format": "fieldaudit-case-package", "v": 2, "case": j.case_id, "created": statement["time"],
                "institution": "", "inspectors": statement["inspectors"], "devices": statement["devices"],
                "journal": {"size": len(leaves), "root": root, "fingerprint": checkpoint_fingerprint(len(leaves), root)}}
    blob_needed = any(BLOB_SHA in json.dumps(p) for p in batch["payloads"])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("fieldaudit-package.json", json.dumps(manifest))
        z.writestr("journal.jsonl", b"".join(raw + b"\n" for raw in leaves))
        z.writestr("checkpoints.jsonl", canonical_bytes(batch["checkpoint"]) + b"\n")
        for p in {canonical_sha256(p): p for p in batch["payloads"]}.values():
            z.writestr(f"payloads/{canonical_sha256(p)}.json", canonical_bytes(p))
        if blob_needed:
            z.writestr(f"blobs/{BLOB_SHA}", BLOB)
    return path


def _alter_last_entry(j: Journal) -> None:
    j.leaves[-1]["entry"]["time"] = "2026-11-23T10:00:00.000Z"


def _sign_last_with_another_key(j: Journal) -> None:
    leaf, other = j.leaves[-1], j.laptop.inspectors[0]  # the actor is inspectors[1]
    leaf["sig"] = {**sign_object(other.key, other.id, JOURNAL_CONTEXT, leaf["entry"]), "signer": leaf["sig"]["signer"]}


def _break_prev(j: Journal) -> None:
    resign_leaf(j, 2, lambda e: e.update(prev=hashlib.sha256(b"another leaf").hexdigest()))


def _wrong_root(j: Journal, batch: dict[str, Any]) -> None:
    cp = {**batch["checkpoint"]["checkpoint"], "root": merkle.root_from_leaf_hashes(j.hashes(2)).hex()}
    batch["checkpoint"] = {"checkpoint": cp, "sig": sign_object(j.laptop.key, j.laptop.device_id,
                                                                CHECKPOINT_CONTEXT, cp)}


def _plain_record_event(j: Journal) -> None:
    j.append("record.signed", {"case": j.case_id, "id": "rec-1", "version": 1, "text": "现场检查笔录"})


def _record_event_without_body(j: Journal) -> None:
    j.append("record.signed", {"id": "rec-1", "version": 1, "text": "现场检查笔录"})


def _evidence_event_with_a_list(j: Journal) -> None:
    j.append("evidence.captured", ["not", "a", "signed", "object"])


def _unsigned_record(j: Journal) -> None:
    env = j.record(str(uuid.uuid4()), "现场检查笔录")
    del env["signatures"]
    j.append("record.signed", env)


def _record_envelope_with_an_unknown_type(j: Journal) -> None:
    j.append("record.signed", {**j.record(str(uuid.uuid4()), "现场检查笔录"), "type": "minutes"})


# name -> (journal builder, tamper of the journal, tamper of the batch, the code both must report)
CASES: dict[str, tuple[dict[str, Any], Callable[[Journal], None] | None,
                       Callable[[Journal, dict[str, Any]], None] | None, str]] = {
    "entry altered after signing": ({}, _alter_last_entry, None, "bad_signature"),
    "entry signed with another key": ({}, _sign_last_with_another_key, None, "bad_signature"),
    "prev chain broken": ({}, _break_prev, None, "broken_chain"),
    "checkpoint root mismatch": ({}, None, _wrong_root, "root_mismatch"),
    "manifest altered after signing": ({"manifest_change": lambda b: b.update(kind="physical")}, None, None,
                                       "bad_signature"),
    "binding names another manifest hash": ({"refusal": {"target_sha256": "0" * 64}}, None, None,
                                            "reference_mismatch"),
    "manifest signed by one inspector": ({"manifest_signers": 1}, None, None, "needs_two_inspectors"),
    "manifest of another case": ({"manifest_extra": {"case": "another-case"}}, None, None, "wrong_case"),
    "refusal without a reason": ({"refusal": {"reason": " "}}, None, None, "no_reason"),
    # an object event's payload is a signed object, whatever it holds
    "record event with a plain payload": ({}, _plain_record_event, None, "bad_object"),
    "record event with a plain payload of no case": ({}, _record_event_without_body, None, "bad_object"),
    "evidence event whose payload is a list": ({}, _evidence_event_with_a_list, None, "bad_object"),
    "record without signatures": ({}, _unsigned_record, None, "needs_two_inspectors"),
    "record envelope of an unknown type": ({}, _record_envelope_with_an_unknown_type, None, "bad_object"),
}

# Rules only the package verifier can apply: it holds the whole case; a batch is one device's part of it, so an
# item answered in a later batch or another journal is not yet a failure at the archive.
WHOLE_CASE_ONLY = {"unanswered", "missing_reference"}
# The package's own rule: its header's claims are those of an export statement ending the journal; the batches
# below carry none (an intact case with one passes both, ``test_an_intact_case_passes_both``).
PACKAGE_ONLY = {"no_export_statement"}


@pytest.fixture(scope="module")
def archive_and_laptop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ArchiveProcess, Laptop]]:
    proc = ArchiveProcess(tmp_path_factory.mktemp("agreement") / "archive").start()
    try:
        laptop = enrolled_laptop(proc)
        with laptop.client() as c:
            laptop.upload(c, BLOB)
        yield proc, laptop
    finally:
        proc.kill()


def push_codes(laptop: Laptop, batch: dict[str, Any]) -> tuple[int, list[str]]:
    with laptop.client() as c:
        r: httpx.Response = c.post("/v1/push", json=batch)
    return r.status_code, [x["code"] for x in r.json().get("reasons") or []]


def test_an_intact_case_passes_both(archive_and_laptop: tuple[ArchiveProcess, Laptop], tmp_path: Path) -> None:
    proc, laptop = archive_and_laptop
    j = case_journal(laptop)
    j.append("case.exported", export_statement(j))
    batch = j.batch()
    result, _ = verify_package(write_package(j, batch, tmp_path / "case.fapkg"))
    assert result.ok, result.failures
    status, codes = push_codes(laptop, batch)
    assert status == 200, codes
    assert proc.admin("verify").returncode == 0


@pytest.mark.parametrize("name", list(CASES))
def test_archive_refuses_with_the_verifiers_reason(archive_and_laptop: tuple[ArchiveProcess, Laptop],
                                                   tmp_path: Path, name: str) -> None:
    _, laptop = archive_and_laptop
    options, tamper_journal, tamper_batch, expected = CASES[name]
    j = case_journal(laptop, **options)
    if tamper_journal is not None:
        tamper_journal(j)
    batch = j.batch()
    if tamper_batch is not None:
        tamper_batch(j, batch)
    result, _ = verify_package(write_package(j, batch, tmp_path / "case.fapkg"))
    status, archive_codes = push_codes(laptop, batch)
    assert expected in result.codes, result.failures
    assert status == 422 and expected in archive_codes, archive_codes
    # the archive refuses for no reason the verifier does not report, and reports every per-batch one it does
    assert set(archive_codes) <= set(result.codes), (archive_codes, result.failures)
    assert set(result.codes) - WHOLE_CASE_ONLY - PACKAGE_ONLY <= set(archive_codes), (archive_codes, result.failures)


def test_payload_altered_in_transit(archive_and_laptop: tuple[ArchiveProcess, Laptop], tmp_path: Path) -> None:
    """A payload changed after its entry was signed: in a package its file no longer hashes to the name the entry
    gives (``payload_mismatch``); a push addresses payloads by content, so the entry's payload is simply not
    there (``missing_payload``, the same code the verifier gives a package without that file)."""
    _, laptop = archive_and_laptop
    j = case_journal(laptop)
    batch = j.batch()
    batch["payloads"][1]["body"]["kind"] = "physical"
    status, archive_codes = push_codes(laptop, batch)
    assert status == 422 and "missing_payload" in archive_codes
    result, _ = verify_package(write_package(j, batch, tmp_path / "case.fapkg"))
    assert "missing_payload" in result.codes, result.failures
    renamed = tmp_path / "renamed.fapkg"
    with zipfile.ZipFile(tmp_path / "case.fapkg") as src, zipfile.ZipFile(renamed, "w") as dst:
        named = j.leaves[1]["entry"]["payload_sha256"]
        for info in src.infolist():
            data = src.read(info)
            if info.filename == f"payloads/{canonical_sha256(batch['payloads'][1])}.json":
                info.filename = f"payloads/{named}.json"
            dst.writestr(info.filename, data)
    result, _ = verify_package(renamed)
    assert "payload_mismatch" in result.codes, result.failures


def test_admin_verify_applies_the_same_rules(sqlite_archive: ArchiveProcess) -> None:
    """Someone with write access to the archive's database swaps a stored refusal for one without a reason (and
    re-keys it by its new hash): ``admin verify`` reports what ``verify`` would, in the verifier's words."""
    import sqlite3

    laptop = enrolled_laptop(sqlite_archive)
    with laptop.client() as c:
        laptop.upload(c, BLOB)
    j = case_journal(laptop)
    assert push_codes(laptop, j.batch())[0] == 200
    refusal = j.payloads[j.leaves[2]["entry"]["payload_sha256"]]
    forged = {**refusal, "body": {**refusal["body"], "reason": ""}}
    with sqlite3.connect(sqlite_archive.data / "archive.db") as db:
        db.execute("UPDATE objects SET sha256 = ?, body = ? WHERE sha256 = ?",
                   (canonical_sha256(forged), canonical_bytes(forged).decode(), canonical_sha256(refusal)))
    res = sqlite_archive.admin("verify", check=False)
    report = json.loads(res.stdout)
    assert res.returncode == 1 and not report["ok"]
    failures = "\n".join(report["failures"])
    assert "journal leaf #2: its payload is missing" in failures, failures
    assert f"provider-refusal {refusal['id']}: records no reason" in failures, failures
    assert "signature of" in failures and "invalid" in failures  # the body changed under both signatures


def test_object_event_pointing_at_a_held_plain_payload(archive_and_laptop: tuple[ArchiveProcess, Laptop],
                                                       tmp_path: Path) -> None:
    """A later batch's object event names a payload the archive already holds as a plain one: the archive checks
    it as the signed object the event claims, as ``verify`` does for the whole journal."""
    _, laptop = archive_and_laptop
    j = case_journal(laptop)
    status, codes = push_codes(laptop, j.batch())
    assert status == 200, codes
    j.pushed = len(j.leaves)
    j.append("evidence.captured", {"case": j.case_id})  # the payload of leaf 0, held by the archive
    status, archive_codes = push_codes(laptop, j.batch())
    result, _ = verify_package(write_package(j, j.batch(first_seq=0), tmp_path / "case.fapkg"))
    assert "bad_object" in result.codes, result.failures
    assert status == 422 and "bad_object" in archive_codes, archive_codes
    assert set(archive_codes) == set(result.codes) - WHOLE_CASE_ONLY - PACKAGE_ONLY, (archive_codes, result.failures)


def test_admin_verify_applies_the_team_and_size_rules(sqlite_archive: ArchiveProcess) -> None:
    """Someone with write access to the database puts in a stored evidence manifest, correctly signed, that states
    another size than its blob, and one signed by an enrolled inspector of another laptop who is not on the case:
    ``admin verify`` reports both, in the verifier's words (the push refuses both, tests/archive/test_push.py and
    tests/archive/test_case_team.py)."""
    import sqlite3

    laptop = enrolled_laptop(sqlite_archive)
    other = enrolled_laptop(sqlite_archive)
    with laptop.client() as c:
        laptop.upload(c, BLOB)
    j = case_journal(laptop)
    assert push_codes(laptop, j.batch())[0] == 200
    stored = j.payloads[j.leaves[1]["entry"]["payload_sha256"]]
    a, outsider = laptop.inspectors[0], other.inspectors[0]
    lying = j.manifest(BLOB_SHA, item_id=stored["id"], size=len(BLOB) + 1)
    foreign = j.manifest(BLOB_SHA, signers=[a, outsider])
    with sqlite3.connect(sqlite_archive.data / "archive.db") as db:
        db.execute("UPDATE objects SET sha256 = ?, body = ? WHERE sha256 = ?",
                   (canonical_sha256(lying), canonical_bytes(lying).decode(), canonical_sha256(stored)))
        db.execute("INSERT INTO objects (sha256, object_key, kind, case_id, device_id, body, created_at) "
                   "SELECT ?, NULL, kind, case_id, device_id, ?, created_at FROM objects WHERE sha256 = ?",
                   (canonical_sha256(foreign), canonical_bytes(foreign).decode(), canonical_sha256(lying)))
    res = sqlite_archive.admin("verify", check=False)
    failures = "\n".join(json.loads(res.stdout)["failures"])
    assert res.returncode == 1
    assert f"is {len(BLOB)} bytes but its manifest says {len(BLOB) + 1}" in failures, failures
    assert f"signed by {outsider.id}, who is not an inspector of this case" in failures, failures


def test_a_correction_pointing_at_an_item_of_another_case_is_refused(sqlite_archive: ArchiveProcess) -> None:
    """The laptop holds two cases. A signed correction in the second supersedes an evidence item of the first
    (the right id and hash): the package verifier can never find that target in the second case's package
    (``missing_reference``), so the archive refuses it now, with the same code, instead of waiting for a target
    that can never come; nothing is stored. A correction of the case's own item is accepted."""
    laptop = enrolled_laptop(sqlite_archive)
    a, b = laptop.inspectors
    with laptop.client() as c:
        laptop.upload(c, BLOB)
    first = case_journal(laptop)
    assert push_codes(laptop, first.batch())[0] == 200
    theirs = first.payloads[first.leaves[1]["entry"]["payload_sha256"]]
    second = Journal(laptop)
    second.append("case.created", {"case": second.case_id})
    supersedes = {"item": theirs["id"], "manifest_sha256": canonical_sha256(theirs["body"]), "reason": "更正"}
    item = str(uuid.uuid4())
    correction = envelope(second, "evidence", {"item": item, "kind": "documentary", "supersedes": supersedes,
                                               "streams": [{"index": 0, "sha256": BLOB_SHA, "size": len(BLOB)}]},
                          [a, b])
    second.append("evidence.captured", correction)
    status, codes_ = push_codes(laptop, second.batch())
    assert status == 422 and codes_ == ["missing_reference"], codes_
    with sqlite3_rows(sqlite_archive) as db:
        assert db.execute("SELECT COUNT(*) FROM leaves WHERE case_id = ?", (second.case_id,)).fetchone() == (0,)
    kinds = [json.loads(line)["kind"] for line in sqlite_archive.admin("alerts").stdout.splitlines()]
    assert kinds == ["foreign_reference"]
    own = case_journal(laptop)
    mine = own.payloads[own.leaves[1]["entry"]["payload_sha256"]]
    fix = envelope(own, "evidence", {"item": str(uuid.uuid4()), "kind": "documentary", "supersedes": {
        "item": mine["id"], "manifest_sha256": canonical_sha256(mine["body"]), "reason": "更正"},
        "streams": [{"index": 0, "sha256": BLOB_SHA, "size": len(BLOB)}]}, [a, b])
    own.append("evidence.captured", fix)
    assert push_codes(laptop, own.batch())[0] == 200


def sqlite3_rows(proc: ArchiveProcess) -> Any:
    import sqlite3
    from contextlib import closing

    return closing(sqlite3.connect(f"file:{proc.data / 'archive.db'}?mode=ro", uri=True))
