"""``verify-page`` on a file of several pages: the set, not only each page.

Each page may be genuine while the paper is not: pages swapped, a page left out, pages of two documents put
together. A file of more than one page must therefore be one print: pages of documents of one form, each document's
pages together, in its order, and complete (every page of the issued document; a print of the 询问笔录 of two
interviews holds two documents one after the other). ``partial`` (``verify-page --partial``) accepts a file that
holds only some pages of each document, still in order and without repeats, and names the pages left out. A file of
one page is a check of that page; the output says which page of how many it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.documents.frozen import pages

if TYPE_CHECKING:
    from app.documents.page_check import PageResult


@dataclass
class FileResult:
    pages: list[PageResult]
    problems: list[str] = field(default_factory=list)  # about the set of pages: "中文 | English"
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.ok for r in self.pages)

    @property
    def compared(self) -> bool:
        """Every page's text was compared (a scan whose raster could not be compared was not)."""
        return all(r.compared for r in self.pages)


def _label(pos: tuple[int, int]) -> str:
    return f"{pos[0]}/{pos[1]}"


def _expected(run: list[PageResult]) -> list[tuple[int, int]]:
    first = run[0]
    st = first.statement
    assert st is not None
    if first.document is not None:
        return [(p.page, p.of) for p in pages(first.document.get("document") or {})]
    return [(n, st.of) for n in range(1, st.of + 1)]


def _subsequence(got: list[tuple[int, int]], expected: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """The expected pages left out, when ``got`` is ``expected`` with some left out (in order); else None."""
    k, missing = 0, []
    for pos in got:
        while k < len(expected) and expected[k] != pos:
            missing.append(expected[k])
            k += 1
        if k == len(expected):
            return None
        k += 1
    return missing + expected[k:]


def _named(run: list[PageResult]) -> tuple[str, str]:
    st = run[0].statement
    assert st is not None
    title = run[0].title or st.form
    number = str((run[0].document or {}).get("number") or "")
    if number:
        return f"《{title}》（{number}）", f"the {st.form} document {number}"
    return f"《{title}》（文书 {st.doc[:8]}）", f"the {st.form} document {st.doc[:8]}"


def check_set(results: list[PageResult], *, partial: bool = False) -> FileResult:
    out = FileResult(results)
    stated = [r for r in results if r.statement is not None]
    if len(results) == 1 and stated:
        st = stated[0].statement
        assert st is not None
        if st.of > 1:
            out.notes.append(f"单页核验：此页为该文书第 {st.page}/{st.of} 页，其余各页未核验 | a one-page check: this "
                             f"is page {st.page}/{st.of} of its document; the other pages were not checked")
        return out
    if len({r.statement.form for r in stated if r.statement is not None}) > 1:
        out.problems.append("文件中混有不同文书的页面 | the file mixes pages of documents of different forms")
    runs: list[list[PageResult]] = []
    for r in stated:
        assert r.statement is not None
        last = runs[-1][0].statement if runs else None
        if last is not None and last.doc == r.statement.doc:
            runs[-1].append(r)
        else:
            runs.append([r])
    seen: set[str] = set()
    for run in runs:
        st = run[0].statement
        assert st is not None
        zh, en = _named(run)
        if st.doc in seen:
            out.problems.append(f"{zh}的页面不连续，中间夹有其他文书的页面 | the pages of {en} are not together: "
                                "pages of another document stand between them")
            continue
        seen.add(st.doc)
        got = [(r.statement.page, r.statement.of) for r in run if r.statement is not None]
        expected = _expected(run)
        order = "、".join(_label(p) for p in got)
        if got == expected:
            continue
        missing = _subsequence(got, expected)
        if missing is None:
            out.problems.append(f"{zh}的页序不对或有重复：文件中依次为第 {order} 页，应为第 "
                                f"{'、'.join(_label(p) for p in expected)} 页 | the pages of {en} are out of order or "
                                f"repeated: the file holds pages {', '.join(_label(p) for p in got)} in this order")
        elif partial:
            out.notes.append(f"部分核验（--partial）：{zh}缺少第 {'、'.join(_label(p) for p in missing)} 页 | a partial "
                             f"check (--partial): {en} lacks pages {', '.join(_label(p) for p in missing)}")
        else:
            out.problems.append(f"{zh}不完整：缺少第 {'、'.join(_label(p) for p in missing)} 页（只核验部分页面时请加 "
                                f"--partial）| {en} is incomplete: pages {', '.join(_label(p) for p in missing)} are "
                                "missing (to check only some pages, add --partial)")
    return out
