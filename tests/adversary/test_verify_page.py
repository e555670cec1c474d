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


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(argv)
    return rc, capsys.readouterr().out


def test_partial_names_the_missing_page_and_still_refuses_disorder(adv_demo: AdvDemo, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    dropped = _pick([(adv_demo.onsite_pdf, 0), (adv_demo.onsite_pdf, 2)], tmp_path / "d.pdf")
    rc, out = _run(["verify-page", str(dropped), "--package", str(adv_demo.package)], capsys)
    assert rc == 1 and "缺少第 2/3 页" in out and "--partial" in out, out
    rc, out = _run(["verify-page", str(dropped), "--package", str(adv_demo.package), "--partial"], capsys)
    assert rc == 0 and "部分核验" in out and "2/3" in out, out
    swapped = _pick([(adv_demo.onsite_pdf, 1), (adv_demo.onsite_pdf, 0)], tmp_path / "s.pdf")
    rc, out = _run(["verify-page", str(swapped), "--package", str(adv_demo.package), "--partial"], capsys)
    assert rc == 1 and "页序不对" in out, out


def test_a_genuine_scan_at_200_dpi_is_compared_as_pixels(adv_demo: AdvDemo, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "2", "-l", "2", str(adv_demo.onsite_pdf),
                    str(tmp_path / "scan")], check=True, timeout=120)
    rc, out = _run(["verify-page", str(tmp_path / "scan.png"), "--package", str(adv_demo.package)], capsys)
    assert rc == 0 and "逐像素" in out and "第 2/3 页" in out, out
    with Image.open(tmp_path / "scan.png") as im:  # a skewed scan is not a proof of anything: not compared
        im.convert("RGB").rotate(0.4, fillcolor="white").save(tmp_path / "skew.png")
    rc, out = _run(["verify-page", str(tmp_path / "skew.png"), "--package", str(adv_demo.package)], capsys)
    assert rc == 4 and "页面文字未核对" in out and "matches the package" not in out, out
