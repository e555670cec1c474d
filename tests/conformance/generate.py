"""Write the verifier conformance suite: ``python tests/conformance/generate.py OUTDIR``.

From a real laptop store (the demo audit, ``app.workflow.demo``) it exports a case twice with the laptop's own
exporter, then derives every case below from those packages: valid packages, and packages forged or damaged in one
way each. OUTDIR receives the packages, the roster and key files they need, and ``manifest.json``:

    {"suite": "fieldaudit-verify-conformance", "v": 1,
     "cases": [{"name", "file", "args": [...], "exit": 0 | 1, "codes": [...]}, ...]}

A verifier passes a case when, run as ``VERIFIER FILE ARGS...`` (file names in ``args`` are relative to OUTDIR),
it exits with ``exit`` and prints every code of ``codes`` as a failure line ending in `` [code]`` (a valid case:
none). ``tests/conformance/run.py`` does that for any command; docs/package-format.md "Conformance suite".
The expected cases are also committed as ``tests/conformance/manifest.json`` (the test checks they agree).
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.evidence.canonical import canonical_bytes, loads  # noqa: E402
from app.evidence.signing import SigningKey, b64, public_key_fingerprint, sign_object  # noqa: E402
from app.evidence.verify_rules import CHECKPOINT_CONTEXT, ROSTER_CONTEXT  # noqa: E402

Members = list[tuple[str, bytes]]
SUITE = "fieldaudit-verify-conformance"


def read_members(path: Path) -> Members:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def write_members(members: Members, *, comment: bytes = b"", deflate_blobs: bool = False) -> bytes:
    """A package as the exporter lays it out: blobs stored, everything else deflated."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as z:
        warnings.simplefilter("ignore")  # a duplicate name is the point of one case
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            stored = name.startswith("blobs/") and not deflate_blobs
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        z.comment = comment
    return buf.getvalue()


def lines(data: bytes) -> list[bytes]:
    return [x for x in data.split(b"\n") if x]


def jsonl(items: list[bytes]) -> bytes:
    return b"".join(x + b"\n" for x in items)


def get(members: Members, name: str) -> bytes:
    return next(d for n, d in members if n == name)


def put(members: Members, name: str, data: bytes) -> Members:
    return [(n, data if n == name else d) for n, d in members]


def header_edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Members], Members]:
    def edit(members: Members) -> Members:
        header = json.loads(get(members, "fieldaudit-package.json"))
        change(header)
        return put(members, "fieldaudit-package.json", json.dumps(header, ensure_ascii=False).encode())
    return edit


def _first_blob(members: Members) -> str:
    return next(n for n, _ in members if n.startswith("blobs/"))


