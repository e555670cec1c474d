"""Cross-checks of a case's record before its paper goes out: each a one-line message naming the article.

Pure functions over plain facts (:class:`Session` of the record: who was where when), so the workflow, the CLI
and the tests call them alike; :func:`check_context` runs them over a :class:`DocumentContext`.

* a visit or interview before the visit time the notice announced, unless the audit is unannounced with its
  reason (000 Art. 7(1), 8(1): notice 3 days before);
* one inspector in two overlapping sessions (条例 Art. 29; 行政处罚法 Art. 42, 55: two officers present at each);
* an evidence item's obtained time later than its capture (000 Art. 7(4): source and time of the evidence);
* an interviewee without an ID number (行政处罚法 Art. 55: the 笔录 identifies who was questioned);
* a 文号 used twice (each document is one act of its body).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.context import DocumentContext
from app.models.profile import Store


@dataclass(frozen=True)
class Problem:
    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} | {self.en}"


@dataclass(frozen=True)
class Sitting:
    """A session with the party: the on-site inspection, an interview, a sealing."""

    what_zh: str
    what_en: str
    start: dt.datetime
    end: dt.datetime
    inspectors: tuple[str, ...]  # credential numbers (or ids)


def visits_after_notice(sittings: Iterable[Sitting], announced_at: dt.datetime | None, *, unannounced: bool,
                        unannounced_reason: str) -> list[Problem]:
    if unannounced:
        if not unannounced_reason.strip():
            return [Problem("notice.unannounced_reason", "不预先告知的稽核须写明理由（《武汉市医疗保险稽核办法（试行）》第七条第（一）项）",
                            "An unannounced audit needs its reason (Wuhan Audit Measures Art. 7(1))")]
        return []
    if announced_at is None:
        return []
    return [Problem("notice.before", f"{s.what_zh}开始于{s.start:%Y-%m-%d %H:%M}，早于稽核通知书告知的时间"
                    f"{announced_at:%Y-%m-%d %H:%M}（《武汉市医疗保险稽核办法（试行）》第七条第（一）项）",
                    f"The {s.what_en} starts at {s.start:%Y-%m-%d %H:%M}, before the time the notice announced "
                    f"({announced_at:%Y-%m-%d %H:%M}) (Wuhan Audit Measures Art. 7(1))")
            for s in sittings if s.start < announced_at]


def overlapping_sittings(sittings: Sequence[Sitting]) -> list[Problem]:
    out: list[Problem] = []
    for i, a in enumerate(sittings):
        if a.end < a.start:
            out.append(Problem("session.order", f"{a.what_zh}的结束时间早于开始时间",
                               f"The {a.what_en} ends before it starts"))
        for b in sittings[i + 1:]:
            shared = sorted(set(a.inspectors) & set(b.inspectors))
            if shared and a.start < b.end and b.start < a.end:
                out.append(Problem(
                    "session.overlap",
                    f"执法人员{'、'.join(shared)}同时出现在{a.what_zh}和{b.what_zh}中（时间重叠），"
                    "每一环节须由两名执法人员在场（《医疗保障基金使用监督管理条例》第二十九条；"
                    "《中华人民共和国行政处罚法》第四十二条、第五十五条）",
                    f"Inspector(s) {', '.join(shared)} are in the {a.what_en} and the {b.what_en} at overlapping "
                    "times; two officers must be present at each (Regulations on the Supervision and "
                    "Administration of the Use of Medical Security Funds Art. 29; Administrative Penalty Law "
                    "Art. 42, 55)"))
    return out


def obtained_after_capture(items: Iterable[tuple[str, dt.datetime, dt.datetime]]) -> list[Problem]:
    """``items``: (name, obtained time, capture time)."""
    return [Problem("evidence.obtained_after_capture",
                    f"证据“{name}”的提取时间{got:%Y-%m-%d %H:%M}晚于其采集入库时间{cap:%Y-%m-%d %H:%M}"
                    "（《武汉市医疗保险稽核办法（试行）》第七条第（四）项：证据注明来源和时间）",
                    f"Evidence '{name}' was obtained at {got:%Y-%m-%d %H:%M}, after it was captured at "
                    f"{cap:%Y-%m-%d %H:%M} (Wuhan Audit Measures Art. 7(4))")
            for name, got, cap in items if got > cap]


def interviewees_identified(interviewees: Iterable[tuple[int, str, str]]) -> list[Problem]:
    """``interviewees``: (interview number, name, ID number)."""
    return [Problem("interview.id_number",
                    f"第{n}次询问的被询问人{name}缺少身份证号（《中华人民共和国行政处罚法》第五十五条）",
                    f"The person questioned in interview {n} ({name}) has no ID number "
                    "(Administrative Penalty Law Art. 55)")
            for n, name, idn in interviewees if not idn.strip()]


def numbers_unique(numbers: Iterable[tuple[str, str]]) -> list[Problem]:
    """``numbers``: (document title, 文号)."""
    seen: dict[str, str] = {}
    out: list[Problem] = []
    for title, number in numbers:
        if not number:
            continue
        if number in seen:
            out.append(Problem("number.duplicate", f"文号{number}同时用于{seen[number]}和{title}，每份文书须有自己的文号",
                               f"The document number {number} is used for two documents ({title})"))
        else:
            seen[number] = title
    return out


def check_context(ctx: DocumentContext, numbers: Sequence[tuple[str, str]] = ()) -> list[Problem]:
    """Every cross-check over what the forms of ``ctx`` would print."""
    creds = tuple(i.credential_no for i in ctx.inspectors)
    sittings: list[Sitting] = []
    if ctx.onsite is not None:
        sittings.append(Sitting("现场检查", "on-site inspection", ctx.onsite.start, ctx.onsite.end, creds))
    for iv in ctx.interviews:
        sittings.append(Sitting(f"第{iv.number}次询问", f"interview {iv.number}", iv.start, iv.end,
                                tuple(i.credential_no for i in iv.interviewers)))
    problems = visits_after_notice(
        sittings, ctx.notice.audit_at if ctx.notice is not None else None,
        unannounced=ctx.case.unannounced, unannounced_reason=ctx.case.unannounced_reason)
    problems += overlapping_sittings(sittings)
    problems += interviewees_identified((iv.number, iv.interviewee.name, iv.interviewee.id_number)
                                        for iv in ctx.interviews)
    problems += numbers_unique(numbers)
    return problems


def case_problems(session: Session, store: Store, case_id: str) -> list[Problem]:
    """Every cross-check over what the store holds for a case (read only): the sittings and interviewees of the
    signed records, each evidence item's obtained time against its capture, and the 文号 of every form."""
    from app.documents.config import load_agency_config
    from app.documents.form_blocks import doc_number, form_title
    from app.documents.form_table import FORM_NAMES
    from app.documents.powers import PowerError
    from app.models.schema import EvidenceItem
    from app.workflow.print_context import build_context

    cfg = load_agency_config()
    ctx = build_context(session, store, case_id, "notice", cfg)
    numbers: list[tuple[str, str]] = []
    for form in FORM_NAMES:
        if form in ("service-receipt", "interview", "correction"):
            continue  # the 回证 shows the served document's number; interviews are numbered 17-1, 17-2 …, and
            # corrections 更〔…〕17号, 17-2 … in their original's body
        try:
            numbers.append((form_title(ctx, cfg, form), doc_number(ctx, cfg, form)))
        except PowerError:
            continue  # a form this case's body does not issue has no number here
    problems = check_context(ctx, numbers)
    rows = session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id))
    problems += obtained_after_capture(
        (r.title, _time(r.obtained_at), _time(r.created)) for r in rows if r.obtained_at and r.created)
    return problems


def _time(value: str) -> dt.datetime:
    text = value.strip().replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)
