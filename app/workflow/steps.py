"""The on-site steps before evidence: arrival (notice, 亮证, representative, rights told), recusal, checklist.

Each function takes the caller's session (the caller owns the transaction), the unlocked store, the case id and the
acting inspector's id; it checks the rule, writes the state, and appends a journal event signed by that inspector.
Step details live in ``Case.data`` under the step's name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ids import uuid7
from app.models.profile import Store, utc_now
from app.models.schema import ChecklistEntry, Person
from app.models.validators import ValidationError, validate_phone, validate_resident_id
from app.workflow import advance_notice
from app.workflow.case_fields import doc_serial, set_case_field
from app.workflow.cases import party_is_person
from app.workflow.steps_base import (
    ARRIVAL,
    CHECKLIST,
    RECUSAL,
    InvalidInput,
    Missing,
    StepStatus,
    activate,
    case_data,
    case_inspector_ids,
    check_evidence_ids,
    event,
    get_case,
    inspector_name,
    make_status,
    open_case,
    refuse,
    require_actor,
    require_not_future,
    require_text,
    save_data,
    section,
)

#: Rights and duties told on arrival: 回避, the duty to cooperate (条例 Art. 29), 陈述申辩 (条例 Art. 31).
RIGHTS = ("recusal", "cooperate", "defence")
RIGHTS_LABELS = {"recusal": ("申请回避的权利", "the right to ask for recusal"),
                 "cooperate": ("配合检查、如实提供资料的义务", "the duty to cooperate and give true information"),
                 "defence": ("陈述、申辩的权利", "the right to state and defend")}
CHECKLIST_FINDINGS = ("compliant", "noncompliant", "na")
RECUSAL_FORMS = ("oral", "written")
RECUSAL_DECISIONS = ("granted", "rejected")

# ============================================================================================== arrival


def record_notice(session: Session, store: Store, case_id: str, actor_id: str, *, audit_date: date,
                  served_on: date | None = None, unannounced: bool = False, unannounced_reason: str = "",
                  today: date | None = None) -> None:
    """The 稽核通知书 served at least 3 days before ``audit_date`` and not after ``today`` (the laptop's date), or
    an unannounced audit with its reason (Wuhan Audit Measures Art. 7(1), 8(1)). A written audit (书面稽核) always
    needs the notice."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    if unannounced and case.form == "written":
        raise refuse("书面稽核须事先书面通知被稽核单位，不能不事先通知（《武汉市医疗保险稽核办法（试行）》第八条第（一）项）。",
                     "A written audit always needs a prior notice (Wuhan Audit Measures Art. 8(1)).",
                     code="notice")
    check = advance_notice.check_notice(audit_date, None if unannounced else served_on,
                                        unannounced=unannounced, unannounced_reason=unannounced_reason)
    if not check.ok:
        raise refuse(f"{check.message_zh}（{check.citation}）。若确属特殊情况，请记录为不事先通知并写明理由。",
                     f"{check.message_en} ({'; '.join(c.text('en') for c in check.citations)}). "
                     "If special circumstances apply, record the audit as unannounced with the reason.",
                     code=f"notice.{check.problem.value}")
    if served_on is not None and not unannounced:
        require_not_future(served_on, today or date.today(), "served_on", "稽核通知书送达日期", "notice service date")
    # the notice fields change through set_case_field: each change is also a case.field_changed entry
    for name, value in (("unannounced", bool(unannounced)),
                        ("unannounced_reason", unannounced_reason.strip() if unannounced else ""),
                        ("notice_served_on", None if unannounced else served_on.isoformat() if served_on else None)):
        set_case_field(session, store, case, actor_id, name, value, procedure="arrival.notice")
    data = case_data(case)
    notice = {"audit_date": audit_date.isoformat(), "served_on": case.notice_served_on,
              "unannounced": unannounced, "reason": case.unannounced_reason, "recorded": utc_now()}
    section(data, ARRIVAL)["notice"] = notice
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "arrival.notice", notice)


