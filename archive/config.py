"""Where the archive keeps things and the knobs read from the environment (one place for all of them)."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "archive.json"


class ConfigError(RuntimeError):
    """The data directory or its configuration is unusable."""


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value) or value < 0:  # nan made every limit comparison false: no limit at all
        raise ConfigError(f"{name} must be a finite number, not negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Tunables; each has an environment override (FIELDAUDIT_ARCHIVE_*)."""

    clock_skew_s: float = 300.0  # accepted |archive time - request time|
    rate_per_s: float = 50.0  # sustained requests per device
    rate_burst: float = 400.0  # bucket size
    upload_ttl_s: float = 7 * 24 * 3600.0  # an open upload untouched this long is discarded
    enrolment_ttl_s: float = 24 * 3600.0
    header_timeout_s: float = 30.0  # a request's line and headers must arrive within this (slowloris)
    body_timeout_s: float = 60.0  # a request body that sends nothing for this long is closed
    upload_stale_s: float = 15.0  # a PATCH silent this long may be displaced by its own device's next PATCH
    max_open_uploads: float = 64  # per device
    max_open_upload_bytes: float = 64 * 1024**3  # per device: declared lengths of its open uploads
    enrol_rate_per_s: float = 0.2  # enrolment attempts per client address, sustained
    enrol_burst: float = 30.0

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            clock_skew_s=_env_float("FIELDAUDIT_ARCHIVE_CLOCK_SKEW", cls.clock_skew_s),
            rate_per_s=_env_float("FIELDAUDIT_ARCHIVE_RATE", cls.rate_per_s),
            rate_burst=_env_float("FIELDAUDIT_ARCHIVE_BURST", cls.rate_burst),
            upload_ttl_s=_env_float("FIELDAUDIT_ARCHIVE_UPLOAD_TTL", cls.upload_ttl_s),
            enrolment_ttl_s=_env_float("FIELDAUDIT_ARCHIVE_ENROLMENT_TTL", cls.enrolment_ttl_s),
            header_timeout_s=_env_float("FIELDAUDIT_ARCHIVE_HEADER_TIMEOUT", cls.header_timeout_s),
            body_timeout_s=_env_float("FIELDAUDIT_ARCHIVE_BODY_TIMEOUT", cls.body_timeout_s),
            upload_stale_s=_env_float("FIELDAUDIT_ARCHIVE_UPLOAD_STALE", cls.upload_stale_s),
            max_open_uploads=_env_float("FIELDAUDIT_ARCHIVE_MAX_OPEN_UPLOADS", cls.max_open_uploads),
            max_open_upload_bytes=_env_float("FIELDAUDIT_ARCHIVE_MAX_OPEN_UPLOAD_BYTES", cls.max_open_upload_bytes),
            enrol_rate_per_s=_env_float("FIELDAUDIT_ARCHIVE_ENROL_RATE", cls.enrol_rate_per_s),
            enrol_burst=_env_float("FIELDAUDIT_ARCHIVE_ENROL_BURST", cls.enrol_burst),
        )


@dataclass(frozen=True)
class ArchivePaths:
    data: Path

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    @property
    def staging(self) -> Path:
        return self.data / "staging"

    @property
    def key(self) -> Path:
        return self.data / "archive_key.ed25519"

    @property
    def sqlite(self) -> Path:
        return self.data / "archive.db"

    @property
    def config(self) -> Path:
        return self.data / CONFIG_FILE


def _read_config(paths: ArchivePaths) -> dict[str, str]:
    if not paths.config.exists():
        return {}
    try:
        stored = json.loads(paths.config.read_text())
    except ValueError as exc:
        raise ConfigError(f"{paths.config} is not a valid archive configuration") from exc
    if not isinstance(stored, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in stored.items()
    ):
        raise ConfigError(f"{paths.config} is not a valid archive configuration")
    return stored


def _remember(paths: ArchivePaths, **values: str) -> None:
    """Merge ``values`` into DIR/archive.json (mode 0600, replaced atomically)."""
    config = {**_read_config(paths), **values}
    tmp = paths.config.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(config, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, paths.config)


def resolve_database_url(paths: ArchivePaths, database_url: str | None, *, create: bool) -> str:
    """The database URL: given explicitly (then remembered in DIR/archive.json, mode 0600), else the one
    remembered, else the embedded SQLite file DIR/archive.db."""
    if not paths.data.is_dir():
        if not create:
            raise ConfigError(f"archive data directory {paths.data} does not exist")
        paths.data.mkdir(parents=True, mode=0o700)
    if database_url:
        if create:
            _remember(paths, database_url=database_url)
        return database_url
    stored = _read_config(paths).get("database_url")
    if stored:
        return stored
    if not create and not paths.sqlite.exists():
        raise ConfigError(f"{paths.data} holds no archive (no archive.db); start the archive once first")
    return f"sqlite:///{paths.sqlite}"


@dataclass(frozen=True)
class BlobStoreConfig:
    """Where blobs live: ``file`` (DIR/blobs, the default) or ``s3://BUCKET[/PREFIX]`` at ``endpoint``."""

    url: str = "file"
    endpoint: str | None = None

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")


def resolve_blob_store(
    paths: ArchivePaths, url: str | None, endpoint: str | None, *, create: bool
) -> BlobStoreConfig:
    """The blob store: given explicitly (remembered in DIR/archive.json when ``create``), else the one
    remembered, else the folder DIR/blobs. An archive's blob store is never switched silently: giving another
    one than the remembered one is refused (move the blobs, then edit archive.json)."""
    stored = _read_config(paths)
    remembered = BlobStoreConfig(stored.get("blob_store", "file"), stored.get("s3_endpoint") or None)
    if url is None:
        return BlobStoreConfig(remembered.url, endpoint or remembered.endpoint)
    if url != "file" and not url.startswith("s3://"):
        raise ConfigError(f"--blob-store must be 'file' or s3://BUCKET[/PREFIX], got {url!r}")
    chosen = BlobStoreConfig(url, endpoint or remembered.endpoint)
    previous = stored.get("blob_store", "file" if paths.key.exists() else None)  # an older archive: its folder
    if previous is not None and previous != url:
        raise ConfigError(
            f"this archive keeps its blobs in {previous}, not {url}; "
            "move the blobs first, then change blob_store in archive.json"
        )
    if create and "blob_store" not in stored:
        extra = {"s3_endpoint": chosen.endpoint} if chosen.endpoint else {}
        _remember(paths, blob_store=url, **extra)
    return chosen
