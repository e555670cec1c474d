"""The records made on the spot and signed by the party: 现场检查笔录, 询问笔录 (one record per interview) and
送达回证."""

from __future__ import annotations

import dataclasses

from app.documents.chinese import numeric_datetime, ordinal, time_span
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext, Interview, Service
from app.documents.form_blocks import (
    agency_names,
    check_inspectors,
    doc_number,
    form_title,
    inspector_signatures,
    inspectors_text,
    issue_block,
    issuer,
    keep_signatures,
    numbered,
    party_block,
    refusal_note,
    require,
    section_hash,
    signed_value,
)
from app.documents.layout import (
    BODY,
    BODY_WIDTH,
    HEADING,
    MARGIN_LEFT,
    SMALL,
    Column,
    LineOp,
    Section,
    SectionWriter,
    SignatureLine,
)


def handwriting_lines(w: SectionWriter, n: int) -> None:
    """Blank ruled lines for what a person writes by hand (never typeset)."""
    for _ in range(n):
        w.ensure(BODY.leading * 1.4)
        w.y -= BODY.leading * 1.4
        w.ops.append(LineOp(MARGIN_LEFT, w.y + 2, MARGIN_LEFT + BODY_WIDTH, w.y + 2, 0.4))


# -- 现场检查笔录 ----------


def build_onsite_record(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "onsite-record"
    require(ctx.onsite is not None, "现场检查笔录需要现场检查情况")
    assert ctx.onsite is not None
    check_inspectors(ctx.inspectors, "现场检查")
    require(ctx.recorder, "现场检查笔录需要记录人")
    agency, _unit = agency_names(ctx, cfg, form)
    r = ctx.onsite
    content = {
        "case_id": ctx.case.case_id,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "recorder": ctx.recorder,
        "onsite": r,
    }
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("被检查人签名", "日期"), r.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, doc_number(ctx, cfg, form))
    w.labelled("检查时间", time_span(r.start, r.end))
    w.labelled("检查地点", r.place)
    party_block(w, ctx, f"被检查{ctx.party.unit}")
    w.labelled("检查人员", inspectors_text(ctx.inspectors))
    w.labelled("记录人", ctx.recorder)
    if r.present:
        w.paragraph("现场人员：", indent_chars=0)
        w.table(
            [Column("姓名", 6), Column("职务", 9), Column("身份证号", 13), Column("联系电话", 9)],
            [[p.name, p.post, p.id_number, p.phone] for p in r.present],
        )
        w.space(6)
    elif r.present_text:
        w.labelled("现场人员", r.present_text)
    # Only what the record holds: the statement told and the answers, as recorded (nothing added at print time).
    if r.opening or r.credentials_answer or r.recusal_answer:
        w.paragraph("告知事项", HEADING)
        if r.opening:
            w.labelled("检查人员", r.opening)
        if r.credentials_answer:
            w.labelled("被检查人", r.credentials_answer)
        if r.recusal_answer:
            w.labelled("被检查人", r.recusal_answer)
    w.paragraph("现场检查情况", HEADING)
    w.paragraph(r.findings)
    if r.attachments:
        w.paragraph("附件：", indent_chars=0)
        numbered(w, r.attachments)
    w.paragraph("以下空白", indent_chars=0)  # nothing can be added after the record's last line
    w.paragraph("被检查人意见", HEADING)
    if r.party_opinion:
        w.paragraph(r.party_opinion, indent_chars=2)
    else:
        w.paragraph("（以下由被检查人亲笔书写）", SMALL, indent_chars=0)
        handwriting_lines(w, 3)
    w.space(8)
    keep_signatures(w, 2 + len(ctx.inspectors) + int(r.witness is not None))
    w.sign_row([("被检查人（签名）", 42, signed_value(r.signature)), ("日期", 36, "")])
    refusal_note(w, r.signature)
    inspector_signatures(w, ctx.inspectors, "检查人员")
    w.sign_row([("记录人（签名）", 42, ""), ("日期", 36, "")])
    if r.witness is not None:
        w.sign_row([("见证人（签名）", 42, ""), ("身份证号", 46, r.witness.id_number)])
    return [sec]


# -- 询问笔录 ----------


