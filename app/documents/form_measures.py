"""The forms of the holding measures: 先行登记保存证据通知书 + 清单, and 封存决定书 + 封存资料清单 (一式两联)."""

from __future__ import annotations

from app.documents.chinese import numeric_date
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext, Holding, Party
from app.documents.form_blocks import (
    SEAL_HEIGHT,
    agency_names,
    check_inspectors,
    days_inclusive,
    doc_number,
    form_title,
    held_table,
    inspector_signatures,
    issue_block,
    issuer,
    keep_signatures,
    legal_basis,
    refusal_note,
    require,
    section_hash,
    signed_value,
)
from app.documents.layout import BODY, HEADING, MM, TABLE, Section, SectionWriter, SignatureLine
from app.documents.powers import check_approver
from app.documents.remedies import review_route

# -- 先行登记保存证据通知书 + 清单 ----------


def _held_list(w: SectionWriter, title: str, h: Holding, ctx: DocumentContext) -> None:
    """The list of what is held, signed by the party (or the refusal noted), both inspectors and any witness.

    A list short enough for one page starts on a page where its signatures fit too: a signature line never
    stands alone on a page."""
    witness = h.signature is not None and bool(h.signature.witness)
    estimate = (HEADING.leading + TABLE.leading * (1 + 2 * len(h.items)) + 10
                + BODY.leading * 1.6 * (1 + len(ctx.inspectors) + int(witness)))
    if estimate < 200 * MM:
        w.ensure(estimate)
    w.centered(title, HEADING)
    held_table(w, h.items)
    w.space(6)
    witness = h.signature is not None and bool(h.signature.witness)
    keep_signatures(w, 1 + len(ctx.inspectors) + int(witness))
    w.sign_row([("当事人（签名）", 42, signed_value(h.signature)), ("日期", 36, "")])
    refusal_note(w, h.signature)
    inspector_signatures(w, ctx.inspectors, "执法人员")  # the held lists are the department's alone
    if h.signature is not None and h.signature.witness:
        w.sign_row([("见证人（签名）", 42, ""), ("日期", 36, "")])


