#!/usr/bin/env python
"""Render every page and widget of the UI offscreen and save PNGs under docs/screenshots/.

    python scripts/screenshots.py [--out DIR] [--lang zh_CN|en] [--scale 1.5|2]

Each page is saved at 1366×768 and 1920×1080, on a 1366×768 screen; dialogs at their natural size, as fitted
to that screen. Until the store is wired, the
unlock pages use the in-memory unlock service from the UI tests. Then, in a child process each (the scale is
fixed when Qt starts), the walk-through on a 1920×1080 screen at 150 % and 200 % scaling: ``*-1920x1080-150pct``
and ``*-1920x1080-200pct``, the window filling the screen as it opens (1280×720 and 960×540 logical pixels).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.ui.application import CrashDialog, create_application  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.operations import Progress  # noqa: E402
from app.ui.widgets.busy import BusyDialog  # noqa: E402
from app.ui.widgets.errors import show_error  # noqa: E402
from app.ui.widgets.photo_viewer import PhotoViewer  # noqa: E402
from app.ui.widgets.signature_pad import SignaturePanel, StrokePoint  # noqa: E402
from app.ui.wiring import Services  # noqa: E402
from tests.ui.fakes import two_inspectors  # noqa: E402
from tests.ui.screen_fit import demo_photo, fill_new_audit  # noqa: E402

SIZES = ((1366, 768), (1920, 1080))
SCALE = 1.0  # --scale: the walk-through alone, on a 1920×1080 screen at this scaling
SCALED_SCREEN = (1920, 1080)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(app: QApplication, widget: QWidget, out: Path, name: str, size: tuple[int, int] | None) -> Path:
    if size is not None:
        widget.resize(*size)
    widget.show()
    settle(app)
    suffix = f"-{size[0]}x{size[1]}" if size else ""
    if size and SCALE != 1:  # named by the screen's physical pixels and the scaling
        suffix = f"-{round(size[0] * SCALE)}x{round(size[1] * SCALE)}-{round(SCALE * 100)}pct"
    elif SCALE != 1:  # a dialog at its own size, on the scaled screen
        suffix = f"-{round(SCALE * 100)}pct"
    path = out / f"{name}{suffix}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return path


def demo_signature() -> list[list[StrokePoint]]:
    """A synthetic signature: three pen strokes with varying pressure."""
    strokes = []
    t = 0
    for k, (x0, y0) in enumerate(((80, 120), (230, 100), (380, 130))):
        stroke = []
        for i in range(60):
            a = i / 59
            x = x0 + 120 * a
            y = y0 + 40 * math.sin(a * math.pi * (2 + k)) - 20 * a
            pressure = int(300 + 600 * math.sin(a * math.pi))
            stroke.append(StrokePoint(round(x * 10), round(y * 10), t, pressure, 20, -10))
            t += 8
        strokes.append(stroke)
        t += 200
    return strokes


def wait(app: QApplication, pool: QThreadPool, cond, timeout_s: float = 30) -> None:
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    # waits on a short event loop rather than spinning processEvents()
    end = time.monotonic() + timeout_s
    while not cond() and time.monotonic() < end:
        pool.waitForDone(20)
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def sync_dialogs(app: QApplication, win: MainWindow, out: Path, tag: str) -> None:
    """The 同步 dialogs over the unlocked demo: registration (fingerprint shown and confirmed), the address before a
    sync, its progress and the summary. Sample figures; the archive is not contacted."""
    from app.ui.sync_dialogs import RegisterDialog, SyncDialog, SyncSummaryBox
    from app.ui.sync_work import SyncStatus, SyncSummary

    url, fingerprint = "https://archive.example.gov.cn:8443", "3f2a 9c41 07be d5e8"
    assert win.workspace is not None
    register = RegisterDialog(win, win.workspace, SyncStatus(url=url))
    register._fetched(url, fingerprint)  # as after "Check the archive"
    register.confirm.setChecked(True)
    register.code.setText("7KQ2M-XD4PA-9TRWE")
    save(app, register, out, f"13-sync-register{tag}", None)
    register.close()
    dialog = SyncDialog(win, SyncStatus(True, url, fingerprint, "2026-11-20T08:00:00Z", pending_cases=2))
    save(app, dialog, out, f"14-sync-dialog{tag}", None)
    dialog.close()
    busy = BusyDialog(win, "正在与档案中心同步……" if not tag else "Synchronising with the archive…")
    busy.set_progress(Progress(18_400, 46_200, "正在上传“某医保稽通〔2026〕1号”的证据：18.8 / 47.3 MB" if not tag
                               else "Uploading evidence of 某医保稽通〔2026〕1号: 18.8 of 47.3 MB"))
    save(app, busy, out, f"15-sync-progress{tag}", None)
    busy.finish()
    summary = SyncSummaryBox(win, SyncSummary(url, accepted=["某医保稽通〔2026〕1号 — 某市第一人民医院"],
                                              refused=[("某医保稽通〔2026〕2号 — 某市中心药房", "actor_revoked")],
                                              conflicts=1, bytes_sent=47_312_640, blobs_uploaded=46))
    save(app, summary, out, f"16-sync-summary{tag}", None)
    summary.close()
    settle(app)


def page_settled(win: MainWindow, case: object, step: str) -> bool:
    """The workspace is idle and, on the evidence page, the visible thumbnails and the selected photo are shown."""
    if not win.workspace.idle():
        return False
    if step != "evidence":
        return True
    evidence = case.page("evidence")  # type: ignore[attr-defined]
    current = evidence.current()
    photo_shown = current is None or not current.is_image or evidence.viewer.has_image()
    return not evidence.model.missing_thumbnails() and photo_shown


def walkthrough(app: QApplication, out: Path, tag: str) -> None:
    """The enrolment page, home and every step of the demo audit, on a real demo store in a temp dir."""
    import tempfile

    from app.ui.enrol import EnrolmentPage
    from app.ui.snapshot import PAGES
    from app.ui.store_service import DEMO_PASSPHRASES, StoreUnlockService
    from app.ui.wiring import build_services

    with tempfile.TemporaryDirectory(prefix="fieldaudit-shots-") as tmp:
        pool = QThreadPool()
        enrol = EnrolmentPage(StoreUnlockService(Path(tmp) / "empty"), pool)
        for size in SIZES:
            save(app, enrol, out, f"11-enrolment{tag}", size)
        enrol.deleteLater()
        services = build_services(Path(tmp) / "demo", True)  # the real printer: print_case into memory
        win = MainWindow(services, idle_ms=3_600_000)
        team = services.unlock.inspectors()
        for (iid, _name), secret in zip(team, DEMO_PASSPHRASES, strict=True):
            services.unlock.unlock(iid, secret)
        win._on_unlocked(team)
        home = win.home_page
        wait(app, services.store_pool, lambda: home.model.rowCount() > 0)
        for size in SIZES:
            save(app, win, out, f"12-home{tag}", size)
        if SCALE == 1:  # dialogs at their natural size: once is enough
            sync_dialogs(app, win, out, tag)
        showcase = next(home.model.row_at(r).case_id for r in range(home.model.rowCount())
                        if home.model.row_at(r).status == "closed")  # beside it: the practice audit
        win.open_case(showcase)
        case = win.case_page
        wait(app, services.store_pool, lambda: case.snap is not None)
        for i, step in enumerate(PAGES):
            case.show_step(step)
            for size in SIZES:
                win.resize(*size)
                settle(app)  # the new size may show more thumbnails: wait until what is visible is loaded
                wait(app, services.store_pool, lambda s=step: page_settled(win, case, s))
                save(app, win, out, f"{20 + i:02d}-step-{step}{tag}", size)
        # print the on-site record from the closing page: the print preview of the real PDF
        closing = case.page("closing")
        case.show_step("closing")
        loads = case.loads
        closing.print_form_now("onsite-record")
        wait(app, services.store_pool, lambda: closing.preview is not None and case.loads > loads)
        preview = closing.preview
        assert preview is not None
        wait(app, services.store_pool, preview.loaded)
        for size in SIZES:
            save(app, win, out, f"{20 + len(PAGES):02d}-closing-printed{tag}", size)
            preview.resize(*size)
            preview.show()
            wait(app, services.store_pool, lambda: False, timeout_s=1.5)  # QPdfView renders pages on a thread
            save(app, preview, out, f"{21 + len(PAGES):02d}-print-preview{tag}", size)
        preview.close()
        win.lock_now()
        services.store_pool.waitForDone()
        win.close()
        win.deleteLater()
        settle(app)


def new_audit_path(app: QApplication, out: Path, tag: str) -> None:
    """新建稽核 on the GUI demo: the dialog (a USCC with a wrong check character named at once, then filled in),
    the new case at its first step with 尚缺 and 下一步, six photos imported, the provider signing a list once
    (and the one-item signature and refusal dialogs), every step of the new case (``5x-new-audit-STEP``), the
    closing page with "打印全部现场文书", and the forms after the visit (``later_forms``)."""
    import tempfile

    from app.ui.store_service import DEMO_PASSPHRASES
    from app.ui.wiring import build_services

    with tempfile.TemporaryDirectory(prefix="fieldaudit-shots-new-") as tmp:
        services = build_services(Path(tmp) / "demo", True)
        win = MainWindow(services, idle_ms=3_600_000)
        team = services.unlock.inspectors()
        for (iid, _name), secret in zip(team, DEMO_PASSPHRASES, strict=True):
            services.unlock.unlock(iid, secret)
        win._on_unlocked(team)
        win.resize(*SIZES[0])
        win.show()
        wait(app, services.store_pool, lambda: win.home_page.model.rowCount() > 1)
        save(app, win, out, f"39-home-practice-audit{tag}", SIZES[0])
        win.new_audit()
        wait(app, services.store_pool, lambda: win.new_audit_dialog is not None)
        dialog = win.new_audit_dialog
        assert dialog is not None
        fill_new_audit(dialog)
        dialog.uscc.setText("91420100M000300Q50")  # a wrong check character, named at once
        dialog_size = (1280, 720) if SCALE == 1 else SIZES[0]  # scaled: as large as the screen allows
        save(app, dialog, out, f"40-new-audit-uscc-error{tag}", dialog_size)
        dialog.uscc.setText("91420100M000300Q5R")
        save(app, dialog, out, f"41-new-audit-filled{tag}", dialog_size)
        dialog.submit()
        wait(app, services.store_pool, lambda: win.case_page is not None and win.case_page.snap is not None)
        case = win.case_page
        assert case is not None
        for size in SIZES:
            win.resize(*size)
            wait(app, services.store_pool, win.workspace.idle)
            save(app, win, out, f"42-new-audit-arrival{tag}", size)
        # six photos, then the provider signs once for all (the list shown above the pad)
        evidence = case.page("evidence")
        case.show_step("evidence")
        files = []
        for n in range(6):
            f = Path(tmp) / f"IMG_{n:04d}.JPG"
            f.write_bytes(demo_photo(n))
            files.append(f)
        evidence.source.setText("住院部三病区护士站")
        evidence.provider_name.setText("钱护士")
        loads = case.loads
        evidence.import_paths(files)
        wait(app, services.store_pool, lambda: case.loads > loads and win.workspace.idle())
        evidence.sign_batch()
        batch = evidence.batch_dialog
        assert batch is not None
        batch.panel.pad.set_strokes(demo_signature())
        save(app, batch, out, f"43-batch-signature{tag}", None)
        batch.reject()
        evidence.sign()  # one item: the provider's signature, then the refusal dialog
        sign = evidence.sign_dialog
        assert sign is not None
        sign.panel.pad.set_strokes(demo_signature())
        save(app, sign, out, f"43a-signature-dialog{tag}", None)
        sign.reject()
        evidence.refuse()
        refusal = evidence.refusal_dialog
        assert refusal is not None
        save(app, refusal, out, f"43b-refusal-dialog{tag}", None)
        refusal.reject()
        settle(app)
        # every step of the new audit (six photos on the evidence page) at each screen
        from app.ui.snapshot import PAGES

        for i, step in enumerate(PAGES):
            case.show_step(step)
            for size in SIZES:
                win.resize(*size)
                settle(app)
                wait(app, services.store_pool, lambda s=step: page_settled(win, case, s))
                save(app, win, out, f"{50 + i:02d}-new-audit-{step}{tag}", size)
                bar = case.page(step)._scroll.verticalScrollBar()
                if bar.maximum() > 0:  # a page taller than the screen: its end too (on the evidence page at
                    bar.setValue(bar.maximum())  # 200 %: the photo under the list)
                    save(app, win, out, f"{50 + i:02d}-new-audit-{step}-end{tag}", size)
                    bar.setValue(0)
        case.show_step("closing")
        for size in SIZES:
            win.resize(*size)
            wait(app, services.store_pool, win.workspace.idle)
            save(app, win, out, f"44-new-audit-closing{tag}", size)
        later_forms(app, win, out, tag)
        win.lock_now()
        services.store_pool.waitForDone()
        win.close()
        win.deleteLater()
        settle(app)


def later_forms(app: QApplication, win: MainWindow, out: Path, tag: str) -> None:
    """The forms after the visit on the new audit: the notice lacks its materials ("去填写" goes to the arrival
    page's box), the box filled in; the findings page's proposed handling; the closing page's later documents
    and the 送达 box."""
    case = win.case_page
    pool = win.services.store_pool
    assert case is not None
    win.resize(*SIZES[0])
    closing = case.page("closing")
    wait(app, pool, lambda: "notice" in closing.later_rows and win.workspace.idle())
    closing._scroll.ensureWidgetVisible(closing._service_box)
    settle(app)
    save(app, win, out, f"45-closing-later-forms{tag}", SIZES[0])
    closing.print_form_now("notice")
    wait(app, pool, lambda: getattr(closing, "missing_field_box", None) is not None)
    box = closing.missing_field_box
    save(app, box, out, f"46-later-form-missing{tag}", None)
    go = box.buttons()[0]
    go.click()
    box.close()
    arrival = case.page("arrival")
    arrival.notice_details["materials"].setPlainText("住院病历\n费用明细清单\n医保结算单")
    arrival._scroll.ensureWidgetVisible(arrival._notice_box)
    settle(app)
    save(app, win, out, f"47-arrival-notice-details{tag}", SIZES[0])
    case.show_step("findings")
    findings = case.page("findings")
    findings.outcome["handling"].setPlainText("责令退回医疗保障基金，责令限期改正")
    findings.outcome["rectification"].setPlainText("规范住院收费\n完善病历管理")
    findings._scroll.ensureWidgetVisible(findings._outcome_box)
    settle(app)
    save(app, win, out, f"48-findings-proposed-handling{tag}", SIZES[0])


def scaled(scale: float, out: Path, lang: str, tag: str) -> int:
    """The walk-through and the new-audit path on a 1920×1080 screen at ``scale``: the window as large as the
    screen allows."""
    global SIZES, SCALE
    from tests.ui.screen_fit import offscreen_config

    config = offscreen_config(*SCALED_SCREEN)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ["QT_SCALE_FACTOR"] = str(scale)
    try:
        app, _translators = create_application(["screenshots"], lang=lang)
        available = app.primaryScreen().availableGeometry()
        SIZES = ((available.width(), available.height()),)
        SCALE = scale
        walkthrough(app, out, tag)
        new_audit_path(app, out, tag)
    finally:
        config.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--scale", type=float, default=1.0, help="only the walk-through, 1920x1080 at this scale")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tag = "" if args.lang == "zh_CN" else "-en"
    if args.scale != 1:
        return scaled(args.scale, out, args.lang, tag)
    from tests.ui.screen_fit import offscreen_config

    # a 1366×768 laptop screen: dialogs open fitted to it (the 1920×1080 shots resize the window past it)
    config = offscreen_config(*SIZES[0])
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    try:
        return unscaled(out, args.lang, tag)
    finally:
        config.unlink()


def unscaled(out: Path, lang: str, tag: str) -> int:
    """Every page at 1366×768 and 1920×1080 at 100 %, then the scaled walk-throughs in child processes."""
    app, _translators = create_application(["screenshots"], lang=lang)
    pool = QThreadPool()

    for size in SIZES:
        services = Services(
            profile_dir=Path("/profiles/武汉市医保稽核"), unlock=two_inspectors(), store_pool=pool
        )
        win = MainWindow(services, profiles=[Path("/profiles/演示")], idle_ms=3_600_000)
        save(app, win, out, f"01-unlock{tag}", size)
        # inspector A unlocked, B typed a wrong passphrase
        page = win.unlock_page
        page.panels[0].set_unlocked()
        page.panels[1].set_failed(
            "口令不正确，请重新输入。" if not tag else "Wrong passphrase. Please try again."
        )
        save(app, win, out, f"02-unlock-one-done{tag}", size)
        page.panels[1].reset()
        page.panels[1].set_unlocked()
        win._on_unlocked([page.panels[0].unlocked_as(), page.panels[1].unlocked_as()])
        save(app, win, out, f"03-home-placeholder{tag}", size)
        win.lock_now()
        pool.waitForDone()
        save(app, win, out, f"04-locked{tag}", size)
        win.close()
        win.deleteLater()

        panel = SignaturePanel(signer="李明（证据提供者）")
        panel.resize(*size)
        panel.show()
        settle(app)
        panel.pad.set_strokes(demo_signature())
        save(app, panel, out, f"05-signature{tag}", size)
        panel.deleteLater()

        viewer = PhotoViewer()
        viewer.set_image_bytes(demo_photo())
        save(app, viewer, out, f"06-photo-viewer{tag}", size)
        viewer.set_image_bytes(b"\xff\xd8 not really a jpeg")
        save(app, viewer, out, f"07-photo-corrupt{tag}", size)
        viewer.deleteLater()
        settle(app)

    walkthrough(app, out, tag)
    new_audit_path(app, out, tag)
    for scale in ("1.5", "2"):  # each in its own process: Qt fixes the scaling when it starts
        import subprocess

        subprocess.run([sys.executable, __file__, "--out", str(out), "--lang", lang, "--scale", scale],
                       check=True, env={k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"})

    host = QWidget()
    host.resize(900, 600)
    busy = BusyDialog(host, "正在导入照片……" if not tag else "Importing photos...")
    busy.set_progress(Progress(87, 200, "IMG_0087.JPG"))
    save(app, busy, out, f"08-busy-dialog{tag}", None)
    busy.finish()
    box = show_error(host, OSError(28, "No space left on device"))
    assert box is not None
    save(app, box, out, f"09-error-disk-full{tag}", None)
    box.close()
    crash = CrashDialog(Path("/profiles/demo/logs/crash-20261123-094107-1234-000001.txt"))
    save(app, crash, out, f"10-crash-dialog{tag}", None)
    crash.close()
    settle(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