def record_credentials_shown(session: Session, store: Store, case_id: str, inspector_id: str, *,
                             statement: str = "") -> None:
    """亮证: one inspector shows their credential and states identity and the audit's content (000 Art. 7(2);
    001 Art. 32(2), 34; 条例 Art. 29). The inspector acts in person: their own passphrase must be unlocked."""
    case = open_case(session, case_id)
    require_actor(session, store, case, inspector_id)
    from app.models.schema import Inspector

    row = session.get(Inspector, inspector_id)
    assert row is not None
    record = {"inspector": inspector_id, "name": row.name, "credential_no": row.credential_no,
              "statement": statement.strip(), "shown": utc_now()}
    data = case_data(case)
    section(section(data, ARRIVAL), "credentials")[inspector_id] = record
    save_data(case, data)
    activate(case)
    event(session, store, case, inspector_id, "arrival.credentials_shown", record)


def identify_representative(session: Session, store: Store, case_id: str, actor_id: str, *, name: str, post: str,
                            id_number: str, phone: str, today: date | None = None) -> Person:
    """The party's representative present (name, post, 居民身份证号, phone), stored as a Person."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    name = require_text(name, "name", "姓名", "name")
    # a person audited is present as themself (or through an agent): no post to state
    post = post.strip() if _party_is_person(case) else require_text(post, "post", "职务", "post")
    try:
        rid = validate_resident_id(id_number, today=today)
    except ValidationError as exc:
        raise InvalidInput.wrap("id_number", exc) from exc
    try:
        tel = validate_phone(phone)
    except ValidationError as exc:
        raise InvalidInput.wrap("phone", exc) from exc
    person = session.scalars(select(Person).where(Person.id_number == rid.number)).first()
    if person is None:
        person = Person(id=uuid7(), name=name, id_number=rid.number)
        session.add(person)
    person.name, person.post, person.phone = name, post, tel.display()
    person.sex, person.birth_date = rid.sex_zh, rid.birth_date.isoformat()
    inst_name = case.institution.name if case.institution is not None else ""
    person.employer = person.employer or inst_name
    session.flush()
    record = {"person": person.id, "name": name, "post": post, "id_number": rid.number, "phone": tel.display(),
              "recorded": utc_now()}
    data = case_data(case)
    section(data, ARRIVAL)["representative"] = record
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "arrival.representative", record)
    return person


def record_rights_told(session: Session, store: Store, case_id: str, actor_id: str, *, answer: str,
                       rights: Sequence[str] = RIGHTS) -> None:
    """The party is told its rights and duties (回避, duty to cooperate, 陈述申辩) and its answer is recorded
    (000 Art. 13; 条例 Art. 29, 31; 行政处罚法 Art. 43–45)."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    missing = [r for r in RIGHTS if r not in rights]
    unknown = [r for r in rights if r not in RIGHTS]
    if unknown:
        raise InvalidInput("rights", f"未知的权利义务：{', '.join(unknown)}。", f"Unknown rights: {', '.join(unknown)}.")
    if missing:
        zh = "、".join(RIGHTS_LABELS[r][0] for r in missing)
        en = ", ".join(RIGHTS_LABELS[r][1] for r in missing)
        raise refuse(f"须告知被检查人：{zh}（行政处罚法第四十三、四十四条；条例第二十九条）。",
                     f"The party must be told: {en} (Administrative Penalty Law Art. 43–44; Regulations on the "
                     "Supervision and Administration of the Use of Medical Security Funds Art. 29).", code="rights")
    answer = require_text(answer, "answer", "被检查人的答复", "party's answer")
    record = {"rights": list(RIGHTS), "answer": answer, "told": utc_now()}
    data = case_data(case)
    section(data, ARRIVAL)["rights"] = record
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "arrival.rights_told", record)


def _party_is_person(case: Any) -> bool:
    """The audited party is an insured person (present as themself, addressed as 被检查人)."""
    return case.institution is not None and party_is_person(case.institution.kind)


