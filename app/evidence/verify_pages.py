"""Page signatures against the issued pages: a signature given on a page of a record's document (the party reading
back and signing page by page) binds the hash of that page as shown (``shown_sha256``, ``page``); the verifier checks
that hash against the page of the document as issued in the package (the ``document.issued`` entry whose source is
that record), so a signature cannot be moved onto other text, nor the issued page changed under a signature.

The page as shown is the issued page's text plus what the signatures given on that page before carry (their date
and time, a refusal's note; :mod:`app.evidence.page_hash`). The date and time are drawn in the laptop's local time,
which the package does not state, so each whole-hour and quarter-hour offset from UTC−12 to UTC+14 is tried.

Reason codes (docs/package-format.md): ``page_not_issued`` (no issued document of the record in the package, or no
such page in it) and ``page_binding_mismatch`` (the bound hash is not the hash of that page as issued, or the issued
page's text does not hash to the hash it lists); ``co_issuer_invalid`` (an issue record's second issuer is the
actor itself or not a trusted inspector, or either is not an inspector of the case: :func:`check_co_issuer`, applied
by :func:`verify_co_issuers` and by the archive's push).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from app.evidence.canonical import CanonicalisationError, loads
from app.evidence.page_hash import normalise, refusal_text, signed_at_text, text_sha256
from app.evidence.verify_rules import (
    OBJECT_EVENTS,
    TEAM_EVENTS,
    Distrust,
    Trust,
    Verification,
    parse_time,
    team_after,
)

ISSUED = "document.issued"
OFFSETS = tuple(dt.timedelta(minutes=m) for m in range(-12 * 60, 14 * 60 + 1, 15))
PAGE_NOT_ISSUED = "page_not_issued"
PAGE_BINDING_MISMATCH = "page_binding_mismatch"
CO_ISSUER_INVALID = "co_issuer_invalid"


def _entries(leaves: Iterable[bytes], payloads: Mapping[str, bytes]) -> Iterable[tuple[int, str, Any]]:
    """(leaf index, type, parsed payload) of the entries this check reads; malformed ones failed elsewhere."""
    for i, raw in enumerate(leaves):
        try:
            entry = loads(raw)["entry"]
            kind = str(entry["type"])
            if kind != ISSUED and kind not in OBJECT_EVENTS:
                continue
            payload = payloads.get(str(entry["payload_sha256"]))
            if payload is None:
                continue
            yield i, kind, loads(payload)
        except (CanonicalisationError, KeyError, TypeError, ValueError):
            continue


def _mark_text(body: Mapping[str, Any]) -> list[str] | None:
    """What a signature or refusal adds to the page it is drawn on, per offset of :data:`OFFSETS` (None: a time
    that cannot be read; that signature failed elsewhere)."""
    if body.get("type") == "provider-refusal":
        witness = body.get("witness") if isinstance(body.get("witness"), dict) else {}
        note = normalise(refusal_text(str(body.get("reason", "")), str((witness or {}).get("name", ""))))
        return [note] * len(OFFSETS)
    try:
        utc = parse_time(body["time"]["wall"]).replace(tzinfo=None, microsecond=0)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return [normalise("".join(signed_at_text(utc + off))) for off in OFFSETS]


def verify_page_bindings(v: Verification, leaves: Iterable[bytes], payloads: Mapping[str, bytes]) -> None:
    """Every page signature's bound hash is the hash of that page of the record's issued document as it was shown
    (with the signatures given on it before)."""
    issued: dict[str, list[Mapping[str, Any]]] = {}  # record id → the pages of its document's first section
    # (record id, page) → per offset, the text the marks given on it so far add
    drawn: dict[tuple[str, int], list[str]] = {}
    for i, kind, payload in _entries(leaves, payloads):
        if not isinstance(payload, dict):
            continue
        if kind == ISSUED:
            source = payload.get("source")
            pages = payload.get("pages")
            if isinstance(source, dict) and "record" in source and isinstance(pages, list) and pages:
                part = pages[0].get("part") if isinstance(pages[0], dict) else None
                issued[str(source["record"])] = [p for p in pages if isinstance(p, dict) and p.get("part") == part]
            continue
        body = payload.get("body")
        if not isinstance(body, dict) or body.get("type") not in ("provider-signature", "provider-refusal") \
                or body.get("target_type") != "record":
            continue
        target, page = str(body.get("target")), body.get("page")
        what = f"{body.get('type')} {payload.get('id')}"
        at = {"object": str(payload.get("id")), "seq": i}
        record_pages = issued.get(target)
        bound = isinstance(page, int) and not isinstance(page, bool) and body.get("type") == "provider-signature"
        if record_pages is None:
            if bound:
                v.fail(what, f"binds page {page} of record {target}, whose document is not issued in the package",
                       PAGE_NOT_ISSUED, **at)
            continue
        n = len(record_pages)
        where = page if bound and isinstance(page, int) and 1 <= page <= n else n
        before = drawn.get((target, where), [""] * len(OFFSETS))
        if bound and isinstance(page, int):
            if not 1 <= page <= n:
                v.fail(what, f"binds page {page} of record {target}, whose issued document has {n} page(s)",
                       PAGE_NOT_ISSUED, **at)
            else:
                sheet = record_pages[page - 1]
                text = str(sheet.get("text", ""))
                if text_sha256(text) != sheet.get("sha256"):
                    v.fail(what, f"page {page} of record {target} as issued does not hash to the hash it lists",
                           PAGE_BINDING_MISMATCH, **at)
                elif body.get("shown_sha256") not in {text_sha256(normalise(text) + extra) for extra in set(before)}:
                    v.fail(what, f"binds a hash that is not the hash of page {page} of record {target} as issued "
                                 "(the signature was moved onto other text, or the page changed)",
                           PAGE_BINDING_MISMATCH, **at)
        mark = _mark_text(body)
        if mark is not None:
            drawn[(target, where)] = [p + m for p, m in zip(before, mark, strict=True)]


def verify_co_issuers(v: Verification, leaves: Iterable[bytes], payloads: Mapping[str, bytes], trust: Trust) -> None:
    """A document is issued by two inspectors of the case (条例 Art. 29): an issue record naming its second inspector
    (``co_issuer``) names a trusted inspector other than the entry's actor, and both are inspectors of the case at
    that entry (the team the journal states before it, :func:`app.evidence.verify_rules.team_after`). A record
    without one (issued before it was recorded) is not checked."""
    team: frozenset[str] | None = None
    for i, raw in enumerate(leaves):
        try:
            entry = loads(raw)["entry"]
            if entry["type"] not in (ISSUED, *TEAM_EVENTS):
                continue
            payload = payloads.get(str(entry["payload_sha256"]))
            body = loads(payload) if payload is not None else None
        except (CanonicalisationError, KeyError, TypeError, ValueError):
            continue  # failed elsewhere
        if entry["type"] in TEAM_EVENTS:
            team = team_after(team, entry, body)
            continue
        check_co_issuer(v, i, entry, body, trust, team)


def check_co_issuer(v: Verification, seq: int, entry: Mapping[str, Any], body: Any, trust: Trust,
                    team: Collection[str] | None) -> None:
    """The rule for one ``document.issued`` entry (at journal leaf ``seq``, its payload ``body``): its ``co_issuer``
    is a trusted inspector other than the entry's actor, and both are in ``team`` (None: no team stated, not
    checked). A payload without ``co_issuer`` passes. The package verifier applies it with the team the journal
    states (:func:`verify_co_issuers`), the archive with the case's team it holds as far as the journal states it
    (``archive/push_checks.py:case_team``)."""
    if entry.get("type") != ISSUED or not isinstance(body, dict) or "co_issuer" not in body:
        return
    co = body["co_issuer"]
    where = f"journal leaf #{seq}"
    if not isinstance(co, str) or co == entry.get("actor"):
        v.fail(where, "the document's second issuer is not another inspector than the one who issued it",
               CO_ISSUER_INVALID, seq=seq)
        return
    key = trust(co, "inspector")
    if key is None or isinstance(key, Distrust):
        v.fail(where, f"the document's second issuer {co} is an unknown or untrusted inspector",
               CO_ISSUER_INVALID, seq=seq)
        return
    outside = [who for who in (entry.get("actor"), co) if team is not None and who not in team]
    if outside:
        v.fail(where, f"the document is issued by {', '.join(map(str, outside))}, not an inspector of this case",
               CO_ISSUER_INVALID, seq=seq)
