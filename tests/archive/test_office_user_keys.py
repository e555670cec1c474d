"""Office steps are signed by the user who takes them, with their own Ed25519 key: made at ``users add``,
sealed under their password, usable in their session; ``admin verify`` and the case page say who signed, and a
step signed by any other key, or re-attributed to another user, is caught."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from app.evidence.signing import SigningKey, b64, public_key_fingerprint, sign_object, unb64
from archive.admin import verify_archive
from archive.office.auth import add_user, login, session_principal
from archive.office.cases import CaseSummary
from archive.office.models import OfficeSession, OfficeStep, OfficeUser
from archive.office.procedure import CTX_OFFICE_STEP, CTX_OFFICE_STEP_BY_USER, signatures, take_step
from archive.office.userkeys import open_with_password
from archive.service import open_archive

PASSWORD = "reviewer-pass-1"
CASE = CaseSummary(id="case-1", title="t", institution="某医院", kind="routine", status="closed", source="laptop",
                   created_at="2026-01-01", team=["insp-a", "insp-b"])


def test_steps_are_signed_by_the_users_own_key(tmp_path: Path) -> None:
    archive = open_archive(tmp_path / "a", create=True)
    try:
        user = add_user(archive.db, "head", "钱科长", "head", PASSWORD)
        other = add_user(archive.db, "head2", "孙科长", "head", PASSWORD + "x")
        with archive.db.read() as s:
            row = s.get(OfficeUser, user.id)
            assert row is not None and row.sign_public and row.sign_private
            sealed, public = row.sign_private, row.sign_public
        # the private key opens with the password only, and only for that user
        assert open_with_password("wrong-password-1", user.id, sealed) is None
        assert open_with_password(PASSWORD, other.id, sealed) is None
        key = open_with_password(PASSWORD, user.id, sealed)
        assert key is not None and b64(key.public_raw()) == public
        token, who = login(archive.db, "head", PASSWORD)
        assert who.sign_key is not None and b64(who.sign_key.public_raw()) == public
        with archive.db.read() as s:  # the session's copy is no key without the token (the cookie)
            sess = s.execute(select(OfficeSession)).scalar_one()
            assert sess.sign_key and token not in sess.sign_key
        again = session_principal(archive.db, token)
        assert again is not None and again.sign_key is not None and again.sign_key.raw() == key.raw()
        assert session_principal(archive.db, "0" * 64) is None
        with archive.db.write() as s:
            take_step(archive, s, again, CASE, "filed", {"on": "2026-03-02"}, today=dt.date(2026, 6, 1))
        with archive.db.read() as s:
            signed = signatures(s, CASE.id)
        assert signed == [{"stage": "filed", "zh": "立案", "name": "钱科长", "on": "2026-03-02", "by": "user",
                           "fingerprint": public_key_fingerprint(unb64(public))}]
        assert verify_archive(archive)["ok"]

        # a step signed by a key that is not the user's (even countersigned by the archive) is caught
        stranger = SigningKey.generate()
        with archive.db.write() as s:
            row = s.execute(select(OfficeStep)).scalar_one()
            stored = json.loads(row.statement)
            statement = {**stored["statement"], "user_key": b64(stranger.public_raw())}
            forged = {"statement": statement, "sig": sign_object(archive.key, "archive", CTX_OFFICE_STEP, statement),
                      "user_sig": sign_object(stranger, user.id, CTX_OFFICE_STEP_BY_USER, statement)}
            row.statement = json.dumps(forged)
        with archive.db.read() as s:
            assert signatures(s, CASE.id)[0]["by"] == "bad"
        failures = " ".join(verify_archive(archive)["failures"])
        assert "not signed by the key of the user it names" in failures, failures
        # …and so is the genuine signature of one user re-attributed (by the archive) to another
        with archive.db.write() as s:
            row = s.execute(select(OfficeStep)).scalar_one()
            statement = {**stored["statement"], "user": other.id, "name": "孙科长"}
            row.statement = json.dumps({"statement": statement,
                                        "sig": sign_object(archive.key, "archive", CTX_OFFICE_STEP, statement),
                                        "user_sig": stored["user_sig"]})
        with archive.db.read() as s:
            assert signatures(s, CASE.id)[0]["by"] == "bad"
        assert not verify_archive(archive)["ok"]
    finally:
        archive.db.dispose()
