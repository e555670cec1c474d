"""What an entry says about when it was made: the laptop's wall clock, a monotonic counter, and whether the wall
clock looks trustworthy against the case's last entry (``clock_claim``); for a capture, also a date far from the
audit's planned day after a restart, where no monotonic counter can compare (``capture_claim``).

Time on a laptop stays a claim: these checks notice a clock set back, a jump, or a year's slip, and say so in the
signed item; they cannot notice a clock that was already wrong at the case's first entry.
"""

from __future__ import annotations

import calendar
import time
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.canonical import loads
from app.evidence.journal import boot_id
from app.models.profile import utc_now
from app.models.schema import Case, JournalLeaf

#: Evidence of an audit is captured around its planned day: a laptop date further from it than this is a clock set
#: wrong (a flat CMOS battery, a clock set by hand across a restart, where no monotonic counter can compare).
PLANNED_DAY_SLACK_DAYS = 366

CLOCK_DISAGREES = ("系统时钟与本案上一条记录不符（被回拨或跳变），提取时间存疑 / the system clock disagrees with the "
                   "case's previous entry (set back or jumped): the capture time is doubtful")


def _last_entry(session: Session, case_id: str) -> dict[str, Any] | None:
    last = session.scalars(select(JournalLeaf.leaf).where(JournalLeaf.log_id == case_id)
                           .order_by(JournalLeaf.seq.desc()).limit(1)).first()
    if last is None:
        return None
    entry = loads(last)["entry"]
    return {"wall": entry["time"], "mono_ns": entry["mono_ns"], "boot": entry["boot"]}


def clock_claim(session: Session, case_id: str) -> dict[str, Any]:
    """Wall clock + monotonic counter, and whether the wall clock looks trustworthy against the last entry."""
    return claim_after(_last_entry(session, case_id))


def claim_after(prev: dict[str, Any] | None) -> dict[str, Any]:
    """A clock claim judged against ``prev`` (``wall``, ``mono_ns``, ``boot`` of the last entry, or None)."""
    now_wall, now_mono, boot = utc_now(), time.monotonic_ns(), boot_id()
    trusted = True
    if prev is not None:
        if prev["wall"] > now_wall:
            trusted = False  # the clock went backwards
        elif prev["boot"] == boot:
            wall_delta = _iso_ms(now_wall) - _iso_ms(prev["wall"])
            mono_delta = (now_mono - prev["mono_ns"]) // 1_000_000
            trusted = abs(wall_delta - mono_delta) <= 120_000  # a jump of more than two minutes
    return {"wall": now_wall, "mono_ns": now_mono, "boot": boot, "clock_trusted": trusted}


def capture_claim(session: Session, case_id: str) -> tuple[dict[str, Any], str | None]:
    """A capture's clock claim and, when its time is doubtful, the signed note that says why (``clock_trusted``
    is then False): the clock disagrees with the last entry, or, after a restart (no monotonic counter to compare
    with), the laptop's date is more than ``PLANNED_DAY_SLACK_DAYS`` from the case's planned audit date."""
    prev = _last_entry(session, case_id)
    claim = claim_after(prev)
    if not claim["clock_trusted"]:
        return claim, CLOCK_DISAGREES
    if prev is not None and prev["boot"] == claim["boot"]:
        return claim, None  # the same boot: the monotonic comparison already judged the clock
    case = session.get(Case, case_id)
    try:
        planned = date.fromisoformat(case.planned_date) if case is not None and case.planned_date else None
    except ValueError:
        planned = None
    today = date.fromisoformat(str(claim["wall"])[:10])
    if planned is None or abs((today - planned).days) <= PLANNED_DAY_SLACK_DAYS:
        return claim, None
    claim["clock_trusted"] = False
    return claim, (f"系统日期（{today}）与计划稽核日期（{planned}）相差一年以上，本机时钟可能有误，提取时间存疑 / the system "
                   f"date ({today}) is more than a year from the planned audit date ({planned}): the laptop's clock "
                   "may be wrong and the capture time is doubtful")


def _iso_ms(s: str) -> int:
    base = calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))
    return base * 1000 + int(s[20:23])
