"""The record's cross-checks: each catches its problem with a message naming the article, and the demo case
(dated consistently) passes all of them and closes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from app.documents.context import Person
from app.documents.sample import sample_context
from app.models.profile import Profile
from app.workflow import crosschecks as cc
from app.workflow.demo import build_demo

T = dt.datetime(2026, 11, 23, 9, 30)


def test_the_sample_case_passes() -> None:
    assert cc.check_context(sample_context()) == []


def test_visit_before_the_notice() -> None:
    ctx = sample_context()
    assert ctx.notice is not None
    late = dataclasses.replace(ctx, notice=dataclasses.replace(ctx.notice, audit_at=T + dt.timedelta(days=1)))
    problems = cc.check_context(late)
    assert {p.code for p in problems} == {"notice.before"}
    assert len(problems) == 2  # the on-site inspection and the interview
    assert "第七条第（一）项" in problems[0].zh and "Wuhan Audit Measures Art. 7(1)" in problems[0].en
    unannounced = dataclasses.replace(late, case=dataclasses.replace(late.case, unannounced=True))
    assert [p.code for p in cc.check_context(unannounced)] == ["notice.unannounced_reason"]
    with_reason = dataclasses.replace(unannounced, case=dataclasses.replace(unannounced.case,
                                                                           unannounced_reason="举报线索，防止串供"))
    assert cc.check_context(with_reason) == []


def test_one_inspector_in_two_overlapping_sessions() -> None:
    ctx = sample_context()
    iv = dataclasses.replace(ctx.interviews[0], start=T + dt.timedelta(minutes=30), end=T + dt.timedelta(hours=1))
    problems = cc.check_context(dataclasses.replace(ctx, interviews=(iv,)))
    assert [p.code for p in problems] == ["session.overlap"]
    assert "第二十九条" in problems[0].zh and "Administrative Penalty Law Art. 42, 55" in problems[0].en
    # back to back is fine; other inspectors are fine
    ok = dataclasses.replace(iv, start=ctx.onsite.end, end=ctx.onsite.end + dt.timedelta(hours=1))  # type: ignore[union-attr]
    assert cc.check_context(dataclasses.replace(ctx, interviews=(ok,))) == []
    a, b = cc.Sitting("甲", "a", T, T + dt.timedelta(hours=1), ("X", "Y")), \
        cc.Sitting("乙", "b", T, T + dt.timedelta(hours=1), ("Z", "W"))
    assert cc.overlapping_sittings([a, b]) == []
    backwards = cc.Sitting("丙", "c", T, T - dt.timedelta(minutes=1), ("Q",))
    assert [p.code for p in cc.overlapping_sittings([backwards])] == ["session.order"]


def test_obtained_after_capture() -> None:
    problems = cc.obtained_after_capture([("照片", T + dt.timedelta(minutes=5), T), ("清单", T, T)])
    assert len(problems) == 1 and "照片" in problems[0].zh and "Art. 7(4)" in problems[0].en


def test_interviewee_without_id_number() -> None:
    ctx = sample_context()
    nobody = dataclasses.replace(ctx.interviews[0], interviewee=Person("钱某某"))
    problems = cc.check_context(dataclasses.replace(ctx, interviews=(nobody,)))
    assert [p.code for p in problems] == ["interview.id_number"]
    assert "第五十五条" in problems[0].zh and "Administrative Penalty Law Art. 55" in problems[0].en


def test_a_number_used_twice() -> None:
    problems = cc.numbers_unique([("封存决定书", "某医保封〔2026〕1号"), ("送达回证", "某医保封〔2026〕1号"),
                                  ("询问笔录", "")])
    assert [p.code for p in problems] == ["number.duplicate"]
    assert str(problems[0]).count("|") == 1


def test_the_demo_passes_and_closes(tmp_path: Path) -> None:
    result = build_demo(tmp_path / "demo", "demo-passphrase-1", "demo-passphrase-2")
    store = Profile.open(tmp_path / "demo").unlock("demo-passphrase-1")
    try:
        with store.session() as s:
            assert cc.case_problems(s, store, result.case_id) == []
    finally:
        store.close()
