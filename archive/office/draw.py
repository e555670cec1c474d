"""双随机: targets drawn from the institution list and pairs of inspectors from the roster, provably.

The draw is a pure function of its recorded inputs, specified so that anyone can re-implement it:

* ``key(parts) = SHA-256("\\x1f".join(parts))`` in hex; the seed is 32 random bytes (hex) unless given.
* Targets: the institutions sorted by ``key(seed, "target", institution_id)``; the first ``count``.
* For each target in that order, the pairs ``(a, b)`` of inspector ids (``a < b``) sorted by
  ``key(seed, "pair", institution_id, a, b)``; the first pair in which neither inspector has a declared conflict
  (回避) with that institution and neither is already in a pair of this draw. When no such pair is left, the
  used-inspector rule is dropped (an inspector then serves in two pairs); a target with no conflict-free pair at
  all is refused with its name.

Conflicts come from two places, both read when the draw is made and recorded in its inputs (``conflicts``, the
pairs the draw uses; ``conflict_sources``, where each came from): those declared at the office
(``admin conflicts add``), and those declared on laptops and synced into the archive as journal events of a
case: an inspector's own declaration of a relation (``recusal.declared`` with ``related``), whatever the head
later decided, and a party's request the head granted (``recusal.decided`` with outcome ``granted``). A laptop
conflict binds the inspector to the case's institution, matched to the institution list by id, by non-empty
统一社会信用代码, or by exact name (a conflict is never lost to a differently spelt id). A re-run uses the
recorded pairs, so it gives the same result whatever was declared since.

The record holds the seed, every input (institutions with their names, inspector ids, conflicts), the result
and the SHA-256 of the inputs; the archive key signs it. Each drawn pair becomes an office assignment, which the
laptops receive through the existing pull.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.canonical import canonical_bytes, canonical_sha256
from app.evidence.signing import SignatureError, sign_object, verify_object
from archive.db import Inspector, PullItem, StoredObject, iso, utcnow
from archive.office.auth import OfficeError, Principal, append_log
from archive.office.models import DeclaredConflict, DrawRecord
from archive.service import Archive

CTX_DRAW = "fieldaudit/office-draw/v1"


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def compute(seed: str, institutions: list[dict[str, str]], inspectors: list[str],
            conflicts: list[list[str]], count: int) -> list[dict[str, Any]]:
    """The draw itself: a pure function of its inputs (see the module's description)."""
    if count < 1 or count > len(institutions):
        raise OfficeError(f"抽取数量应在 1 到 {len(institutions)} 之间", f"draw between 1 and {len(institutions)}")
    if len(set(inspectors)) < 2:
        raise OfficeError("名录中至少需要两名稽核人员", "the roster needs at least two inspectors")
    barred = {(i, inst) for i, inst in conflicts}
    targets = sorted(institutions, key=lambda x: _key(seed, "target", x["id"]))[:count]
    ids = sorted(set(inspectors))
    pairs = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1:]]
    used: set[str] = set()
    result = []
    for t in targets:
        ranked = sorted(pairs, key=lambda p, t=t: _key(seed, "pair", t["id"], p[0], p[1]))  # type: ignore[misc]
        free = [p for p in ranked if (p[0], t["id"]) not in barred and (p[1], t["id"]) not in barred]
        if not free:
            raise OfficeError(f"{t['name']}：没有无需回避的两名稽核人员", f"{t['name']}: no conflict-free pair")
        pick = next((p for p in free if p[0] not in used and p[1] not in used), free[0])
        used.update(pick)
        result.append({"institution": t, "inspectors": list(pick)})
    return result


def inputs(s: Session) -> dict[str, Any]:
    latest: dict[str, dict[str, str]] = {}
    for item_id, payload in s.execute(select(PullItem.item_id, PullItem.payload).where(
            PullItem.kind == "institutions").order_by(PullItem.seq)).all():
        data = json.loads(payload)
        latest[item_id] = {"id": item_id, "name": str(data.get("name", "")), "uscc": str(data.get("uscc", ""))}
    inspectors = sorted(i.id for i in s.execute(select(Inspector).where(Inspector.revoked_at.is_(None))).scalars())
    sources = [{"inspector": c.inspector_id, "institution": c.institution_id, "source": "office"}
               for c in s.execute(select(DeclaredConflict)).scalars()]
    sources += laptop_conflicts(s, list(latest.values()))
    sources.sort(key=lambda x: (x["inspector"], x["institution"], x["source"], x.get("case", ""),
                                x.get("object", "")))
    conflicts = sorted({(c["inspector"], c["institution"]) for c in sources})
    return {"institutions": sorted(latest.values(), key=lambda x: x["id"]), "inspectors": inspectors,
            "conflicts": [list(c) for c in conflicts], "conflict_sources": sources}


