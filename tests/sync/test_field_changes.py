"""Mutable case fields end to end: field changes made with set_case_field on real encrypted profiles, pushed by
the real SyncClient to a real archive process on 127.0.0.1, folded there (archive/PROTOCOL.md "Mutable fields
and conflicts")."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.evidence import journal
from app.models.profile import Profile, Store
from app.models.schema import Case
from app.sync import state
from app.sync.auth import DeviceAuth
from app.sync.client import SyncClient
from app.sync.clock import ManualClock
from app.sync.protocol import ConflictList
from app.workflow.case_fields import set_case_field
from app.workflow.cases import CaseSpec, add_institution, create_case
from tests.archive.helpers import ArchiveProcess
from tests.conftest import TwoInspectorProfile
from tests.sync.conftest import DemoProfile, archive_rows, stats
from tests.sync.helpers import open_demo

BASE_TITLE = "某药房2026年专项稽核"


def register(store: Store, archive: ArchiveProcess, name: str) -> None:
    code = archive.admin("enrolment-code").stdout.strip()
    with SyncClient(store, archive.url) as c:
        c.register(code, name)


def assign_to_both(archive: ArchiveProcess, case_id: str, *stores: Store) -> None:
    """The office assigns the case to the inspectors of every laptop: only then may they all push to it (a case
    belongs to its team, archive/teams.py)."""
    inspectors = [i for store in stores for i in store.unlocked_inspectors()]
    archive.admin("cases", "add", "--id", case_id, "--institution-name", "某虚构大药房",
                  *[a for i in inspectors for a in ("--inspector", i)])


def shared_case(store: Store, case_id: str) -> None:
    """The same case (id, base values) on a laptop, made by this laptop's own inspectors."""
    a, b = store.unlocked_inspectors()[:2]
    with store.transaction() as s:
        inst = add_institution(s, name="某虚构大药房", kind="designated_pharmacy")
        create_case(s, store, a, CaseSpec(case_id=case_id, institution_id=inst.id, kind="routine",
                                          inspector_ids=[a, b], title=BASE_TITLE, place="",
                                          planned_date="2026-05-20"))


def edit(store: Store, case_id: str, changes: list[tuple[int, str, Any]]) -> None:
    """(inspector index, field, value) changes in one transaction."""
    inspectors = store.unlocked_inspectors()
    with store.transaction() as s:
        for who, field, value in changes:
            assert set_case_field(s, store, case_id, inspectors[who], field, value)


def push(store: Store, archive: ArchiveProcess, case_id: str) -> dict[str, Any]:
    with SyncClient(store, archive.url) as c:
        result = c.push_case(case_id)
        assert not result.refused, result.reasons
        assert result.receipt_size > 0
        with store.session() as s:
            receipt = state.get(s, f"receipt.{case_id}")
    payload = dict(receipt["payload"])
    assert result.conflicts == payload["counts"]["conflicts"]  # the laptop's sync result shows them too
    return payload


def folded(archive: ArchiveProcess, case_id: str) -> dict[str, tuple[Any, str]]:
    """The archive's case state: field -> (value, device that set it)."""
    rows = archive_rows(archive, f"SELECT field, value, device_id FROM case_fields WHERE case_id = '{case_id}'")
    return {f: (json.loads(v), d) for f, v, d in rows}


def conflicts(store: Store, archive: ArchiveProcess, case_id: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=archive.url, auth=DeviceAuth(store.device_key, store.device_id)) as c:
        r = c.get(f"/v1/cases/{case_id}/conflicts")
    assert r.status_code == 200, r.text
    body = ConflictList.model_validate(r.json())
    assert body.case_id == case_id
    return [c.model_dump() for c in body.conflicts]


@pytest.fixture
def laptop_b(two_inspectors: TwoInspectorProfile) -> Iterator[Store]:
    """A second laptop: its own profile, device key and two inspectors of its own."""
    store = Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    store.unlock_inspector(two_inspectors.pass_b)
    yield store
    store.close()


