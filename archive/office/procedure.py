"""The case after the visit, as explicit stages with their rules and articles (《行政处罚法》 2021).

    现场结束 → 立案 (Art. 54) → 调查终结 (Art. 57) → 法制审核 (Art. 58) → 集体讨论 (Art. 57 ¶2) → 告知 (Art. 44, 45,
    63, 64) → 决定 (Art. 57, 59, 60, 62) → 送达 (Art. 61) → 执行 (Art. 66) → 结案, and 中止 / 终止 from any open stage.

Whether 法制审核 and 集体讨论 are required is what the laptop decided and the inspectors acknowledged
(``finding.flags_acknowledged``, made by ``app.workflow`` from the thresholds): the office keeps no copy of that rule.
Deadlines come from ``app.workflow.deadlines``. Every step is taken by one office user, recorded as a statement
(who, role, when, what, the user's public key) signed by the user's own key (``archive/office/userkeys.py``) and
countersigned by the archive key, and appended to the office log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.canonical import canonical_bytes
from app.evidence.signing import (
    SignatureError,
    b64,
    public_key_fingerprint,
    sign_object,
    unb64,
    verify_object,
)
from app.workflow import deadlines
from app.workflow.reference_holidays import load_work_calendar
from archive.db import Case, StoredObject, utcnow
from archive.office.auth import OfficeError, Principal, append_log
from archive.office.cases import CaseSummary, names, obj, whole
from archive.office.models import OfficeStep
from archive.office.password import UserKeys, key_valid_at, user_keys
from archive.office.procedure_side import SIDE, decision_clock, side_step, suspension
from archive.service import Archive

CTX_OFFICE_STEP = "fieldaudit/office-step/v1"
CTX_OFFICE_STEP_BY_USER = "fieldaudit/office-step-by-user/v1"
OFFICE_SIGNER = "archive"


@dataclass(frozen=True)
class Stage:
    key: str
    zh: str
    en: str
    basis: str  # the article, as the office reads it
    roles: tuple[str, ...]


STAGES: tuple[Stage, ...] = (
    Stage("filed", "立案", "case opened", "《行政处罚法》第五十四条", ("head",)),
    Stage("investigated", "调查终结", "investigation ended", "《行政处罚法》第五十七条", ("head",)),
    Stage("legal_review", "法制审核", "legal review", "《行政处罚法》第五十八条", ("legal",)),
    Stage("collective", "集体讨论", "collective discussion", "《行政处罚法》第五十七条第二款", ("head",)),
    Stage("notified", "告知", "party told (statement, defence, hearing)", "《行政处罚法》第四十四条、第四十五条、第六十三条",
          ("head",)),
    Stage("decided", "决定", "decision", "《行政处罚法》第五十七条、第五十九条、第六十条、第六十二条", ("head",)),
    Stage("served", "送达", "decision served", "《行政处罚法》第六十一条", ("head", "legal")),
    Stage("executed", "执行", "executed (money returned to the fund)", "《行政处罚法》第六十六条", ("head",)),
    Stage("closed", "结案", "case closed", "一案一卷", ("head",)),
)
BY_KEY = {s.key: s for s in STAGES}


def _flags(s: Session, case_id: str) -> dict[str, Any]:
    """What the laptop's rules (acknowledged by both inspectors) require after the visit."""
    out: dict[str, Any] = {"legal_review": False, "collective_decision": False, "hearing_applies": False,
                           "total_fen": 0}
    for kind, body in s.execute(select(StoredObject.kind, StoredObject.body).where(
            StoredObject.case_id == case_id,
            StoredObject.kind.in_(("finding.flags_acknowledged", "documents.outcome_details")))).all():
        data = obj(json.loads(body))
        if kind == "finding.flags_acknowledged":
            covers = data.get("covers")
            if not isinstance(covers, dict):  # malformed: both steps required rather than neither
                covers = {"legal_review": True, "collective_decision": True}
            out["legal_review"] = bool(covers.get("legal_review"))
            out["collective_decision"] = bool(covers.get("collective_decision"))
            out["total_fen"] = whole(covers.get("total_fen"))
        else:
            out["hearing_applies"] = bool(obj(data.get("outcome")).get("hearing_applies"))
    return out


