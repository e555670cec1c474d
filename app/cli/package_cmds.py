"""export, verify, roster."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_passphrase_arg, open_store


def cmd_export(args: argparse.Namespace) -> int:
    from app.evidence.package import export_case

    out = Path(args.out)
    recipient = None
    if args.encrypt_to:
        from app.evidence.sealed import load_public_key

        recipient = load_public_key(Path(args.encrypt_to))
    with open_store(args.profile, args.passphrase_file) as store:
        result = export_case(store, args.case, out, encrypt_to=recipient)
    print(f"{out}\t{result.leaves} leaves\t{result.blobs} blobs\t{result.size} bytes\t{result.fingerprint}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.evidence.package import RosterRefused, load_roster, verify_package
    from app.evidence.signing import public_key_fingerprint

    try:
        trusted = load_roster(Path(args.trust), args.archive_key, args.unsigned_roster) if args.trust else None
    except RosterRefused as exc:
        print(f"roster {args.trust}: {exc.why} [{exc.code}]")
        print("FAILED (1): the roster cannot be trusted, nothing was verified")
        return 1
    result, facts = verify_package(Path(args.file), trusted, Path(args.key) if args.key else None, args.expect)
    for problem in result.problems:
        print(f"{problem.line} [{problem.code}]")
    for note in result.notes:
        print(f"note: {note}")
    if trusted is None:
        print("未指定 --trust：以下公钥及姓名、执法证号仅为数据包自述，未经核实 | no --trust: keys, names and credential"
              " numbers are the package's own unverified claim; compare these fingerprints with the roster:",
              file=sys.stderr)
    for key in result.keys_used.values():
        who = f"{key.name} {key.credential_no}".strip()
        source = "(package's claim, unverified)" if key.claimed else "(roster)"
        print(f"  {key.role} {key.id} {public_key_fingerprint(key.public, key.suite)} {who} {source}",
              file=sys.stderr)
    last = facts.get("last")
    if last is not None:
        print(f"latest checkpoint {last.fingerprint}: {last.size} leaves, step {last.step}, {last.time}, "
              f"case {'closed' if facts.get('closed') else 'not closed'}")
    status = "OK" if result.ok else f"FAILED ({len(result.failures)})"
    print(f"case {facts.get('case')}: {result.leaves} leaves, {result.objects} signed objects, {result.blobs} blob "
          f"checks, {result.checkpoints} checkpoints, root {result.root[:16]}: {status}")
    return 0 if result.ok else 1


def cmd_roster(args: argparse.Namespace) -> int:
    from app.evidence.package import export_roster
    from app.fsutil import atomic_write_bytes

    with open_store(args.profile, args.passphrase_file) as store:
        roster: dict[str, Any] = export_roster(store)
    atomic_write_bytes(Path(args.out), json.dumps(roster, ensure_ascii=False, indent=1).encode("utf-8"), 0o644)
    print(args.out)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("export", help="write a self-contained case package")
    p.add_argument("profile")
    p.add_argument("--case", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--encrypt-to", metavar="KEYFILE", help="seal the package to the archive's public key")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("verify", help="the independent verifier; exit 0 only if everything verifies")
    p.add_argument("file")
    p.add_argument("--trust", metavar="ROSTER", help="trusted public keys (archive-signed or exported roster)")
    p.add_argument("--key", metavar="KEYFILE", help="X25519 private key to open a sealed package (in memory)")
    p.add_argument("--archive-key", metavar="FINGERPRINT",
                   help="the archive key fingerprint a signed --trust roster must be signed with")
    p.add_argument("--unsigned-roster", action="store_true",
                   help="accept a --trust roster that is not signed by the archive (e.g. from app.cli roster)")
    p.add_argument("--expect", metavar="FINGERPRINT",
                   help="fail unless the package contains this checkpoint (the fingerprint on paper or a receipt)")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("roster", help="export this profile's public keys as a roster for verify --trust")
    p.add_argument("profile")
    p.add_argument("--out", required=True)
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_roster)
