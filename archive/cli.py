"""Command line of the archive: the server and the admin commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.ids import uuid7
from archive.admin import verify_archive
from archive.alerts import list_alerts
from archive.db import (
    Alert,
    Blob,
    Case,
    Checkpoint,
    Device,
    DeviceInspector,
    FieldConflict,
    Inspector,
    Leaf,
    StoredObject,
    Upload,
    bump_counter,
    iso,
    utcnow,
)
from archive.filemodes import private_umask
from archive.logs import log, setup_logging, uvicorn_log_config
from archive.roster import (
    AdminError,
    add_assignment,
    add_inspector,
    add_pull_item,
    new_enrolment_code,
    trust_roster,
)
from archive.service import Archive, open_archive


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage dump
        sys.stderr.write(f"archive: {message}\n")
        raise SystemExit(2)


def _blob_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--blob-store",
        help="where blobs live: 'file' (DIR/blobs, the default) or s3://BUCKET[/PREFIX]; remembered in DIR",
    )
    p.add_argument("--s3-endpoint", help="S3 API endpoint URL (default: $FIELDAUDIT_ARCHIVE_S3_ENDPOINT, AWS)")


def _server_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m archive", description="FieldAudit archive service",
                epilog="administration: python -m archive admin COMMAND DIR (enrolment codes, inspectors, devices, "
                       "cases, verification); see python -m archive admin --help")
    p.add_argument("--data", required=True, type=Path, help="data directory (database, blobs, archive key)")
    p.add_argument(
        "--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://u:p@host/db (default: SQLite)"
    )
    _blob_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--behind-tls", action="store_true",
                   help="TLS terminates in a proxy in front of the archive: office logins from other machines are "
                        "accepted and the office session cookie is Secure (without it, an office login over plain "
                        "HTTP is accepted only from this machine)")
    return p


def _admin_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m archive admin", description="FieldAudit archive administration")
    sub = p.add_subparsers(dest="cmd", required=True)

    def with_dir(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("dir", type=Path, help="archive data directory")
        sp.add_argument("--database-url", help="override the database URL remembered in DIR")
        return sp

    with_dir(sub.add_parser("enrolment-code", help="print a one-time enrolment code"))
    with_dir(sub.add_parser("fingerprint", help="print the archive key's fingerprint, as a laptop shows it at"
                                                " registration (for the office to read out)"))
    with_dir(sub.add_parser("stats", help="one JSON object of counts"))
    with_dir(sub.add_parser("roster", help="write the signed roster for app.cli verify --trust")).add_argument(
        "--out", type=Path, required=True)
    with_dir(sub.add_parser("verify", help="re-verify every blob and signed object; exit 0 only if all hold"))
    al = with_dir(sub.add_parser("alerts", help="list alerts (one JSON object a line), oldest first"))
    al.add_argument("--since", type=int, default=0, help="only alerts with a larger id")
    with_dir(sub.add_parser("paper", help="a printed page looked up by its 核验码")).add_argument("code")

    b = with_dir(sub.add_parser("backup", help="a consistent database dump and the blob manifest (and the blobs of a"
                                              " folder store) into a new directory; the archive key only on request,"
                                              " encrypted"))
    b.add_argument("--out", required=True, type=Path, help="the backup directory to create (must not exist)")
    b.add_argument("--with-blobs", action="store_true", help="also copy the blobs of an object-store archive")
    b.add_argument("--key-passphrase-file", type=Path,
                   help="also back up the archive's signing key, encrypted under this file's passphrase (at least "
                        "16 characters); without it the backup holds no key: keep DIR/archive_key.ed25519 apart")
    rs = sub.add_parser("restore", help="restore a backup into a new archive directory, then verify everything")
    rs.add_argument("backup", type=Path, help="a directory made by admin backup")
    rs.add_argument("--data", required=True, type=Path, help="the new archive data directory (must not exist)")
    rs.add_argument("--database-url", help="SQLAlchemy URL of an empty database (default: SQLite in --data)")
    _blob_options(rs)
    rs.add_argument("--deep", action="store_true", help="re-hash every object of an object-store backup")
    rs.add_argument("--key", type=Path, help="the archive's key file (archive_key.ed25519), kept apart from backups")
    rs.add_argument("--key-passphrase-file", type=Path,
                    help="the passphrase file the backup's encrypted archive key was made with")

    users = sub.add_parser("users", help="office users of the web view (/office/)").add_subparsers(
        dest="action", required=True)
    u = with_dir(users.add_parser("add", help="add an office user; the password is read from a file"))
    u.add_argument("--name", required=True)
    u.add_argument("--login", help="login name (default: the name)")
    u.add_argument("--role", required=True, choices=["head", "legal", "inspector", "admin"],
                   help="head 科室负责人, legal 法制审核员, inspector 稽核人员 (read-only, own cases), admin 管理员")
    u.add_argument("--password-file", required=True, type=Path)
    u.add_argument("--inspector", help="the inspector id of a role-inspector account")
    with_dir(users.add_parser("list"))
    pw = with_dir(users.add_parser("password", help="reset a user's password (read from a file): the user gets a "
                                   "new signing key, the old one is kept as retired; their sessions end"))
    pw.add_argument("--name", required=True, help="the user's login (or name, when one user has it)")
    pw.add_argument("--password-file", required=True, type=Path)

    conf = sub.add_parser("conflicts", help="declared conflicts of interest (回避) the 双随机 draw respects"
                          ).add_subparsers(dest="action", required=True)
    cf = with_dir(conf.add_parser("add"))
    cf.add_argument("--inspector", required=True)
    cf.add_argument("--institution", required=True, help="institution id (as published to laptops)")
    cf.add_argument("--reason", required=True)

    insp = sub.add_parser("inspectors", help="the roster of inspectors: add, list, revoke").add_subparsers(dest="action", required=True)
    a = with_dir(insp.add_parser("add"))
    a.add_argument("--id", default=None)
    a.add_argument("--name", required=True)
    a.add_argument("--credential", required=True, help="执法证号")
    a.add_argument("--org", required=True)
    a.add_argument("--public-key", required=True, help="base64 raw Ed25519 public key")
    with_dir(insp.add_parser("list"))
    r = with_dir(insp.add_parser("revoke"))
    r.add_argument("id")

    dev = sub.add_parser("devices", help="registered laptops: list, revoke").add_subparsers(dest="action", required=True)
    with_dir(dev.add_parser("list"))
    r = with_dir(dev.add_parser("revoke"))
    r.add_argument("id")

    cases = sub.add_parser("cases", help="cases created at the office and assigned to inspectors").add_subparsers(dest="action", required=True)
    c = with_dir(cases.add_parser("add", help="create a case at the office, assigned to two inspectors"))
    c.add_argument("--id", default=None)
    c.add_argument("--institution-name", required=True)
    c.add_argument("--institution-uscc", default="")
    c.add_argument("--institution-address", default="", help="the party's address, printed on the office's decision")
    c.add_argument("--inspector", action="append", required=True, help="inspector id (give two or more)")
    c.add_argument("--kind", default="日常稽核")
    c.add_argument("--title", default="")
    c.add_argument("--doc-no", default="", help="the case's 文号 from the office's register, e.g. 某医保稽通〔2026〕21号; "
                   "every form of the case is numbered from it")

    inst = sub.add_parser("institutions", help="institutions published to laptops").add_subparsers(dest="action", required=True)
    i = with_dir(inst.add_parser("add"))
    i.add_argument("--id", default=None)
    i.add_argument("--name", required=True)
    i.add_argument("--uscc", default="")
    i.add_argument("--kind", default="定点医疗机构")
    i.add_argument("--address", default="")

    for kind in ("checklists", "documents"):
        k = sub.add_parser(kind, help=f"{kind} published to laptops").add_subparsers(dest="action", required=True)
        f = with_dir(
            k.add_parser("add", help=f"publish a {kind[:-1]} (a JSON object with an 'id') to laptops")
        )
        f.add_argument("file", type=Path)
    return p


def _doc_no(text: str) -> str:
    """The 文号 as the laptop will take it (``app.workflow.case_fields``), or exit 2 with the reason."""
    from app.errors import FieldAuditError
    from app.workflow.case_fields import check_field_value

    try:
        return str(check_field_value("doc_no", text))
    except FieldAuditError as exc:
        sys.stderr.write(f"archive: {exc.message_zh} ({exc.message_en})\n")
        raise SystemExit(2) from None


def _emit(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n")


def _stats(archive: Archive) -> dict[str, int]:
    with archive.db.read() as s:

        def count(model: Any) -> int:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

        return {
            "cases": count(Case),
            "items": count(StoredObject),
            "leaves": count(Leaf),
            "blobs": count(Blob),
            "bytes": int(s.execute(select(func.coalesce(func.sum(Blob.size), 0))).scalar_one()),
            "devices": count(Device),
            "inspectors": count(Inspector),
            "receipts": count(Checkpoint),
            "conflicts": count(FieldConflict),
            "alerts": count(Alert),
            "uploads_open": int(
                s.execute(
                    select(func.count()).select_from(Upload).where(Upload.status == "open")
                ).scalar_one()
            ),
        }


def _revoke(archive: Archive, model: Any, id_: str, what: str) -> None:
    with archive.db.write() as s:
        row = s.get(model, id_)
        if row is None:
            raise AdminError(f"no {what} {id_}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            row.version = bump_counter(s, "roster")
    log(f"{what}.revoked", id=id_)


def _admin(argv: list[str]) -> int:
    args = _admin_parser().parse_args(argv)
    if args.cmd == "restore":
        return _restore(args)
    archive = open_archive(args.dir, args.database_url, create=False)  # the blob store DIR remembers
    try:
        cmd, action = args.cmd, getattr(args, "action", None)
        if cmd == "enrolment-code":
            code, expires = new_enrolment_code(archive)
            sys.stdout.write(code + "\n")
            sys.stderr.write(f"valid until {iso(expires)} (UTC), once\n")
        elif cmd == "fingerprint":
            # the string the laptop shows and pins: /v1/health and the registration answer carry this property
            sys.stdout.write(archive.fingerprint + "\n")
        elif cmd == "stats":
            _emit(_stats(archive))
        elif cmd == "backup":
            from archive.backup import backup

            manifest = backup(archive, args.out, with_blobs=True if args.with_blobs else None,
                              key_passphrase=_read_secret(args.key_passphrase_file))
            _emit({"out": str(args.out), "tables": {k: v["rows"] for k, v in manifest["tables"].items()},
                   "blobs": manifest["blobs"]["count"], "blobs_included": manifest["blobs"]["included"],
                   "key_included": manifest["key"]["included"]})
        elif cmd == "roster":
            args.out.write_text(json.dumps(trust_roster(archive), ensure_ascii=False, indent=1), "utf-8")
            sys.stdout.write(f"{args.out}\t{archive.fingerprint}\n")
        elif cmd == "verify":
            report = verify_archive(archive)
            _emit(report)
            return 0 if report["ok"] else 1
        elif cmd == "users":
            _users(archive, args)
        elif cmd == "conflicts":
            from archive.office.models import DeclaredConflict

            with archive.db.write() as s:
                if s.get(Inspector, args.inspector) is None:
                    raise AdminError(f"no inspector {args.inspector}")
                s.merge(DeclaredConflict(inspector_id=args.inspector, institution_id=args.institution,
                                         reason=args.reason, declared_at=utcnow()))
            _emit({"inspector": args.inspector, "institution": args.institution})
        elif cmd == "alerts":
            for found in list_alerts(archive, args.since):
                _emit(found)
        elif cmd == "paper":
            from archive.paper import lookup, normalise_code

            norm = normalise_code(args.code)
            if norm is None:
                raise AdminError(f"not a verification code (ABCD-EFGH): {args.code}")
            pages = lookup(archive, norm)
            for page in pages:
                _emit(page)
            if not pages:
                sys.stderr.write(f"没有核验码为 {norm} 的打印页 | no printed page with code {norm}\n")
            return 0 if pages else 1
        elif cmd == "inspectors" and action == "add":
            with archive.db.write() as s:
                row = add_inspector(
                    s,
                    id=args.id or uuid7(),
                    name=args.name,
                    credential_no=args.credential,
                    organisation=args.org,
                    public_key=args.public_key,
                )
                _emit({"id": row.id})
        elif cmd == "inspectors" and action == "list":
            with archive.db.read() as s:
                for i in s.execute(select(Inspector).order_by(Inspector.id)).scalars():
                    _emit(
                        {
                            "id": i.id,
                            "name": i.name,
                            "credential_no": i.credential_no,
                            "organisation": i.organisation,
                            "public_key": i.public_key,
                            "revoked": i.revoked_at is not None,
                        }
                    )
        elif cmd == "inspectors" and action == "revoke":
            _revoke(archive, Inspector, args.id, "inspector")
        elif cmd == "devices" and action == "list":
            with archive.db.read() as s:
                for d in s.execute(select(Device).order_by(Device.id)).scalars():
                    insp = sorted(
                        s.execute(
                            select(DeviceInspector.inspector_id).where(DeviceInspector.device_id == d.id)
                        ).scalars()
                    )
                    _emit(
                        {
                            "id": d.id,
                            "name": d.name,
                            "public_key": d.public_key,
                            "inspectors": insp,
                            "revoked": d.revoked_at is not None,
                            "enrolled_at": iso(d.created_at),
                        }
                    )
        elif cmd == "devices" and action == "revoke":
            _revoke(archive, Device, args.id, "device")
        elif cmd == "cases" and action == "add":
            case_id = args.id or uuid7()
            doc_no = _doc_no(args.doc_no)
            seq = add_assignment(
                archive,
                case_id,
                {"name": args.institution_name, "uscc": args.institution_uscc,
                 **({"address": args.institution_address} if args.institution_address else {})},
                list(dict.fromkeys(args.inspector)),
                {"kind": args.kind, "title": args.title, "assigned_at": iso(utcnow()),
                 **({"doc_no": doc_no} if doc_no else {})},
            )
            _emit({"id": case_id, "seq": seq})
        elif cmd == "institutions" and action == "add":
            inst_id = args.id or uuid7()
            data = {
                "id": inst_id,
                "name": args.name,
                "uscc": args.uscc,
                "kind": args.kind,
                "address": args.address,
            }
            with archive.db.write() as s:
                _emit({"id": inst_id, "seq": add_pull_item(s, "institutions", inst_id, data)})
        elif cmd in ("checklists", "documents") and action == "add":
            try:
                data = json.loads(args.file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise AdminError(f"cannot read {args.file}: {exc}") from exc
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                raise AdminError(f"{args.file} must hold a JSON object with a string 'id'")
            from app.evidence.canonical import canonical_bytes

            canonical_bytes(data)  # refuses floats
            with archive.db.write() as s:
                _emit({"id": data["id"], "seq": add_pull_item(s, cmd, data["id"], data)})
        else:  # pragma: no cover - argparse prevents it
            raise AdminError("unknown command")
        return 0
    finally:
        archive.db.dispose()


def _read_secret(path: Path | None) -> str | None:
    """A passphrase or password file: UTF-8 text, the line end stripped."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise AdminError(f"cannot read {path}: {exc}") from exc