def build_preservation(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "preservation"
    require(ctx.preservation is not None, "没有先行登记保存的证据")
    assert ctx.preservation is not None
    h = ctx.preservation
    require(h.items, "先行登记保存清单为空")
    check_inspectors(ctx.inspectors, "先行登记保存")
    agency, _unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    check_approver(h.approved_by, cfg, "preservation")
    content = {
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "preservation": h,
        "issued_on": ctx.issued_on,
    }
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("当事人签名", "日期"), h.signature))
    w = SectionWriter(sec)
    w.header(agency, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    basis = legal_basis(ctx, cfg, form)
    approved = f"经本机关负责人{h.approved_by}批准" if h.approved_by else "经本机关负责人批准"
    w.paragraph(
        f"因{h.reason}，在证据可能灭失或者以后难以取得的情况下，{approved}，根据{basis}的规定，"
        "决定对下列证据予以先行登记保存。"
    )
    w.labelled("保存地点", h.storage_place)
    w.labelled("保存期限", f"自{numeric_date(h.start)}至{numeric_date(h.end)}")
    w.paragraph(
        f"在此期间，{ctx.party.you}及其他任何人不得损毁、销毁或者转移上述证据。本机关将在七日内依法作出处理决定；"
        "逾期未作出处理决定的，先行登记保存措施自动解除。"
    )
    w.ensure(SEAL_HEIGHT + 4 * BODY.leading)  # the remedies paragraph stays with the seal
    w.paragraph(review_route(body, "本通知"))
    w.space(4)
    issue_block(w, cfg, body, ctx.issued_on, contact=False)
    w.space(4)
    _held_list(w, "先行登记保存证据清单", h, ctx)
    return [sec]


# -- 封存决定书 + 清单（一式两联） ----------

def sealing_copies(party: Party) -> tuple[str, str]:
    """The two copies' banners: the first goes to the party (被封存单位, or 被封存人 for a person), the department
    keeps the second."""
    return f"第一联（交被封存{party.unit}）", "第二联（本机关存档）"


def _sealing_section(ctx: DocumentContext, cfg: AgencyConfig, h: Holding, copy: int) -> Section:
    form = "sealing"
    agency, _unit = agency_names(ctx, cfg, form)
    body = issuer(ctx, cfg, form)
    content = {
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "sealing": h,
        "issued_on": ctx.issued_on,
    }
    part = f"copy-{copy}"
    # both copies render the same record: the same content hash, told apart by ``part`` in the QR code
    sec = Section(
        part,
        section_hash(form, "main", content),
        SignatureLine(("当事人签名", "日期"), h.signature),
        banner=sealing_copies(ctx.party)[copy - 1],
    )
    w = SectionWriter(sec)
    w.header(agency, form_title(ctx, cfg, form), doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    w.labelled("地址", ctx.party.address)
    w.labelled(ctx.party.identifier_label, ctx.party.credit_code)
    basis = legal_basis(ctx, cfg, form)
    approved = f"经本机关负责人{h.approved_by}批准" if h.approved_by else "经本机关负责人批准"
    days = days_inclusive(h.start, h.end)
    w.paragraph(
        f"经查，{h.reason}。为防止有关资料被转移、隐匿或者灭失，{approved}，根据{basis}的规定，"
        f"本机关决定对{ctx.party.you}下列资料予以封存（详见封存清单）。"
    )
    w.labelled("封存期限", f"自{numeric_date(h.start)}至{numeric_date(h.end)}，共{days}日（自采取封存措施之日起计算）")
    w.labelled("封存地点", h.storage_place)
    if h.extension_days:
        w.labelled(
            "延长期限",
            f"经本机关负责人{h.extension_approved_by}批准，延长{h.extension_days}日，理由：{h.extension_reason}",
        )
    w.paragraph(
        "封存期间，任何单位和个人不得擅自启封、使用、转移、隐匿、损毁封存的资料。情况复杂的，经本机关负责人批准，"
        f"可以延长封存期限，延长期限不得超过三十日，延长决定将书面告知{ctx.party.you}并说明理由。"
    )
    w.ensure(SEAL_HEIGHT + 5 * BODY.leading)  # the remedies paragraph stays with the seal
    w.paragraph(f"{ctx.party.you}有权对本封存决定进行陈述和申辩。" + review_route(body, "本决定"))
    w.space(4)
    issue_block(w, cfg, body, ctx.issued_on, contact=False)
    _held_list(w, "封存资料清单", h, ctx)
    if copy == 2:
        _sealing_record(w, ctx, h)
    return sec


def _sealing_record(w: SectionWriter, ctx: DocumentContext, h: Holding) -> None:
    """现场笔录 of the sealing act (行政强制法 Art. 18(四)–(九)): time, place, who was there, that the reasons,
    basis, rights and remedies were told on the spot, the party's statement, signatures (a witness when the
    party is absent or refuses)."""
    from app.documents.chinese import numeric_datetime

    w.space(6)
    w.ensure(HEADING.leading + 6 * BODY.leading)  # the record's title never ends a page
    w.centered("封存现场笔录", HEADING)
    taken = numeric_datetime(h.taken_at) if h.taken_at is not None else numeric_date(h.start)
    w.labelled("封存时间", taken)
    w.labelled("封存地点", h.storage_place)
    w.labelled("当事人到场人员", h.present or "＿＿＿＿＿＿＿＿（未到场的，邀请见证人到场并签名）")
    w.labelled("执法人员", "、".join(f"{i.name}（执法证号：{i.credential_no}）" for i in ctx.inspectors))
    w.paragraph(
        "执法人员出示执法证件，当场告知当事人采取封存措施的理由、依据，以及当事人依法享有的陈述、申辩权利和申请"
        "行政复议、提起行政诉讼的途径和期限，并听取了当事人的陈述和申辩。封存决定书和封存资料清单已当场交付。"
    )
    w.labelled("当事人陈述申辩", h.party_statement or "（由当事人书写）")
    w.paragraph("以下空白", indent_chars=0)
    w.space(12)
    witness = True  # the 见证人 row stays for a party absent or refusing (行政强制法 Art. 18(九))
    keep_signatures(w, 1 + len(ctx.inspectors) + int(witness))
    w.sign_row([("当事人（签名）", 42, signed_value(h.signature)), ("日期", 36, "")])
    refusal_note(w, h.signature)
    inspector_signatures(w, ctx.inspectors, "执法人员")
    if witness:
        w.sign_row([("见证人（签名）", 42, ""), ("日期", 36, "")])


def build_sealing(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    require(ctx.sealing is not None, "没有封存的资料")
    assert ctx.sealing is not None
    h = ctx.sealing
    require(h.items, "封存清单为空")
    require(days_inclusive(h.start, h.end) <= 30, "封存期限不得超过三十日（延长另行决定）")
    check_inspectors(ctx.inspectors, "封存")
    check_approver(h.approved_by, cfg, "sealing")
    if h.extension_days:
        require(h.extension_reason, "延长封存期限须说明理由（行政强制法第二十五条）")
        require(h.extension_days <= 30, "延长封存期限不得超过三十日（行政强制法第二十五条）")
    return [_sealing_section(ctx, cfg, h, 1), _sealing_section(ctx, cfg, h, 2)]

