"""init, enroll, demo, cases, check."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import add_passphrase_arg, open_store, read_passphrase
from app.errors import UserError
from app.evidence.check import check_store
from app.models.profile import Profile
from app.workflow.cases import list_cases


def cmd_init(args: argparse.Namespace) -> int:
    profile = Profile.init(Path(args.profile))
    print(f"{profile.id}\t{profile.root}")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    profile = Profile.open(Path(args.profile))
    passphrase = read_passphrase(args.passphrase_file)
    unlock = read_passphrase(args.unlock_file) if args.unlock_file else None
    if profile.inspectors() and unlock is None:
        raise UserError(
            "本档案已有登记人员：请用 --unlock-file 提供其中一人的口令。",
            "The profile already has inspectors: give one of their passphrases with --unlock-file.",
        )
    inspector_id = profile.enroll(args.name, args.credential, args.org, passphrase, unlock)
    print(inspector_id)
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    with open_store(args.profile, args.passphrase_file) as store, store.session() as s:
        for case, inst in list_cases(s):
            print(f"{case.id}\t{case.status}\t{inst.name}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with open_store(args.profile, args.passphrase_file) as store:
        report = check_store(store)
    for failure in report.failures:
        print(failure)
    elsewhere = f" ({report.archived_elsewhere} archived elsewhere, local copies purged)" if report.archived_elsewhere else ""
    print(f"blobs {report.blobs}{elsewhere}, journal leaves {report.leaves} in {report.logs} logs, "
          f"checkpoints {report.checkpoints}: {'OK' if report.ok else 'FAILED'}")
    return 0 if report.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from app.workflow.demo import build_demo

    if len(args.passphrase_file) != 2:
        raise UserError("demo 需要两个口令文件（两名演示检查人员）。", "demo needs two passphrase files (two demo inspectors).")
    p1, p2 = (read_passphrase(f) for f in args.passphrase_file)
    result = build_demo(Path(args.profile), p1, p2)
    print(f"{result.case_id}\t{result.status}\t{result.institution}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create an empty profile directory")
    p.add_argument("profile")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("enroll", help="enrol an inspector (keyslot + signing key)")
    p.add_argument("profile")
    p.add_argument("--name", required=True)
    p.add_argument("--credential", required=True, help="执法证号")
    p.add_argument("--org", required=True)
    p.add_argument("--passphrase-file", required=True, help="the new inspector's passphrase")
    p.add_argument("--unlock-file", help="an enrolled inspector's passphrase (needed once one exists)")
    p.set_defaults(handler=cmd_enroll)

    p = sub.add_parser("demo", help="a profile with two demo inspectors and one complete demo audit")
    p.add_argument("profile")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("cases", help="one line per case: id, status, institution")
    p.add_argument("profile")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_cases)

    p = sub.add_parser("check", help="verify the store, every blob and every journal")
    p.add_argument("profile")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_check)