def _interview_section(ctx: DocumentContext, cfg: AgencyConfig, iv: Interview) -> Section:
    form = "interview"
    check_inspectors(iv.interviewers, "询问")
    agency, _unit = agency_names(ctx, cfg, form)
    part = f"interview-{iv.number}"
    content = {"case_id": ctx.case.case_id, "party": ctx.party.name, "interview": iv}
    sec = Section(part, section_hash(form, part, content), SignatureLine(("被询问人签名", "日期"), iv.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, doc_number(ctx, cfg, form, iv.number))
    p = iv.interviewee
    w.labelled("询问次数", f"{ordinal(iv.number)}次")
    w.labelled("询问时间", iv.time_text or time_span(iv.start, iv.end))
    w.labelled("询问地点", iv.place)
    w.labelled("询问人", inspectors_text(iv.interviewers))
    w.labelled("记录人", iv.recorder)
    w.labelled(
        "被询问人",
        f"{p.name}    性别：{p.sex or '—'}    年龄：{p.age if p.age is not None else '—'}",
    )
    w.labelled("身份证号", p.id_number)
    w.labelled("工作单位及职务", f"{p.employer}  {p.post}".strip())
    w.labelled("住址", p.address)
    w.labelled("联系电话", p.phone)
    w.labelled("与本案关系", p.relation)
    w.space(6)
    # Exactly the signed record: the opening and every question as recorded; nothing is added at print time.
    if iv.opening:
        w.labelled("问", iv.opening)
    if iv.recusal_answer:
        w.labelled("答", iv.recusal_answer)
    for qa in iv.qa:
        w.labelled("问", qa.question, keep_with_next=1)
        w.labelled("答", qa.answer)
    w.paragraph("以下空白", indent_chars=0)  # nothing can be added after the record's last line
    w.space(4)
    w.paragraph("（以下由被询问人亲笔书写核对意见）", SMALL, indent_chars=0)
    handwriting_lines(w, 2)
    w.space(6)
    keep_signatures(w, 2 + len(iv.interviewers))
    w.sign_row([("被询问人（签名）", 42, signed_value(iv.signature)), ("日期", 36, "")])
    refusal_note(w, iv.signature)
    inspector_signatures(w, iv.interviewers, "询问人")
    w.sign_row([("记录人（签名）", 42, ""), ("日期", 36, "")])
    return sec


def build_interview(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    require(ctx.interviews, "没有可打印的询问笔录")
    return [_interview_section(ctx, cfg, iv) for iv in ctx.interviews]



# -- 送达回证 ----------


def _receipt_section(ctx: DocumentContext, cfg: AgencyConfig, s: Service, k: int) -> Section:
    """One 送达回证 for one served document: its own title and 文号 (as on the document), the unit served and
    who signed for it, method, place and time; signature cells left blank for the hand."""
    form = "service-receipt"
    require(s.servers, "送达回证需要送达人")
    if s.form:
        # the served document's own title and 文号, as printed on it: never a number typed again
        title, number = form_title(ctx, cfg, s.form), doc_number(ctx, cfg, s.form)
        require(not s.document_number or s.document_number == number,
                f"送达记录的文号{s.document_number}与{title}的文号{number}不一致")
        s = dataclasses.replace(s, document_title=title, document_number=number)
    require(s.document_number, f"送达回证须写明所送达文书（{s.document_title}）的文号")
    if s.method.startswith("留置"):
        require(s.refusal_reason and s.witness, "留置送达需要注明拒收事由和见证人")
    if s.method.startswith("电子"):
        require(s.consent and s.address, "电子送达须经受送达人同意并签订送达地址确认书（行政处罚法第六十一条第二款）")
    body = issuer(ctx, cfg, form, s.form)
    part = f"service-{k}"
    content = {"case_id": ctx.case.case_id, "service": s}
    sec = Section(part, section_hash(form, part, content), SignatureLine(("受送达人签名", "日期"), s.signature))
    w = SectionWriter(sec)
    w.header(body.seal, cfg.wording(form).title_for(body.key), "")
    blank = "\n" + " " * 40 + "年    月    日"
    rows = [
        ["送达文书名称", s.document_title],
        ["送达文书文号", s.document_number],
        ["受送达人", s.recipient],
        ["签收人及职务", s.received_by or "—"],
        ["送达地点", s.place],
        ["送达方式", s.method],
        ["送达时间", numeric_datetime(s.served_at)],
    ]
    if s.method.startswith("电子"):
        rows.append(["送达地址确认", f"{s.consent}；送达地址：{s.address}"])
    rows += [
        ["受送达人签名或盖章", blank],
        [f"送达人（签名）\n{'、'.join(s.servers)}", blank],
    ]
    if s.method.startswith("留置"):
        rows += [
            ["拒收事由", s.refusal_reason],
            ["见证人", s.witness],
            ["见证人（签名）", blank],
            ["现场照片", "、".join(s.photos) if s.photos else "—"],
        ]
    w.table(
        [Column("项目", 5, "center"), Column("内容", 15)],
        rows,
        style=SMALL,  # 12 pt: one 回证 on one page
        head_style=HEADING,
        show_head=False,
    )
    issue_block(w, cfg, body, s.served_at.date(), contact=False)
    return sec


def build_service_receipt(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    services = ctx.services or ((ctx.service,) if ctx.service is not None else ())
    require(services, "没有送达记录")
    served = [(s.form, s.document_number) for s in services]  # one 回证 per served document (文号)
    require(len(set(served)) == len(served), "同一文书有两份送达记录，请核对所送达的文书和文号")
    return [_receipt_section(ctx, cfg, s, k) for k, s in enumerate(services, 1)]
