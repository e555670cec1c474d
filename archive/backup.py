"""``admin backup`` and ``admin restore``: a consistent dump of the database plus a manifest of the object store.

A backup is a directory:

* ``manifest.json``: format, schema version, archive fingerprint, creation time, and for every table its row
  count and the SHA-256 of its dump file; for the blobs their count, bytes and the SHA-256 of ``blobs.jsonl``.
* ``db/TABLE.jsonl``: every row of every table, one JSON object a line, read in ONE transaction (a snapshot:
  ``REPEATABLE READ`` on PostgreSQL, one read transaction on SQLite's WAL), so the rows agree with each other.
* ``blobs.jsonl``: ``{"sha256", "size"}`` of every blob the database knows, sorted.
* the archive's signing key is **not** in a backup by default: whoever holds it can sign receipts and rosters (the
  trust every laptop and ``verify --trust`` pins), while a backup is copied to places the archive's own folder
  never goes. Kept apart (``DIR/archive_key.ed25519``, offline), it is given to a restore with ``--key``. Asked for
  with a passphrase file (``--key-passphrase-file``), the backup holds it encrypted, ``archive_key.enc.json``
  (Argon2id + AES-256-GCM, the laptop's keyslot primitives, bound to the archive's fingerprint), and a restore opens it
  with the same file. A backup of format version 1 held the key in clear; it still restores.
* ``blobs/ab/abcd…``: the blob bytes, when the archive keeps them in a folder (or with ``--with-blobs``). An
  archive on object storage is backed up by the storage's own means (versioning, replication); its backup holds
  the manifest only, and a restore checks that every listed object is in the target store with its size (and
  its hash with ``--deep``).

The database is portable: a backup of a SQLite archive restores into PostgreSQL and back. A restore never writes
into an existing archive; it checks every file against the manifest before it writes anything, loads the rows,
copies or checks the blobs, and ends with ``admin verify``'s full re-verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import DateTime, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from app.errors import ProfileProblem
from app.evidence.signing import SignatureError, SigningKey, b64, unb64
from app.models import keyslots
from archive.admin import verify_archive
from archive.blobstore import CHUNK, FileBlobStore, valid_sha256
from archive.db import SCHEMA_VERSION, Base, Blob, iso, utcnow
from archive.keys import fingerprint
from archive.service import Archive, open_archive

FORMAT = "fieldaudit-archive-backup"
VERSION = 2
READABLE_VERSIONS = (1, 2)
KEY_FILE_V1 = "archive_key.ed25519"  # version 1: the key in clear
KEY_FILE = "archive_key.enc.json"
KEY_FORMAT = "fieldaudit-archive-key"
MIN_PASSPHRASE = 16
BATCH = 2000


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _decode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.name not in row:
            raise BackupError(f"db/{table.name}.jsonl: a row lacks column {col.name}")
        value = row[col.name]
        if value is not None and isinstance(col.type, DateTime):
            value = dt.datetime.fromisoformat(value)
        out[col.name] = value
    if set(row) - set(out):
        raise BackupError(f"db/{table.name}.jsonl: unknown columns {sorted(set(row) - set(out))}")
    return out


def _line(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _private_file(path: Path) -> Any:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _snapshot(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))


# --- backup ------------------------------------------------------------------------------------------------


def backup(archive: Archive, out: Path, *, with_blobs: bool | None = None,
           key_passphrase: str | None = None) -> dict[str, Any]:
    """Write a backup of ``archive`` into the new directory ``out``; returns the manifest. The archive key goes in
    only with ``key_passphrase``, encrypted under it."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} exists and is not an empty directory; a backup never overwrites")
    if key_passphrase is not None:
        check_passphrase(key_passphrase)
    copy_blobs = isinstance(archive.store, FileBlobStore) if with_blobs is None else with_blobs
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(out, 0o700)
    (out / "db").mkdir(mode=0o700)
    tables: dict[str, Any] = {}
    with archive.db.read() as s:
        _snapshot(s)
        schema = s.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one()
        for table in _tables():
            path = out / "db" / f"{table.name}.jsonl"
            rows = 0
            with _private_file(path) as fh:
                order = list(table.primary_key.columns)
                for row in s.execute(select(table).order_by(*order)).mappings():
                    fh.write(_line({k: _encode(v) for k, v in row.items()}))
                    rows += 1
                fh.flush()
                os.fsync(fh.fileno())
            tables[table.name] = {"rows": rows, "sha256": _sha256_file(path)}
        blob_rows = s.execute(select(Blob.sha256, Blob.size).order_by(Blob.sha256)).all()
    blob_bytes = 0
    with _private_file(out / "blobs.jsonl") as fh:
        for sha, size in blob_rows:
            fh.write(_line({"sha256": sha, "size": int(size)}))
            blob_bytes += int(size)
    if copy_blobs:
        for sha, size in blob_rows:
            _copy_blob_out(archive, out, sha, int(size))
    key: dict[str, Any] = {"included": "none", "sha256": None}
    if key_passphrase is not None:
        with _private_file(out / KEY_FILE) as fh:
            fh.write(seal_key(archive.paths.key.read_bytes(), archive.fingerprint, key_passphrase))
        key = {"included": "encrypted", "sha256": _sha256_file(out / KEY_FILE)}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": iso(utcnow()),
        "schema_version": int(schema),
        "archive_fingerprint": archive.fingerprint,
        "database": "sqlite" if archive.db.is_sqlite else "postgresql",
        "blob_store": getattr(archive.store, "url", "file"),
        "tables": tables,
        "blobs": {
            "count": len(blob_rows),
            "bytes": blob_bytes,
            "sha256": _sha256_file(out / "blobs.jsonl"),
            "included": copy_blobs,
        },
        "key": key,
    }
    with _private_file(out / "manifest.json") as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode() + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    return manifest


