"""print: render one form of a case to PDF, journal the print and keep a copy in the case."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import add_passphrase_arg, open_store
from app.errors import UserError
from app.workflow.steps_closing import FORMS


def cmd_print(args: argparse.Namespace) -> int:
    from app.workflow.printing import print_case
    from app.workflow.steps_base import case_inspector_ids

    if args.form not in FORMS:
        raise UserError(f"未知的文书类型：{args.form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {args.form} (one of: {', '.join(FORMS)}).")
    out = Path(args.out)
    with open_store(args.profile, args.passphrase_file) as store:
        with store.session() as s:
            assigned = case_inspector_ids(s, args.case)
        if not assigned:
            raise UserError(f"案件不存在：{args.case}。", f"No such case: {args.case}.")
        actor = next((i for i in store.unlocked_inspectors() if i in assigned), None)
        if actor is None:
            raise UserError("口令不属于本案的稽核人员。", "The passphrase is not that of an inspector of this case.")
        result = print_case(store, args.case, args.form, out, actor)
    for note in result.notes:
        print(note, file=sys.stderr)
    print(f"{out}\t{result.pages} pages\t{result.content_sha256}\t{result.checkpoint}"
          + (f"\t{result.derived_item_id}" if result.derived_item_id else ""))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("print", help="render a form of a case to PDF (journaled, kept in the case)")
    p.add_argument("profile")
    p.add_argument("--case", required=True, help="case id")
    p.add_argument("--form", required=True, metavar="FORM", help="one of: " + " ".join(FORMS))
    p.add_argument("--out", required=True, help="the PDF to write (mode 0600)")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_print)