def arrival_status(session: Session, case_id: str) -> StepStatus:
    case = get_case(session, case_id)
    arrival = section(case_data(case), ARRIVAL)
    missing: list[Missing] = []
    if "notice" not in arrival:
        missing.append(Missing("arrival.notice", "未记录稽核通知书送达日期或不事先通知的理由。",
                               "The notice's service date or the reason for an unannounced audit is missing."))
    shown = section(arrival, "credentials")
    for iid in case_inspector_ids(session, case_id):
        if iid not in shown:
            name = inspector_name(session, iid)
            missing.append(Missing(f"arrival.credentials.{iid}", f"{name}尚未亮证（须本人输入口令）。",
                                   f"{name} has not shown their credential (needs their own passphrase)."))
    if "representative" not in arrival and _party_is_person(case):
        missing.append(Missing("arrival.representative", "未登记在场的被检查人或其委托人（姓名、身份证号、电话）。",
                               "The person audited, or their agent, present is not recorded (name, ID number, "
                               "phone)."))
    elif "representative" not in arrival:
        missing.append(Missing("arrival.representative", "未登记被检查单位在场负责人（姓名、职务、身份证号、电话）。",
                               "The party's representative (name, post, ID number, phone) is not recorded."))
    if "rights" not in arrival:
        missing.append(Missing("arrival.rights", "未告知权利义务（回避、配合义务、陈述申辩）并记录答复。",
                               "Rights and duties (recusal, cooperation, defence) not told or answer not recorded."))
    # the case details every printed form states (稽核通知书: "matters, scope and period covered")
    for name, zh, en in (("period_from", "稽核期间起始日", "start of the audited period"),
                         ("period_to", "稽核期间截止日", "end of the audited period")):
        if not getattr(case, name):
            missing.append(Missing(f"arrival.case.{name}", f"案件信息缺少{zh}（各文书须载明稽核期间）。",
                                   f"The case lacks the {en} (every form states the audited period)."))
    if doc_serial(case.doc_no) is None:
        missing.append(Missing("arrival.case.doc_no", "案件信息缺少文号（各文书按文号编号）。",
                               "The case lacks its document number (every form is numbered from it)."))
    return make_status(ARRIVAL, missing)


# ============================================================================================== recusal


def declare_recusal(session: Session, store: Store, case_id: str, inspector_id: str, *, related: bool,
                    details: str = "") -> None:
    """An inspector's own declaration (000 Art. 13): none, or a relation/interest with its details. A declared
    relation becomes a recusal matter for the head of the unit to decide (:func:`decide_recusal`)."""
    case = open_case(session, case_id)
    require_actor(session, store, case, inspector_id)
    if related:
        details = require_text(details, "details", "需回避的关系或利害情况", "details of the relation or interest")
    data = case_data(case)
    rec = section(data, RECUSAL)
    record = {"inspector": inspector_id, "related": related, "details": details.strip(), "declared": utc_now()}
    section(rec, "declarations")[inspector_id] = record
    if related:
        rec.setdefault("requests", []).append(
            {"id": uuid7(), "source": "self", "target": inspector_id, "form": "written", "grounds": details.strip(),
             "outcome": "pending", "decided_by": "", "decided_on": "", "recorded": utc_now()})
    save_data(case, data)
    activate(case)
    event(session, store, case, inspector_id, "recusal.declared", record)


