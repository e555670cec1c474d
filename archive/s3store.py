"""Blobs in S3-compatible object storage (any server that speaks the S3 API), with the semantics of
:class:`archive.blobstore.BlobStore`.

* The archive stages an upload on its own disk (``DIR/staging``), verifies length and SHA-256 there, and only then
  writes the object: a blob is visible in the bucket only when it is complete and verified. A process killed
  while it writes leaves at most an incomplete multipart upload, which S3 never shows as an object and
  :meth:`S3BlobStore.abort_incomplete` removes.
* Every write is put-if-absent (``If-None-Match: *``) and carries the SHA-256 checksum (``x-amz-checksum-sha256``,
  per part for multipart uploads), so the server recomputes and refuses corrupted bytes, and an object already
  stored is never overwritten. A 412 means another archive process stored it first: the size is confirmed with
  a HEAD and the call counts as "already present".
* Objects larger than ``multipart_threshold`` go up in parts of ``part_size`` bytes.
* Keys are ``PREFIX/blobs/ab/abcdef…`` (``PREFIX`` may be empty).

Configured with ``--blob-store s3://BUCKET[/PREFIX]``; the endpoint comes from ``--s3-endpoint`` (or
``FIELDAUDIT_ARCHIVE_S3_ENDPOINT``), credentials and region from boto3's usual chain (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, a profile, an instance role).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from archive.blobstore import CHUNK, BlobRejected, hash_file, valid_sha256
from archive.crash import crashpoint

DEFAULT_PART = 16 * 1024 * 1024
DEFAULT_THRESHOLD = 64 * 1024 * 1024


class S3ConfigError(ValueError):
    """The blob-store URL or the S3 settings are unusable."""


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix/``)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise S3ConfigError(f"not an S3 blob-store URL (s3://BUCKET[/PREFIX]): {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, (prefix + "/") if prefix else ""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit():
        raise S3ConfigError(f"{name} must be a whole number of bytes, got {raw!r}")
    return int(raw)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class _Body(io.RawIOBase):
    """A readable, closable stream over an S3 GET body (``with store.open(h) as fh: fh.read(n)``)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._body.read(len(b))
        n = len(data)
        b[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3BlobStore:
    def __init__(
        self,
        url: str,
        *,
        endpoint_url: str | None = None,
        client: Any = None,
        part_size: int | None = None,
        multipart_threshold: int | None = None,
    ) -> None:
        self.url = url
        self.bucket, self.prefix = parse_s3_url(url)
        part_size = part_size or _env_int("FIELDAUDIT_ARCHIVE_S3_PART_SIZE", DEFAULT_PART)
        threshold = multipart_threshold or _env_int("FIELDAUDIT_ARCHIVE_S3_MULTIPART_THRESHOLD", DEFAULT_THRESHOLD)
        if part_size < 5 * 1024 * 1024:
            raise S3ConfigError("S3 parts must be at least 5 MiB")
        self.part_size = part_size
        self.multipart_threshold = max(threshold, part_size)
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url or os.environ.get("FIELDAUDIT_ARCHIVE_S3_ENDPOINT") or None,
                config=Config(
                    retries={"max_attempts": 5, "mode": "standard"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            )
        self.client = client

    # --- keys ------------------------------------------------------------------------------------------------

    def key(self, sha256: str) -> str:
        if not valid_sha256(sha256):
            raise BlobRejected("not a lower-case hex SHA-256")
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256}"

    def check_bucket(self) -> None:
        """Fail early, with the server's reason, when the bucket cannot be reached."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            raise S3ConfigError(f"S3 bucket {self.bucket!r} is not reachable: {exc}") from exc

    # --- writing ---------------------------------------------------------------------------------------------

    def _already_there(self, sha256: str, size: int) -> bool:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        if int(head["ContentLength"]) != size:
            raise BlobRejected(
                f"the object store holds {sha256} with {head['ContentLength']} bytes, not {size}"
            )
        return True

    def put_file(self, src: Path, sha256: str, size: int) -> bool:
        key = self.key(sha256)
        try:
            if size <= 0:
                raise BlobRejected("empty object refused")
            digest, n = hash_file(src)
            if n != size:
                raise BlobRejected(f"length {n} differs from the declared {size}")
            if digest != sha256:
                raise BlobRejected("content does not hash to the declared SHA-256")
            if self._already_there(sha256, size):
                return False
            with open(src, "rb") as fh:
                if size > self.multipart_threshold:
                    return self._put_multipart(fh, key, sha256, size)
                return self._put_single(fh.read(), key, sha256, size)
        finally:
            src.unlink(missing_ok=True)

    def put_bytes(self, data: bytes, sha256: str) -> bool:
        key = self.key(sha256)
        if not data:
            raise BlobRejected("empty object refused")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobRejected("content does not hash to the declared SHA-256")
        if self._already_there(sha256, len(data)):
            return False
        return self._put_single(data, key, sha256, len(data))

    def _put_single(self, data: bytes, key: str, sha256: str, size: int) -> bool:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                IfNoneMatch="*",
                ChecksumSHA256=_b64(bytes.fromhex(sha256)),
                ContentLength=size,
            )
        except Exception as exc:
            if _error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return not self._already_there(sha256, size)
            raise
        return True

    def _put_multipart(self, fh: BinaryIO, key: str, sha256: str, size: int) -> bool:
        started = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256")
        upload_id = started["UploadId"]
        parts: list[dict[str, Any]] = []
        try:
            number = 1
            while chunk := fh.read(self.part_size):
                checksum = _b64(hashlib.sha256(chunk).digest())
                answer = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ChecksumSHA256=checksum,
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": checksum})
                crashpoint("s3.after_part")
                number += 1
            try:
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                    IfNoneMatch="*",
                )
            except Exception as exc:
                if _error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                    self._abort(key, upload_id)
                    return not self._already_there(sha256, size)
                raise
        except BaseException:
            self._abort(key, upload_id)
            raise
        if not self._already_there(sha256, size):  # pragma: no cover - the server acknowledged it
            raise BlobRejected("the object store does not show the completed upload")
        return True

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except Exception:  # best effort: abort_incomplete() sweeps what is left
            pass

    def abort_incomplete(self, older_than_s: float = 24 * 3600.0) -> int:
        """Abort multipart uploads under this store's prefix started more than ``older_than_s`` ago (a process
        killed while writing). They were never visible as objects; this frees their parts."""
        horizon = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=older_than_s)
        aborted = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}blobs/"):
            for up in page.get("Uploads", []):
                started = up["Initiated"]
                if started.tzinfo is None:
                    started = started.replace(tzinfo=dt.UTC)
                if started <= horizon:
                    self._abort(up["Key"], up["UploadId"])
                    aborted += 1
        return aborted

    # --- reading ---------------------------------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        if not valid_sha256(sha256):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, sha256: str) -> BinaryIO:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        return io.BufferedReader(_Body(answer["Body"]), buffer_size=CHUNK)  # type: ignore[return-value]

    def size(self, sha256: str) -> int:
        head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        return int(head["ContentLength"])

    def iter_hashes(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        start = f"{self.prefix}blobs/"
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for obj in page.get("Contents", []):
                name = obj["Key"][len(start) :].split("/")[-1]
                if valid_sha256(name):
                    yield name