def _users(archive: Archive, args: argparse.Namespace) -> None:
    from app.evidence.signing import public_key_fingerprint, unb64
    from archive.office.auth import OfficeError, add_user
    from archive.office.models import OfficeUser
    from archive.office.password import reset_password

    if args.action == "list":
        with archive.db.read() as s:
            for user in s.execute(select(OfficeUser).order_by(OfficeUser.login)).scalars():
                _emit({"id": user.id, "login": user.login, "name": user.name, "role": user.role,
                       "inspector": user.inspector_id, "disabled": user.disabled,
                       # the fingerprint of the key the user signs their steps with (none until schema 4's first
                       # login of a user made before it)
                       "key": public_key_fingerprint(unb64(user.sign_public)) if user.sign_public else None})
        return
    password = _read_secret(args.password_file) or ""
    if args.action == "password":
        try:
            done = reset_password(archive.db, args.name, password)
        except OfficeError as exc:
            raise AdminError(str(exc)) from exc
        _emit({"id": done["id"], "login": done["login"], "key": public_key_fingerprint(unb64(done["public"])),
               "retired": public_key_fingerprint(unb64(done["retired"])) if done["retired"] else None})
        return
    try:
        user = add_user(archive.db, args.login or args.name, args.name, args.role, password, args.inspector)
    except OfficeError as exc:
        raise AdminError(str(exc)) from exc
    _emit({"id": user.id, "login": user.login, "role": user.role})


