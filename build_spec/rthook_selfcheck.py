"""PyInstaller runtime hook of the frozen GUI: ``FIELDAUDIT_FROZEN_SELFCHECK=1 fieldaudit`` checks the bundle.

Without that variable this hook does nothing. With it, the frozen ``fieldaudit`` checks, in the bundle itself and
before the app's own entry point runs, what a missing file or plugin would break only later, prints one JSON
object (``{"ok": true, "checks": {...}}``) and exits, 0 only if every check passed. It writes no file.

- resources: every module that locates ``resources/`` finds the bundled one (``sys._MEIPASS/resources``);
  the reference data and the document configuration load from it
- fonts / translations: the application is configured in Chinese as ``python -m app`` does (bundled CJK
  fonts registered, ``fieldaudit_zh_CN.qm`` loaded) and Qt's ``qtbase_zh_CN.qm`` is found
- qtmultimedia: the camera backend plugin loads (no "backend" warning from Qt)
- imageformats: JPEG round trip through the ``qjpeg`` plugin
- pdf: reportlab renders a Chinese line with the bundled fonts (embedded), QtPdf opens the result
- printsupport: a QPrinter and the print-support plugin
- sqlcipher: an encrypted in-memory database with a raw key answers ``cipher_version``
"""

from __future__ import annotations

import os
import sys

ENV = "FIELDAUDIT_FROZEN_SELFCHECK"
OUT_ENV = "FIELDAUDIT_FROZEN_SELFCHECK_OUT"  # write the JSON line to this file instead of stdout (Windows GUI)


def _check_resources(bundle_resources: str) -> str:
    from pathlib import Path

    from app.documents import config, fonts
    from app.ui import resources
    from app.workflow import reference_entries, reference_files, reference_holidays

    expected = Path(bundle_resources).resolve()
    found = {
        "app.ui.resources": resources.resources_dir(),
        "app.workflow.reference_files": reference_files.resources_dir(),
        "app.documents.fonts": fonts.FONT_DIR.parent,
        "app.documents.config": config.DEFAULT_CONFIG_PATH.parents[1],
    }
    wrong = {name: str(path) for name, path in found.items() if Path(path).resolve() != expected}
    if wrong:
        raise AssertionError(f"not the bundled {expected}: {wrong}")
    kinds = reference_entries.evidence_kinds()
    calendar = reference_holidays.load_work_calendar()
    config.DEFAULT_CONFIG_PATH.read_bytes()
    return f"{expected}; {len(kinds)} evidence kinds, holidays for {sorted(calendar.years)}"


def _check_fonts_and_translations(app: object) -> str:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
    from PySide6.QtGui import QFontDatabase

    from app.ui.application import SERIF_FAMILY, UI_FAMILY, configure_application

    configure_application(app, lang="zh_CN")  # type: ignore[arg-type]  # raises without fonts or .qm
    families = set(QFontDatabase.families())
    missing = {UI_FAMILY, SERIF_FAMILY} - families
    if missing:
        raise AssertionError(f"fonts not registered: {missing}")
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_zh_CN", qt_dir):
        raise AssertionError(f"qtbase_zh_CN.qm not found in {qt_dir}")
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    return f"{UI_FAMILY}, {SERIF_FAMILY}; zh_CN; Qt 'Cancel' -> {cancel}"


def _check_multimedia(warnings: list[str]) -> str:
    from PySide6.QtMultimedia import QMediaCaptureSession, QMediaDevices

    before = len(warnings)
    cameras = QMediaDevices.videoInputs()
    QMediaCaptureSession()
    problems = [w for w in warnings[before:] if "backend" in w.lower()]
    if problems:
        raise AssertionError("; ".join(problems))
    return f"backend loaded, {len(cameras)} cameras"


def _check_imageformats() -> str:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage, QImageReader

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    if "jpeg" not in formats:
        raise AssertionError(f"no jpeg in {sorted(formats)}")
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#1d5fa7"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "JPEG"):  # type: ignore[call-overload]  # the stub says bytes, PySide wants str
        raise AssertionError("JPEG encode failed")
    decoded = QImage.fromData(data)  # format detected: needs the qjpeg plugin too
    if decoded.size() != image.size():
        raise AssertionError("JPEG decode failed")
    return f"jpeg round trip ({data.size()} bytes); {len(formats)} formats"


def _check_pdf() -> str:
    import io

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument
    from reportlab.pdfgen import canvas

    from app.documents.fonts import register_fonts

    song, hei = register_fonts()
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont(hei, 16)
    page.drawString(72, 760, "现场检查笔录")
    page.setFont(song, 11)
    page.drawString(72, 730, "医保稽核现场取证")
    page.save()
    pdf = out.getvalue()
    if pdf.count(b"/FontFile2") < 2:
        raise AssertionError("the CJK fonts are not embedded")
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() != 1:
        raise AssertionError(f"QtPdf: status {document.status()}, {document.pageCount()} pages")
    return f"reportlab {len(pdf)} bytes with {song}/{hei} embedded; QtPdf opened it"


def _check_printsupport() -> str:
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    QPrinter(QPrinter.PrinterMode.HighResolution)
    return f"{len(QPrinterInfo.availablePrinterNames())} printers"


def _check_sqlcipher() -> str:
    import sqlcipher3

    conn = sqlcipher3.dbapi2.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA key = \"x'" + "ab" * 32 + "'\"")
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES ('稽核')")
        (value,) = conn.execute("SELECT v FROM t").fetchone()
        (version,) = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    if value != "稽核" or not version:
        raise AssertionError("sqlcipher did not answer")
    return f"SQLCipher {version}"


def selfcheck() -> int:
    import json

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    warnings: list[str] = []
    qInstallMessageHandler(lambda _mode, _context, message: warnings.append(message))
    app = QApplication([sys.argv[0]])
    bundle = os.path.join(getattr(sys, "_MEIPASS", ""), "resources")
    checks = {
        "resources": lambda: _check_resources(bundle),
        "fonts_translations": lambda: _check_fonts_and_translations(app),
        "qtmultimedia": lambda: _check_multimedia(warnings),
        "imageformats": _check_imageformats,
        "pdf": _check_pdf,
        "printsupport": _check_printsupport,
        "sqlcipher": _check_sqlcipher,
    }
    results: dict[str, dict[str, object]] = {}
    for name, check in checks.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    ok = all(r["ok"] for r in results.values())
    line = json.dumps({"ok": ok, "checks": results, "qt_warnings": warnings}, ensure_ascii=False)
    out = os.environ.get(OUT_ENV)
    if out:  # a windowed Windows executable has no stdout (sys.stdout is None): build.ps1 names a file instead
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(line + "\n")
    elif sys.stdout is not None:
        print(line)
        sys.stdout.flush()
    return 0 if ok else 1


if os.environ.get(ENV) == "1" and getattr(sys, "frozen", False):
    raise SystemExit(selfcheck())
