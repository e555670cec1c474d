"""Blobs in S3-compatible object storage, against a real S3 API server on loopback (moto[server] in a child
process): put-if-absent, server-side SHA-256 checksums, multipart, a killed upload leaves nothing visible and
resumes, and an archive process serving laptops with its blobs in the bucket."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archive.blobstore import BlobRejected
from archive.s3store import S3BlobStore, S3ConfigError, parse_s3_url
from tests.archive.conftest import enrolled_laptop
from tests.archive.helpers import ArchiveProcess
from tests.archive.s3server import CREDENTIALS, S3Server
from tests.archive.test_uploads import CHUNK, head_offset, make_blob, resume, resume_one

MIB = 1024 * 1024


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    for k, v in CREDENTIALS.items():
        monkeypatch.setenv(k, v)
    return s3_server


@pytest.fixture
def store(s3_env: S3Server) -> S3BlobStore:
    bucket = s3_env.new_bucket()
    return S3BlobStore(f"s3://{bucket}/agency-a", endpoint_url=s3_env.url, part_size=5 * MIB,
                       multipart_threshold=5 * MIB)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_urls_are_checked() -> None:
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b/")
    for bad in ("bucket", "file:///x", "s3:///nobucket", "https://bucket"):
        with pytest.raises(S3ConfigError):
            parse_s3_url(bad)


def test_put_if_absent_verified_and_never_overwritten(store: S3BlobStore, s3_env: S3Server) -> None:
    data = b"photo bytes " * 1000
    sha = _sha(data)
    assert not store.exists(sha)
    assert store.put_bytes(data, sha) is True
    assert store.put_bytes(data, sha) is False  # already there: a no-op
    assert store.exists(sha) and store.size(sha) == len(data)
    with store.open(sha) as fh:
        assert fh.read() == data
    assert list(store.iter_hashes()) == [sha]
    assert s3_env.keys(store.bucket) == [f"agency-a/blobs/{sha[:2]}/{sha}"]

    for bad_data, bad_sha in ((b"", _sha(b"")), (b"other", sha), (data, "A" * 64), (data, "../../etc")):
        with pytest.raises(BlobRejected):
            store.put_bytes(bad_data, bad_sha)
    assert list(store.iter_hashes()) == [sha]


def test_overwrites_are_refused_by_the_server_and_checksums_are_sent(store: S3BlobStore, s3_env: S3Server) -> None:
    """Put-if-absent is the S3 server's refusal, not only our own check; every write carries its SHA-256 for
    the server to recompute (moto 5.2 accepts the header without checking it; S3 and MinIO refuse a mismatch)."""
    client = s3_env.client()
    data = b"genuine"
    sha = _sha(data)
    store.put_bytes(data, sha)
    with pytest.raises(Exception) as overwrite:
        client.put_object(Bucket=store.bucket, Key=store.key(sha), Body=b"forged", IfNoneMatch="*")
    assert "PreconditionFailed" in str(overwrite.value) or "412" in str(overwrite.value)
    with store.open(sha) as fh:
        assert fh.read() == data

    sent: list[dict[str, str]] = []
    store.client.meta.events.register(
        "before-send.s3.*", lambda request, **_: sent.append(_lower(request.headers.items()))
    )
    big = make_blob(6 * MIB)
    for blob in (b"small object", big):
        store.put_bytes(blob, _sha(blob)) if len(blob) < MIB else _put_via_file(store, blob)
    writes = [h for h in sent if "x-amz-checksum-sha256" in h]
    assert len(writes) >= 3  # one single PUT, two parts
    single = next(h for h in writes if h.get("if-none-match") == "*")
    assert single["x-amz-checksum-sha256"] == base64.b64encode(bytes.fromhex(_sha(b"small object"))).decode()


def _lower(items: object) -> dict[str, str]:
    out = {}
    for k, v in items:  # type: ignore[attr-defined]
        key = k.decode() if isinstance(k, bytes) else str(k)
        out[key.lower()] = v.decode() if isinstance(v, bytes) else str(v)
    return out


def _put_via_file(store: S3BlobStore, data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(delete=False) as fh:
        fh.write(data)
    assert store.put_file(Path(fh.name), _sha(data), len(data)) is True


def test_large_files_go_up_in_parts(store: S3BlobStore, tmp_path: Path) -> None:
    data = make_blob(11 * MIB + 123)
    sha = _sha(data)
    src = tmp_path / "staged"
    src.write_bytes(data)
    assert store.put_file(src, sha, len(data)) is True
    assert not src.exists()  # consumed
    with store.open(sha) as fh:
        h = hashlib.sha256()
        while chunk := fh.read(MIB):
            h.update(chunk)
    assert h.hexdigest() == sha and store.size(sha) == len(data)
    assert store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []
    src.write_bytes(data)
    assert store.put_file(src, sha, len(data)) is False  # present: nothing re-sent
    src.write_bytes(data[:-1] + b"\0")
    with pytest.raises(BlobRejected):
        store.put_file(src, sha, len(data))


def test_stale_incomplete_writes_are_aborted(store: S3BlobStore) -> None:
    client = store.client
    sha = _sha(b"never completed")
    client.create_multipart_upload(Bucket=store.bucket, Key=store.key(sha), ChecksumAlgorithm="SHA256")
    assert len(client.list_multipart_uploads(Bucket=store.bucket)["Uploads"]) == 1
    assert not store.exists(sha)  # parts never show as an object
    # (moto reports every upload as started in 2010, so the age filter itself cannot be exercised here)
    assert store.abort_incomplete(older_than_s=0) == 1
    assert client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []
    assert not store.exists(sha)


@pytest.fixture
def s3_archive(tmp_path: Path, s3_env: S3Server) -> Iterator[tuple[ArchiveProcess, str]]:
    bucket = s3_env.new_bucket()
    proc = ArchiveProcess(
        tmp_path / "archive",
        env={**s3_env.env, "FIELDAUDIT_ARCHIVE_S3_PART_SIZE": str(5 * MIB),
             "FIELDAUDIT_ARCHIVE_S3_MULTIPART_THRESHOLD": str(5 * MIB)},
        args=["--blob-store", f"s3://{bucket}/fa", "--s3-endpoint", s3_env.url],
    ).start()
    try:
        yield proc, bucket
    finally:
        proc.kill()


def test_archive_with_blobs_in_object_storage(s3_archive: tuple[ArchiveProcess, str], s3_env: S3Server) -> None:
    proc, bucket = s3_archive
    laptop = enrolled_laptop(proc)
    data = make_blob(CHUNK + 17)
    with laptop.client() as c:
        laptop.upload(c, data)
        assert c.post("/v1/blobs/missing", json={"hashes": [_sha(data)]}).json()["missing"] == []
    assert s3_env.keys(bucket) == [f"fa/blobs/{_sha(data)[:2]}/{_sha(data)}"]
    assert not any((proc.data / "blobs").glob("*/*"))  # nothing kept in the folder store
    assert '"blobs": 1' in proc.admin("stats").stdout
    assert proc.admin("verify").returncode == 0
    # an object changed behind the archive's back is found by admin verify
    s3_env.client().delete_object(Bucket=bucket, Key=f"fa/blobs/{_sha(data)[:2]}/{_sha(data)}")
    s3_env.client().put_object(Bucket=bucket, Key=f"fa/blobs/{_sha(data)[:2]}/{_sha(data)}", Body=b"tampered")
    assert proc.admin("verify", check=False).returncode == 1


def test_the_blob_store_is_not_switched_silently(s3_archive: tuple[ArchiveProcess, str]) -> None:
    proc, _bucket = s3_archive
    import subprocess
    import sys

    from tests.archive.helpers import REPO

    res = subprocess.run([sys.executable, "-m", "archive", "--data", str(proc.data), "--blob-store", "file",
                          "--port", "1"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
                         env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert res.returncode != 0 and "s3://" in res.stderr


def test_upload_killed_midway_leaves_nothing_visible_and_resumes(
    s3_archive: tuple[ArchiveProcess, str], s3_env: S3Server
) -> None:
    proc, bucket = s3_archive
    laptop = enrolled_laptop(proc)
    data = make_blob(3 * CHUNK)
    sha = _sha(data)
    with laptop.client() as c:
        uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
        resume_one(c, uid, data, 0)
    proc.kill()  # SIGKILL with a third of the bytes acknowledged
    assert s3_env.keys(bucket) == []
    proc.start()
    laptop.base_url = proc.url
    with laptop.client() as c:
        assert head_offset(c, uid) == (CHUNK, "open")
        assert resume(c, uid, data) == 2 * CHUNK
    assert s3_env.keys(bucket) == [f"fa/blobs/{sha[:2]}/{sha}"]
    assert proc.admin("verify").returncode == 0


def test_killed_while_writing_parts_to_the_object_store(
    s3_archive: tuple[ArchiveProcess, str], s3_env: S3Server
) -> None:
    """Killed after the first part of a multipart object went to the store: no object is visible; the next
    start completes the upload from the staged bytes."""
    proc, bucket = s3_archive
    laptop = enrolled_laptop(proc)
    data = make_blob(11 * MIB)
    sha = _sha(data)
    proc.kill()
    proc.start(env={"FIELDAUDIT_ARCHIVE_CRASHPOINT": "s3.after_part"})
    laptop.base_url = proc.url
    with laptop.client() as c:
        uid = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()["id"]
        resume_one(c, uid, data, 0)
        resume_one(c, uid, data, CHUNK)
        with pytest.raises(httpx.HTTPError):
            c.patch(f"/v1/uploads/{uid}", content=data[2 * CHUNK :],
                    headers={"Upload-Offset": str(2 * CHUNK), "Content-Type": "application/offset+octet-stream"})
    assert proc.wait_dead() == 137
    assert s3_env.keys(bucket) == []
    assert len(s3_env.client().list_multipart_uploads(Bucket=bucket)["Uploads"]) == 1
    proc.kill()
    proc.start()
    laptop.base_url = proc.url
    with laptop.client() as c:
        r = c.head(f"/v1/uploads/{uid}")
        assert r.status_code == 200
        _offset, status = head_offset(c, uid)
        if status != "complete":
            resume(c, uid, data)
        r = c.get(f"/v1/uploads/{uid}")
        assert r.json()["status"] == "complete"
    assert s3_env.keys(bucket) == [f"fa/blobs/{sha[:2]}/{sha}"]
    assert proc.admin("verify").returncode == 0


def test_a_second_device_sends_the_bytes_of_a_stored_blob_and_it_is_kept_once(
    s3_archive: tuple[ArchiveProcess, str], s3_env: S3Server
) -> None:
    """Possession is proved by bytes on object storage too (archive/PROTOCOL.md "Blobs a device may name"): the
    second device's upload is not answered complete at once; its bytes are hashed and the stored object kept."""
    proc, bucket = s3_archive
    first, second = enrolled_laptop(proc), enrolled_laptop(proc)
    data = make_blob(CHUNK + 7)
    sha = _sha(data)
    with first.client() as c:
        assert first.upload(c, data)["status"] == "complete"
    with second.client() as c:
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == [sha]
        st = c.post("/v1/uploads", json={"sha256": sha, "length": len(data)}).json()
        assert (st["status"], st["offset"]) == ("open", 0)
        assert second.upload(c, data)["status"] == "complete"
        assert c.post("/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
    assert s3_env.keys(bucket) == [f"fa/blobs/{sha[:2]}/{sha}"]
    assert not list((proc.data / "staging").iterdir())