def history(s: Session, case_id: str) -> list[dict[str, Any]]:
    rows = s.execute(select(OfficeStep).where(OfficeStep.case_id == case_id).order_by(OfficeStep.id)).scalars()
    return [json.loads(r.statement)["statement"] for r in rows]


def signatures(s: Session, case_id: str) -> list[dict[str, Any]]:
    """Who signed each step of the case, checked: the user's own key (and that it is the key of the user the
    statement names, as the office's user table holds it), or only the archive key (a step of schema 3)."""
    public = user_keys(s)
    out = []
    for r in s.execute(select(OfficeStep).where(OfficeStep.case_id == case_id).order_by(OfficeStep.id)).scalars():
        stored = json.loads(r.statement)
        stage = stored["statement"]["stage"]
        zh = BY_KEY[stage].zh if stage in BY_KEY else SIDE.get(stage, (stage,))[0]
        out.append({"stage": stage, "zh": zh, "name": stored["statement"]["name"],
                    "on": stored["statement"]["data"].get("on", ""), **user_signature(stored, public)})
    return out


def user_signature(stored: dict[str, Any], public: UserKeys) -> dict[str, Any]:
    """``{"by": "user" | "archive" | "bad", "fingerprint": …}`` for one stored step; ``public`` is every key of
    every user (``password.user_keys``: a key retired by a reset still verifies the steps made before it)."""
    statement = stored.get("statement", {})
    key = statement.get("user_key")
    if key is None and "user_sig" not in stored:
        return {"by": "archive", "fingerprint": ""}
    try:
        raw = unb64(str(key))
        if not key_valid_at(public, str(statement.get("user")), str(key), str(statement.get("at"))):
            raise SignatureError("not the key of the user named")
        verify_object(stored["user_sig"], CTX_OFFICE_STEP_BY_USER, statement, raw)
    except (SignatureError, KeyError, TypeError, ValueError):
        return {"by": "bad", "fingerprint": ""}
    return {"by": "user", "fingerprint": public_key_fingerprint(raw)}


