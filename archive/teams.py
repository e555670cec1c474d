"""Cases belong to their team.

A case's team is recorded when the archive first learns of the case: the inspectors the office assigned it to
(``admin cases add``), or, for a case a laptop made, the pushing device and its inspectors. A device is on the
team when it is recorded for the case or one of its enrolled inspectors, not revoked, is (a second laptop of the
same team, a replacement laptop); the devices admitted that way are recorded as they push. Every case-scoped request — a push,
a field change inside it, a read about the case — by any other device is refused (403 ``not_case_team``) and
raised as an alert; a field change is folded only when its signer is one of the case's inspectors, and a signed
object whose signer is not one of them refuses the push (``signer_not_case_inspector``, ``archive/push.py``) — as
does one outside the team the case's journal states, which the package verifier knows
(``archive.push_checks.case_team``: both apply).

Cases stored before teams were recorded have no rows: their team is derived from what the archive holds (the
assignment's inspectors, the devices holding a journal of the case and those devices' inspectors)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.alerts import alert
from archive.db import Case, CaseMember, DeviceInspector, Inspector, LogHead, PullItem, utcnow
from archive.errors import ApiError
from archive.service import Archive

INSPECTOR, DEVICE = "inspector", "device"


@dataclass(frozen=True)
class Team:
    case_id: str
    inspectors: frozenset[str]
    devices: frozenset[str]
    recorded: bool  # False: derived for a case stored before teams were recorded

    def admits(self, device_id: str, inspector_ids: frozenset[str]) -> bool:
        return device_id in self.devices or bool(self.inspectors & inspector_ids)


class ForeignCase(Exception):
    """Raised inside a transaction; the caller refuses with :func:`refuse_foreign` after rolling back."""

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.case_id = case_id


def _derived(s: Session, case_id: str) -> Team:
    inspectors: set[str] = set()
    for payload in s.execute(
        select(PullItem.payload).where(PullItem.kind == "assignments", PullItem.item_id == case_id)
    ).scalars():
        inspectors.update(str(i) for i in json.loads(payload).get("inspectors", []))
    devices = set(s.execute(select(LogHead.device_id).where(LogHead.case_id == case_id)).scalars())
    if devices:
        inspectors.update(
            s.execute(select(DeviceInspector.inspector_id).where(DeviceInspector.device_id.in_(sorted(devices))))
            .scalars()
        )
    return Team(case_id, frozenset(inspectors), frozenset(devices), recorded=False)


def load_team(s: Session, case_id: str) -> Team | None:
    """The case's team, or None when the archive does not know the case."""
    if s.get(Case, case_id) is None:
        return None
    rows = s.execute(select(CaseMember.kind, CaseMember.member_id).where(CaseMember.case_id == case_id)).all()
    if not rows:
        return _derived(s, case_id)
    return Team(
        case_id,
        frozenset(m for k, m in rows if k == INSPECTOR),
        frozenset(m for k, m in rows if k == DEVICE),
        recorded=True,
    )


def record_members(s: Session, case_id: str, kind: str, ids: set[str] | frozenset[str] | list[str],
                   source: str) -> None:
    now = utcnow()
    for member in sorted(set(ids)):
        if s.get(CaseMember, (case_id, kind, member)) is None:
            s.add(CaseMember(case_id=case_id, kind=kind, member_id=member, source=source, created_at=now))


def active(s: Session, inspector_ids: frozenset[str]) -> frozenset[str]:
    """The inspectors among ``inspector_ids`` who are not revoked: only they bring a device onto a case's team (a
    revoked inspector is nobody's inspector any more; a device recorded for the case stays on it until revoked)."""
    if not inspector_ids:
        return inspector_ids
    revoked = set(s.execute(select(Inspector.id).where(
        Inspector.id.in_(sorted(inspector_ids)), Inspector.revoked_at.is_not(None))).scalars())
    return inspector_ids - revoked


def admit_in_transaction(s: Session, case_id: str, device_id: str, inspector_ids: frozenset[str]) -> Team:
    """Inside a push's write transaction: create the case for its first device (recording that device and its
    inspectors as the team), or check the device is on the team and record it. Raises :class:`ForeignCase`."""
    inspector_ids = active(s, inspector_ids)
    team = load_team(s, case_id)
    if team is None:
        s.add(Case(id=case_id, source="device", created_at=utcnow()))
        record_members(s, case_id, DEVICE, [device_id], "creator")
        record_members(s, case_id, INSPECTOR, inspector_ids, "creator")
        return Team(case_id, inspector_ids, frozenset([device_id]), recorded=True)
    if not team.admits(device_id, inspector_ids):
        raise ForeignCase(case_id)
    if not team.recorded:  # a case from before teams were recorded: keep what was derived
        record_members(s, case_id, INSPECTOR, team.inspectors, "legacy")
        record_members(s, case_id, DEVICE, team.devices, "legacy")
    if device_id not in team.devices:
        record_members(s, case_id, DEVICE, [device_id], "push")
    return team


def flag_foreign(archive: Archive, case_id: str, device_id: str, detail: str,
                 kind: str = "foreign_case_access") -> None:
    """The alert for a device that reached for what belongs to another team (a case; a blob of another case)."""
    alert(archive, kind, device_id, case_id, None, detail)


def refuse_foreign(archive: Archive, case_id: str, device_id: str, action: str) -> ApiError:
    """Alert and the 403 to raise: a device reached for a case of another team."""
    flag_foreign(archive, case_id, device_id, f"{action}: the device is not on this case's team; refused")
    return ApiError(
        403,
        "not_case_team",
        "该案件属于其他检查组，本机无权推送或查看；已记录告警",
        "this case belongs to another team: this device may neither push to it nor read about it; "
        "the attempt was flagged",
    )


def require_member(archive: Archive, case_id: str, device_id: str, inspector_ids: frozenset[str], action: str,
                   *, must_exist: bool) -> Team | None:
    """For every case-scoped request, before any work: 403 (and an alert) for a device of another team; 404 for
    an unknown case when ``must_exist`` (a push may create it)."""
    with archive.db.read() as s:
        team = load_team(s, case_id)
        inspector_ids = active(s, inspector_ids)
    if team is None:
        if must_exist:
            raise ApiError(404, "unknown_case", "案件不存在", "no such case at the archive")
        return None
    if not team.admits(device_id, inspector_ids):
        raise refuse_foreign(archive, case_id, device_id, action)
    return team
