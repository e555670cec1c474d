"""The decision the office takes after the visit: 行政处罚决定书 when the department runs the case (行政处罚法
Art. 57, 59), or the 经办机构's 稽核处理决定书 under the service agreement. Printed at the office
(``archive/office/outcome.py``) from the decision step its head of section signed, with the findings the
laptop pushed; laid out and frozen like every other form."""

from __future__ import annotations

from app.documents.chinese import money_both, numeric_date
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext
from app.documents.form_blocks import (
    agency_names,
    doc_number,
    finding_paragraphs,
    form_title,
    issue_block,
    issuer,
    legal_basis,
    party_block,
    require,
    section_hash,
)
from app.documents.layout import HEADING, Section, SectionWriter, SignatureLine
from app.documents.remedies import review_route


def build_decision(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "decision"
    require(ctx.decision is not None, "尚无办公室作出的决定（决定在档案中心的案件办理中作出）")
    require(ctx.outcome is not None, "尚无稽核发现")
    d, o = ctx.decision, ctx.outcome
    assert d is not None and o is not None
    require(d.text.strip(), "决定书须写明决定内容")
    body = issuer(ctx, cfg, form)
    seal, unit = agency_names(ctx, cfg, form)
    penalty = body.key == "department"
    content = {"case": ctx.case, "party": ctx.party, "outcome": ctx.outcome, "decision": d,
               "issued_on": ctx.issued_on}
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(seal, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    party_block(w, ctx, "当事人")
    w.space(4)
    w.paragraph(f"{unit}在对{ctx.party.you}开展{ctx.case.kind or '医疗保障基金使用监督检查'}中，经调查核实，认定{ctx.party.you}存在以下事实：")
    finding_paragraphs(w, ctx, with_handling=penalty)
    total = sum(f.amount_fen for f in o.findings)
    if total:
        w.paragraph(f"上述问题涉及医保基金合计{money_both(total)}。")
    heard = []
    if d.waived_defence:
        heard.append(f"{ctx.party.you}明确放弃陈述、申辩权利")
    if d.hearing:
        heard.append(f"应{ctx.party.you}要求，本机关于{d.hearing}举行了听证")
    if d.legal_review:
        heard.append(f"本案经法制审核（{d.legal_review}）")
    if heard:
        w.paragraph("；".join(heard) + "。")
    w.paragraph(f"根据{legal_basis(ctx, cfg, form)}的规定，现决定如下：")
    w.paragraph(d.text)
    if d.amount_fen:
        w.paragraph(f"责令{ctx.party.you}退回医疗保障基金{money_both(d.amount_fen)}。")
    w.paragraph("救济途径", HEADING)
    w.paragraph(review_route(body, "本决定"))
    w.paragraph(f"签发：{d.signed_by}（{d.signed_role}）    {numeric_date(d.decided_on)}", indent_chars=0)
    issue_block(w, cfg, body, d.decided_on)
    return [sec]