def test_edit_on_one_laptop_reaches_the_archive_state(demo: DemoProfile, archive: ArchiveProcess) -> None:
    case_id = "0196f000-0000-7000-8000-00000000f001"
    with open_demo(demo.root) as store:
        register(store, archive, "laptop A")
        shared_case(store, case_id)
        edit(store, case_id, [(0, "title", "某药房2026年专项稽核（门诊统筹）"), (1, "place", "门店收银台")])
        receipt = push(store, archive, case_id)
        assert receipt["counts"]["conflicts"] == 0
        device = store.device_id
        assert folded(archive, case_id) == {"title": ("某药房2026年专项稽核（门诊统筹）", device),
                                            "place": ("门店收银台", device)}
        # a later edit by the same laptop replaces its own value
        edit(store, case_id, [(1, "title", "某药房2026年专项稽核（定点药店）")])
        receipt = push(store, archive, case_id)
        assert receipt["counts"]["conflicts"] == 0 and receipt["counts"]["leaves_new"] >= 1
        assert folded(archive, case_id)["title"] == ("某药房2026年专项稽核（定点药店）", device)
        assert conflicts(store, archive, case_id) == []
    assert stats(archive)["conflicts"] == 0
    assert archive.admin("verify", check=False).returncode == 0


def test_two_laptops_edit_the_same_field_one_conflict_nothing_dropped(
        demo: DemoProfile, laptop_b: Store, archive: ArchiveProcess) -> None:
    case_id = "0196f000-0000-7000-8000-00000000f002"
    title_a, title_b = "某药房专项稽核（甲组意见）", "某药房专项稽核（乙组意见）"
    with open_demo(demo.root) as laptop_a:
        register(laptop_a, archive, "laptop A")
        register(laptop_b, archive, "laptop B")
        assign_to_both(archive, case_id, laptop_a, laptop_b)
        for store in (laptop_a, laptop_b):
            shared_case(store, case_id)
        # both from the same base: the title differently; different fields otherwise (those fold without conflict)
        edit(laptop_a, case_id, [(0, "title", title_a), (0, "place", "门店一楼")])
        edit(laptop_b, case_id, [(1, "title", title_b), (0, "matters", "医保药品进销存")])
        dev_a, dev_b = laptop_a.device_id, laptop_b.device_id
        assert push(laptop_a, archive, case_id)["counts"]["conflicts"] == 0
        receipt_b = push(laptop_b, archive, case_id)
        assert receipt_b["counts"]["conflicts"] == 1

        for store in (laptop_a, laptop_b):  # each laptop that pushed to the case sees the same list
            listed = conflicts(store, archive, case_id)
            assert len(listed) == 1
            got = listed[0]
            assert (got["case_id"], got["field"], got["base"]) == (case_id, "title", BASE_TITLE)
            assert (got["value_a"], got["device_a"]) == (title_a, dev_a)
            assert (got["value_b"], got["device_b"]) == (title_b, dev_b)
        # the first folded value stays (nothing overwritten); both other edits are folded
        assert folded(archive, case_id) == {"title": (title_a, dev_a), "place": ("门店一楼", dev_a),
                                            "matters": ("医保药品进销存", dev_b)}
        # nothing dropped: both journals are held whole, with every field-change payload
        for store, dev in ((laptop_a, dev_a), (laptop_b, dev_b)):
            held = archive_rows(archive, f"SELECT COUNT(*) FROM leaves WHERE case_id = '{case_id}' "
                                         f"AND device_id = '{dev}'")
            with store.session() as s:
                assert held == [(journal.size(s, case_id),)]
        bodies = {json.loads(b)["new"] for b, in archive_rows(
            archive, f"SELECT body FROM objects WHERE case_id = '{case_id}' AND kind = 'case.field_changed'")}
        assert {title_a, title_b, "门店一楼", "医保药品进销存"} <= bodies

        # a pull brings no folded values: neither laptop's own value is overwritten
        for store, own in ((laptop_a, title_a), (laptop_b, title_b)):
            with SyncClient(store, archive.url) as c:
                c.pull()
            with store.session() as s:
                case = s.get(Case, case_id)
                assert case is not None and case.title == own
    st = stats(archive)
    assert st["conflicts"] == 1
    assert archive.admin("verify", check=False).returncode == 0