def request_recusal(session: Session, store: Store, case_id: str, actor_id: str, *, target_inspector_id: str,
                    form: str, grounds: str) -> str:
    """The party asks, orally or in writing, that an inspector step aside. The audit goes on while the request
    is pending (行政处罚法 Art. 43; 000 Art. 13). Returns the request id."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    if form not in RECUSAL_FORMS:
        raise InvalidInput("form", "回避申请方式应为口头或书面。", "A recusal request is oral or written.")
    if target_inspector_id not in case_inspector_ids(session, case_id):
        raise InvalidInput("target_inspector_id", "被申请回避的人员不是本案稽核人员。",
                           "The inspector named in the request is not assigned to this case.")
    grounds = require_text(grounds, "grounds", "申请回避的理由", "grounds of the request")
    request = {"id": uuid7(), "source": "party", "target": target_inspector_id, "form": form, "grounds": grounds,
               "outcome": "pending", "decided_by": "", "decided_on": "", "recorded": utc_now()}
    data = case_data(case)
    section(data, RECUSAL).setdefault("requests", []).append(request)
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "recusal.requested", request)
    return str(request["id"])


def decide_recusal(session: Session, store: Store, case_id: str, actor_id: str, request_id: str, *,
                   decision: str, decided_by: str, decided_on: date, reason: str = "") -> None:
    """The head of the inspector's unit decides a recusal matter (000 Art. 13); the team records who and what."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    if decision not in RECUSAL_DECISIONS:
        raise InvalidInput("decision", "回避决定应为同意回避或不予回避。", "The decision is granted or rejected.")
    decided_by = require_text(decided_by, "decided_by", "作出决定的单位负责人", "head of unit who decided")
    data = case_data(case)
    requests: list[dict[str, Any]] = section(data, RECUSAL).get("requests", [])
    match = [r for r in requests if r.get("id") == request_id]
    if not match:
        raise InvalidInput("request_id", "回避申请不存在。", "No such recusal request.")
    req = match[0]
    if req["outcome"] != "pending":
        raise refuse("该回避申请已有决定，不能更改。", "This recusal request has been decided already.",
                     code="recusal.decided")
    req.update(outcome=decision, decided_by=decided_by, decided_on=decided_on.isoformat(), reason=reason.strip())
    save_data(case, data)
    event(session, store, case, actor_id, "recusal.decided", dict(req))


def replace_inspector(session: Session, store: Store, case_id: str, actor_id: str, *, old_inspector_id: str,
                      new_inspector_id: str, assigned_by: str) -> None:
    """After a recusal was granted, the unit assigns another inspector (000 Art. 13). The newcomer must then
    show their credential and make their own declaration; what the old one did stays in the journal."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    from app.models.schema import CaseInspector, Inspector

    granted = [r for r in section(case_data(case), RECUSAL).get("requests", [])
               if r.get("target") == old_inspector_id and r.get("outcome") == "granted"]
    if not granted:
        raise refuse("只有经决定回避的稽核人员才能被更换。", "Only an inspector whose recusal was granted is replaced.",
                     code="recusal.not_granted")
    current = case_inspector_ids(session, case_id)
    newcomer = session.get(Inspector, new_inspector_id)
    if newcomer is None or newcomer.revoked or new_inspector_id in current:
        raise InvalidInput("new_inspector_id", "新指派的稽核人员无效或已在本案中。",
                           "The new inspector is unknown, revoked or already on this case.")
    who = require_text(assigned_by, "assigned_by", "指派的单位负责人", "head who assigned")
    row = next(ci for ci in case.inspectors if ci.inspector_id == old_inspector_id)
    case.inspectors.remove(row)
    case.inspectors.append(CaseInspector(case_id=case_id, inspector_id=new_inspector_id, position=row.position))
    data = case_data(case)
    section(data, RECUSAL).setdefault("replacements", []).append(
        {"old": old_inspector_id, "new": new_inspector_id, "assigned_by": who, "at": utc_now()})
    save_data(case, data)
    event(session, store, case, actor_id, "recusal.inspector_replaced",
          {"old": old_inspector_id, "new": new_inspector_id, "assigned_by": who})


def recusal_requests(session: Session, case_id: str) -> list[dict[str, Any]]:
    """All recusal matters of the case (self-declared and the party's), for the UI."""
    return list(section(case_data(get_case(session, case_id)), RECUSAL).get("requests", []))


def recusal_status(session: Session, case_id: str) -> StepStatus:
    case = get_case(session, case_id)
    rec = section(case_data(case), RECUSAL)
    declarations = section(rec, "declarations")
    missing: list[Missing] = []
    warnings: list[Missing] = []
    current = case_inspector_ids(session, case_id)
    for iid in current:
        if iid not in declarations:
            name = inspector_name(session, iid)
            missing.append(Missing(f"recusal.declaration.{iid}", f"{name}尚未作回避声明。",
                                   f"{name} has not made a recusal declaration."))
    for req in rec.get("requests", []):
        name = inspector_name(session, req["target"])
        if req["outcome"] == "granted" and req["target"] in current:
            missing.append(Missing(f"recusal.granted.{req['id']}",
                                   f"{name}已被决定回避，须由单位另行指派稽核人员（第十三条）。",
                                   f"{name} must step aside; the unit must assign another inspector "
                                   "(Wuhan Audit Measures Art. 13)."))
        elif req["outcome"] == "pending":
            warnings.append(Missing(f"recusal.pending.{req['id']}",
                                    f"对{name}的回避申请待单位负责人决定；决定前稽核不停止（行政处罚法第四十三条）。",
                                    f"The recusal of {name} awaits the head's decision; the audit goes on "
                                    "meanwhile (Administrative Penalty Law Art. 43)."))
    return make_status(RECUSAL, missing, warnings)


# ============================================================================================== checklist


def set_checklist_finding(session: Session, store: Store, case_id: str, actor_id: str, entry_id: str, *,
                          finding: str, note: str = "", evidence_ids: Sequence[str] = ()) -> None:
    """符合 / 不符合 / 不适用 with a note for one checklist entry, and the evidence that supports it.
    A 不符合 needs a note saying what was found."""
    case = open_case(session, case_id)
    require_actor(session, store, case, actor_id)
    entry = session.get(ChecklistEntry, entry_id)
    if entry is None or entry.case_id != case_id:
        raise InvalidInput("entry_id", "检查项不属于本案。", "The checklist entry does not belong to this case.")
    if finding not in CHECKLIST_FINDINGS:
        raise InvalidInput("finding", "检查结论应为符合、不符合或不适用。", "The finding is compliant, noncompliant or na.")
    if finding == "noncompliant":
        note = require_text(note, "note", "不符合的具体情况", "description of the noncompliance")
    ids = check_evidence_ids(session, case_id, evidence_ids)
    entry.finding, entry.note = finding, note.strip()
    data = case_data(case)
    section(data, CHECKLIST)[entry_id] = {"evidence_ids": ids, "updated": utc_now()}
    save_data(case, data)
    activate(case)
    event(session, store, case, actor_id, "checklist.finding",
          {"entry": entry_id, "item": entry.template_item_id, "finding": finding, "note": entry.note,
           "evidence_ids": ids})


def checklist_evidence(session: Session, case_id: str, entry_id: str) -> list[str]:
    links = section(case_data(get_case(session, case_id)), CHECKLIST).get(entry_id, {})
    return list(links.get("evidence_ids", []))


def checklist_status(session: Session, case_id: str) -> StepStatus:
    entries = list(session.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)
                                   .order_by(ChecklistEntry.position)))
    open_entries = [e for e in entries if e.finding is None]
    missing: list[Missing] = []
    if open_entries:
        titles = "；".join(e.title[:30] for e in open_entries[:5])
        more = f"等{len(open_entries)}项" if len(open_entries) > 5 else ""
        missing.append(Missing("checklist.open", f"尚有{len(open_entries)}个检查项未作结论：{titles}{more}。",
                               f"{len(open_entries)} checklist item(s) have no finding yet."))
    return make_status(CHECKLIST, missing)