def _done(hist: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest record of each stage (a failed 法制审核 is undone by the next 调查终结)."""
    out: dict[str, dict[str, Any]] = {}
    for h in hist:
        out[h["stage"]] = h
        if h["stage"] == "investigated":
            out.pop("legal_review", None)
            out.pop("collective", None)
    return out


def _day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise OfficeError(f"{field}日期格式应为 YYYY-MM-DD", f"{field}: a date is YYYY-MM-DD") from exc


def state(archive: Archive, s: Session, summary: CaseSummary, today: dt.date | None = None) -> dict[str, Any]:
    """Where the case stands: the stages done, deadlines, what is required, and what is missing for 结案."""
    today = today or utcnow().date()
    hist = history(s, summary.id)
    done = _done(hist)
    flags = _flags(s, summary.id)
    calendar = load_work_calendar()
    dl: list[dict[str, Any]] = []
    if "filed" in done:
        dl += decision_clock(_day(done["filed"]["data"]["on"], "立案"), hist, today, "decided" in done)
    if "notified" in done:
        d = deadlines.defence_deadline(_day(done["notified"]["data"]["on"], "告知"), calendar)
        dl.append({"zh": d.label_zh, "due": d.due.isoformat(), "met": True, "basis": d.citation})
    if "decided" in done:
        d = deadlines.service_deadline(_day(done["decided"]["data"]["on"], "决定"), calendar)
        dl.append({"zh": d.label_zh, "due": d.due.isoformat(), "met": "served" in done or today <= d.due,
                   "basis": d.citation})
    required = {"legal_review": flags["legal_review"], "collective": flags["collective_decision"]}
    current = next((st.key for st in reversed(STAGES) if st.key in done), "")
    susp = suspension(hist, today)
    ended = "terminated" if "terminated" in done else "suspended" if susp.active else ""
    return {"done": done, "history": hist, "flags": flags, "required": required, "deadlines": dl,
            "current": current, "ended": ended, "suspension": susp, "missing_for_closing": missing_for_closing(s, summary, done, flags)}


#: 一案一卷: what the file must hold before 结案 (laptop documents by form, office steps by stage)
REQUIRED_FORMS = {"notice": "稽核（检查）通知书", "onsite-record": "现场检查笔录", "evidence-list": "证据清单"}


def missing_for_closing(s: Session, summary: CaseSummary, done: dict[str, Any], flags: dict[str, Any]) -> list[str]:
    printed = {obj(json.loads(b)).get("form") for b in s.execute(select(StoredObject.body).where(
        StoredObject.case_id == summary.id, StoredObject.kind == "document.printed")).scalars()}
    missing = [f"{zh}（现场文书未入卷）" for form, zh in REQUIRED_FORMS.items() if form not in printed]
    if summary.status != "closed":
        missing.append("现场稽核尚未结束")
    wanted = ["filed", "investigated", "notified", "decided", "served", "executed"]
    if flags["legal_review"]:
        wanted.insert(2, "legal_review")
    if flags["collective_decision"]:
        wanted.insert(3 if flags["legal_review"] else 2, "collective")
    for key in wanted:
        if key not in done:
            missing.append(f"{BY_KEY[key].zh}记录（{BY_KEY[key].basis}）")
    if "legal_review" in done and done["legal_review"]["data"].get("result") != "pass":
        missing.append("法制审核未通过（《行政处罚法》第五十八条）")
    return missing


def take_step(archive: Archive, s: Session, who: Principal, summary: CaseSummary, stage: str,
              form: dict[str, str], today: dt.date | None = None) -> dict[str, Any]:
    """Check the rules for ``stage`` and record it, signed, inside the caller's write transaction."""
    today = today or utcnow().date()
    # one step of a case at a time: the order is checked against what the previous step committed (PostgreSQL;
    # SQLite's write transactions are serial already)
    s.execute(select(Case.id).where(Case.id == summary.id).with_for_update())
    if summary.status != "closed":
        raise OfficeError("现场稽核尚未结束，不能进入案件办理", "the on-site audit is not closed yet", 409)
    st = state(archive, s, summary, today)
    done, flags = st["done"], st["flags"]
    if "closed" in done or st["ended"] == "terminated":
        raise OfficeError("案件已结案或终止", "the case is closed or terminated", 409)
    susp = st["suspension"]
    if susp.active and stage != "resumed":
        raise OfficeError(f"案件已于 {susp.since} 中止（{susp.reason}），恢复之前不能办理其他步骤",
                          f"the case is suspended since {susp.since}: record 恢复 (resumed) before any other step",
                          409)
    if stage in SIDE:
        if who.role != "head":
            raise OfficeError(f"{SIDE[stage][0]}须由科室负责人办理", "only the head of section may do this", 403)
        on = _not_before_suspension(_day(form.get("on") or today.isoformat(), SIDE[stage][0]), today, susp)
        team_names = {n for i, n in names(s).items() if i in summary.team}
        return _record(archive, s, who, summary, stage,
                       side_step(stage, form, on, done, st["history"], team_names, today))
    if stage not in BY_KEY:
        raise OfficeError("没有这一步骤", "no such step", 404)
    spec = BY_KEY[stage]
    if who.role not in spec.roles:
        raise OfficeError(f"{spec.zh}须由{'、'.join(_role_zh(r) for r in spec.roles)}办理",
                          f"{spec.en} is for {', '.join(spec.roles)}", 403)
    on = _not_before_suspension(_day(form.get("on") or today.isoformat(), spec.zh), today, susp)
    data: dict[str, Any] = {"on": on.isoformat()}
    order = [s_.key for s_ in STAGES]
    prior = order[: order.index(stage)]
    needed = [k for k in prior if k not in ("legal_review", "collective") or
              (k == "legal_review" and flags["legal_review"]) or (k == "collective" and flags["collective_decision"])]
    if stage == "legal_review" and not flags["legal_review"]:
        needed = ["filed", "investigated"]
    if stage == "collective":
        needed = [k for k in needed if k != "collective"]
    lacking = [BY_KEY[k].zh for k in needed if k not in done]
    if lacking and stage != "closed":
        raise OfficeError(f"须先完成：{'、'.join(lacking)}", f"first: {', '.join(lacking)}", 409)
    _in_order(stage, on, done, flags)
    later = order.index(stage) > order.index("legal_review")
    if later and flags["legal_review"] and done.get("legal_review", {}).get("data", {}).get("result") != "pass":
        raise OfficeError("法制审核未通过，须重新调查终结并再次审核（《行政处罚法》第五十八条）",
                          "the legal review did not pass: end the investigation again and have it reviewed "
                          "(Administrative Penalty Law Art. 58)", 409)
    if stage == "legal_review":
        team_names = {n for i, n in names(s).items() if i in summary.team}
        if (who.inspector_id is not None and who.inspector_id in summary.team) or who.name in team_names:
            raise OfficeError("参与本案调查的人员不得对本案进行法制审核（回避）",
                              "a member of the case team (by inspector id, or by name where the account names none) "
                              "may not do its legal review (Administrative Penalty Law Art. 58; recusal)", 403)
        if form.get("result") not in ("pass", "fail"):
            raise OfficeError("须选择审核结论", "choose the review's result", 400)
        data["result"] = form["result"]
        data["opinion"] = form.get("opinion", "").strip()[:2000]
        if not data["opinion"]:
            raise OfficeError("须填写审核意见", "write the review opinion", 400)
    if stage == "decided":
        if flags["legal_review"] and done.get("legal_review", {}).get("data", {}).get("result") != "pass":
            raise OfficeError("未经法制审核或审核未通过的，不得作出决定（《行政处罚法》第五十八条）",
                              "no decision without a passed legal review (Administrative Penalty Law Art. 58)", 409)
        if "hearing_requested" in done and "hearing_held" not in done:
            raise OfficeError("当事人要求听证的，应当组织听证后再作出决定（《行政处罚法》第六十三条）",
                              "the party asked for a hearing: hold it before the decision "
                              "(Administrative Penalty Law Art. 63)", 409)
        if "hearing_held" in done and on.isoformat() < done["hearing_held"]["data"]["on"]:
            raise OfficeError("决定日期不能早于听证", "the decision cannot precede the hearing", 409)
        defence = deadlines.defence_deadline(_day(done["notified"]["data"]["on"], "告知"), load_work_calendar())
        if on <= defence.due and form.get("waived") != "yes":
            raise OfficeError(f"陈述申辩期限（{defence.due.isoformat()}）届满前不得作出决定，当事人明确放弃的除外"
                              "（《行政处罚法》第六十二条）",
                              "no decision before the defence period ends unless the party waived it "
                              "(Administrative Penalty Law Art. 62)", 409)
        data["decision"] = form.get("decision", "").strip()[:2000]
        data["amount_fen"] = _fen(form.get("amount", "0"))
        data["waived"] = form.get("waived") == "yes"
        if not data["decision"]:
            raise OfficeError("须填写决定内容", "write the decision", 400)
        data["number"] = form.get("number", "").strip()[:60] or _next_number(archive, s, on.year)
    if stage == "served":
        data["method"] = form.get("method", "").strip()[:50]
        data["recipient"] = form.get("recipient", "").strip()[:100]
        if not data["method"] or not data["recipient"]:
            raise OfficeError("须填写送达方式和受送达人", "give the method of service and the recipient", 400)
        data["place"] = form.get("place", "").strip()[:200]
        data["servers"] = [n.strip() for n in form.get("servers", "").replace("，", "、").replace(",", "、")
                           .split("、") if n.strip()][:4] or [who.name]
    if stage == "executed":
        data["returned_fen"] = _fen(form.get("amount", "0"))
    if stage == "closed":
        missing = missing_for_closing(s, summary, done, flags)
        if missing:
            raise OfficeError("一案一卷检查未通过，尚缺：" + "；".join(missing),
                              f"the case file is incomplete: {len(missing)} item(s) missing", 409)
    return _record(archive, s, who, summary, stage, data)


def _next_number(archive: Archive, s: Session, year: int) -> str:
    """The decision's 文号 in the office's series for ``year`` (the agency file's pattern): one more than the
    decisions already recorded that year, counted under the case lock's transaction."""
    from archive.office.outcome import agency_config, decision_number

    earlier = 0
    for text in s.execute(select(OfficeStep.statement).where(OfficeStep.stage == "decided")).scalars():
        if json.loads(text)["statement"]["data"].get("on", "")[:4] == str(year):
            earlier += 1
    return decision_number(agency_config(archive), year, earlier)


def _not_before_suspension(on: dt.date, today: dt.date, susp: Any) -> dt.date:
    """No step is dated in the future, or on or before the latest 中止/恢复 it follows (a step back-dated into
    a suspension would be a step the suspension should have refused)."""
    if on > today:
        raise OfficeError("日期不能晚于今天", "the date cannot be in the future", 400)
    if susp.last_change and on.isoformat() < susp.last_change:
        raise OfficeError(f"日期不能早于最近一次中止或恢复（{susp.last_change}）",
                          f"the date is earlier than the latest suspension or resumption ({susp.last_change})", 409)
    return on


def _in_order(stage: str, on: dt.date, done: dict[str, dict[str, Any]], flags: dict[str, Any]) -> None:
    """A step is never recorded again once a later one is done (告知 re-dated after the decision would move the
    defence period), a failed 法制审核 is followed by a new 调查终结, not by another review, and a step's date is
    not earlier than the date of the step before it."""
    chain = [st.key for st in STAGES if st.key not in ("legal_review", "collective")
             or (st.key == "legal_review" and flags["legal_review"])
             or (st.key == "collective" and flags["collective_decision"])]
    review = done.get("legal_review", {}).get("data", {}).get("result")
    if stage == "legal_review" and review == "fail":
        raise OfficeError("法制审核未通过，须重新调查终结后再次审核（《行政处罚法》第五十八条）",
                          "the legal review did not pass: end the investigation again before another review", 409)
    if stage not in chain:
        return
    after = [k for k in chain[chain.index(stage) + 1:] if k in done]
    if stage == "investigated" and after == ["legal_review"] and review != "pass":
        after = []  # the new investigation a failed review calls for
    if after:
        raise OfficeError(f"{BY_KEY[after[-1]].zh}已办理，不能再办理{BY_KEY[stage].zh}",
                          f"{BY_KEY[after[-1]].en} is already recorded: {BY_KEY[stage].en} cannot be recorded "
                          "again", 409)
    before = [done[k]["data"]["on"] for k in chain[: chain.index(stage)] if k in done and "on" in done[k]["data"]]
    if before and on.isoformat() < max(before):
        raise OfficeError(f"{BY_KEY[stage].zh}日期不能早于前一步骤（{max(before)}）",
                          f"the date is earlier than the step before it ({max(before)})", 409)


_AMOUNT = re.compile(r"(\d{1,11})(?:\.(\d{1,2}))?")


def _fen(text: str) -> int:
    """Yuan as typed (commas, full-width digits allowed; at most two decimals) to whole fen, exactly (no float:
    "inf" and "1e400" failed the request, "1.005" was silently rounded)."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip() or "0"
    m = _AMOUNT.fullmatch(plain)
    if m is None or not plain.isascii():
        raise OfficeError("金额格式错误（元，最多两位小数）", "the amount is not a number of yuan with at most two decimals",
                          400)
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def _role_zh(role: str) -> str:
    from archive.office.models import ROLES

    return ROLES[role][0]


def _record(archive: Archive, s: Session, who: Principal, summary: CaseSummary, stage: str,
            data: dict[str, Any]) -> dict[str, Any]:
    at = utcnow()
    statement = {"v": 1, "case": summary.id, "stage": stage, "user": who.user_id, "name": who.name,
                 "role": who.role, "at": at.isoformat(timespec="seconds") + "Z", "data": data}
    if who.sign_key is not None:  # signed by the user's own key, which the archive's signature then vouches for
        statement["user_key"] = b64(who.sign_key.public_raw())
    stored: dict[str, Any] = {"statement": statement,
                              "sig": sign_object(archive.key, OFFICE_SIGNER, CTX_OFFICE_STEP, statement)}
    if who.sign_key is not None:
        stored["user_sig"] = sign_object(who.sign_key, who.user_id, CTX_OFFICE_STEP_BY_USER, statement)
    s.add(OfficeStep(case_id=summary.id, stage=stage, user_id=who.user_id, at=at,
                     statement=canonical_bytes(stored).decode()))
    append_log(s, who.user_id, f"step.{stage}", summary.id, **data)
    return statement
