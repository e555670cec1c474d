"""The 问题清单: Finding rows with violation type, basis, amount (fen), responsible people and evidence, and the
threshold flags for 集体讨论 (≥ 50,000 yuan, 001 Art. 21) and 法制审核 (≥ 100,000 yuan, 000 Art. 14)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import ChecklistEntry, Finding
from app.workflow import thresholds
from app.workflow.steps_base import (
    FINDINGS,
    InvalidInput,
    Missing,
    StepStatus,
    activate,
    case_data,
    check_evidence_ids,
    event,
    get_case,
    make_status,
    open_case,
    require_actor,
    require_text,
    save_data,
    section,
)

#: Roles of responsible people; sanctions (医保支付资格记分) apply to individuals (DOMAIN.md).
ROLES = {"doctor": ("医师", "doctor"), "pharmacist": ("药师", "pharmacist"), "nurse": ("护士", "nurse"),
         "technician": ("技师", "technician"), "manager": ("管理人员", "manager"),
         "legal_rep": ("法定代表人/负责人", "legal representative"), "other": ("其他", "other")}


@dataclass(frozen=True)
class Responsible:
    """A person responsible for a finding: by name, with role (doctor, pharmacist, ...) and department."""

    name: str
    role: str
    department: str = ""
    note: str = ""


@dataclass(frozen=True)
class FindingFlags:
    """Threshold flags of one finding or of the case total."""

    amount_fen: int
    collective_decision: thresholds.ThresholdResult
    legal_review: thresholds.ThresholdResult


@dataclass(frozen=True)
class CaseFlags:
    total: FindingFlags
    per_finding: dict[str, FindingFlags]
    acknowledged: bool  # the current flags are recorded (acknowledge_flags) for the current findings

    @property
    def required(self) -> bool:
        return bool(self.total.collective_decision or self.total.legal_review
                    or any(f.collective_decision or f.legal_review for f in self.per_finding.values()))


def _violation(code: str) -> Any:
    from app.workflow.reference_entries import violation_types

    for v in violation_types():
        if v.code == code:
            return v
    raise InvalidInput("violation_code", f"未知的违规类型：{code}。", f"Unknown violation type: {code}.")


def _responsible(people: Sequence[Responsible]) -> list[dict[str, str]]:
    if not people:
        raise InvalidInput("responsible", "请填写责任人员（医师、药师等须写明姓名）。",
                           "Name the responsible people (doctors, pharmacists by name).")
    result = []
    for p in people:
        name = require_text(p.name, "responsible", "责任人员姓名", "responsible person's name")
        if p.role not in ROLES:
            raise InvalidInput("responsible", f"未知的人员类别：{p.role}。", f"Unknown role: {p.role}.")
        result.append({"name": name, "role": p.role, "department": p.department.strip(), "note": p.note.strip()})
    return result


def _amount(amount_fen: int) -> int:
    try:
        return thresholds.check_amount_fen(amount_fen)
    except thresholds.InvalidAmount as exc:
        raise InvalidInput("amount_fen", f"涉及金额：{exc.message_zh}", f"Amount involved: {exc.message_en}") from None


def _payload(f: Finding) -> dict[str, Any]:
    return {"finding": f.id, "violation": f.violation_code, "description": f.description, "basis": f.basis,
            "amount_fen": f.amount_fen, "responsible": json.loads(f.responsible),
            "evidence_ids": json.loads(f.evidence_ids)}


def add_finding(session: Session, store: Store, case_id: str, actor_id: str, *, violation_code: str,
                description: str, amount_fen: int, responsible: Sequence[Responsible], basis: str = "",
                evidence_ids: Sequence[str] = (), checklist_entry_id: str | None = None) -> Finding:
    """A 问题清单 entry. ``basis`` defaults to the violation type's legal basis."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    vt = _violation(violation_code)
    text = require_text(description, "description", "问题描述", "description")
    people = _responsible(responsible)
    ids = check_evidence_ids(session, case_id, evidence_ids)
    if checklist_entry_id is not None:
        entry = session.get(ChecklistEntry, checklist_entry_id)
        if entry is None or entry.case_id != case_id:
            raise InvalidInput("checklist_entry_id", "检查项不属于本案。", "The checklist entry is not in this case.")
    finding = Finding(id=uuid7(), case_id=case_id, violation_code=vt.code, description=text,
                      basis=basis.strip() or vt.basis, amount_fen=_amount(amount_fen),
                      responsible=json.dumps(people, ensure_ascii=False),
                      evidence_ids=json.dumps(ids), created=utc_now())
    session.add(finding)
    data = case_data(case)
    if checklist_entry_id is not None:
        section(data, FINDINGS).setdefault("checklist_links", {})[finding.id] = checklist_entry_id
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "finding.added", {**_payload(finding), "checklist_entry": checklist_entry_id})
    return finding


