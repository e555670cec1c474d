"""What every printed page carries to tie it to the record: a QR code holding a short signed statement, and a
核验码 to read out or look up.

The statement is one line in the QR alphanumeric character set (so the code stays small)::

    FA1:<case>:<FORM>:<doc>:<page>/<of>:<sha256>:<checkpoint>:<signature>

``case`` is the case id (a UUID) in base32; ``FORM`` the form's CLI name in capitals; ``doc`` the first ten bytes
of the SHA-256 of the frozen document's issue record, in base32; ``page``/``of`` the page within its record;
``sha256`` the SHA-256 of the page's printed text with white space removed (:func:`app.documents.frozen.
text_sha256`: every word on the page, agency wording, 文号 and date included, and the signatures given on it), in
base32; ``checkpoint`` the fingerprint of the journal checkpoint taken when the document was issued; ``signature``
the laptop's Ed25519 signature over ``fieldaudit/page/v1`` NUL and everything before ``:<signature>``, in base32.
The device's public key is in the case package, so a page is checked offline.

The 核验码 is the first 40 bits of the SHA-256 of the unsigned statement in base32, grouped ``ABCD-EFGH``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.constants

from app.evidence.canonical import canonical_bytes

PREFIX = "FA1"
CONTEXT = b"fieldaudit/page/v1\x00"
QUIET = 4  # modules of white around the code (ISO/IEC 18004)
_FORM = re.compile(r"^[A-Z][A-Z-]{0,31}$")
_CHECKPOINT = re.compile(r"^[0-9A-Z][0-9A-Z -]{0,40}$")


class StatementError(ValueError):
    """A QR text that is not a page statement of this format."""


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str, size: int) -> bytes:
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, TypeError) as exc:
        raise StatementError("not base32") from exc
    if len(raw) != size:
        raise StatementError("wrong length")
    return raw


@dataclass(frozen=True)
class Statement:
    case_id: str
    form: str
    doc: str  # 20 hex digits: the first ten bytes of the issue record's SHA-256
    page: int
    of: int
    sha256: str  # of the page's printed text, white space removed
    checkpoint: str

    def unsigned(self) -> str:
        form = self.form.upper()
        checkpoint = self.checkpoint.upper()
        if not _FORM.match(form) or not _CHECKPOINT.match(checkpoint):
            raise StatementError("form or checkpoint outside the statement's alphabet")
        return ":".join((PREFIX, _case_code(self.case_id), form, _b32(bytes.fromhex(self.doc)), f"{self.page}/{self.of}",
                         _b32(bytes.fromhex(self.sha256)), checkpoint))

    def signing_input(self) -> bytes:
        return CONTEXT + self.unsigned().encode("ascii")

    def code(self) -> str:
        return verification_code_of(self.unsigned())


def _case_code(case_id: str) -> str:
    """A UUID case id as base32 of its 16 bytes; any other id (an office may name its cases) as "." + base32 of
    its UTF-8 bytes."""
    try:
        parsed = uuid.UUID(case_id)
        if str(parsed) == case_id:
            return _b32(parsed.bytes)
    except ValueError:
        pass
    if not case_id or len(case_id.encode("utf-8")) > 128:
        raise StatementError("case id empty or too long")
    return "." + _b32(case_id.encode("utf-8"))


def _case_of(code: str) -> str:
    if code.startswith("."):
        raw = code[1:]
        try:
            data = base64.b32decode(raw + "=" * (-len(raw) % 8))
            return data.decode("utf-8")
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise StatementError("bad case id") from exc
    return str(uuid.UUID(bytes=_unb32(code, 16)))


def verification_code_of(unsigned: str) -> str:
    code = _b32(hashlib.sha256(unsigned.encode("ascii")).digest()[:5])
    return f"{code[:4]}-{code[4:]}"


def encode(statement: Statement, signature: bytes) -> str:
    return statement.unsigned() + ":" + _b32(signature)


def decode(text: str) -> tuple[Statement, bytes]:
    """Parse a QR text; raises :class:`StatementError` when it is not a page statement."""
    parts = text.strip().split(":")
    if len(parts) != 8 or parts[0] != PREFIX:
        raise StatementError("not a FieldAudit page statement")
    _, case, form, doc, pages, sha, checkpoint, sig = parts
    m = re.fullmatch(r"(\d{1,4})/(\d{1,4})", pages)
    if m is None or not _FORM.match(form) or not _CHECKPOINT.match(checkpoint):
        raise StatementError("malformed page statement")
    st = Statement(_case_of(case), form.lower(), _unb32(doc, 10).hex(), int(m.group(1)),
                   int(m.group(2)), _unb32(sha, 32).hex(), checkpoint)
    if st.unsigned() != ":".join(parts[:7]):
        raise StatementError("not in canonical form")
    return st, _unb32(sig, 64)


def page_payload(
    case_id: str, form: str, part: str, *, sha256: str, page: int, checkpoint: str
) -> dict[str, Any]:
    """A page's reference as JSON (kept for callers that journal it)."""
    return {"case": case_id, "checkpoint": checkpoint, "form": form, "page": page, "part": part, "sha256": sha256}


def verification_code(payload: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical_bytes(payload)).digest()
    code = _b32(digest[:5])
    return f"{code[:4]}-{code[4:]}"


MASK = 4  # a fixed mask pattern: any of the eight decodes; choosing the "best" costs ~0.1 s a page in pure Python


@functools.lru_cache(maxsize=64)
def _matrix(data: bytes | str) -> tuple[tuple[bool, ...], ...]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1, mask_pattern=MASK)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


def qr_matrix(data: bytes | str) -> list[list[bool]]:
    """Module matrix (True = dark) of a QR code, error correction M, without the quiet zone (the caller leaves
    :data:`QUIET` modules blank around it)."""
    return [list(row) for row in _matrix(data)]


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
