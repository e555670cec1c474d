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
from archive.logs import log, setup_logging
from archive.roster import AdminError, add_assignment, add_inspector, add_pull_item, new_enrolment_code
from archive.service import Archive, open_archive


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage dump
        sys.stderr.write(f"archive: {message}\n")
        raise SystemExit(2)


def _server_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m archive", description="FieldAudit archive service")
    p.add_argument("--data", required=True, type=Path, help="data directory (database, blobs, archive key)")
    p.add_argument(
        "--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://u:p@host/db (default: SQLite)"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
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
    with_dir(sub.add_parser("verify", help="re-verify every blob and signed object; exit 0 only if all hold"))
    with_dir(sub.add_parser("paper", help="a printed page looked up by its 核验码")).add_argument("code")

    insp = sub.add_parser("inspectors").add_subparsers(dest="action", required=True)
    a = with_dir(insp.add_parser("add"))
    a.add_argument("--id", default=None)
    a.add_argument("--name", required=True)
    a.add_argument("--credential", required=True, help="执法证号")
    a.add_argument("--org", required=True)
    a.add_argument("--public-key", required=True, help="base64 raw Ed25519 public key")
    with_dir(insp.add_parser("list"))
    r = with_dir(insp.add_parser("revoke"))
    r.add_argument("id")

    dev = sub.add_parser("devices").add_subparsers(dest="action", required=True)
    with_dir(dev.add_parser("list"))
    r = with_dir(dev.add_parser("revoke"))
    r.add_argument("id")

    cases = sub.add_parser("cases").add_subparsers(dest="action", required=True)
    c = with_dir(cases.add_parser("add", help="create a case at the office, assigned to two inspectors"))
    c.add_argument("--id", default=None)
    c.add_argument("--institution-name", required=True)
    c.add_argument("--institution-uscc", default="")
    c.add_argument("--inspector", action="append", required=True, help="inspector id (give two or more)")
    c.add_argument("--kind", default="日常稽核")
    c.add_argument("--title", default="")

    inst = sub.add_parser("institutions").add_subparsers(dest="action", required=True)
    i = with_dir(inst.add_parser("add"))
    i.add_argument("--id", default=None)
    i.add_argument("--name", required=True)
    i.add_argument("--uscc", default="")
    i.add_argument("--kind", default="定点医疗机构")
    i.add_argument("--address", default="")

    for kind in ("checklists", "documents"):
        k = sub.add_parser(kind).add_subparsers(dest="action", required=True)
        f = with_dir(
            k.add_parser("add", help=f"publish a {kind[:-1]} (a JSON object with an 'id') to laptops")
        )
        f.add_argument("file", type=Path)
    return p


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
    archive = open_archive(args.dir, args.database_url, create=False)
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
        elif cmd == "verify":
            report = verify_archive(archive)
            _emit(report)
            return 0 if report["ok"] else 1
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
            seq = add_assignment(
                archive,
                case_id,
                {"name": args.institution_name, "uscc": args.institution_uscc},
                list(dict.fromkeys(args.inspector)),
                {"kind": args.kind, "title": args.title, "assigned_at": iso(utcnow())},
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


def _serve(argv: list[str]) -> int:
    args = _server_parser().parse_args(argv)
    import uvicorn

    from archive.app import create_app

    archive = open_archive(args.data, args.database_url, create=True)
    app = create_app(archive)
    log(
        "archive.start",
        host=args.host,
        port=args.port,
        fingerprint=archive.fingerprint,
        database="sqlite" if archive.db.is_sqlite else "postgresql",
    )
    uvicorn.run(
        app, host=args.host, port=args.port, access_log=False, log_level="warning", timeout_keep_alive=30
    )
    return 0


def main(argv: list[str]) -> int:
    setup_logging()
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
