"""verify-page attacked with genuine pages put together wrongly, and with a page whose visible text was changed
while its text layer was left alone. Each page on its own is genuine; the paper a person holds is not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from app.cli.__main__ import main
from tests.adversary.conftest import AdvDemo


def _pick(src: list[tuple[Path, int]], out: Path) -> Path:
    w = PdfWriter()
    for path, k in src:
        w.add_page(PdfReader(path).pages[k])
    w.write(out)
    return out


def _verify_page(pdf: Path, package: Path) -> int:
    return main(["verify-page", str(pdf), "--package", str(package)])


def test_genuine_print_verifies(adv_demo: AdvDemo) -> None:
    """The control: the printed PDF as it came out of the printer passes."""
    assert _verify_page(adv_demo.onsite_pdf, adv_demo.package) == 0


def test_swapped_pages_fail(adv_demo: AdvDemo, tmp_path: Path) -> None:
    pdf = _pick([(adv_demo.onsite_pdf, 1), (adv_demo.onsite_pdf, 0), (adv_demo.onsite_pdf, 2)], tmp_path / "s.pdf")
    assert _verify_page(pdf, adv_demo.package) == 1


def test_a_dropped_page_fails(adv_demo: AdvDemo, tmp_path: Path) -> None:
    pdf = _pick([(adv_demo.onsite_pdf, 0), (adv_demo.onsite_pdf, 2)], tmp_path / "d.pdf")
    assert _verify_page(pdf, adv_demo.package) == 1


def test_pages_of_two_documents_mixed_fail(adv_demo: AdvDemo, tmp_path: Path) -> None:
    pdf = _pick([(adv_demo.onsite_pdf, 0), (adv_demo.sealing_pdf, 1)], tmp_path / "m.pdf")
    assert _verify_page(pdf, adv_demo.package) == 1


def _overlay(src: Path, out: Path) -> Path:
    """Page 1 with its 检查时间 line painted over in white and a picture of other text drawn on top: what a person
    reads changes, the text layer pdftotext extracts does not."""
    w = PdfWriter(clone_from=src)
    page = w.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    img = Image.new("RGB", (1400, 70), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 56)
    ImageDraw.Draw(img).text((0, 5), "检查时间：2026年11月1日09时30分至11时30分", fill="black", font=font)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setFillColorRGB(1, 1, 1)
    c.rect(75, height - 203, 340, 20, stroke=0, fill=1)
    c.drawImage(ImageReader(img), 79.37, height - 201, width=335, height=16.7)
    c.save()
    buf.seek(0)
    page.merge_page(PdfReader(buf).pages[0])
    w.write(out)
    return out


def test_visible_text_changed_under_an_unchanged_text_layer_fails(adv_demo: AdvDemo, tmp_path: Path) -> None:
    pdf = _overlay(adv_demo.onsite_pdf, tmp_path / "o.pdf")
    assert _verify_page(pdf, adv_demo.package) == 1


def test_a_scan_with_its_text_removed_is_not_reported_as_matching(adv_demo: AdvDemo, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    png = tmp_path / "scan.png"
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1", str(adv_demo.onsite_pdf),
                    str(tmp_path / "scan")], check=True, timeout=120)
    with Image.open(png) as im:
        page = im.convert("RGB")
    w, h = page.size
    ImageDraw.Draw(page).rectangle((0, 0, w, int(h * 0.80)), fill="white")  # the QR block is at the bottom
    page.save(png)
    capsys.readouterr()
    rc = _verify_page(png, adv_demo.package)
    out = capsys.readouterr().out
    assert rc != 0 or "matches the package" not in out, out
