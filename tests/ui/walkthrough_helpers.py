"""Driving the real walk-through widgets against a real encrypted store (shared by the UI tests and the
screenshot script)."""

from __future__ import annotations

import io
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.models.profile import Profile, Store

HOSPITAL = {"name": "某市虚构第二医院（测试）", "kind": "designated_hospital", "uscc": "12420100MB0123456C",
            "address": "某市某区测试路 2 号", "legal_rep": "赵测试", "phone": "027-00000000", "level": "二级"}
REP_ID = "11010519491231002X"  # the GB 11643 example number


def fake_printer(store: Store, case_id: str, form: str, actor_id: str) -> object:
    """Stands in for ``render_form``: a small real two-page PDF of the form, rendered in memory, journaled by
    nobody (the closing page journals it once a printer or the PDF writer accepted it)."""
    import hashlib

    from reportlab.pdfgen.canvas import Canvas

    from app.workflow.printing import RenderedForm

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595.27, 841.89))
    for page in (1, 2):
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, 760, f"test print of {form} for {case_id}, page {page} of 2")
        canvas.rect(72, 120, 451, 600)
        canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    sha = hashlib.sha256(pdf).hexdigest()
    return RenderedForm(form, case_id, pdf, 2, sha, sha, "")


def make_case(root: Path, pass_a: str, pass_b: str, *, checklist_items: int = 3) -> str:
    from app.workflow.cases import CaseSpec, add_institution, create_case
    from app.workflow.demo import demo_checklist

    with Profile.open(root).unlock(pass_a) as store:
        store.unlock_inspector(pass_b)
        ids = [slot.inspector_id for slot in store.profile.inspectors()]
        with store.transaction() as s:
            inst = add_institution(s, **HOSPITAL)
            case = create_case(s, store, ids[0], CaseSpec(
                institution_id=inst.id, kind="special", inspector_ids=ids, title="住院费用专项稽核（测试）",
                doc_no="某医保稽通〔2026〕9号", planned_date="2026-11-23", period_from="2025-01-01",
                period_to="2025-12-31", notice_served_on="2026-11-18",
                place=HOSPITAL["address"], checklist=demo_checklist()[:checklist_items]))
            return case.id


def photo(n: int, size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (230 - 20 * n % 200, 220, 200 + n % 50))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40 + n * 7 % 200, 60, 300, 300), outline=(40, 40, 90), width=8)
    exif = Image.Exif()
    exif[0x0110] = "TEST CAMERA"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=80)
    return buffer.getvalue()


def error_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def draw_signature(qtbot: object, pad: object) -> None:
    for y0 in (60, 110):
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(40, y0))  # type: ignore[attr-defined]
        for i in range(1, 12):
            qtbot.mouseMove(pad, QPoint(40 + i * 22, y0 + (i % 3) * 14))  # type: ignore[attr-defined]
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, y0 + 10))  # type: ignore[attr-defined]