def _copy_blob_out(archive: Archive, out: Path, sha: str, size: int) -> None:
    target = out / "blobs" / sha[:2] / sha
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    h = hashlib.sha256()
    n = 0
    with archive.store.open(sha) as src, _private_file(target) as dst:
        while chunk := src.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
            dst.write(chunk)
    if h.hexdigest() != sha or n != size:
        raise BackupError(f"blob {sha} in the store does not hash to its name (run admin verify)")


# --- the archive key ------------------------------------------------------------------------------------------


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the key passphrase needs at least {MIN_PASSPHRASE} characters")


def _key_aad(fingerprint: str) -> bytes:
    return f"{KEY_FORMAT}/v1|{fingerprint}".encode()


def seal_key(raw: bytes, fingerprint: str, passphrase: str) -> bytes:
    """``archive_key.enc.json``: the raw key wrapped under an Argon2id-derived key, bound to the fingerprint."""
    salt = os.urandom(16)
    kek = keyslots.subkey(keyslots.derive_secret(passphrase, salt, keyslots.DEFAULT_KDF), KEY_FORMAT)
    doc = {"format": KEY_FORMAT, "v": 1, "archive_fingerprint": fingerprint, "kdf": keyslots.DEFAULT_KDF,
           "salt": b64(salt), "wrapped": keyslots.wrap(kek, raw, _key_aad(fingerprint))}
    return json.dumps(doc, indent=1, sort_keys=True).encode() + b"\n"


def open_sealed_key(data: bytes, fingerprint: str, passphrase: str) -> bytes:
    try:
        doc = json.loads(data)
        if doc.get("format") != KEY_FORMAT or doc.get("v") != 1 or doc.get("archive_fingerprint") != fingerprint:
            raise ValueError("not this archive's key file")
        secret = keyslots.derive_secret(passphrase, unb64(doc["salt"]), doc["kdf"])
        return keyslots.unwrap(keyslots.subkey(secret, KEY_FORMAT), str(doc["wrapped"]), _key_aad(fingerprint))
    except InvalidTag as exc:
        raise BackupError(f"the key passphrase does not open {KEY_FILE} (wrong passphrase file?)") from exc
    except (ValueError, KeyError, TypeError, AttributeError, SignatureError, ProfileProblem) as exc:
        raise BackupError(f"{KEY_FILE} is damaged or not this archive's key ({exc})") from exc


