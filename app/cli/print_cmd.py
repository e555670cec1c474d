"""print: render one form of a case to PDF, journal the print and keep a copy in the case; reissue: replace an
issued document before it was served (a new 文号 and date; refused after service, with the reason); correct: a
更正（补正）通知书 for a served document (the original stays valid)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import add_passphrase_arg, open_store
from app.errors import UserError
from app.workflow.steps_closing import FORMS

if TYPE_CHECKING:
    from app.models.profile import Store


def _check_form(form: str) -> None:
    if form not in FORMS:
        raise UserError(f"未知的文书类型：{form}（可选：{'、'.join(FORMS)}）。",
                        f"Unknown form: {form} (one of: {', '.join(FORMS)}).")


def _actor(store: Store, case_id: str) -> str:
    from app.workflow.steps_base import case_inspector_ids

    with store.session() as s:
        assigned = case_inspector_ids(s, case_id)
    if not assigned:
        raise UserError(f"案件不存在：{case_id}。", f"No such case: {case_id}.")
    actor = next((i for i in store.unlocked_inspectors() if i in assigned), None)
    if actor is None:
        raise UserError("口令不属于本案的稽核人员。", "The passphrase is not that of an inspector of this case.")
    return actor


def cmd_print(args: argparse.Namespace) -> int:
    from app.workflow.printing import print_case

    _check_form(args.form)
    out = Path(args.out)
    with open_store(args.profile, args.passphrase_file) as store:
        actor = _actor(store, args.case)
        result = print_case(store, args.case, args.form, out, actor, served_number=args.served)
    for note in result.notes:
        print(note, file=sys.stderr)
    print(f"{out}\t{result.pages} pages\t{result.content_sha256}\t{result.checkpoint}"
          + (f"\t{result.derived_item_id}" if result.derived_item_id else ""))
    return 0


def cmd_reissue(args: argparse.Namespace) -> int:
    from app.workflow.reissue import reissue_form

    _check_form(args.form)
    if args.served_form:
        _check_form(args.served_form)
    with open_store(args.profile, args.passphrase_file) as store:
        actor = _actor(store, args.case)
        with store.transaction() as s:
            doc = reissue_form(s, store, args.case, args.form, actor, reason=args.reason,
                               served_form=args.served_form or "", served_number=args.served_number or "")
    old = doc.body["supersedes"]
    print(f"{doc.number or args.form}\t{doc.issued_on}\tsupersedes {old.get('number') or old['document'][:20]}"
          f"\t{doc.ref}")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from app.workflow.correction import correct, parse_item
    from app.workflow.printing import print_case

    _check_form(args.form)
    items = [parse_item(text) for text in args.item]
    out = Path(args.out)
    with open_store(args.profile, args.passphrase_file) as store:
        actor = _actor(store, args.case)
        doc = correct(store, args.case, actor, args.form, items, args.reason)
        result = print_case(store, args.case, "correction", out, actor)
    src = doc.source
    print(f"{doc.number}\t{doc.issued_on}\tcorrects {src.get('number') or str(src['corrects'])[:20]}\t{doc.ref}"
          f"\t{out}\t{result.pages} pages")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("print", help="render a form of a case to PDF (journaled, kept in the case)")
    p.add_argument("profile")
    p.add_argument("--case", required=True, help="case id")
    p.add_argument("--form", required=True, metavar="FORM", help="one of: " + " ".join(FORMS))
    p.add_argument("--out", required=True, help="the PDF to write (mode 0600)")
    p.add_argument("--served", metavar="NUMBER", default=None,
                   help="for service-receipt: only the 送达回证 of the document served under this 文号")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_print)
    p = sub.add_parser("reissue", help="replace an issued document before it was served (a new number and date; "
                                       "after service a correction notice is needed)")
    p.add_argument("profile")
    p.add_argument("--case", required=True, help="case id")
    p.add_argument("--form", required=True, metavar="FORM", help="one of: " + " ".join(FORMS))
    p.add_argument("--reason", required=True, help="why the document is re-issued (journaled)")
    p.add_argument("--served-form", metavar="FORM", default="",
                   help="for service-receipt: the served form whose receipt is re-issued")
    p.add_argument("--served-number", metavar="NUMBER", default="",
                   help="for service-receipt: the 文号 of the served document whose receipt is re-issued")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_reissue)
    p = sub.add_parser("correct", help="issue a correction notice (更正（补正）通知书) for a served document: the "
                                       "original stays valid; printed to --out with the case's other corrections")
    p.add_argument("profile")
    p.add_argument("--case", required=True, help="case id")
    p.add_argument("--form", required=True, metavar="FORM", help="the served document's form, one of: "
                   + " ".join(f for f in FORMS if f not in ("onsite-record", "interview", "service-receipt",
                                                            "correction")))
    p.add_argument("--item", required=True, action="append", metavar="ORIGINAL=>CORRECTED",
                   help="one correction: the original text and what it is corrected to (repeatable)")
    p.add_argument("--reason", required=True, help="why the document is corrected (printed and journaled)")
    p.add_argument("--out", required=True, help="the PDF of the correction notices to write (mode 0600)")
    add_passphrase_arg(p)
    p.set_defaults(handler=cmd_correct)
