"""register, sync (and purge): the laptop side of the archive protocol (archive/PROTOCOL.md)."""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_passphrase_arg, open_store
from app.errors import UserError
from app.sync.client import CaseResult, SyncClient, SyncProgress
from app.workflow import assignments


def _read_code(path: str) -> str:
    try:
        code = Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取登记码文件：{path}", f"Cannot read the enrolment code file: {path}") from exc
    if not code:
        raise UserError(f"登记码文件为空：{path}", f"The enrolment code file is empty: {path}")
    return code


def cmd_register(args: argparse.Namespace) -> int:
    code = _read_code(args.code_file)
    with open_store(args.profile, args.passphrase_file, need=2) as store, SyncClient(store, args.archive) as client:
        pin = client.register(code, args.device_name or platform.node(), args.fingerprint)
    print(f"{pin['device_id']}\t{pin['fingerprint']}\t{len(pin['inspectors'])} inspectors")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    last = [-1]

    def progress(p: SyncProgress) -> None:
        if not args.progress or p.phase != "upload" or not p.bytes_total:
            return
        pct = p.bytes_done * 100 // p.bytes_total
        if pct // 10 != last[0]:
            last[0] = pct // 10
            eta = f", ETA {p.eta_seconds:.0f} s" if p.eta_seconds is not None else ""
            print(f"  {p.case_id} upload {p.bytes_done}/{p.bytes_total} bytes{eta}", file=sys.stderr)

    def case_done(case: CaseResult) -> None:  # printed as each case finishes, so a later failure loses nothing
        print(case.line(), flush=True)
        if case.refused:
            for r in case.reasons:
                text = " | ".join(str(r[k]) for k in ("message_zh", "message_en") if r.get(k))
                print(f"  {case.case_id}: {r.get('code')}: {text}", file=sys.stderr)

    with open_store(args.profile, args.passphrase_file) as store, \
            SyncClient(store, args.archive, progress=progress, parallel=args.parallel, on_case=case_done,
                       assignments=assignments.apply) as client:
        report = client.sync()
    for case_id, reason in sorted(report.assignments_pending.items()):
        print(f"assignment {case_id} pending: {reason}", file=sys.stderr)
    for name, reason in sorted(report.skipped.items()):
        print(f"skipped office record {name}: {reason}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_purge(args: argparse.Namespace) -> int:
    from app.sync.purge import purge_archived_blobs

    with open_store(args.profile, args.passphrase_file) as store, SyncClient(store, args.archive) as client:
        result = purge_archived_blobs(store, client, retention_days=args.retention_days)
    print(f"purged {len(result.purged)} blobs, {result.bytes} bytes; kept {len(result.kept)}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("register", help="register this laptop and its inspectors with the archive")
    p.add_argument("profile")
    p.add_argument("--archive", required=True, metavar="URL")
    p.add_argument("--code-file", required=True, metavar="F", help="file holding the one-time enrolment code")
    p.add_argument("--device-name", default="")
    p.add_argument("--fingerprint", default=None, help="the archive fingerprint read out by the office (optional)")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_register)

    p = sub.add_parser("sync", help="pull assignments and roster, push cases, evidence and journal")
    p.add_argument("profile")
    p.add_argument("--archive", required=True, metavar="URL")
    p.add_argument("--parallel", type=int, default=3, help="blob uploads at once (default 3)")
    p.add_argument("--progress", action="store_true", help="upload progress on stderr")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("purge", help="delete local copies of archived evidence of closed cases (retention policy)")
    p.add_argument("profile")
    p.add_argument("--archive", required=True, metavar="URL")
    p.add_argument("--retention-days", type=float, default=None)
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_purge)