def _apply_changes(session: Session, case_id: str, finding: Finding, *, description: str | None,
                   amount_fen: int | None, basis: str | None, responsible: Sequence[Responsible] | None,
                   evidence_ids: Sequence[str] | None) -> None:
    """Each given field checked and set (``None``: unchanged); an edit before closing and a correction after share
    it."""
    if description is not None:
        finding.description = require_text(description, "description", "问题描述", "description")
    if amount_fen is not None:
        finding.amount_fen = _amount(amount_fen)
    if basis is not None:
        finding.basis = basis.strip() or _violation(finding.violation_code).basis
    if responsible is not None:
        finding.responsible = json.dumps(_responsible(responsible), ensure_ascii=False)
    if evidence_ids is not None:
        finding.evidence_ids = json.dumps(check_evidence_ids(session, case_id, evidence_ids))


def update_finding(session: Session, store: Store, case_id: str, actor_id: str, finding_id: str, *,
                   description: str | None = None, amount_fen: int | None = None, basis: str | None = None,
                   responsible: Sequence[Responsible] | None = None,
                   evidence_ids: Sequence[str] | None = None) -> Finding:
    """Change a finding before closing (each change is journaled with the full new state)."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    finding = _get(session, case_id, finding_id)
    _apply_changes(session, case_id, finding, description=description, amount_fen=amount_fen, basis=basis,
                   responsible=responsible, evidence_ids=evidence_ids)
    event(session, store, case, actor_id, "finding.updated", _payload(finding))
    return finding


def remove_finding(session: Session, store: Store, case_id: str, actor_id: str, finding_id: str, *,
                   reason: str) -> None:
    """Withdraw a finding before closing, with the reason (the journal keeps what it was)."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    finding = _get(session, case_id, finding_id)
    why = require_text(reason, "reason", "撤销理由", "reason")
    payload = {**_payload(finding), "reason": why}
    session.delete(finding)
    event(session, store, case, actor_id, "finding.removed", payload)


def correct_finding(session: Session, store: Store, case_id: str, actor_id: str, finding_id: str, *,
                    reason: str, description: str | None = None, amount_fen: int | None = None,
                    basis: str | None = None, responsible: Sequence[Responsible] | None = None,
                    evidence_ids: Sequence[str] | None = None) -> Finding:
    """After closing a finding is changed only by a correction: the reason, both inspectors present, and a new
    signed journal entry (``finding.corrected``) that points at the finding and holds what it was and what it is
    now; the entries before it stay as they were (DOMAIN.md 'What the software must never do')."""
    from app.evidence.objects import signing_pair

    case = get_case(session, case_id)
    if case.status != "closed":
        raise InvalidInput("finding_id", "结案前请直接修改或撤销问题，无须更正。",
                           "Before closing, edit or withdraw the finding directly; no correction is needed.")
    require_actor(session, store, case, actor_id)
    present = signing_pair(session, store, case_id)
    why = require_text(reason, "reason", "更正理由", "reason for the correction")
    finding = _get(session, case_id, finding_id)
    before = _payload(finding)
    _apply_changes(session, case_id, finding, description=description, amount_fen=amount_fen, basis=basis,
                   responsible=responsible, evidence_ids=evidence_ids)
    after = _payload(finding)
    if after == before:
        raise InvalidInput("finding_id", "更正内容与原问题相同。", "The correction changes nothing.")
    event(session, store, case, actor_id, "finding.corrected",
          {"corrects": finding_id, "reason": why, "before": before, "after": after, "inspectors": present})
    return finding


