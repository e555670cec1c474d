"""Render every form of the sample case to docs/forms/ as PDF, plus PNG previews of the first pages.

    python scripts/render_forms.py [--out DIR] [--dpi 80] [--pages 1]

Needs pdftoppm (poppler-utils) for the PNG previews. The PDFs are not committed (docs/forms/.gitignore).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from app.documents import FORMS, render  # noqa: E402
from app.documents.form_table import FORM_INFO  # noqa: E402
from app.documents.sample import sample_context  # noqa: E402


def _shrink(png: Path) -> None:
    """8 grey levels, 4 bits per pixel: a readable preview at a fraction of the size."""
    with Image.open(png) as im:
        small = im.convert("L").quantize(colors=8)
    small.save(png, optimize=True, bits=4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "forms")
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--pages", type=int, default=1, help="how many first pages to preview per form")
    args = parser.parse_args(argv)
    ctx = sample_context(interview_questions=30, evidence_items=60, onsite_paragraphs=6)
    # the 稽核结果告知书 is the 经办机构's: it is rendered for the same case run on the agency's track
    agency_ctx = sample_context(interview_questions=30, evidence_items=60, onsite_paragraphs=6, track="agency")
    args.out.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    for form in FORMS:
        pdf = args.out / f"{form}.pdf"
        result = render(form, agency_ctx if FORM_INFO[form].issuer == "agency" else ctx, pdf)
        kib = result.size / 1024
        print(f"{form:16} {result.pages:3d} pages {kib:7.1f} KiB  {result.content_sha256[:16]}")
        if pdftoppm is None:
            continue
        for old in args.out.glob(f"{form}-*.png"):
            old.unlink()
        last = min(args.pages, result.pages)
        cmd = [pdftoppm, "-png", "-gray", "-r", str(args.dpi), "-f", "1", "-l", str(last)]
        subprocess.run([*cmd, str(pdf), str(args.out / form)], check=True)
        for png in args.out.glob(f"{form}-*.png"):
            number = int(png.stem.rsplit("-", 1)[1])  # pdftoppm pads to the page count's width: -01
            target = png.with_name(f"{form}-{number}.png")
            png.rename(target)
            _shrink(target)
    if pdftoppm is None:
        print("pdftoppm not found: no PNG previews (apt-get install poppler-utils)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