def _restore(args: argparse.Namespace) -> int:
    import shutil

    from archive.backup import restore

    fresh = not args.data.exists()
    try:
        report = restore(args.backup, args.data, args.database_url, blob_store=args.blob_store,
                         s3_endpoint=args.s3_endpoint, deep=args.deep, key_file=args.key,
                         key_passphrase=_read_secret(args.key_passphrase_file))
    except Exception:
        if fresh and args.data.exists():  # nothing half-restored is left to be mistaken for an archive
            shutil.rmtree(args.data, ignore_errors=True)
        raise
    _emit(report)
    if not report["ok"]:
        if fresh:
            shutil.rmtree(args.data, ignore_errors=True)
        sys.stderr.write(f"archive: the restored archive failed verification ({len(report['failures'])} "
                         f"failure(s), first: {report['failures'][0] if report['failures'] else '?'}); "
                         "nothing was kept\n")
        return 1
    return 0


def _serve(argv: list[str]) -> int:
    args = _server_parser().parse_args(argv)
    import uvicorn

    from archive.app import create_app
    from archive.gate import MAX_HEADER_BYTES, OneLineErrors, guarded_protocol

    archive = open_archive(
        args.data, args.database_url, create=True, blob_store=args.blob_store, s3_endpoint=args.s3_endpoint
    )
    app = create_app(archive, behind_tls=args.behind_tls)
    log(
        "archive.start",
        host=args.host,
        port=args.port,
        behind_tls=args.behind_tls,
        fingerprint=archive.fingerprint,
        database="sqlite" if archive.db.is_sqlite else "postgresql",
    )
    uvicorn.run(
        OneLineErrors(app),
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        log_config=uvicorn_log_config(),
        timeout_keep_alive=30,
        http=guarded_protocol(archive.settings.header_timeout_s, archive.settings.body_timeout_s),
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return 0


def main(argv: list[str]) -> int:
    setup_logging()
    private_umask()  # whatever the caller's umask: nothing the archive creates is readable by others
    try:
        if argv and argv[0] == "admin":
            return _admin(argv[1:])
        return _serve(argv)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the CLI contract: one line, no traceback
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"archive: {message}\n")
        return 1
