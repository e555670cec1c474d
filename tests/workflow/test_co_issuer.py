"""A document is issued by two inspectors (条例 Art. 29): its ``document.issued`` entry names the second one
(``co_issuer``) besides the acting one, under the actor's signature; the verifier checks that it names another
trusted inspector, and an issue record written before (no ``co_issuer``) verifies as it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.evidence.canonical import canonical_bytes
from app.evidence.verify_base import Key
from app.evidence.verify_pages import CO_ISSUER_INVALID, verify_co_issuers
from app.evidence.verify_rules import Verification
from app.workflow.demo import build_demo

P1, P2 = "demo-passphrase-1", "demo-passphrase-2"


def test_issued_documents_name_the_second_inspector_and_verify(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from app.cli.__main__ import main
    from app.evidence.canonical import loads
    from app.models.profile import Profile
    from app.models.schema import JournalLeaf
    from app.workflow.issuing import ISSUED, issued_documents

    result = build_demo(tmp_path / "demo", P1, P2)  # the demo issues its documents as the app does
    store = Profile.open(tmp_path / "demo").unlock(P1)
    with store, store.session() as s:
        docs = issued_documents(s, result.case_id)
        actors = {int(seq): loads(leaf)["entry"]["actor"] for seq, leaf in s.execute(
            select(JournalLeaf.seq, JournalLeaf.leaf).where(JournalLeaf.log_id == result.case_id,
                                                            JournalLeaf.type == ISSUED)).all()}
    assert docs
    for d in docs:
        assert d.body["co_issuer"] in result.inspector_ids and d.body["co_issuer"] != actors[d.seq]
    fa = tmp_path / "p1"
    fa.write_text(P1 + "\n", encoding="utf-8")
    pkg = tmp_path / "case.fapkg"
    assert main(["export", str(tmp_path / "demo"), "--case", result.case_id, "--out", str(pkg),
                 "--passphrase-file", str(fa)]) == 0
    capsys.readouterr()
    assert main(["verify", str(pkg)]) == 0, capsys.readouterr()


def _leaf(actor: str, body: dict[str, object]) -> tuple[bytes, dict[str, bytes]]:
    payload = canonical_bytes(body)
    entry = {"type": "document.issued", "actor": actor, "payload_sha256": "p"}
    return canonical_bytes({"entry": entry, "sig": {}}), {"p": payload}


@pytest.mark.parametrize(("co_issuer", "fails"), [
    ("B", False),  # another trusted inspector
    ("A", True),  # the actor itself: one inspector acting as two
    ("C", True),  # no inspector the package (or roster) knows
    (7, True),
    (None, False),  # an issue record written before the second issuer was recorded
])
def test_the_verifier_checks_the_second_issuer(co_issuer: object, fails: bool) -> None:
    keys = {k: Key(k, b"\0" * 32) for k in ("A", "B")}
    body: dict[str, object] = {"v": 1, "type": "document", "form": "notice"}
    if co_issuer is not None:
        body["co_issuer"] = co_issuer
    leaf, payloads = _leaf("A", body)
    v = Verification()
    verify_co_issuers(v, [leaf], payloads, lambda key_id, role: keys.get(key_id))
    assert [p.code for p in v.problems] == ([CO_ISSUER_INVALID] if fails else [])