def _restore_key(backup_dir: Path, manifest: dict[str, Any], key_file: Path | None,
                 key_passphrase: str | None) -> bytes:
    """The raw archive key for a restore, checked against the backup's fingerprint before anything is written."""
    name, _ = _key_entry(manifest)
    if key_file is not None:
        try:
            raw = key_file.read_bytes()
        except OSError as exc:
            raise BackupError(f"cannot read the archive key {key_file}: {exc.strerror}") from exc
        source = str(key_file)
    elif name == KEY_FILE:
        if key_passphrase is None:
            raise BackupError("the backup's archive key is encrypted: give --key-passphrase-file (or --key FILE)")
        raw = open_sealed_key((backup_dir / name).read_bytes(), manifest["archive_fingerprint"], key_passphrase)
        source = name
    elif name == KEY_FILE_V1:
        raw, source = (backup_dir / name).read_bytes(), name
    else:
        raise BackupError("the backup holds no archive key (made without --key-passphrase-file): give --key FILE, "
                          "the archive's archive_key.ed25519 kept apart from backups")
    try:
        if len(raw) != 32:
            raise ValueError
        signing = SigningKey.from_raw(raw)
    except ValueError as exc:
        raise BackupError(f"{source} is not a 32-byte Ed25519 private key") from exc
    if fingerprint(signing) != manifest["archive_fingerprint"]:
        raise BackupError(f"{source} is not this backup's archive key (its fingerprint differs from the manifest's)")
    return raw


# --- restore -----------------------------------------------------------------------------------------------


def read_manifest(backup_dir: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{backup_dir} holds no readable manifest.json: {exc}") from exc
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or manifest.get("version") not in READABLE_VERSIONS):
        raise BackupError(f"{backup_dir}/manifest.json is not a FieldAudit archive backup of version "
                          f"{' or '.join(map(str, READABLE_VERSIONS))}")
    _check_shape(manifest)
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise BackupError(
            f"the backup has database schema {manifest.get('schema_version')}; this release restores schema "
            f"{SCHEMA_VERSION} (restore with the release that made it, start it once, back up again)"
        )
    return manifest


def _check_shape(manifest: dict[str, Any]) -> None:
    """Every field restore reads, of its type: a damaged manifest is named, never a KeyError."""
    def bad(field: str) -> BackupError:
        return BackupError(f"manifest.json: {field} is missing or malformed (damaged backup)")

    if not isinstance(manifest.get("archive_fingerprint"), str):
        raise bad("archive_fingerprint")
    if manifest["version"] == 1:
        if not isinstance(manifest.get("key_sha256"), str):
            raise bad("key_sha256")
    else:
        key = manifest.get("key")
        if not isinstance(key, dict) or not (
                (key.get("included") == "none" and key.get("sha256") is None)
                or (key.get("included") == "encrypted" and isinstance(key.get("sha256"), str))):
            raise bad("key")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
            isinstance(m, dict) and isinstance(m.get("rows"), int) and isinstance(m.get("sha256"), str)
            for m in tables.values()):
        raise bad("tables")
    blobs = manifest.get("blobs")
    if not isinstance(blobs, dict) or not isinstance(blobs.get("sha256"), str) or not isinstance(
            blobs.get("included"), bool):
        raise bad("blobs")


