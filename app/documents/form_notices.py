"""The notices the agency issues: 稽核通知书 before the audit, and after it 责令改正通知书, 陈述申辩告知书 and
稽核结果告知书 (the three built on the outcome of the audit)."""

from __future__ import annotations

from app.citations import VIOLATION_RULES
from app.documents.chinese import money_both, money_figures, numeric_date, numeric_datetime
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext
from app.documents.form_blocks import (
    agency_names,
    audit_period,
    check_inspectors,
    doc_number,
    finding_paragraphs,
    form_title,
    issue_block,
    issuer,
    legal_basis,
    numbered,
    party_block,
    require,
    section_hash,
)
from app.documents.layout import HEADING, Column, Section, SectionWriter, SignatureLine
from app.documents.remedies import (
    defence_right,
    hearing_applies,
    hearing_right,
    objection_route,
    review_route,
)

# -- 稽核通知书 ----------


def build_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "notice"
    require(ctx.notice is not None, "通知书需要稽核（检查）时间和需准备的材料")
    assert ctx.notice is not None
    check_inspectors(ctx.inspectors, "通知书")
    agency, unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    act = "检查" if body.key == "department" else "稽核"  # 行政检查 or 稽核 under the agreement
    n = ctx.notice
    content = {
        "agency": ctx.agency,
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "notice": n,
        "issued_on": ctx.issued_on,
    }
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(agency, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    basis = legal_basis(ctx, cfg, form)
    matters = "、".join(ctx.case.matters)
    w.paragraph(
        f"根据{basis}的规定，{unit}定于{numeric_datetime(n.audit_at)}起，对{ctx.party.you}{audit_period(ctx)}期间的"
        + (f"{matters}等情况进行{ctx.case.form}（{ctx.case.kind}）。" if act == "稽核" else
         f"{matters}等情况依法进行现场检查。") + "现将有关事项通知如下："
    )
    w.paragraph(f"一、被{act}{ctx.party.unit}基本情况", HEADING)
    party_block(w, ctx, f"被{act}{ctx.party.unit}")
    w.paragraph(f"二、{act}事项、范围和期间", HEADING)
    w.labelled(f"{act}事项", matters)
    if ctx.case.scope:
        w.labelled(f"{act}范围", ctx.case.scope)
    w.labelled(f"{act}期间", audit_period(ctx))
    w.labelled(f"{act}时间", numeric_datetime(n.audit_at))
    if n.place:
        w.labelled(f"{act}地点", n.place)
    if ctx.case.unannounced:
        w.labelled("说明", f"本次{act}不预先告知，理由：{ctx.case.unannounced_reason}")
    w.paragraph(f"三、请{ctx.party.you}准备以下材料", HEADING)
    numbered(w, n.materials)
    w.paragraph(f"四、{act}人员", HEADING)
    for i in ctx.inspectors:
        org = f"（{i.organisation}）" if i.organisation and i.organisation != unit else ""
        w.paragraph(f"{i.name}{org}    执法证号：{i.credential_no}")
    w.paragraph("五、其他事项", HEADING)
    w.paragraph(
        f"{ctx.party.you}应当指定专人配合，如实提供有关资料，并对所提供资料的真实性负责，不得拒绝、阻碍{act}或者谎报、瞒报。"
        f"{act}人员与{ctx.party.you}有直接利害关系或者其他关系可能影响公正的，{ctx.party.you}可以申请回避。"
    )
    issue_block(w, cfg, body, ctx.issued_on)
    return [sec]



# -- 责令改正 / 陈述申辩告知 / 稽核结果告知 ----------


def _outcome_section(ctx: DocumentContext, cfg: AgencyConfig, form: str) -> tuple[Section, SectionWriter]:
    require(ctx.outcome is not None, "尚无稽核发现和处理意见")
    agency, _unit = agency_names(ctx, cfg, form)
    content = {"case": ctx.case, "party": ctx.party, "outcome": ctx.outcome, "issued_on": ctx.issued_on}
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(agency, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    return sec, w


def _refund_fen(ctx: DocumentContext) -> int:
    """The fund's loss ordered back: the outcome's figure, else the total of findings whose rule requires it."""
    o = ctx.outcome
    assert o is not None
    if o.refund_fen:
        return o.refund_fen
    return sum(f.amount_fen for f in o.findings
               if (r := VIOLATION_RULES.get(f.violation)) is not None and r.refund in ("loss", "always"))


def build_rectification(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "rectification"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    require(o.rectification and o.rectification_deadline, "责令改正需要改正事项和期限")
    assert o.rectification_deadline is not None
    _agency, unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    w.paragraph(
        f"{unit}在对{ctx.party.you}{audit_period(ctx)}期间的{'、'.join(ctx.case.matters)}进行检查时，发现{ctx.party.you}存在以下问题："
    )
    finding_paragraphs(w, ctx, with_handling=True)
    refund = _refund_fen(ctx)
    if refund:
        w.paragraph(f"对上述造成医疗保障基金损失的行为，依法责令{ctx.party.you}退回医疗保障基金{money_both(refund)}。")
    w.paragraph(
        f"根据上述规定，现责令{ctx.party.you}于{numeric_date(o.rectification_deadline)}前改正下列问题，"
        f"并将整改情况书面报送{body.name}："
    )
    numbered(w, o.rectification)
    if o.consequence:
        w.paragraph(o.consequence)
    w.paragraph(review_route(body, "本通知"))
    issue_block(w, cfg, body, ctx.issued_on)
    return [sec]


def build_defence_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    """行政处罚事先告知书 (department: facts, evidence, basis, proposed penalty and amount, 陈述申辩, 听证;
    行政处罚法 Art. 44) or 陈述申辩告知书 (经办机构 before agreement handling; 条例 Art. 13 para. 1)."""
    form = "defence-notice"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    _agency, unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    penalty = body.key == "department"
    if penalty:
        require(o.penalty, "行政处罚事先告知书须写明拟作出的行政处罚种类（行政处罚法第四十四条）")
    work = "医疗保障基金使用监督检查" if penalty else ctx.case.kind
    w.paragraph(f"{unit}在对{ctx.party.you}开展{work}中，经调查核实，认定{ctx.party.you}存在以下事实：")
    finding_paragraphs(w, ctx, with_handling=penalty)
    total = sum(f.amount_fen for f in o.findings)
    if total:
        w.paragraph(f"上述问题涉及医保基金合计{money_both(total)}。")
    if ctx.evidence:
        kinds: dict[str, list[int]] = {}
        for e in ctx.evidence:
            kinds.setdefault(e.kind, []).append(e.seq)
        listed = "；".join(f"{k}{len(v)}项（第{_ranges(v)}项）" for k, v in kinds.items())
        w.paragraph(f"以上事实有下列证据证明：{listed}，共{len(ctx.evidence)}项，"
                    f"详见证据材料登记表（{doc_number(ctx, cfg, 'evidence-list')}）。")
    w.paragraph(f"根据{legal_basis(ctx, cfg, form)}的规定，现将拟作出的处理告知如下：")
    if penalty:
        refund = _refund_fen(ctx)
        if refund:
            w.paragraph(f"1．责令退回医疗保障基金{money_both(refund)}；", indent_chars=2)
        fine = f"，罚款金额{money_both(o.fine_fen)}" if o.fine_fen else ""
        w.paragraph(f"{2 if refund else 1}．拟给予{o.penalty}{fine}。", indent_chars=2)
    else:
        w.paragraph(f"按照医疗保障服务协议的约定，拟作如下处理：{o.handling}")
    w.paragraph(defence_right(body, o.defence_deadline_days, ctx.party.you))
    if penalty and (o.hearing_applies or hearing_applies(cfg, o.fine_fen, o.suspends_services)):
        w.paragraph(hearing_right(body, ctx.party.you))
    issue_block(w, cfg, body, ctx.issued_on)
    return [sec]


def build_result_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "result-notice"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    _agency, unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    w.paragraph(
        f"根据{legal_basis(ctx, cfg, form)}，{unit}对{ctx.party.you}{audit_period(ctx)}期间的{'、'.join(ctx.case.matters)}"
        f"进行了{ctx.case.kind}。现将稽核结果告知如下："
    )
    w.paragraph("一、稽核发现的问题", HEADING)
    total = sum(f.amount_fen for f in o.findings)
    rows = [
        [str(k), f.description, _norm(f.violation, f.basis), money_figures(f.amount_fen)]
        for k, f in enumerate(o.findings, 1)
    ]
    rows.append(["", "合计", "", money_figures(total)])
    w.table(
        [
            Column("序号", 3, "center"),
            Column("问题", 20),
            Column("违反的规定", 12),
            Column("金额（元）", 7, "center"),
        ],
        rows,
    )
    w.space(6)
    w.paragraph(f"涉及医保基金合计{money_both(total)}。")
    w.paragraph("二、处理意见", HEADING)
    w.paragraph(f"按照医疗保障服务协议的约定：{o.handling}")
    if o.rectification:
        w.paragraph("三、整改要求", HEADING)
        numbered(w, o.rectification)
        if o.rectification_deadline is not None:
            w.paragraph(f"请于{numeric_date(o.rectification_deadline)}前完成整改并书面报送整改情况。")
    w.paragraph(("四" if o.rectification else "三") + "、异议和救济", HEADING)
    w.paragraph(objection_route(body, o.objection_deadline_days))
    w.paragraph(review_route(body, "本告知书"))
    issue_block(w, cfg, body, ctx.issued_on)
    return [sec]


def _norm(code: str, fallback: str) -> str:
    rule = VIOLATION_RULES.get(code)
    return rule.norm_text() if rule is not None else fallback


def _ranges(seqs: list[int]) -> str:
    """1, 2, 3, 5 → 1—3、5."""
    out: list[str] = []
    start = prev = seqs[0]
    for n in [*seqs[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}—{prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return "、".join(out)
