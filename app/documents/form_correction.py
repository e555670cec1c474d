"""更正（补正）通知书: the only way to change a document after it was served (:mod:`app.workflow.correction`).

Issued in the name of the body that issued the original (``issuer`` "served" in the form table), it names the
original's title, 文号 and date, lists each correction (原文 → 更正为) as the inspector typed it, states the
reason, and says that the rest of the original stands. Where the original affects the party, the correction
states the same route of review as the original does (:func:`app.documents.remedies.review_route`)."""

from __future__ import annotations

from app.documents.chinese import numeric_date
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext
from app.documents.form_blocks import (
    agency_names,
    doc_number,
    form_title,
    issue_block,
    issuer,
    require,
    section_hash,
)
from app.documents.form_table import FORM_INFO
from app.documents.layout import Section, SectionWriter, SignatureLine
from app.documents.remedies import review_route


def build_correction(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "correction"
    c = ctx.correction
    require(c is not None, "更正（补正）通知书须写明所更正的文书")
    assert c is not None
    require(c.items and all(old.strip() and new.strip() for old, new in c.items),
            "更正（补正）通知书须逐项写明原文和更正后的内容")
    require(c.reason.strip(), "更正（补正）通知书须写明更正理由")
    require(c.form in FORM_INFO, "所更正的文书类型未知")
    body = issuer(ctx, cfg, form)
    seal, _unit = agency_names(ctx, cfg, form)
    content = {"case": ctx.case, "party": ctx.party, "correction": c, "issued_on": ctx.issued_on}
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(seal, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    named = f"《{c.title}》" + (f"（{c.number}）" if c.number else "")
    w.paragraph(f"{body.name}于{numeric_date(c.issued_on)}向{ctx.party.you}出具的{named}已送达。"
                f"因{c.reason.strip().rstrip('。')}，现对该文书作如下更正（补正）：")
    for k, (old, new) in enumerate(c.items, 1):
        w.paragraph(f"{k}．原文：“{old.strip()}”", indent_chars=2)
        w.paragraph(f"更正为：“{new.strip()}”", indent_chars=4)
    w.paragraph(f"除上述更正（补正）内容外，{named}的其他内容不变，继续有效。本通知书与原文书一并使用。")
    if FORM_INFO[c.form].affects_party:
        w.paragraph(review_route(body, "本通知书"))
    issue_block(w, cfg, body, ctx.issued_on)
    return [sec]
