"""The hash of a printed page's text, and the text a signature given on a page adds to it.

One home for what both the documents (laying pages out, :mod:`app.documents.frozen`) and the independent
verifier (checking what a page signature binds, :mod:`app.evidence.verify_pages`) compute: a page's text is hashed
with every white-space character removed, so the text ``pdftotext`` gives back of the printed page hashes the
same; a signature given on a page is drawn there with its own date and time, a refusal as a note.
"""

from __future__ import annotations

import datetime as dt
import hashlib


def normalise(text: str) -> str:
    """The form in which page text is hashed: every white-space character removed."""
    return "".join(ch for ch in text if not ch.isspace())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def signed_at_text(d: dt.datetime) -> tuple[str, str]:
    """A signature's own date and time as drawn under the signature line (local time of the laptop)."""
    return f"{d.year}年{d.month}月{d.day}日", f"{d.hour:02d}时{d.minute:02d}分"


def refusal_text(reason: str, witness: str = "") -> str:
    """The note printed where a signature was refused."""
    return f"拒绝签名，原因：{reason}" + (f"；见证人：{witness}" if witness else "")
