"""``verify-page``: a printed PDF or a scanned page image checked against its case package.

For every page: the QR code is read and parsed as a page statement (:mod:`app.documents.verify`). From a PDF the
page's text is read back (``pdftotext -raw``), the verification block under it removed, and the SHA-256 of the
rest (white space removed) must be the statement's: one character changed anywhere on the page, or a QR code
copied onto other text, fails here. With ``--package`` the package must verify as a whole and hold this case; the
statement must be signed by one of its devices; the document it names must have been issued in the case's journal
with that page; the page's hash must be one the journal records as printed; and its checkpoint must be one of the
package's. What the page *shows* is compared with the issued page drawn again (:mod:`app.documents.page_raster`),
so text painted over an unchanged text layer fails. A scanned image carries no text layer: its QR code, signature
and print record are checked, its raster is compared when it is a whole A4 page of at least 150 dpi, and when it
does not match pixel for pixel the result says its text was *not compared* and shows the page's text in the package
for a person to compare. A file of several pages is checked as a set (:mod:`app.documents.page_set`).

Nothing read is written anywhere: pages are rasterised and read through pipes.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.documents.frozen import PageRef, pages
from app.documents.page_set import FileResult, check_set
from app.documents.verify import Statement, StatementError, decode, verification_code_of
from app.errors import UserError
from app.evidence.journal import fingerprint
from app.evidence.page_hash import normalise, text_sha256

MAX_FILE = 200 << 20
MAX_PAGES = 500
RASTER_DPI = 150
MIN_SCAN_DPI = 150  # a scan below this is not compared as pixels
ISSUED = "document.issued"
PRINTED = "document.printed"
SUPERSEDED = "document.superseded"


class PageCheckError(UserError):
    code = "page"


@dataclass
class PageResult:
    index: int  # page of the file, 1-based
    ok: bool = False
    statement: Statement | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    title: str = ""
    text_in_package: str = ""
    compared: bool = False  # the page's text was compared (text layer and raster, or a scan's raster)
    image: bool = False  # a scanned image (no text layer)
    document: dict[str, Any] | None = None  # the issued document the QR names, when the package holds it

    def fail(self, zh: str, en: str) -> None:
        self.problems.append(f"{zh} | {en}")


def _run(cmd: list[str], what: str) -> bytes:
    exe = shutil.which(cmd[0])
    if exe is None:
        raise PageCheckError(f"缺少 {cmd[0]}（poppler-utils），无法读取PDF。", f"{cmd[0]} (poppler-utils) is missing; "
                             "cannot read the PDF.")
    try:
        return subprocess.run([exe, *cmd[1:]], check=True, capture_output=True, timeout=120).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise PageCheckError(f"无法读取{what}。", f"Cannot read the {what}.") from exc


def _qr_texts(image: Any) -> list[str]:
    import zxingcpp

    return [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


@dataclass
class ReadPage:
    """One page of the file as read: its QR texts, its text layer (None for an image), what it shows."""

    qr: list[str]
    text: str | None
    raster: Any = None  # a greyscale PIL image
    dpi: float = RASTER_DPI


def _image_dpi(im: Any) -> float:
    """An image's resolution, from its size as an A4 page (a scan's stated dpi is often absent or wrong)."""
    return float(im.size[0]) * 25.4 / 210.0


def _read_pages(path: Path) -> list[ReadPage]:
    """QR texts, page text (None for an image) and raster per page of the file."""
    from PIL import Image, UnidentifiedImageError

    out: list[ReadPage] = []
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise PageCheckError(f"无法读取文件：{path}", f"Cannot read the file: {path}") from exc
    if size > MAX_FILE:
        raise PageCheckError("文件过大。", "The file is too large.")
    if head.startswith(b"%PDF"):
        info = _run(["pdfinfo", str(path)], "PDF").decode("utf-8", "replace")
        m = re.search(r"^Pages:\s+(\d+)", info, re.M)
        n = int(m.group(1)) if m else 0
        if not 1 <= n <= MAX_PAGES:
            raise PageCheckError("PDF 没有可核验的页面。", "The PDF has no page to check.")
        for k in range(1, n + 1):
            png = _run(["pdftoppm", "-r", str(RASTER_DPI), "-gray", "-png", "-f", str(k), "-l", str(k), str(path)],
                       "PDF")
            text = _run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(k), "-l", str(k), str(path), "-"], "PDF")
            with Image.open(io.BytesIO(png)) as im:
                gray = im.convert("L")
            out.append(ReadPage(_qr_texts(gray), text.decode("utf-8", "replace"), gray, RASTER_DPI))
        return out
    try:
        with Image.open(path) as im:
            frames = getattr(im, "n_frames", 1)
            for k in range(min(frames, MAX_PAGES)):
                im.seek(k)
                gray = im.convert("L")
                out.append(ReadPage(_qr_texts(gray), None, gray, _image_dpi(gray)))
            return out
    except Image.DecompressionBombError as exc:
        raise PageCheckError("图像过大。", "The image is too large.") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise PageCheckError("文件既不是 PDF 也不是可识别的图像。", "The file is neither a PDF nor a readable image."
                             ) from exc


# ============================================================================================== the package


@dataclass
class PackageFacts:
    case_id: str
    devices: dict[str, bytes]
    issued: dict[str, dict[str, Any]]  # first 20 hex digits of the issue record's hash -> issue record
    printed: set[tuple[str, int, str]]  # (document ref, page within its record, text hash) ... any part
    printed_parts: set[tuple[str, str, int, str]]
    checkpoints: set[str]
    problems: list[str]
    superseded: dict[str, dict[str, Any]] = field(default_factory=dict)  # document ref -> document.superseded


def load_package(path: Path, key_file: Path | None = None) -> PackageFacts:
    """The package, verified as a whole, reduced to what page checks need."""
    from app.evidence.canonical import loads
    from app.evidence.package import verify_package
    from app.evidence.sealed import is_sealed
    from app.evidence.signing import unb64

    try:
        with open(path, "rb") as fh:
            is_zip = fh.read(4).startswith(b"PK")
        sealed = not is_zip and is_sealed(path)
    except OSError as exc:
        raise PageCheckError(f"无法读取案卷包：{path}", f"Cannot read the package: {path}") from exc
    if sealed:
        raise PageCheckError("核验打印页需要未加密的案卷包。", "Checking a page needs an unsealed package.")
    if not is_zip:
        raise PageCheckError(f"不是有效的案件数据包：{path}", f"Not a valid case package: {path}")
    result, manifest = verify_package(path, None, key_file)
    problems = list(result.failures)
    case_id = str(manifest["case"])
    devices = {str(d["id"]): unb64(str(d["public_key"])) for d in manifest.get("devices", [])}
    issued: dict[str, dict[str, Any]] = {}
    printed: set[tuple[str, int, str]] = set()
    parts: set[tuple[str, str, int, str]] = set()
    checkpoints: set[str] = set()
    superseded: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(path) as z:
        for line in z.read("journal.jsonl").split(b"\n"):
            if not line:
                continue
            entry = loads(line)["entry"]
            if entry.get("type") not in (ISSUED, PRINTED, SUPERSEDED):
                continue
            body = loads(z.read(f"payloads/{entry['payload_sha256']}.json"))
            if entry["type"] == SUPERSEDED:
                superseded[str(body["document"])[:20]] = dict(body)
            elif entry["type"] == ISSUED:
                issued[str(entry["payload_sha256"])[:20]] = dict(body)
            else:
                for p in body.get("pages") or []:
                    printed.add((str(p["document"]), int(p["page"]), str(p["sha256"])))
                    parts.add((str(p["document"]), str(p["part"]), int(p["page"]), str(p["sha256"])))
        for line in z.read("checkpoints.jsonl").split(b"\n"):
            if line:
                cp = json.loads(line)["checkpoint"]
                checkpoints.add(fingerprint(int(cp["size"]), str(cp["root"])))
    return PackageFacts(case_id, devices, issued, printed, parts, checkpoints, problems, superseded)


# ============================================================================================== pages


def _strip_block(text: str, st: Statement) -> str | None:
    """The page's own text: the read-back text without the verification block drawn last, or None when the
    block is not where it belongs."""
    from app.documents.renderer import verification_block_text

    norm = normalise(text)
    block = normalise(verification_block_text(verification_code_of(st.unsigned()), st.sha256, st.checkpoint))
    if not norm.endswith(block):
        return None
    return norm[: len(norm) - len(block)]


def check_page(index: int, read: ReadPage, pkg: PackageFacts | None) -> PageResult:
    from app.evidence.signing import SignatureError, verify_raw

    r = PageResult(index, image=read.text is None)
    qr, text = read.qr, read.text
    statements = []
    for t in qr:
        try:
            statements.append((decode(t), t))
        except (StatementError, ValueError):
            continue
    if not statements:
        r.fail("未找到可读的核验二维码", "no readable verification QR code")
        return r
    if len(statements) > 1:
        r.fail("页面上有多个核验二维码", "more than one verification QR code on the page")
        return r
    (st, sig), qr_text = statements[0]
    r.statement = st
    if text is not None:
        own = _strip_block(text, st)
        if own is None:
            r.fail("核验码区域与二维码不符", "the verification block does not match the QR code")
        elif text_sha256(own) != st.sha256:
            r.fail("页面文字与二维码中的摘要不符（文字被改动，或二维码来自另一页）",
                   "the page's text does not match the hash in its QR code (text altered, or the QR code comes "
                   "from another page)")
    if pkg is None:
        r.fail("未提供案卷包（--package），无法核验签名和打印记录",
               "no package given (--package): the signature and the print record cannot be checked")
        return r
    if st.case_id != pkg.case_id:
        r.fail("该页属于另一案件", "the page belongs to another case")
        return r
    good = False
    for public in pkg.devices.values():
        try:
            verify_raw(public, st.signing_input(), sig)
            good = True
            break
        except SignatureError:
            continue
    if not good:
        r.fail("二维码的签名不是本案设备所签", "the QR statement is not signed by a device of this case")
    doc = pkg.issued.get(st.doc)
    if doc is None or doc.get("form") != st.form:
        r.fail("案卷中没有二维码所指的文书", "the package holds no document the QR code names")
    else:
        r.title = str(doc.get("title", ""))
        r.document = doc
        in_doc = [p for p in pages(doc.get("document") or {}) if p.page == st.page and p.of == st.of]
        if not in_doc:
            r.fail("文书中没有该页", "the document has no such page")
        else:
            r.text_in_package = in_doc[0].text
            _compare_raster(r, read, in_doc[0], qr_text, st)
        gone = pkg.superseded.get(st.doc)
        if gone is not None:  # a genuine page, of a document replaced before service: say by which
            r.notes.append(f"该文书（{gone.get('number', '')}）已于{gone.get('by_issued_on', '')}被重新出具的文书"
                           f"（{gone.get('by_number', '')}）取代，原因：{gone.get('reason', '')} | this document "
                           f"({gone.get('number', '')}) was superseded on {gone.get('by_issued_on', '')} by a "
                           f"re-issued one ({gone.get('by_number', '')}): {gone.get('reason', '')}")
    if (st.doc, st.page, st.sha256) not in pkg.printed:
        r.fail("案卷日志中没有该页的打印记录（或该页文字不同）", "the journal records no print of this page with this text")
    if st.checkpoint not in pkg.checkpoints:
        r.fail("二维码中的日志检查点不在案卷中", "the checkpoint in the QR code is not in the package")
    if pkg.problems:
        r.fail("案卷包本身未通过核验", "the package itself does not verify")
    r.ok = not r.problems
    return r


def _compare_raster(r: PageResult, read: ReadPage, page: PageRef, qr_text: str, st: Statement) -> None:
    """What the page shows against the issued page drawn again (:mod:`app.documents.page_raster`). A PDF page
    that differs fails; a scan is compared only when it is a whole A4 page of at least 150 dpi, and a scan that
    differs stays *not compared* (skew, dust and scaling make a difference no proof of a change)."""
    from app.documents.page_raster import compare, mark_areas, rasterise, reference_pdf

    if read.raster is None or read.dpi < MIN_SCAN_DPI:
        return
    dpi = round(read.dpi)
    try:
        reference = rasterise(reference_pdf(page, qr_text, st), dpi)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PageCheckError("无法生成案卷文书该页的图像以供比对。", "Cannot draw the issued page to compare it."
                             ) from exc
    diff = compare(read.raster, reference, dpi, mark_areas(page.labels))
    if read.text is not None:
        if diff is not None:
            r.fail(*diff.where())
        r.compared = diff is None
        return
    if diff is None:
        r.compared = True
    else:
        zh, en = diff.where()
        r.notes.append(f"扫描图像与案卷文书该页不完全一致（可能是扫描偏斜或污渍，也可能被改动）：{zh} | the scan does "
                       f"not match the issued page pixel for pixel (skew or dirt, or a change): {en}")


def check_file(path: Path, package: Path | None, key_file: Path | None = None, *,
               partial: bool = False) -> FileResult:
    pkg = load_package(package, key_file) if package is not None else None
    results = [check_page(k, read, pkg) for k, read in enumerate(_read_pages(path), 1)]
    return check_set(results, partial=partial)
