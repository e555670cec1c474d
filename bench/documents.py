"""Render time and size of a 5-page 现场检查笔录 (targets: < 0.3 s warm, < 200 KB without photos).

The first render in a process includes registering the two CJK TrueType collections with reportlab
(cached per process); it is measured separately from the warm renders. Baseline: the same layout
drawn with reportlab's built-in Helvetica would not show Chinese, so the ratio is against the time
reportlab needs to write an empty 5-page PDF with the same fonts (the fixed cost of a document).

    python bench/documents.py [--runs 10]

Last line: one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.documents import DocumentContext, render
from app.documents.fonts import SONG, register_fonts
from app.documents.sample import sample_context


def _five_page_context() -> tuple[DocumentContext, int]:
    for paragraphs in range(4, 60):
        ctx = sample_context(onsite_paragraphs=paragraphs)
        pages = render("onsite-record", ctx, io.BytesIO()).pages
        if pages >= 5:
            return ctx, pages
    raise RuntimeError("could not build a 5-page record")


def _baseline(pages: int) -> float:
    t = time.perf_counter()
    c = Canvas(io.BytesIO(), pagesize=A4, invariant=True, initialFontName=SONG)
    for _ in range(pages):
        c.setFont(SONG, 12)
        c.drawString(100, 700, "第 1 页")
        c.showPage()
    c.save()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    t0 = time.perf_counter()
    register_fonts()
    font_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    render("onsite-record", sample_context(onsite_paragraphs=2), io.BytesIO())
    first_render = time.perf_counter() - t0  # first document after the fonts: glyph tables warm up

    ctx, pages = _five_page_context()
    times: list[float] = []
    size = 0
    for _ in range(args.runs):
        buf = io.BytesIO()
        t = time.perf_counter()
        result = render("onsite-record", ctx, buf)
        times.append(time.perf_counter() - t)
        size = result.size
    warm = statistics.median(times)
    base = statistics.median(_baseline(pages) for _ in range(args.runs))
    figures = {
        "font_load_s": round(font_load, 4),
        "first_render_s": round(first_render, 4),
        "cold_total_s": round(font_load + first_render, 4),
        "warm_render_s": round(warm, 4),
        "warm_render_min_s": round(min(times), 4),
        "pages": pages,
        "size_bytes": size,
        "size_kb": round(size / 1000, 1),
        "baseline_empty_pdf_s": round(base, 4),
        "ratio": round(warm / base, 2) if base else None,
        "target_time_s": 0.3,
        "target_size_kb": 200,
        "meets_targets": warm < 0.3 and size < 200_000,
    }
    print(f"font registration (once per process): {font_load * 1000:.1f} ms")
    print(f"first render after registration:      {first_render * 1000:.1f} ms")
    print(f"warm render of {pages}-page 现场检查笔录:    {warm * 1000:.1f} ms (median of {args.runs})")
    print(f"size:                                 {size / 1000:.1f} KB")
    print(f"baseline (empty {pages}-page PDF):       {base * 1000:.1f} ms  ratio {figures['ratio']}")
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