def published_addresses(s: Session) -> dict[str, str]:
    """Each published institution's latest address (not a draw input: the draw does not depend on it)."""
    out: dict[str, str] = {}
    for item_id, payload in s.execute(select(PullItem.item_id, PullItem.payload).where(
            PullItem.kind == "institutions").order_by(PullItem.seq)).all():
        out[item_id] = str(json.loads(payload).get("address") or "")
    return out


def laptop_conflicts(s: Session, institutions: list[dict[str, str]]) -> list[dict[str, str]]:
    """Conflicts declared on laptops (see the module's description), against the institution list."""
    from archive.office.cases import case_institution, obj

    out = []
    rows = s.execute(select(StoredObject.sha256, StoredObject.case_id, StoredObject.kind, StoredObject.body).where(
        StoredObject.kind.in_(("recusal.declared", "recusal.decided")))).all()
    for sha, case_id, kind, body in rows:
        try:
            data = obj(json.loads(body))
        except ValueError:
            continue
        if kind == "recusal.declared" and data.get("related") is True:
            who = data.get("inspector")
        elif kind == "recusal.decided" and data.get("outcome") == "granted":
            who = data.get("target")
        else:
            continue
        if not isinstance(who, str) or not who:
            continue
        inst = case_institution(s, case_id)
        for i in institutions:
            if i["id"] == inst.get("id") or (i["uscc"] and i["uscc"] == inst.get("uscc")) or \
                    (i["name"] and i["name"] == inst.get("name")):
                out.append({"inspector": who, "institution": i["id"], "source": "laptop", "case": case_id,
                            "object": sha})
    return out


def draw(archive: Archive, s: Session, who: Principal, count: int, kind: str,
         seed: str | None = None) -> dict[str, Any]:
    """Draw, record (signed), and turn each pair into an office assignment, in the caller's transaction."""
    from archive.roster import add_assignment_in

    if who.role != "head":
        raise OfficeError("双随机抽取须由科室负责人进行", "only the head of section draws", 403)
    seed = seed or os.urandom(32).hex()
    given = inputs(s)
    result = compute(seed, given["institutions"], given["inspectors"], given["conflicts"], count)
    for r in result:
        r["case_id"] = str(uuid.uuid4())
    record = {"v": 1, "seed": seed, "count": count, "kind": kind, "inputs": given,
              "inputs_sha256": canonical_sha256(given), "result": result, "by": who.user_id, "name": who.name,
              "at": iso(utcnow())}
    sig = sign_object(archive.key, "archive", CTX_DRAW, record)
    s.add(DrawRecord(at=utcnow(), user_id=who.user_id, record=canonical_bytes({"draw": record, "sig": sig}).decode()))
    addresses = published_addresses(s)
    for r in result:
        address = addresses.get(r["institution"]["id"], "")
        add_assignment_in(s, r["case_id"], {"name": r["institution"]["name"], "uscc": r["institution"]["uscc"],
                                            **({"address": address} if address else {})},
                          r["inspectors"], {"kind": kind, "title": "双随机抽查", "assigned_at": record["at"],
                                            "draw_seed": seed})
    append_log(s, who.user_id, "draw", None, seed=seed, count=count, targets=[r["institution"]["id"] for r in result])
    return record


def rerun(record: dict[str, Any]) -> bool:
    """Re-run a recorded draw from its recorded inputs: True when it gives the recorded result."""
    given = record["inputs"]
    if canonical_sha256(given) != record["inputs_sha256"]:
        return False
    again = compute(record["seed"], given["institutions"], given["inspectors"], given["conflicts"],
                    record["count"])
    return [(r["institution"]["id"], r["inspectors"]) for r in again] == \
        [(r["institution"]["id"], r["inspectors"]) for r in record["result"]]


def record_checks(stored: Any, archive_public: bytes) -> bool:
    """A stored ``{"draw", "sig"}``: True only when the archive key signed the draw AND it re-runs to its result
    (a record someone wrote into the database themselves re-runs to itself, but is not signed)."""
    try:
        verify_object(stored["sig"], CTX_DRAW, stored["draw"], archive_public)
        return rerun(stored["draw"])
    except (SignatureError, OfficeError, KeyError, TypeError, ValueError, AttributeError):
        return False


def listing(archive: Archive) -> list[dict[str, Any]]:
    """Every draw, newest first, each re-run from its record (``rerun_ok``) and its teams by name; a damaged
    record is a row that says so, never a page that fails."""
    from archive.office import cases

    with archive.db.read() as s:
        stored = [r.record for r in s.execute(select(DrawRecord).order_by(DrawRecord.id.desc())).scalars()]
        who_is = cases.names(s)
    public = archive.key.public_raw()
    out = []
    for text in stored:
        try:
            rec = json.loads(text)
            r = rec["draw"]
            out.append({**r, "rerun_ok": record_checks(rec, public),
                        "team_names": [[who_is.get(i, i) for i in x["inspectors"]] for x in r["result"]]})
        except (ValueError, KeyError, TypeError):
            out.append({"at": "", "name": "", "seed": "（记录损坏 damaged record）", "result": [],
                        "team_names": [], "rerun_ok": False})
    return out