def check_backup(backup_dir: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest names, with its hash and row count, before anything is written."""
    expected = {t.name for t in _tables()}
    if set(manifest.get("tables", {})) != expected:
        raise BackupError(f"the backup's tables {sorted(manifest.get('tables', {}))} are not {sorted(expected)}")
    for name, meta in manifest["tables"].items():
        path = backup_dir / "db" / f"{name}.jsonl"
        if not path.is_file() or _sha256_file(path) != meta["sha256"]:
            raise BackupError(f"db/{name}.jsonl is missing or differs from the manifest (damaged backup)")
    if _sha256_file(backup_dir / "blobs.jsonl") != manifest["blobs"]["sha256"]:
        raise BackupError("blobs.jsonl differs from the manifest (damaged backup)")
    name, want = _key_entry(manifest)
    if name is not None and (not (backup_dir / name).is_file() or _sha256_file(backup_dir / name) != want):
        raise BackupError(f"{name} is missing or differs from the manifest (damaged backup)")


def _key_entry(manifest: dict[str, Any]) -> tuple[str | None, str | None]:
    """The key file a backup holds and its SHA-256 by the manifest; (None, None) when it holds none."""
    if manifest["version"] == 1:
        return KEY_FILE_V1, str(manifest["key_sha256"])
    if manifest["key"]["included"] == "encrypted":
        return KEY_FILE, str(manifest["key"]["sha256"])
    return None, None


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise BackupError(f"{path.name} line {n} is not JSON") from exc
            if not isinstance(row, dict):
                raise BackupError(f"{path.name} line {n} is not an object")
            yield row


def restore(
    backup_dir: Path,
    data: Path,
    database_url: str | None = None,
    *,
    blob_store: str | None = None,
    s3_endpoint: str | None = None,
    deep: bool = False,
    key_file: Path | None = None,
    key_passphrase: str | None = None,
) -> dict[str, Any]:
    """Restore ``backup_dir`` into the new archive ``data``; returns admin verify's report plus counts. The archive
    key comes from ``key_file`` (kept apart from backups), else from the backup (encrypted: ``key_passphrase``)."""
    manifest = read_manifest(backup_dir)
    check_backup(backup_dir, manifest)
    if data.exists() and (not data.is_dir() or any(data.iterdir())):
        raise BackupError(f"{data} exists and is not empty; a restore never writes into an existing archive")
    raw_key = _restore_key(backup_dir, manifest, key_file, key_passphrase)
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data, 0o700)
    key = data / "archive_key.ed25519"
    with _private_file(key) as fh:
        fh.write(raw_key)
    archive = open_archive(data, database_url, create=True, blob_store=blob_store, s3_endpoint=s3_endpoint)
    try:
        if archive.fingerprint != manifest["archive_fingerprint"]:
            raise BackupError("the backup's key does not match its manifest's fingerprint")
        _load_rows(archive, backup_dir, manifest)
        _restore_blobs(archive, backup_dir, manifest, deep=deep)
        report = verify_archive(archive)
        report["restored"] = {name: meta["rows"] for name, meta in manifest["tables"].items()}
        return report
    finally:
        archive.db.dispose()


#: the rows a new archive's own schema creation writes (everything else means the database is in use)
_OWN_ROWS = frozenset({"meta", "counters"})


def _load_rows(archive: Archive, backup_dir: Path, manifest: dict[str, Any]) -> None:
    with archive.db.write() as s:
        used = [t.name for t in _tables() if t.name not in _OWN_ROWS
                and s.execute(select(func.count()).select_from(t)).scalar_one()]
        if used:  # e.g. --database-url naming a live archive's database: never replace its rows
            raise BackupError(f"the target database already holds an archive (rows in {', '.join(used[:5])}); "
                              "a restore only writes into an empty database")
        for table in reversed(_tables()):  # create_schema's own rows (meta, counters) give way to the backup's
            s.execute(delete(table))
        for table in _tables():
            batch: list[dict[str, Any]] = []
            count = 0
            for row in _rows(backup_dir / "db" / f"{table.name}.jsonl"):
                batch.append(_decode_row(table, row))
                if len(batch) >= BATCH:
                    s.execute(insert(table), batch)
                    count += len(batch)
                    batch = []
            if batch:
                s.execute(insert(table), batch)
                count += len(batch)
            if count != manifest["tables"][table.name]["rows"]:
                raise BackupError(f"db/{table.name}.jsonl holds {count} rows, the manifest says "
                                  f"{manifest['tables'][table.name]['rows']}")
        if s.get_bind().dialect.name == "postgresql":
            _reset_sequences(s)


def _reset_sequences(s: Session) -> None:
    """Explicit ids were inserted: the serial sequences must continue after them."""
    for table in _tables():
        for col in table.primary_key.columns:
            if col.autoincrement is True or (col.autoincrement == "auto" and len(table.primary_key.columns) == 1
                                             and col.type.python_type is int):
                top = s.execute(select(func.max(col))).scalar_one()
                s.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, false)"),
                    {"t": table.name, "c": col.name, "v": int(top or 0) + 1},
                )


def _restore_blobs(archive: Archive, backup_dir: Path, manifest: dict[str, Any], *, deep: bool) -> None:
    included = bool(manifest["blobs"]["included"])
    missing: list[str] = []
    for entry in _rows(backup_dir / "blobs.jsonl"):
        sha, size = entry.get("sha256"), entry.get("size")
        if not isinstance(sha, str) or not valid_sha256(sha) or not isinstance(size, int):
            raise BackupError("blobs.jsonl holds a malformed entry")
        if included:
            src = backup_dir / "blobs" / sha[:2] / sha
            if not src.is_file():
                missing.append(sha)
                continue
            staged = archive.paths.staging / f"restore-{sha}"
            shutil.copyfile(src, staged)
            archive.store.put_file(staged, sha, size)  # re-verifies length and hash
        elif not archive.store.exists(sha) or archive.store.size(sha) != size:
            missing.append(sha)
        elif deep:
            h = hashlib.sha256()
            with archive.store.open(sha) as fh:
                while chunk := fh.read(CHUNK):
                    h.update(chunk)
            if h.hexdigest() != sha:
                missing.append(sha)
    if missing:
        raise BackupError(
            f"{len(missing)} blob(s) of the backup are not in the target store with their size and hash, "
            f"first {missing[0]}"
        )
