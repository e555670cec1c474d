"""What every printed page carries to tie it to the record: a QR code and a short verification code.

The QR code holds canonical JSON (RFC 8785)::

    {"case": "<case id>", "checkpoint": "<journal checkpoint fingerprint>", "form": "<form>",
     "page": 1, "part": "<which record of the form>", "sha256": "<hex of the record's canonical content>"}

``sha256`` is :func:`app.documents.context.content_sha256` of the record the page renders. The
verification code is the first 40 bits of SHA-256 over the same canonical JSON in base32, grouped
``ABCD-EFGH``: short enough to read out on the phone, and it changes with the page number, so pages
cannot be swapped between copies unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import qrcode
import qrcode.constants

from app.evidence.canonical import canonical_bytes


def page_payload(
    case_id: str, form: str, part: str, *, sha256: str, page: int, checkpoint: str
) -> dict[str, Any]:
    return {
        "case": case_id,
        "checkpoint": checkpoint,
        "form": form,
        "page": page,
        "part": part,
        "sha256": sha256,
    }


def verification_code(payload: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical_bytes(payload)).digest()
    code = base64.b32encode(digest[:5]).decode("ascii")
    return f"{code[:4]}-{code[4:]}"


def qr_matrix(data: bytes) -> list[list[bool]]:
    """Module matrix (True = dark) of a QR code, error correction M, no quiet zone."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def qr_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Dark modules as horizontal runs (row, first column, length): fewer drawing operations."""
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        c = 0
        n = len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return runs
