"""verify-page: a printed PDF or a scanned page image against its case package."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_verify_page(args: argparse.Namespace) -> int:
    from app.documents.page_check import check_file

    results = check_file(Path(args.file), Path(args.package) if args.package else None)
    for r in results:
        st = r.statement
        where = (f"{st.form} {r.title} 第{st.page}/{st.of}页 核验码 {st.code()}" if st is not None else "")
        if r.ok:
            print(f"第{r.index}页 OK {where}：与案卷一致 | page {r.index} OK: matches the package")
        else:
            print(f"第{r.index}页 FAILED {where}：" + "；".join(r.problems))
        for note in r.notes:
            print(f"  {note}")
        if r.ok and r.text_in_package and any("扫描" in n for n in r.notes):
            print("  --- 案卷中该页的文字 | the page's text in the package ---")
            for line in r.text_in_package.splitlines():
                print(f"  {line}")
    bad = sum(1 for r in results if not r.ok)
    print(f"{len(results)} 页，{bad} 页未通过 | {len(results)} page(s), {bad} failed")
    return 0 if bad == 0 else 1


def register(sub: Any) -> None:
    p = sub.add_parser("verify-page", help="a printed PDF or a scanned page image against its case package; "
                                           "exit 0 only if every page verifies")
    p.add_argument("file")
    p.add_argument("--package", metavar="PKG", help="the case package (unsealed) the page belongs to")
    p.set_defaults(handler=cmd_verify_page)
