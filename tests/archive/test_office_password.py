"""Office passwords after ``users add``, on a real archive on 127.0.0.1: the administrator's reset (a new key;
the old one retired, so earlier steps still verify and name who signed) and the user's own change at
``/office/password`` (the same key re-sealed; other sessions end; a wrong current password counts)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import httpx
from sqlalchemy import select

from app.evidence.signing import b64, public_key_fingerprint, sign_object
from archive.office.auth import MAX_FAILURES, session_principal, verify_log
from archive.office.cases import CaseSummary
from archive.office.models import OfficeLogEntry, OfficeStep, OfficeUser
from archive.office.procedure import CTX_OFFICE_STEP, CTX_OFFICE_STEP_BY_USER, signatures, take_step
from archive.service import Archive, open_archive
from tests.archive.helpers import ArchiveProcess

OLD = "reviewer-pass-1"
NEW = "reviewer-pass-2-new"
CASE = CaseSummary(id="case-1", title="t", institution="某医院", kind="routine", status="closed", source="laptop",
                   created_at="2026-01-01", team=["insp-a", "insp-b"])


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, html
    return m.group(1)


def _secret(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def _add_head(proc: ArchiveProcess, tmp_path: Path) -> None:
    proc.admin("users", "add", "--name", "钱科长", "--login", "head", "--role", "head",
               "--password-file", _secret(tmp_path, "old.txt", OLD))


def _key_of(proc: ArchiveProcess) -> str:
    [user] = [json.loads(line) for line in proc.admin("users", "list").stdout.splitlines()]
    return str(user["key"])


def _login(proc: ArchiveProcess, password: str) -> tuple[httpx.Client, httpx.Response]:
    c = httpx.Client(base_url=proc.url, timeout=60)
    return c, c.post("/office/login", data={"login": "head", "password": password})


def _user(archive: Archive) -> OfficeUser:
    with archive.db.read() as s:
        return s.execute(select(OfficeUser)).scalar_one()


def test_reset_gives_a_new_key_and_keeps_the_old_one_for_earlier_steps(sqlite_archive: ArchiveProcess,
                                                                        tmp_path: Path) -> None:
    proc = sqlite_archive
    _add_head(proc, tmp_path)
    old_fp = _key_of(proc)
    c, r = _login(proc, OLD)
    assert r.status_code == 303
    archive = open_archive(proc.data, create=False)
    try:
        who = session_principal(archive.db, c.cookies["fa_office"])
        assert who is not None and who.sign_key is not None
        old_key = who.sign_key
        with archive.db.write() as s:
            take_step(archive, s, who, CASE, "filed", {"on": "2026-03-02"}, today=dt.date(2026, 6, 1))
        for _ in range(2):  # two wrong guesses: the reset clears them
            assert _login(proc, "wrong-password-9")[1].status_code == 401
        assert _user(archive).failures == 2

        out = proc.admin("users", "password", "--name", "head", "--password-file", _secret(tmp_path, "new.txt", NEW))
        done = json.loads(out.stdout)
        assert done["retired"] == old_fp and done["key"] != old_fp and _key_of(proc) == done["key"]
        assert _user(archive).failures == 0

        assert c.get("/office/").status_code == 303  # the open session ended
        c.close()
        assert _login(proc, OLD)[1].status_code == 401
        c2, r = _login(proc, NEW)
        assert r.status_code == 303 and c2.get("/office/").status_code == 200
        who2 = session_principal(archive.db, c2.cookies["fa_office"])
        assert who2 is not None and who2.sign_key is not None
        assert public_key_fingerprint(who2.sign_key.public_raw()) == done["key"]
        c2.close()

        with archive.db.read() as s:  # the earlier step: still the user's, by the retired key
            [signed] = signatures(s, CASE.id)
            assert signed["by"] == "user" and signed["fingerprint"] == old_fp and signed["name"] == "钱科长"
            assert not verify_log(s)
            [row] = s.execute(select(OfficeLogEntry).where(OfficeLogEntry.action == "user.password_reset")).scalars()
            assert json.loads(row.detail)["retired"] == b64(old_key.public_raw())
        report = json.loads(proc.admin("verify").stdout)
        assert report["ok"], report["failures"]

        # the retired key signs nothing new: a step it signed after its retirement is not the user's
        with archive.db.write() as s:
            stored = json.loads(s.execute(select(OfficeStep)).scalar_one().statement)
            later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            statement = {**stored["statement"], "at": later}
            s.add(OfficeStep(case_id=CASE.id, stage="filed", user_id=who.user_id, at=dt.datetime(2026, 6, 1),
                             statement=json.dumps({
                                 "statement": statement,
                                 "sig": sign_object(archive.key, "archive", CTX_OFFICE_STEP, statement),
                                 "user_sig": sign_object(old_key, who.user_id, CTX_OFFICE_STEP_BY_USER, statement)})))
        with archive.db.read() as s:
            assert [x["by"] for x in signatures(s, CASE.id)] == ["user", "bad"]
        assert proc.admin("verify", check=False).returncode == 1
    finally:
        archive.db.dispose()


def test_reset_of_an_unknown_user_is_refused(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    res = sqlite_archive.admin("users", "password", "--name", "nobody", "--password-file",
                               _secret(tmp_path, "new.txt", NEW), check=False)
    assert res.returncode != 0 and "nobody" in res.stderr and "Traceback" not in res.stderr
    _add_head(sqlite_archive, tmp_path)
    res = sqlite_archive.admin("users", "password", "--name", "head", "--password-file",
                               _secret(tmp_path, "short.txt", "short"), check=False)
    assert res.returncode != 0 and "10" in res.stderr


def test_change_keeps_the_key_and_ends_the_other_sessions(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    proc = sqlite_archive
    _add_head(proc, tmp_path)
    fp = _key_of(proc)
    mine, r = _login(proc, OLD)
    assert r.status_code == 303
    other, r = _login(proc, OLD)
    assert r.status_code == 303
    page = mine.get("/office/password")
    assert page.status_code == 200 and "修改密码" in page.text
    csrf = csrf_of(page.text)
    form = {"csrf": csrf, "current": OLD, "new": NEW, "again": NEW}

    assert mine.post("/office/password", data={**form, "csrf": ""}).status_code == 403  # CSRF missing
    r = mine.post("/office/password", data={**form, "again": NEW + "x"})
    assert r.status_code == 400 and "不一致" in r.text
    r = mine.post("/office/password", data={**form, "new": "short", "again": "short"})
    assert r.status_code == 400 and "至少" in r.text
    r = mine.post("/office/password", data={**form, "current": "wrong-password-9"})
    assert r.status_code == 403 and "当前口令错误" in r.text
    archive = open_archive(proc.data, create=False)
    try:
        assert _user(archive).failures == 1  # counted toward the lockout
        assert _login(proc, NEW)[1].status_code == 401  # nothing changed yet

        r = mine.post("/office/password", data=form)
        assert r.status_code == 303 and r.headers["location"] == "/office/password?done=1"
        assert _key_of(proc) == fp  # the same key, sealed again
        assert mine.get("/office/").status_code == 200  # this session goes on …
        assert other.get("/office/").status_code == 303  # … the other one ended
        assert _login(proc, OLD)[1].status_code == 401
        again, r = _login(proc, NEW)
        assert r.status_code == 303
        who = session_principal(archive.db, again.cookies["fa_office"])
        assert who is not None and who.sign_key is not None
        assert public_key_fingerprint(who.sign_key.public_raw()) == fp  # opens with the new password
        assert _user(archive).failures == 0
        with archive.db.read() as s:
            actions = [e.action for e in s.execute(select(OfficeLogEntry)).scalars()]
        assert "password.failed" in actions and "password.changed" in actions
        assert json.loads(proc.admin("verify").stdout)["ok"]
        for client in (mine, other, again):
            client.close()
    finally:
        archive.db.dispose()


def test_wrong_current_passwords_lock_the_account(sqlite_archive: ArchiveProcess, tmp_path: Path) -> None:
    proc = sqlite_archive
    _add_head(proc, tmp_path)
    c, r = _login(proc, OLD)
    assert r.status_code == 303
    csrf = csrf_of(c.get("/office/password").text)
    for _ in range(MAX_FAILURES):
        r = c.post("/office/password", data={"csrf": csrf, "current": "wrong-password-9", "new": NEW, "again": NEW})
        assert r.status_code == 403
    # locked: even the right current password is refused now, and so is a login
    r = c.post("/office/password", data={"csrf": csrf, "current": OLD, "new": NEW, "again": NEW})
    assert r.status_code == 403 and "锁定" in r.text
    assert _login(proc, OLD)[1].status_code == 401
    c.close()
