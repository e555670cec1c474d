"""The archive's long-lived state: paths, settings, database, blob store and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.evidence.signing import SigningKey, b64
from archive.blobstore import BlobStore, FileBlobStore
from archive.config import ArchivePaths, BlobStoreConfig, Settings, resolve_blob_store, resolve_database_url
from archive.db import Database
from archive.filemodes import secure_tree
from archive.keys import fingerprint, load_or_create_key


@dataclass
class Archive:
    paths: ArchivePaths
    settings: Settings
    db: Database
    store: BlobStore
    key: SigningKey

    @property
    def public_key_b64(self) -> str:
        return b64(self.key.public_raw())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


def make_blob_store(paths: ArchivePaths, config: BlobStoreConfig) -> BlobStore:
    if config.is_s3:
        from archive.s3store import S3BlobStore

        store = S3BlobStore(config.url, endpoint_url=config.endpoint)
        store.check_bucket()
        return store
    return FileBlobStore(paths.blobs)


def open_archive(
    data: Path,
    database_url: str | None = None,
    *,
    create: bool,
    blob_store: str | None = None,
    s3_endpoint: str | None = None,
) -> Archive:
    """Open (``create``: and initialise) the archive in ``data``."""
    paths = ArchivePaths(data)
    url = resolve_database_url(paths, database_url, create=create)
    blobs = resolve_blob_store(paths, blob_store, s3_endpoint, create=create)
    if create:
        paths.staging.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = Database(url)
    if create:
        db.create_schema()
    else:
        db.check_schema()
    key = load_or_create_key(paths.key) if create or paths.key.exists() else None
    if key is None:
        raise FileNotFoundError(f"{paths.key} missing")
    store = make_blob_store(paths, blobs)
    secure_tree(paths)  # after the database file and folders exist: 0600 files, 0700 folders
    return Archive(paths, Settings.from_env(), db, store, key)