def _flip_blob(members: Members) -> Members:
    name = _first_blob(members)
    data = bytearray(get(members, name))
    data[len(data) // 2] ^= 1
    return put(members, name, bytes(data))


def _drop_last_leaf(members: Members) -> Members:
    leaves = lines(get(members, "journal.jsonl"))[:-1]
    cps = [c for c in lines(get(members, "checkpoints.jsonl")) if loads(c)["checkpoint"]["size"] <= len(leaves)]
    return put(put(members, "journal.jsonl", jsonl(leaves)), "checkpoints.jsonl", jsonl(cps))


def _sig_extra_member(members: Members) -> Members:
    leaves = lines(get(members, "journal.jsonl"))
    leaf = loads(leaves[3])
    leaf["sig"]["note"] = "an extra member"
    leaves[3] = canonical_bytes(leaf)
    return put(members, "journal.jsonl", jsonl(leaves))


def _resign_last_checkpoint(device: SigningKey, change: Callable[[dict[str, Any]], None]) -> Callable[[Members], Members]:
    def edit(members: Members) -> Members:
        cps = lines(get(members, "checkpoints.jsonl"))
        rec = loads(cps[-1])
        change(rec["checkpoint"])
        rec["sig"] = sign_object(device, rec["checkpoint"]["device"], CHECKPOINT_CONTEXT, rec["checkpoint"])
        cps[-1] = canonical_bytes(rec)
        return put(members, "checkpoints.jsonl", jsonl(cps))
    return edit


def _replay_checkpoint(members: Members) -> Members:
    cps = lines(get(members, "checkpoints.jsonl"))
    return put(members, "checkpoints.jsonl", jsonl([*cps, cps[0]]))


def _deep_json(members: Members) -> Members:
    leaves = lines(get(members, "journal.jsonl"))
    leaves[2] = b"[" * 200 + b"]" * 200
    return put(members, "journal.jsonl", jsonl(leaves))


def _long_line(members: Members) -> Members:
    leaves = lines(get(members, "journal.jsonl"))
    leaves[2] = b'"' + b"x" * (70 << 10) + b'"'
    return put(members, "journal.jsonl", jsonl(leaves))


def _payload_name(data: bytes) -> str:
    import hashlib

    return f"payloads/{hashlib.sha256(data).hexdigest()}.json"


def _big_payload(members: Members) -> bytes:
    """A deflated 64 MiB payload no entry refers to (above the 4 MiB limit), written as a stream."""
    buf = io.BytesIO(write_members(members))
    with zipfile.ZipFile(buf, "a") as z:
        info = zipfile.ZipInfo("payloads/" + "0" * 64 + ".json", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return buf.getvalue()


# --- raw byte damage -------------------------------------------------------------------------------------------


def _damage_central_directory(data: bytes) -> bytes:
    at = data.find(b"PK\x01\x02")
    out = bytearray(data)
    out[at + 3] = 0x09  # the first central directory entry's signature
    return bytes(out)


def _crc_mismatch(data: bytes, members: Members) -> bytes:
    name = _first_blob(members).encode()
    at = data.find(name) + len(name)  # a stored blob's data follows its local header name (no extra field)
    out = bytearray(data)
    out[at + 10] ^= 0xFF
    return bytes(out)


def _bad_local_header(data: bytes) -> bytes:
    out = bytearray(data)
    out[8:10] = struct_pack_h(99)  # compression method 99 in the first local header only
    return bytes(out)


def struct_pack_h(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _symlink_member(members: Members) -> bytes:
    """The first blob marked as a symbolic link in the central directory (``unzip`` would create a link)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name.startswith("blobs/") else zipfile.ZIP_DEFLATED
            if name == _first_blob(members):
                info.create_system, info.external_attr = 3, (0o120777 << 16)
            z.writestr(info, data)
    return buf.getvalue()


def _page_signature_moved(store: Any, case_id: str, work: Path) -> Path:
    """A package from a store where the interviewee's signature on page 1 of the 询问笔录 binds the hash of other
    text than that page as issued (a signature moved onto other text). It is made with the laptop's own keys and
    signing path (as ``provider.record_signature`` makes one, after closing), so that the package is valid in
    every other way."""
    from app.evidence.blobstore import BlobStore
    from app.evidence.clock import clock_claim
    from app.evidence.objects import sign_and_store, signing_pair
    from app.evidence.package import export_case
    from app.evidence.page_hash import text_sha256
    from app.evidence.provider import Signer, _validate_strokes
    from app.evidence.records import records_of_case
    from app.ids import uuid7
    from app.models.schema import SignedObject
    from app.workflow import demo_files as files

    store.unlock_inspector("demo-passphrase-2")
    record = str(records_of_case(store, case_id, "interview")[-1]["record"])
    strokes = files.signature_strokes(7)
    blobs = BlobStore(store)
    with store.transaction() as s:
        target = s.get(SignedObject, record)
        signers = signing_pair(s, store, case_id)
        binding = {
            "v": 1, "type": "provider-signature", "case": case_id, "target": record, "target_type": target.type,
            "target_sha256": target.sha256, "shown_sha256": text_sha256("另一页的文字"), "page": 1,
            "signer": Signer("孙演示", "被询问人").as_json(), "purpose": "笔录确认", "statement": "",
            "time": clock_claim(s, case_id),
            "strokes_sha256": blobs.ingest_bytes(s, canonical_bytes({"v": 1, "strokes": _validate_strokes(strokes)}
                                                                      )).sha256,
            "image_sha256": blobs.ingest_bytes(s, files.signature_png(strokes)).sha256, "inspectors": signers,
        }
        sign_and_store(s, store, case_id, "provider-signature", binding, signers, object_id=uuid7(),
                       target_id=record)
    return Path(export_case(store, case_id, work / "moved.fapkg").path)


def _one_issuer(store: Any, case_id: str, work: Path) -> Path:
    """A package where a ``document.issued`` entry names its own actor as the document's second issuer
    (``co_issuer``: one inspector acting as two, 条例 Art. 29). Journaled with the laptop's own keys and append
    path, so that the package is valid in every other way."""
    from app.evidence import journal
    from app.evidence.package import export_case
    from app.workflow.issuing import ISSUED, issued_documents

    with store.transaction() as s:
        doc = [d for d in issued_documents(s, case_id) if "record" not in d.source][-1]
        actor = store.unlocked_inspectors()[0]
        journal.append(s, store, case_id, actor, ISSUED, {**doc.body, "co_issuer": actor})
    return Path(export_case(store, case_id, work / "one-issuer.fapkg").path)


def generate(out: Path) -> list[dict[str, Any]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from app.evidence.package import export_case, export_roster
    from app.evidence.sealed import SealedWriter
    from app.models.profile import Profile
    from app.workflow.demo import build_demo

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="conformance-"))
    try:
        demo = build_demo(work / "demo", "demo-passphrase-1", "demo-passphrase-2")
        with Profile.open(work / "demo").unlock("demo-passphrase-1") as store:
            first = export_case(store, demo.case_id, work / "first.fapkg")
            second = export_case(store, demo.case_id, work / "second.fapkg")
        shutil.copytree(work / "demo", work / "demo-one-issuer")  # each forgery in a store of its own
        with Profile.open(work / "demo-one-issuer").unlock("demo-passphrase-1") as store:
            one_issuer = _one_issuer(store, demo.case_id, work)
        with Profile.open(work / "demo").unlock("demo-passphrase-1") as store:
            moved = _page_signature_moved(store, demo.case_id, work)
            roster = export_roster(store)
            device = store.device_key
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    base = read_members(second.path)
    cases: list[dict[str, Any]] = []

    def case(name: str, data: bytes, codes: list[str], args: list[str] | None = None) -> None:
        (out / f"{name}.fapkg").write_bytes(data)
        cases.append({"name": name, "file": f"{name}.fapkg", "args": args or [], "exit": 1 if codes else 0,
                      "codes": codes})

    def members_case(name: str, edit: Callable[[Members], Members], codes: list[str]) -> None:
        case(name, write_members(edit(list(base))), codes)

    # trust: a roster signed by an archive key (pinned by fingerprint), a forged one, one signed by another key
    archive, other = SigningKey.generate(), SigningKey.generate()
    fingerprint = public_key_fingerprint(archive.public_raw())

    def signed(key: SigningKey, body: dict[str, Any]) -> dict[str, Any]:
        return {"roster": body, "sig": sign_object(key, "archive", ROSTER_CONTEXT, body)}

    (out / "roster-signed.json").write_text(json.dumps(signed(archive, roster), ensure_ascii=False), "utf-8")
    forged = signed(archive, roster)
    forged["sig"]["signature"] = b64(bytes(64))
    (out / "roster-forged.json").write_text(json.dumps(forged, ensure_ascii=False), "utf-8")
    (out / "roster-other-key.json").write_text(json.dumps(signed(other, roster), ensure_ascii=False), "utf-8")
    expired = json.loads(json.dumps(roster))
    for i in expired["inspectors"]:
        i["valid_from"], i["valid_until"] = "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"
    (out / "roster-expired.json").write_text(json.dumps(signed(archive, expired), ensure_ascii=False), "utf-8")
    (out / "roster-unsigned.json").write_text(json.dumps(roster, ensure_ascii=False), "utf-8")
    sealed_key = X25519PrivateKey.generate()
    (out / "sealed.key").write_text(base64.b64encode(sealed_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())).decode() + "\n")

    valid = second.path.read_bytes()
    case("valid", valid, [])
    case("valid-rewritten", write_members(base), [])
    case("valid-signed-roster", valid, [], ["--trust", "roster-signed.json", "--archive-key", fingerprint])
    case("valid-unsigned-roster", valid, [], ["--trust", "roster-unsigned.json", "--unsigned-roster"])
    case("valid-expect-latest", valid, [], ["--expect", second.fingerprint])
    case("valid-expect-earlier", valid, [], ["--expect", first.fingerprint])
    sealed = io.BytesIO()
    writer = SealedWriter(sealed, sealed_key.public_key())
    writer.write(valid)
    writer.close()
    case("valid-sealed", sealed.getvalue(), [], ["--key", "sealed.key"])
    case("page-signature-moved", moved.read_bytes(), ["page_binding_mismatch"])
    case("document-issued-by-one", one_issuer.read_bytes(), ["co_issuer_invalid"])

    case("roster-forged-signature", valid, ["roster_bad_signature"],
         ["--trust", "roster-forged.json", "--archive-key", fingerprint])
    case("roster-signed-by-another-key", valid, ["roster_wrong_key"],
         ["--trust", "roster-other-key.json", "--archive-key", fingerprint])
    case("roster-credential-expired", valid, ["outside_validity"],
         ["--trust", "roster-expired.json", "--archive-key", fingerprint])
    case("rolled-back", first.path.read_bytes(), ["expect_missing"], ["--expect", second.fingerprint])

    members_case("header-institution", header_edit(lambda h: h.update(institution="另一家医院")), ["header_mismatch"])
    members_case("header-inspector-name", header_edit(lambda h: h["inspectors"][0].update(name="王五")),
                 ["header_mismatch"])
    members_case("header-credential-no", header_edit(lambda h: h["inspectors"][0].update(credential_no="0")),
                 ["header_mismatch"])
    members_case("header-created", header_edit(lambda h: h.update(created="2020-01-01T00:00:00.000Z")),
                 ["header_mismatch"])
    members_case("header-fingerprint",
                 header_edit(lambda h: h["journal"].update(fingerprint="1-0000 0000 0000 0000")), ["header_mismatch"])
    members_case("header-extra-member", header_edit(lambda h: h.update(note="x")), ["bad_header"])
    members_case("header-version-1", header_edit(lambda h: h.update(v=1)), ["unsupported_version"])
    case("no-export-statement", write_members(_drop_last_leaf(read_members(first.path))), ["no_export_statement"])

    members_case("duplicate-member", lambda m: [*m, ("journal.jsonl", get(m, "journal.jsonl"))], ["member_duplicate"])
    members_case("traversal-member", lambda m: [*m, ("../evil.txt", b"x")], ["member_unsafe_name"])
    members_case("absolute-member", lambda m: [*m, ("/etc/evil.txt", b"x")], ["member_unsafe_name"])
    members_case("extra-member", lambda m: [*m, ("notes.txt", b"x")], ["member_unknown"])
    members_case("directory-member", lambda m: [*m, ("payloads/", b"")], ["member_unknown"])
    members_case("missing-journal", lambda m: [(n, d) for n, d in m if n != "journal.jsonl"], ["member_missing"])
    members_case("unreferenced-payload", lambda m: [*m, (_payload_name(b'{"x":1}'), b'{"x":1}')],
                 ["member_unreferenced"])
    members_case("unreferenced-blob", lambda m: [*m, ("blobs/" + "ab" * 32, b"not referenced")],
                 ["member_unreferenced"])
    case("oversized-payload", _big_payload(base), ["member_too_large"])
    case("deflated-blob", write_members(base, deflate_blobs=True), ["zip_unsupported"])
    case("symlink-member", _symlink_member(base), ["zip_unsupported"])
    case("zip-comment", write_members(base, comment=b"hidden"), ["zip_slack"])
    case("bytes-before-first-member", b"\0" * 64 + valid, ["zip_slack"])
    case("bytes-after-end-record", valid + b"\0" * 64, ["zip_malformed"])
    case("damaged-central-directory", _damage_central_directory(valid), ["zip_malformed"])
    case("crc-mismatch", _crc_mismatch(write_members(base), base), ["member_corrupt"])
    case("bad-local-header", _bad_local_header(valid), ["zip_malformed"])
    case("not-a-zip", b"this is not a zip file\n", ["zip_malformed"])
    case("truncated", valid[: len(valid) // 2], ["zip_malformed"])
    members_case("deeply-nested-json", _deep_json, ["json_too_deep"])
    members_case("overlong-line", _long_line, ["line_too_long"])

    members_case("signature-record-extra-member", _sig_extra_member, ["bad_signature"])
    members_case("checkpoint-time-not-utc",
                 _resign_last_checkpoint(device, lambda c: c.update(time="2026-11-23T17:00:00+08:00")),
                 ["bad_checkpoint"])
    members_case("checkpoint-time-words", _resign_last_checkpoint(device, lambda c: c.update(time="yesterday")),
                 ["bad_checkpoint"])
    members_case("checkpoint-extra-member", _resign_last_checkpoint(device, lambda c: c.update(note="x")),
                 ["bad_checkpoint"])
    members_case("checkpoint-replayed", _replay_checkpoint, ["journal_rollback"])
    members_case("blob-altered", _flip_blob, ["blob_mismatch"])

    flipped = bytearray(sealed.getvalue())
    flipped[len(flipped) // 2] ^= 1
    case("sealed-altered", bytes(flipped), ["sealed_damaged"], ["--key", "sealed.key"])
    case("sealed-truncated", sealed.getvalue()[:-100], ["sealed_damaged"], ["--key", "sealed.key"])

    shutil.rmtree(work, ignore_errors=True)
    manifest = {"suite": SUITE, "v": 1, "cases": cases}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return cases


def expected_manifest(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The committed form: what each case expects, without the run-specific key fingerprints in ``args``."""
    return {"suite": SUITE, "v": 1, "cases": [
        {"name": c["name"], "exit": c["exit"], "codes": c["codes"],
         "args": [a if not any(ch.isdigit() for ch in a) or a.endswith((".json", ".key")) else "<fingerprint>"
                  for a in c["args"]]} for c in cases]}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/conformance/generate.py OUTDIR")
    made = generate(Path(sys.argv[1]))
    print(f"{len(made)} cases in {sys.argv[1]}")