def test_later_edits_by_the_losing_laptop_are_kept_as_conflicts_too(
        demo: DemoProfile, laptop_b: Store, archive: ArchiveProcess) -> None:
    """Laptop B keeps editing a field whose archive value came from laptop A: each edit is another conflict row
    (B's `old` is not the archive's value), none is dropped — even when B goes back to a value it had before, so
    that the field-change payload is byte-identical to an earlier one."""
    case_id = "0196f000-0000-7000-8000-00000000f003"
    with open_demo(demo.root) as laptop_a:
        register(laptop_a, archive, "laptop A")
        register(laptop_b, archive, "laptop B")
        assign_to_both(archive, case_id, laptop_a, laptop_b)
        for store in (laptop_a, laptop_b):
            shared_case(store, case_id)
        edit(laptop_a, case_id, [(0, "place", "门店一楼")])
        push(laptop_a, archive, case_id)
        edit(laptop_b, case_id, [(0, "place", "仓库")])
        assert push(laptop_b, archive, case_id)["counts"]["conflicts"] == 1
        edit(laptop_b, case_id, [(0, "place", "二楼办公室")])
        assert push(laptop_b, archive, case_id)["counts"]["conflicts"] == 1
        listed = conflicts(laptop_b, archive, case_id)
        assert [(c["base"], c["value_a"], c["value_b"]) for c in listed] == [
            ("", "门店一楼", "仓库"), ("仓库", "门店一楼", "二楼办公室")]
        assert folded(archive, case_id)["place"] == ("门店一楼", laptop_a.device_id)


def test_identical_repeated_conflicting_edit_is_kept(
        demo: DemoProfile, laptop_b: Store, archive: ArchiveProcess) -> None:
    case_id = "0196f000-0000-7000-8000-00000000f004"
    with open_demo(demo.root) as laptop_a:
        register(laptop_a, archive, "laptop A")
        register(laptop_b, archive, "laptop B")
        assign_to_both(archive, case_id, laptop_a, laptop_b)
        for store in (laptop_a, laptop_b):
            shared_case(store, case_id)
        edit(laptop_a, case_id, [(0, "place", "门店一楼")])
        push(laptop_a, archive, case_id)
        # B: "" -> 仓库, 仓库 -> "", "" -> 仓库: the first and third payloads are the same canonical bytes
        edit(laptop_b, case_id, [(0, "place", "仓库")])
        edit(laptop_b, case_id, [(0, "place", "")])
        edit(laptop_b, case_id, [(0, "place", "仓库")])
        clock = ManualClock(time.time())  # should the archive answer 409, the backoff moves this clock only
        with SyncClient(laptop_b, archive.url, clock=clock.clock()) as c:
            result = c.push_case(case_id)
        assert not result.refused, (result.error, result.reasons)
        listed = conflicts(laptop_b, archive, case_id)
        assert [(c["base"], c["value_b"]) for c in listed] == [("", "仓库"), ("仓库", ""), ("", "仓库")]


def test_a_laptop_of_another_team_is_refused_and_told_so(
        demo: DemoProfile, laptop_b: Store, archive: ArchiveProcess) -> None:
    """Without an assignment naming its inspectors, laptop B may neither push to laptop A's case nor read its
    conflicts: the real client shows the refusal in both languages, and the archive raises an alert."""
    case_id = "0196f000-0000-7000-8000-00000000f005"
    with open_demo(demo.root) as laptop_a:
        register(laptop_a, archive, "laptop A")
        register(laptop_b, archive, "laptop B")
        for store in (laptop_a, laptop_b):
            shared_case(store, case_id)
        edit(laptop_a, case_id, [(0, "place", "门店一楼")])
        push(laptop_a, archive, case_id)
        edit(laptop_b, case_id, [(0, "title", "别组改过的标题")])
        with SyncClient(laptop_b, archive.url) as c:
            result = c.push_case(case_id)
        assert result.refused and result.error == "not_case_team"
        (why,) = result.reasons
        assert "其他检查组" in why["message_zh"] and "another team" in why["message_en"]
        with httpx.Client(base_url=archive.url, auth=DeviceAuth(laptop_b.device_key, laptop_b.device_id)) as h:
            r = h.get(f"/v1/cases/{case_id}/conflicts")
        assert r.status_code == 403 and r.json()["error"] == "not_case_team"
        assert folded(archive, case_id) == {"place": ("门店一楼", laptop_a.device_id)}
        assert archive_rows(archive, f"SELECT COUNT(*) FROM leaves WHERE device_id = '{laptop_b.device_id}'") == [(0,)]
    alerts = [json.loads(line) for line in archive.admin("alerts").stdout.splitlines()]
    assert [(a["kind"], a["device"], a["case"]) for a in alerts] == [
        ("foreign_case_access", laptop_b.device_id, case_id)] * 2
