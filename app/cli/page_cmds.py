"""verify-page: a printed PDF or a scanned page image against its case package."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

NOT_COMPARED = 4  # every page's QR statement verified, but a scan's text was not compared


def cmd_verify_page(args: argparse.Namespace) -> int:
    from app.documents.page_check import check_file

    checked = check_file(Path(args.file), Path(args.package) if args.package else None, partial=args.partial)
    for r in checked.pages:
        st = r.statement
        where = (f"{st.form} {r.title} 第{st.page}/{st.of}页 核验码 {st.code()}" if st is not None else "")
        if not r.ok:
            print(f"第{r.index}页 FAILED {where}：" + "；".join(r.problems))
        elif r.compared and r.image:
            print(f"第{r.index}页 OK {where}：与案卷一致（扫描图像与案卷文书该页逐像素比对）| page {r.index} OK: "
                  "matches the package (the scanned image was compared with the issued page pixel by pixel)")
        elif r.compared:
            print(f"第{r.index}页 OK {where}：与案卷一致（页面文字与页面图像均已比对）| page {r.index} OK: matches "
                  "the package (its text and what it shows were compared)")
        else:
            assert st is not None
            print(f"第{r.index}页 NOT COMPARED {where}：QR 签名有效：此页声称为《{r.title}》第 {st.page}/{st.of} 页；"
                  "页面文字未核对（扫描件），请与附件 PDF 或下列案卷文字逐字比对 | page "
                  f"{r.index}: the QR signature is valid: this page claims to be page {st.page}/{st.of} of "
                  f"'{r.title}'; its text was NOT checked (a scanned image): compare it word by word with the PDF "
                  "or the package's text below")
        for note in r.notes:
            print(f"  {note}")
        if r.ok and not r.compared and r.text_in_package:
            print("  --- 案卷中该页的文字 | the page's text in the package ---")
            for line in r.text_in_package.splitlines():
                print(f"  {line}")
    for problem in checked.problems:
        print(f"FAILED {problem}")
    for note in checked.notes:
        print(note)
    bad = sum(1 for r in checked.pages if not r.ok)
    print(f"{len(checked.pages)} 页，{bad} 页未通过 | {len(checked.pages)} page(s), {bad} failed"
          + (f"；页面组合 {len(checked.problems)} 项不符 | {len(checked.problems)} problem(s) with the set of pages"
             if checked.problems else ""))
    if not checked.ok:
        return 1
    return 0 if checked.compared else NOT_COMPARED


def register(sub: Any) -> None:
    p = sub.add_parser("verify-page", help="a printed PDF or a scanned page image against its case package; "
                                           "exit 0 only if every page verifies, 1 if one fails, 4 if a scan's "
                                           "text could not be compared")
    p.add_argument("file")
    p.add_argument("--package", metavar="PKG", help="the case package (unsealed) the page belongs to")
    p.add_argument("--partial", action="store_true",
                   help="the file holds only some pages of its document(s): in order, the missing ones named")
    p.set_defaults(handler=cmd_verify_page)