def checklist_entries(session: Session, case_id: str) -> list[dict[str, Any]]:
    """The case's checklist with findings and linked evidence, in order (for the UI's table). Linked evidence is
    what was linked here plus what was captured for the entry (``EvidenceItem.checklist_entry_id``)."""
    from app.models.schema import EvidenceItem

    links = section(case_data(get_case(session, case_id)), CHECKLIST)
    captured: dict[str, list[str]] = {}
    for item_id, entry_id in session.execute(select(EvidenceItem.id, EvidenceItem.checklist_entry_id)
                                             .where(EvidenceItem.case_id == case_id,
                                                    EvidenceItem.checklist_entry_id.is_not(None))
                                             .order_by(EvidenceItem.created)):
        captured.setdefault(str(entry_id), []).append(item_id)
    rows = session.scalars(select(ChecklistEntry).where(ChecklistEntry.case_id == case_id)
                           .order_by(ChecklistEntry.position))
    return [{"id": e.id, "item": e.template_item_id, "category": e.category, "title": e.title,
             "requirements": json.loads(e.requirements or "[]"), "finding": e.finding, "note": e.note,
             "evidence_ids": list(dict.fromkeys([*links.get(e.id, {}).get("evidence_ids", []),
                                                 *captured.get(e.id, [])]))} for e in rows]
