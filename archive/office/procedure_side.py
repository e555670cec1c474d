"""The steps beside the main line of a case after the visit: 中止 and 恢复, 终止, the extension of the decision
period (延期), and the hearing (听证: requested → scheduled → held).

* 中止: from the day it is recorded every later step is refused, with the reason, until 恢复 is recorded
  (终止 included: a suspended case is resumed first, so that its record says when the suspension ended).
* The 90-day clock and 中止 (《行政处罚法》第六十条: 九十日, "法律、法规、规章另有规定的，从其规定"): whether a
  中止 period is left out of the 90 days is a matter for those other rules, and none of the statutes this
  project holds (``/work/shared/law``) says so for a 医疗保障 case; the office therefore **counts** the 中止
  days (the earlier due date, the safe one, as ``app.workflow.deadlines`` does for the agency's own limits)
  and shows how many days the case was suspended beside the deadline, for the agency to check against its
  own rules.
* 延期: 《行政处罚法》第六十条 itself sets no extension: it defers to 法律、法规、规章. An extension therefore
  names the provision it relies on (``basis``, required), its reason and who approved it, and is recorded by
  the head of section before the decision and before the current due date has passed; the deadline shown
  moves by its days.
* 听证 (《行政处罚法》第六十三条、第六十四条、第八十五条): the request within 5 working days of 告知 (Art. 64(1));
  the party told of the time and place at least 7 working days before the hearing (Art. 64(2), the
  "七日" of Art. 85 being working days: ``deadlines.hearing_notice_latest``); presided over by someone who
  did not investigate the case (Art. 64(4)); a decision is refused while a requested hearing has not been
  held (Art. 63).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.citations import C_PEN_60, join_citations
from app.workflow import deadlines
from app.workflow.reference_holidays import load_work_calendar
from archive.office.auth import OfficeError

#: side step -> (Chinese, English)
SIDE: dict[str, tuple[str, str]] = {
    "suspended": ("中止", "suspended"),
    "resumed": ("恢复", "resumed"),
    "terminated": ("终止", "terminated"),
    "extended": ("延期", "decision period extended"),
    "hearing_requested": ("听证申请", "hearing requested"),
    "hearing_scheduled": ("听证安排", "hearing scheduled"),
    "hearing_held": ("听证举行", "hearing held"),
}
SIDE_BASIS: dict[str, str] = {
    "suspended": "中止期间后续步骤一律不予办理，恢复后继续",
    "resumed": "",
    "terminated": "",
    "extended": "《行政处罚法》第六十条（法律、法规、规章另有规定的，从其规定）",
    "hearing_requested": "《行政处罚法》第六十三条、第六十四条第一项、第八十五条",
    "hearing_scheduled": "《行政处罚法》第六十四条第二项、第四项、第八十五条",
    "hearing_held": "《行政处罚法》第六十四条、第六十五条",
}
PENALTY_60 = join_citations((C_PEN_60,))
MAX_EXTENSION_DAYS = 90


@dataclass(frozen=True)
class Suspension:
    active: bool
    since: str  # the date of the 中止 in force, when active
    reason: str
    days: int  # calendar days suspended so far (an open suspension up to today)
    last_change: str  # the date of the latest 中止 or 恢复 ("" without one)


def suspension(hist: list[dict[str, Any]], today: dt.date) -> Suspension:
    active, since, reason, days, last = False, "", "", 0, ""
    for h in hist:
        on = str(h["data"].get("on", ""))
        if h["stage"] == "suspended" and not active:
            active, since, reason, last = True, on, str(h["data"].get("reason", "")), on
        elif h["stage"] == "resumed" and active:
            days += (dt.date.fromisoformat(on) - dt.date.fromisoformat(since)).days
            active, last = False, on
    if active:
        days += max(0, (today - dt.date.fromisoformat(since)).days)
    return Suspension(active, since, reason, days, last)


def extension_days(hist: list[dict[str, Any]]) -> int:
    return sum(int(h["data"].get("days", 0)) for h in hist if h["stage"] == "extended")


def decision_clock(filed_on: dt.date, hist: list[dict[str, Any]], today: dt.date, decided: bool
                   ) -> list[dict[str, Any]]:
    """The 90-day line (moved by the extensions) and, when the case was suspended, the line that says so."""
    base = deadlines.decision_deadline(filed_on)
    extra = extension_days(hist)
    due = base.due + dt.timedelta(days=extra)
    zh = base.label_zh if not extra else f"{base.label_zh}（已延期 {extra} 日）"
    basis = base.citation if not extra else "；".join(
        [base.citation] + [f"延期 {h['data']['days']} 日（第六十条“法律、法规、规章另有规定的，从其规定”）："
                           f"{h['data'].get('basis', '')}，{h['data'].get('approver', '')}批准" for h in hist if h["stage"] == "extended"])
    out = [{"zh": zh, "due": due.isoformat(), "met": decided or today <= due, "basis": basis, "key": "decision"}]
    susp = suspension(hist, today)
    if susp.days or susp.active:
        out.append({"zh": f"中止 {susp.days} 日{'（中止中）' if susp.active else ''}：仍计入上述期限", "due": "",
                    "met": True, "key": "suspension",
                    "basis": f"{PENALTY_60}规定九十日并交由法律、法规、规章另行规定；中止期间是否扣除，"
                             "本系统所附法规未能确认，故按计入计算（较早的日期），请按本机关适用的规章核对"})
    return out


def _text(form: dict[str, str], key: str, zh: str, en: str, limit: int = 500) -> str:
    value = form.get(key, "").strip()[:limit]
    if not value:
        raise OfficeError(f"须填写{zh}", f"give the {en}", 400)
    return value


def _date(value: str, zh: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise OfficeError(f"{zh}日期格式应为 YYYY-MM-DD", f"{zh}: a date is YYYY-MM-DD") from exc


def side_step(stage: str, form: dict[str, str], on: dt.date, done: dict[str, dict[str, Any]],
              hist: list[dict[str, Any]], team_names: set[str], today: dt.date) -> dict[str, Any]:
    """Check one side step's own rules; the data to record (the caller has checked role, 中止 and order)."""
    data: dict[str, Any] = {"on": on.isoformat()}
    susp = suspension(hist, today)
    if stage in ("suspended", "resumed", "terminated"):
        data["reason"] = _text(form, "reason", "理由", "reason")
        if stage == "resumed" and not susp.active:
            raise OfficeError("案件未中止，无需恢复", "the case is not suspended", 409)
        return data
    if "decided" in done:
        raise OfficeError(f"已作出决定，不能再办理{SIDE[stage][0]}", f"the decision is recorded: no {SIDE[stage][1]}",
                          409)
    if stage == "extended":
        if "filed" not in done:
            raise OfficeError("须先立案", "first: case opened", 409)
        try:
            days = int(form.get("days", "").strip())
        except ValueError as exc:
            raise OfficeError("延期天数应为整数", "the extension is a whole number of days", 400) from exc
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise OfficeError(f"延期天数应在 1 到 {MAX_EXTENSION_DAYS} 之间",
                              f"extend by 1 to {MAX_EXTENSION_DAYS} days", 400)
        clock = decision_clock(dt.date.fromisoformat(done["filed"]["data"]["on"]), hist, today, False)[0]
        if on.isoformat() > clock["due"]:
            raise OfficeError(f"决定期限已于 {clock['due']} 届满，延期须在届满前批准",
                              f"the decision period ended on {clock['due']}: an extension is approved before "
                              "it ends", 409)
        data.update(days=days, reason=_text(form, "reason", "延期理由", "reason"),
                    approver=_text(form, "approver", "批准人", "approver", 100),
                    basis=_text(form, "basis", "延期所依据的法律、法规或规章条款（第六十条：另有规定的，从其规定）",
                                "provision the extension relies on (Art. 60 defers to other laws, regulations "
                                "and rules)", 300))
        return data
    if "notified" not in done:
        raise OfficeError("须先告知当事人听证权利", "first: the party told of the right to a hearing", 409)
    if stage == "hearing_requested":
        if "hearing_requested" in done:
            raise OfficeError("已登记听证申请", "the hearing request is recorded already", 409)
        told = _date(done["notified"]["data"]["on"], "告知")
        latest = deadlines.hearing_request_deadline(told, load_work_calendar())
        if on > latest.due:
            raise OfficeError(f"当事人应当在告知后五日内（{latest.due.isoformat()} 前）提出听证要求"
                              "（《行政处罚法》第六十四条第一项、第八十五条）",
                              f"a hearing is asked for within 5 working days of being told (by "
                              f"{latest.due.isoformat()}; Administrative Penalty Law Art. 64(1), 85)", 409)
        if on < told:
            raise OfficeError("听证申请日期不能早于告知", "the request cannot precede the notice", 409)
        return data
    if "hearing_requested" not in done:
        raise OfficeError("当事人未要求听证", "the party has not asked for a hearing", 409)
    if stage == "hearing_scheduled":
        if "hearing_held" in done:
            raise OfficeError("听证已举行", "the hearing was held already", 409)
        hearing_on = _date(form.get("hearing_on", ""), "听证")
        place = _text(form, "place", "听证地点", "place", 200)
        presiding = _text(form, "presiding", "听证主持人", "presiding officer", 100)
        if presiding in team_names:
            raise OfficeError(f"听证由非本案调查人员主持：{presiding}是本案稽核人员（《行政处罚法》第六十四条第四项）",
                              "the hearing is presided over by someone who did not investigate the case "
                              "(Administrative Penalty Law Art. 64(4))", 409)
        latest = deadlines.hearing_notice_latest(hearing_on, load_work_calendar())
        if on > latest.due:
            raise OfficeError(f"应当在举行听证的七日前通知当事人：听证定于 {hearing_on.isoformat()}，最迟应于 "
                              f"{latest.due.isoformat()} 通知（《行政处罚法》第六十四条第二项、第八十五条）",
                              f"the party is told 7 working days before the hearing: by {latest.due.isoformat()} "
                              f"for a hearing on {hearing_on.isoformat()} (Administrative Penalty Law Art. 64(2), 85)",
                              409)
        data.update(hearing_on=hearing_on.isoformat(), place=place, presiding=presiding)
        return data
    # hearing_held
    if "hearing_scheduled" not in done:
        raise OfficeError("须先安排听证", "first: schedule the hearing", 409)
    planned = done["hearing_scheduled"]["data"]["hearing_on"]
    if on.isoformat() < planned:
        raise OfficeError(f"听证定于 {planned}，举行日期不能更早", f"the hearing is set for {planned}", 409)
    data.update(presiding=done["hearing_scheduled"]["data"]["presiding"],
                summary=form.get("summary", "").strip()[:2000])
    return data