def _get(session: Session, case_id: str, finding_id: str) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None or finding.case_id != case_id:
        raise InvalidInput("finding_id", "本案没有该问题。", "No such finding in this case.")
    return finding


def findings(session: Session, case_id: str) -> list[Finding]:
    return list(session.scalars(select(Finding).where(Finding.case_id == case_id).order_by(Finding.created)))


def _flags(amount_fen: int) -> FindingFlags:
    return FindingFlags(amount_fen, thresholds.needs_collective_decision(amount_fen, False),
                        thresholds.needs_legal_review(amount_fen, False))


def _signature(total: FindingFlags, per: dict[str, FindingFlags]) -> dict[str, Any]:
    """What an acknowledgement covers: the amounts and which flags are raised."""
    return {"total_fen": total.amount_fen, "collective_decision": total.collective_decision.required,
            "legal_review": total.legal_review.required,
            "findings": {k: [v.amount_fen, v.collective_decision.required, v.legal_review.required]
                         for k, v in sorted(per.items())}}


def case_flags(session: Session, case_id: str) -> CaseFlags:
    """Flags over the case total and per finding; ``acknowledged`` when the current ones have been recorded."""
    rows = findings(session, case_id)
    per = {f.id: _flags(f.amount_fen) for f in rows}
    total = _flags(sum(f.amount_fen for f in rows))
    ack = section(case_data(get_case(session, case_id)), FINDINGS).get("flags_ack")
    acknowledged = isinstance(ack, dict) and ack.get("covers") == _signature(total, per)
    return CaseFlags(total, per, acknowledged)


def acknowledge_flags(session: Session, store: Store, case_id: str, actor_id: str) -> CaseFlags:
    """Record that the team has seen the 集体讨论 / 法制审核 flags (they go into the file and to the office)."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    flags = case_flags(session, case_id)
    covers = _signature(flags.total, flags.per_finding)
    reasons = {"collective_decision": list(flags.total.collective_decision.reasons_zh),
               "legal_review": list(flags.total.legal_review.reasons_zh)}
    data = case_data(case)
    section(data, FINDINGS)["flags_ack"] = {"covers": covers, "by": actor_id, "at": utc_now()}
    save_data(case, data)
    event(session, store, case, actor_id, "finding.flags_acknowledged",
          {"covers": covers, "reasons": reasons,
           "citations": [str(c) for c in (*flags.total.collective_decision.citations,
                                          *flags.total.legal_review.citations)]})
    return CaseFlags(flags.total, flags.per_finding, True)


def findings_status(session: Session, case_id: str) -> StepStatus:
    missing: list[Missing] = []
    warnings: list[Missing] = []
    flags = case_flags(session, case_id)
    if flags.required and not flags.acknowledged:
        missing.append(Missing("findings.flags", "金额达到集体讨论或法制审核标准，请确认并记录提示（第二十一条；第十四条）。",
                               "Amounts reach the collective-decision or legal-review threshold; acknowledge "
                               "the flags (Lanzhou Fund Supervision Measures Art. 21; "
                               "Wuhan Audit Measures Art. 14)."))
    linked = set(section(case_data(get_case(session, case_id)), FINDINGS).get("checklist_links", {}).values())
    noncompliant = session.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id,
                                                                ChecklistEntry.finding == "noncompliant"))
    for entry in noncompliant:
        if entry.id not in linked:
            warnings.append(Missing(f"findings.unlinked.{entry.id}", f"检查项“{entry.title[:30]}”不符合，但未列入问题清单。",
                                    "A noncompliant checklist item has no finding in the problem list."))
    return make_status(FINDINGS, missing, warnings)
