"""证据材料登记表: the list of evidence with each item's source, time, place and SHA-256."""

from __future__ import annotations

from app.documents.chinese import numeric_datetime
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext
from app.documents.form_blocks import (
    agency_names,
    check_inspectors,
    doc_number,
    inspector_signatures,
    keep_signatures,
    refusal_note,
    require,
    section_hash,
    signed_value,
)
from app.documents.layout import TINY, Column, Section, SectionWriter, SignatureLine, Style

HASH = Style(TINY.font, 9, 11)  # nothing a person must read below 9 pt; the hash wraps in its column


# -- 证据清单 ----------


def build_evidence_list(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "evidence-list"
    require(ctx.evidence, "证据清单中没有证据")
    check_inspectors(ctx.inspectors, "证据提取")
    agency, _unit = agency_names(ctx, cfg, form)
    content = {
        "case_id": ctx.case.case_id,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "evidence": ctx.evidence,
        "signature": ctx.evidence_signature,
    }
    sec = Section(
        "main",
        section_hash(form, "main", content),
        SignatureLine(("证据提供人签名", "日期"), ctx.evidence_signature),
    )
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, doc_number(ctx, cfg, form))
    w.labelled(f"被稽核{ctx.party.unit}", ctx.party.name)
    w.labelled("稽核通知书文号", doc_number(ctx, cfg, "notice"))  # a person reads a 文号, not a program id
    w.space(4)
    rows = []
    for e in ctx.evidence:
        # to the second: items captured within one minute keep distinct 提取时间
        obtained = f"{numeric_datetime(e.obtained_at)}{e.obtained_at.second:02d}秒\n{e.obtained_place}"
        source = f"{e.source}\n提供人：{e.provider}" if e.provider else e.source
        kind = e.kind + (f"\n（{e.measure}）" if e.measure else "")
        rows.append(
            [
                str(e.seq),
                e.name,
                kind,
                source,
                "原件" if e.original else "复印件",
                e.quantity,
                obtained,
                f"{e.sha256[:32]}\n{e.sha256[32:]}",
            ]
        )
    w.table(
        [
            Column("序号", 3.2, "center"),
            Column("证据名称", 12),
            Column("证据类型", 6.5),
            Column("来源及提供人", 10),
            Column("原件/复印件", 5, "center"),
            Column("页数/数量", 4.6, "center"),
            Column("提取时间、地点", 10.5),
            Column("SHA-256 校验值", 16.5, style=HASH),
        ],
        rows,
    )
    w.space(8)
    w.paragraph(
        f"以上证据共{len(ctx.evidence)}项，系证据提供人向稽核人员提供或者稽核人员依法提取，注明了来源和时间；"
        "复印件、复制件已与原件核对一致；电子数据的完整性校验值（SHA-256）如上表所列。"
    )
    w.paragraph("以下空白", indent_chars=0)
    keep_signatures(w, 1 + len(ctx.inspectors))
    w.sign_row([("证据提供人（签名）", 42, signed_value(ctx.evidence_signature)), ("日期", 36, "")])
    refusal_note(w, ctx.evidence_signature)
    inspector_signatures(w, ctx.inspectors)
    return [sec]

