"""双随机: a draw is a pure function of its recorded inputs (re-run from the record gives the same result), never
pairs an inspector with an institution they declared a conflict with, and becomes office assignments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.evidence.signing import SigningKey, b64, verify_object
from archive.db import PullItem
from archive.office.auth import OfficeError, Principal
from archive.office.draw import CTX_DRAW, compute, draw, rerun
from archive.office.models import DeclaredConflict, DrawRecord
from archive.roster import add_inspector, add_pull_item
from archive.service import open_archive

HEAD = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)


def _archive(tmp_path: Path, inspectors: int = 4, institutions: int = 6):  # type: ignore[no-untyped-def]
    archive = open_archive(tmp_path / "a", create=True)
    with archive.db.write() as s:
        ids = [add_inspector(s, id=f"insp-{n}", name=f"稽核员{n}", credential_no=f"CN{n}", organisation="某市医保局",
                             public_key=b64(SigningKey.generate().public_raw())).id for n in range(inspectors)]
        for n in range(institutions):
            add_pull_item(s, "institutions", f"inst-{n}", {"id": f"inst-{n}", "name": f"第{n}医院", "uscc": "",
                                                                 "address": f"某市{n}号路"})
    return archive, ids


def test_a_draw_reruns_from_its_record_and_respects_conflicts(tmp_path: Path) -> None:
    archive, ids = _archive(tmp_path)
    try:
        with archive.db.write() as s:
            for inst in range(6):  # inspector 0 declared a conflict with every institution
                s.add(DeclaredConflict(inspector_id=ids[0], institution_id=f"inst-{inst}", reason="曾在该院任职",
                                       declared_at=__import__("datetime").datetime(2026, 1, 1)))
        with archive.db.write() as s:
            record = draw(archive, s, HEAD, 3, "routine", seed="ab" * 32)
        assert len(record["result"]) == 3
        for r in record["result"]:
            assert ids[0] not in r["inspectors"] and len(set(r["inspectors"])) == 2
        assert rerun(record)
        # the same seed and inputs give the same result; another seed another one (almost surely)
        again = compute(record["seed"], **{k: record["inputs"][k] for k in ("institutions", "inspectors",
                                                                             "conflicts")}, count=3)
        assert [r["institution"]["id"] for r in again] == [r["institution"]["id"] for r in record["result"]]
        other = compute("cd" * 32, record["inputs"]["institutions"], record["inputs"]["inspectors"],
                        record["inputs"]["conflicts"], 6)
        assert {r["institution"]["id"] for r in other} == {f"inst-{n}" for n in range(6)}
        # a record edited after the fact no longer re-runs to itself
        forged = json.loads(json.dumps(record))
        forged["result"][0]["inspectors"] = [ids[0], ids[1]]
        assert not rerun(forged)
        forged = json.loads(json.dumps(record))
        forged["inputs"]["conflicts"] = []
        assert not rerun(forged)
        with archive.db.read() as s:
            stored = json.loads(s.execute(select(DrawRecord.record)).scalar_one())
            verify_object(stored["sig"], CTX_DRAW, stored["draw"], archive.key.public_raw())
            assignments = [json.loads(p) for p in s.execute(select(PullItem.payload).where(
                PullItem.kind == "assignments")).scalars()]
        assert sorted(a["case_id"] for a in assignments) == sorted(r["case_id"] for r in record["result"])
        assert all(a["draw_seed"] == "ab" * 32 for a in assignments)
        # each assignment carries the drawn institution's published address (the party's, on the decision)
        drawn = {r["case_id"]: r["institution"]["id"] for r in record["result"]}
        assert all(a["institution"]["address"] == f"某市{drawn[a['case_id']][5:]}号路" for a in assignments)
    finally:
        archive.db.dispose()


def test_refusals(tmp_path: Path) -> None:
    archive, ids = _archive(tmp_path, inspectors=2, institutions=2)
    try:
        with archive.db.write() as s:
            s.add(DeclaredConflict(inspector_id=ids[1], institution_id="inst-0", reason="亲属",
                                   declared_at=__import__("datetime").datetime(2026, 1, 1)))
        with pytest.raises(OfficeError, match="no conflict-free pair"), archive.db.write() as s:
            draw(archive, s, HEAD, 2, "routine", seed="00" * 32)
        for count in (0, 3):
            with pytest.raises(OfficeError), archive.db.write() as s:
                draw(archive, s, HEAD, count, "routine")
        legal = Principal("u-l", "zhao", "赵审核", "legal", None, "y" * 64)
        with pytest.raises(OfficeError, match="only the head"), archive.db.write() as s:
            draw(archive, s, legal, 1, "routine")
        with archive.db.read() as s:  # nothing was recorded by a refused draw
            assert s.execute(select(DrawRecord)).first() is None
            assert s.execute(select(PullItem).where(PullItem.kind == "assignments")).first() is None
    finally:
        archive.db.dispose()


def _pushed(s, case_id: str, kind: str, body: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """An object as a laptop's push stores it (content-addressed, the event's payload as its body)."""
    import datetime as dt

    from app.evidence.canonical import canonical_bytes, canonical_sha256
    from archive.db import StoredObject

    s.add(StoredObject(sha256=canonical_sha256({"case": case_id, "kind": kind, "body": body}), case_id=case_id,
                       kind=kind, body=canonical_bytes(body).decode(), device_id="dev-1",
                       created_at=dt.datetime(2026, 1, 1)))


def test_the_draw_honours_recusals_declared_on_laptops(tmp_path: Path) -> None:
    """On earlier cases at 第2医院, inspector 1 declared a relation (by institution id), the party's request that
    inspector 2 step aside was granted (the laptop's institution matched by name); inspector 3 declared none and a
    rejected request binds nobody. Every draw then pairs 第2医院 with inspectors 0 and 3 only, the conflicts and
    where they came from are in the record, and a re-run gives the same result after more are declared."""
    archive, ids = _archive(tmp_path)
    try:
        with archive.db.write() as s:
            inst2 = {"id": "inst-2", "name": "第2医院", "uscc": ""}
            _pushed(s, "case-a", "case.created", {"institution": inst2, "inspectors": [ids[1], ids[3]]})
            _pushed(s, "case-a", "recusal.declared", {"inspector": ids[1], "related": True, "details": "配偶在该院"})
            _pushed(s, "case-a", "recusal.declared", {"inspector": ids[3], "related": False, "details": ""})
            _pushed(s, "case-b", "case.created", {"institution": {"id": "local-77", "name": "第2医院", "uscc": ""},
                                                  "inspectors": [ids[2], ids[0]]})
            _pushed(s, "case-b", "recusal.decided", {"id": "r1", "source": "party", "target": ids[2],
                                                     "outcome": "granted"})
            _pushed(s, "case-b", "recusal.decided", {"id": "r2", "source": "party", "target": ids[0],
                                                     "outcome": "rejected"})
        records = []
        for seed in ("ab" * 32, "cd" * 32, "ef" * 32):
            with archive.db.write() as s:
                records.append(draw(archive, s, HEAD, 6, "routine", seed=seed))
        for record in records:
            assert [ids[1], "inst-2"] in record["inputs"]["conflicts"]
            assert [ids[2], "inst-2"] in record["inputs"]["conflicts"]
            assert len(record["inputs"]["conflicts"]) == 2
            sources = record["inputs"]["conflict_sources"]
            assert {(c["inspector"], c["source"], c["case"]) for c in sources} == {
                (ids[1], "laptop", "case-a"), (ids[2], "laptop", "case-b")}
            pair = next(r["inspectors"] for r in record["result"] if r["institution"]["id"] == "inst-2")
            assert sorted(pair) == sorted([ids[0], ids[3]])
        # a conflict declared after the draw does not change its re-run
        with archive.db.write() as s:
            _pushed(s, "case-a", "recusal.declared", {"inspector": ids[0], "related": True, "details": "新声明"})
        with archive.db.read() as s:
            stored = [json.loads(r) for r in s.execute(select(DrawRecord.record).order_by(DrawRecord.id)).scalars()]
        from archive.office.draw import record_checks

        assert all(record_checks(r, archive.key.public_raw()) for r in stored)
        # the next draw has no conflict-free pair left for 第2医院 (0, 1 and 2 are bound; 3 alone is no pair)
        with pytest.raises(OfficeError, match="第2医院"), archive.db.write() as s:
            draw(archive, s, HEAD, 6, "routine", seed="ab" * 32)
    finally:
        archive.db.dispose()
