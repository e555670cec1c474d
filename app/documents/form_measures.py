"""The forms of the holding measures: 先行登记保存证据通知书 + 清单, and 封存决定书 + 封存资料清单 (一式两联)."""

from __future__ import annotations

from app.documents.chinese import chinese_date, numeric_date
from app.documents.config import AgencyConfig
from app.documents.context import DocumentContext, Holding
from app.documents.form_blocks import (
    agency_names,
    check_inspectors,
    days_inclusive,
    doc_number,
    held_table,
    inspector_signatures,
    refusal_note,
    require,
    section_hash,
    signed_value,
)
from app.documents.layout import HEADING, Section, SectionWriter, SignatureLine

# -- 先行登记保存证据通知书 + 清单 ----------


def _held_list(w: SectionWriter, title: str, h: Holding, ctx: DocumentContext) -> None:
    """The list of what is held, signed by the party (or the refusal noted), both inspectors and any witness."""
    w.centered(title, HEADING)
    held_table(w, h.items)
    w.space(6)
    w.sign_row([("当事人（签名）", 42, signed_value(h.signature)), ("日期", 36, "")])
    refusal_note(w, h.signature)
    inspector_signatures(w, ctx.inspectors)
    if h.signature is not None and h.signature.witness:
        w.sign_row([("见证人（签名）", 42, ""), ("日期", 36, "")])


def build_preservation(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "preservation"
    require(ctx.preservation is not None, "没有先行登记保存的证据")
    assert ctx.preservation is not None
    h = ctx.preservation
    require(h.items, "先行登记保存清单为空")
    check_inspectors(ctx.inspectors, "先行登记保存")
    agency, _unit = agency_names(ctx, cfg)
    content = {
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "preservation": h,
        "issued_on": ctx.issued_on,
    }
    sec = Section("main", section_hash(form, "main", content), SignatureLine(("当事人签名", "日期"), h.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    basis = h.basis or cfg.wording(form).basis
    approved = f"经本机关负责人{h.approved_by}批准" if h.approved_by else "经本机关负责人批准"
    w.paragraph(
        f"因{h.reason}，在证据可能灭失或者以后难以取得的情况下，{approved}，根据{basis}的规定，"
        "决定对下列证据予以先行登记保存。"
    )
    w.labelled("保存地点", h.storage_place)
    w.labelled("保存期限", f"自{numeric_date(h.start)}至{numeric_date(h.end)}")
    w.paragraph(
        "在此期间，你单位（人）及其他任何人不得损毁、销毁或者转移上述证据。本机关将在七日内依法作出处理决定；"
        "逾期未作出处理决定的，先行登记保存措施自动解除。"
    )
    w.space(4)
    _held_list(w, "先行登记保存证据清单", h, ctx)
    w.space(4)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


# -- 封存决定书 + 清单（一式两联） ----------

SEALING_COPIES = ("第一联（交被封存单位）", "第二联（稽核机构存档）")


def _sealing_section(ctx: DocumentContext, cfg: AgencyConfig, h: Holding, copy: int) -> Section:
    form = "sealing"
    agency, _unit = agency_names(ctx, cfg)
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
        banner=SEALING_COPIES[copy - 1],
    )
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, doc_number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    w.labelled("地址", ctx.party.address)
    w.labelled("统一社会信用代码", ctx.party.credit_code)
    basis = h.basis or cfg.wording(form).basis
    approved = f"经本机关负责人{h.approved_by}批准" if h.approved_by else "经本机关负责人批准"
    days = days_inclusive(h.start, h.end)
    w.paragraph(
        f"经查，{h.reason}。为防止有关资料被转移、隐匿或者灭失，{approved}，根据{basis}的规定，"
        f"本机关决定对你单位下列资料予以封存（详见封存清单）。"
    )
    w.labelled("封存期限", f"自{numeric_date(h.start)}至{numeric_date(h.end)}，共{days}日")
    w.labelled("封存地点", h.storage_place)
    w.paragraph(
        "封存期间，任何单位和个人不得擅自启封、使用、转移、隐匿、损毁封存的资料。情况复杂的，经本机关负责人批准，"
        "可以延长封存期限，延长期限不得超过三十日，延长决定将书面告知你单位。"
    )
    w.paragraph(cfg.review_route)
    w.space(4)
    w.seal(agency, chinese_date(ctx.issued_on))
    _held_list(w, "封存资料清单", h, ctx)
    return sec


def build_sealing(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    require(ctx.sealing is not None, "没有封存的资料")
    assert ctx.sealing is not None
    h = ctx.sealing
    require(h.items, "封存清单为空")
    require(days_inclusive(h.start, h.end) <= 30, "封存期限不得超过三十日（延长另行决定）")
    check_inspectors(ctx.inspectors, "封存")
    return [_sealing_section(ctx, cfg, h, 1), _sealing_section(ctx, cfg, h, 2)]

