"""The steps beside the main line: 中止 blocks every later step until 恢复, the decision period's extension
moves the deadline shown, and the hearing goes requested → scheduled (notice ≥ 7 working days before, a
presiding officer not on the team) → held, before any decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.evidence.signing import SigningKey, b64
from archive.office.auth import OfficeError, Principal
from archive.office.cases import CaseSummary
from archive.office.procedure import state, take_step
from archive.roster import add_inspector
from archive.service import Archive, open_archive

HEAD = Principal("u-head", "head", "钱科长", "head", None, "x" * 64)
TODAY = dt.date(2026, 6, 30)
Step = Callable[..., None]


@pytest.fixture
def case(tmp_path: Path) -> Iterator[tuple[Archive, CaseSummary, Step]]:
    archive = open_archive(tmp_path / "p", create=True)
    with archive.db.write() as s:
        for iid, name in (("insp-a", "李稽核"), ("insp-b", "王稽核")):
            add_inspector(s, id=iid, name=name, credential_no=iid, organisation="某市医保局",
                          public_key=b64(SigningKey.generate().public_raw()))
    summary = CaseSummary(id="case-1", title="t", institution="某医院", kind="routine", status="closed",
                          source="laptop", created_at="2026-01-01", team=["insp-a", "insp-b"])

    def step(stage: str, who: Principal = HEAD, **form: str) -> None:
        with archive.db.write() as s:
            take_step(archive, s, who, summary, stage, form, today=TODAY)

    try:
        yield archive, summary, step
    finally:
        archive.db.dispose()


def _deadlines(archive: Archive, summary: CaseSummary) -> dict[str, dict[str, object]]:
    with archive.db.read() as s:
        return {str(d.get("key", d["zh"])): d for d in state(archive, s, summary, TODAY)["deadlines"]}


def test_suspension_blocks_every_later_step_until_resumed(case: tuple[Archive, CaseSummary, Step]) -> None:
    archive, summary, step = case
    step("filed", on="2026-03-02")
    with pytest.raises(OfficeError, match="give the reason"):
        step("suspended", on="2026-03-05")
    step("suspended", on="2026-03-05", reason="当事人下落不明")
    for stage, form in (("investigated", {"on": "2026-03-10"}), ("extended", {"days": "30"}),
                        ("terminated", {"reason": "x"}), ("suspended", {"reason": "again"})):
        with pytest.raises(OfficeError, match="suspended since 2026-03-05") as err:
            step(stage, **form)
        assert "当事人下落不明" in err.value.zh  # the refusal gives the suspension's reason
    with pytest.raises(OfficeError, match="earlier than the latest suspension"):
        step("resumed", on="2026-03-01", reason="找到当事人")
    step("resumed", on="2026-03-20", reason="找到当事人")
    with pytest.raises(OfficeError, match="not suspended"):
        step("resumed", on="2026-03-21", reason="x")
    with pytest.raises(OfficeError, match="earlier than the latest suspension"):  # no back-dating into it
        step("investigated", on="2026-03-10")
    step("investigated", on="2026-03-21")
    dl = _deadlines(archive, summary)
    # the 中止 days are counted (the earlier date), and the page says so and why
    assert dl["decision"]["due"] == "2026-05-31"
    assert "中止 15 日" in str(dl["suspension"]["zh"]) and "第六十条" in str(dl["suspension"]["basis"])
    assert "未能确认" in str(dl["suspension"]["basis"])


def test_only_the_head_suspends(case: tuple[Archive, CaseSummary, Step]) -> None:
    _archive, _summary, step = case
    legal = Principal("u-legal", "legal", "赵审核", "legal", None, "y" * 64)
    step("filed", on="2026-03-02")
    with pytest.raises(OfficeError, match="only the head"):
        step("suspended", legal, on="2026-03-05", reason="x")


def test_extension_moves_the_deadline_and_names_its_basis(case: tuple[Archive, CaseSummary, Step]) -> None:
    archive, summary, step = case
    with pytest.raises(OfficeError, match="first: case opened"):
        step("extended", on="2026-03-01", days="30", reason="r", approver="a", basis="b")
    step("filed", on="2026-03-02")
    assert _deadlines(archive, summary)["decision"]["due"] == "2026-05-31"
    form = {"on": "2026-05-20", "days": "30", "reason": "案情复杂", "approver": "孙局长"}
    with pytest.raises(OfficeError, match="provision the extension relies on"):
        step("extended", **form)
    for days in ("0", "91", "x"):
        with pytest.raises(OfficeError):
            step("extended", **{**form, "days": days, "basis": "某规章第某条"})
    with pytest.raises(OfficeError, match="ended on 2026-05-31"):  # not after the period has run out
        step("extended", **{**form, "on": "2026-06-01", "basis": "某规章第某条"})
    step("extended", **{**form, "basis": "某规章第某条"})
    dl = _deadlines(archive, summary)["decision"]
    assert dl["due"] == "2026-06-30" and "已延期 30 日" in str(dl["zh"])
    assert "行政处罚法》(2021)第六十条" in str(dl["basis"]) and "某规章第某条" in str(dl["basis"])
    assert "孙局长" in str(dl["basis"])


def test_hearing_requested_scheduled_held_before_the_decision(case: tuple[Archive, CaseSummary, Step]) -> None:
    archive, summary, step = case
    step("filed", on="2026-03-02")
    step("investigated", on="2026-03-10")
    with pytest.raises(OfficeError, match="first: the party told"):
        step("hearing_requested", on="2026-03-10")
    step("notified", on="2026-03-11")  # a Wednesday
    with pytest.raises(OfficeError, match="within 5 working days"):
        step("hearing_requested", on="2026-03-19")
    with pytest.raises(OfficeError, match="not asked for a hearing"):
        step("hearing_scheduled", on="2026-03-19", hearing_on="2026-04-10", place="三楼", presiding="周主任")
    step("hearing_requested", on="2026-03-18")  # the 5th working day
    hearing = {"hearing_on": "2026-04-10", "place": "三楼会议室"}
    with pytest.raises(OfficeError, match=r"Art\. 64\(4\)"):
        step("hearing_scheduled", on="2026-03-20", presiding="李稽核", **hearing)
    # 2026-04-10 is a Friday; 7 working days before it (the Qingming holiday counts none) is 31 March at the latest
    with pytest.raises(OfficeError, match="working days before the hearing: by 2026-03-31"):
        step("hearing_scheduled", on="2026-04-01", presiding="周主任", **hearing)
    with pytest.raises(OfficeError, match="hold it before the decision"):
        step("decided", on="2026-03-25", decision="追回", amount="10")
    step("hearing_scheduled", on="2026-03-31", presiding="周主任", **hearing)
    with pytest.raises(OfficeError, match="set for 2026-04-10"):
        step("hearing_held", on="2026-04-09")
    with pytest.raises(OfficeError, match="hold it before the decision"):
        step("decided", on="2026-04-09", decision="追回", amount="10")
    step("hearing_held", on="2026-04-10", summary="当事人到场陈述")
    with pytest.raises(OfficeError, match="precede the hearing"):
        step("decided", on="2026-04-09", decision="追回", amount="10")
    step("decided", on="2026-04-13", decision="追回", amount="10")
    with pytest.raises(OfficeError, match="decision is recorded"):
        step("extended", on="2026-04-14", days="10", reason="r", approver="a", basis="b")
    with archive.db.read() as s:
        done = state(archive, s, summary, TODAY)["done"]
    assert done["hearing_held"]["data"]["presiding"] == "周主任"
