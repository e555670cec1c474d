"""One template per printed form. Each lays a :class:`DocumentContext` out into sections of pages.

Templates, not the national forms: the national template set could not be retrieved, so the wording that
differs between agencies (names, 文号 patterns, legal basis, routes of objection and review, contact) comes
from :class:`AgencyConfig`, and the layout follows the minimum fields listed in DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.documents.chinese import (
    chinese_date,
    money_both,
    money_figures,
    numeric_date,
    numeric_datetime,
    ordinal,
    time_span,
)
from app.documents.config import AgencyConfig
from app.documents.context import (
    DocumentContext,
    DocumentError,
    HeldItem,
    Holding,
    Inspector,
    Interview,
    SignatureMark,
    content_sha256,
)
from app.documents.layout import (
    BODY,
    HEADING,
    SMALL,
    TINY,
    Column,
    Section,
    SectionWriter,
    SignatureLine,
    Style,
)

HASH = Style(TINY.font, 6.2, 8.5)

Builder = Callable[[DocumentContext, AgencyConfig], list[Section]]


@dataclass(frozen=True)
class FormSpec:
    name: str  # the CLI name, e.g. "interview"
    title: str  # the Chinese name, e.g. 询问笔录
    build: Builder


# -- helpers ----------


def _require(cond: object, message: str) -> None:
    if not cond:
        raise DocumentError(message)


def _names(ctx: DocumentContext, cfg: AgencyConfig) -> tuple[str, str]:
    if ctx.agency is not None:
        return ctx.agency.name, ctx.agency.unit
    return cfg.agency_name, cfg.unit_name


def _number(ctx: DocumentContext, cfg: AgencyConfig, form: str) -> str:
    explicit = ctx.case.doc_numbers.get(form)
    if explicit:
        return explicit
    short = ctx.agency.short if ctx.agency is not None else cfg.agency_short
    return cfg.wording(form).number_pattern.format(agency_short=short, year=ctx.case.year, seq=ctx.case.seq)


def _inspectors_text(inspectors: Sequence[Inspector]) -> str:
    return "、".join(f"{i.name}（执法证号：{i.credential_no}）" for i in inspectors)


def _check_inspectors(inspectors: Sequence[Inspector], what: str) -> None:
    _require(len(inspectors) >= 2, f"{what}需要两名以上稽核人员（当前 {len(inspectors)} 名）")
    _require(len({i.credential_no for i in inspectors}) == len(inspectors), f"{what}的稽核人员执法证号重复")


def _period(ctx: DocumentContext) -> str:
    return f"{numeric_date(ctx.case.period_start)}至{numeric_date(ctx.case.period_end)}"


def _opening(cfg: AgencyConfig, form: str, unit: str, inspectors: Sequence[Inspector]) -> str:
    names = "、".join(i.name for i in inspectors)
    return cfg.fill(cfg.wording(form).opening, unit=unit, inspectors=names, days="")


def _signed_value(mark: SignatureMark | None) -> str:
    if mark is None:
        return ""
    if mark.refusal_reason:
        return "拒绝签名"
    return ""


def _party_block(w: SectionWriter, ctx: DocumentContext, label: str = "被稽核单位") -> None:
    p = ctx.party
    w.labelled(label, p.name)
    w.labelled("地址", p.address)
    w.labelled("统一社会信用代码", p.credit_code)
    w.labelled(p.representative_title, p.representative + (f"    联系电话：{p.phone}" if p.phone else ""))


def _contact(w: SectionWriter, cfg: AgencyConfig) -> None:
    c = cfg.contact
    w.space(4)
    w.paragraph(f"联系人：{c.person}    联系电话：{c.phone}", indent_chars=0)
    w.paragraph(f"联系地址：{c.address}", indent_chars=0)


def _inspector_signatures(w: SectionWriter, inspectors: Sequence[Inspector], role: str = "稽核人员") -> None:
    for i in inspectors:
        w.sign_row([(f"{role}（签名）", 38, ""), ("执法证号", 56, i.credential_no)])


def _refusal_note(w: SectionWriter, mark: SignatureMark | None) -> None:
    if mark is not None and mark.refusal_reason:
        text = f"{mark.role}{mark.name}拒绝签名，原因：{mark.refusal_reason}。"
        if mark.witness:
            text += f"见证人：{mark.witness}。"
        w.paragraph(text, SMALL, indent_chars=0)


def _numbered(w: SectionWriter, items: Sequence[str], style: Style = BODY) -> None:
    for k, text in enumerate(items, 1):
        w.paragraph(f"{k}．{text}", style, indent_chars=2)


def _held_table(w: SectionWriter, items: Sequence[HeldItem]) -> None:
    w.table(
        [
            Column("序号", 4, "center"),
            Column("名称", 16),
            Column("规格/编号", 12),
            Column("数量/页数", 7, "center"),
            Column("状态", 7),
            Column("备注", 9),
        ],
        [[str(i.seq), i.name, i.spec, i.quantity, i.condition, i.note] for i in items],
    )


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _hash(form: str, part: str, content: Mapping[str, Any]) -> str:
    return content_sha256(form, part, dict(content))


# -- 稽核通知书 ----------


def build_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "notice"
    _require(ctx.notice is not None, "稽核通知书需要稽核时间和需准备的材料")
    assert ctx.notice is not None
    _check_inspectors(ctx.inspectors, "稽核通知书")
    agency, unit = _names(ctx, cfg)
    n = ctx.notice
    content = {
        "agency": ctx.agency,
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "notice": n,
        "issued_on": ctx.issued_on,
    }
    sec = Section("main", _hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    basis = ctx.case.basis or cfg.wording(form).basis
    matters = "、".join(ctx.case.matters)
    w.paragraph(
        f"根据{basis}的规定，{unit}定于{numeric_datetime(n.audit_at)}起，对你单位{_period(ctx)}期间的"
        f"{matters}等情况进行{ctx.case.form}（{ctx.case.kind}）。现将有关事项通知如下："
    )
    w.paragraph("一、被稽核单位基本情况", HEADING)
    _party_block(w, ctx)
    w.paragraph("二、稽核事项、范围和期间", HEADING)
    w.labelled("稽核事项", matters)
    if ctx.case.scope:
        w.labelled("稽核范围", ctx.case.scope)
    w.labelled("稽核期间", _period(ctx))
    w.labelled("稽核时间", numeric_datetime(n.audit_at))
    if n.place:
        w.labelled("稽核地点", n.place)
    if ctx.case.unannounced:
        w.labelled("说明", f"本次稽核不预先告知，理由：{ctx.case.unannounced_reason}")
    w.paragraph("三、请你单位准备以下材料", HEADING)
    _numbered(w, n.materials)
    w.paragraph("四、稽核人员", HEADING)
    for i in ctx.inspectors:
        org = f"（{i.organisation}）" if i.organisation and i.organisation != unit else ""
        w.paragraph(f"{i.name}{org}    执法证号：{i.credential_no}")
    w.paragraph("五、其他事项", HEADING)
    w.paragraph(
        "你单位应当指定专人配合，如实提供有关资料，并对所提供资料的真实性负责，不得拒绝、阻碍稽核或者谎报、瞒报。"
        "稽核人员与你单位有直接利害关系或者其他关系可能影响公正的，你单位可以申请回避。"
    )
    _contact(w, cfg)
    w.space(6)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


# -- 现场检查笔录 ----------


def build_onsite_record(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "onsite-record"
    _require(ctx.onsite is not None, "现场检查笔录需要现场检查情况")
    assert ctx.onsite is not None
    _check_inspectors(ctx.inspectors, "现场检查")
    _require(ctx.recorder, "现场检查笔录需要记录人")
    agency, unit = _names(ctx, cfg)
    r = ctx.onsite
    content = {
        "case_id": ctx.case.case_id,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "recorder": ctx.recorder,
        "onsite": r,
    }
    sec = Section("main", _hash(form, "main", content), SignatureLine(("被检查人签名", "日期"), r.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    w.labelled("检查时间", time_span(r.start, r.end))
    w.labelled("检查地点", r.place)
    _party_block(w, ctx, "被检查单位")
    w.labelled("检查人员", _inspectors_text(ctx.inspectors))
    w.labelled("记录人", ctx.recorder)
    if r.present:
        w.paragraph("现场人员：", indent_chars=0)
        w.table(
            [Column("姓名", 6), Column("职务", 9), Column("身份证号", 13), Column("联系电话", 9)],
            [[p.name, p.post, p.id_number, p.phone] for p in r.present],
        )
        w.space(6)
    w.paragraph("告知事项", HEADING)
    w.labelled("检查人员", _opening(cfg, form, unit, ctx.inspectors))
    w.labelled("被检查人", r.credentials_answer)
    w.labelled("检查人员", "你是否申请检查人员回避？")
    w.labelled("被检查人", r.recusal_answer)
    w.paragraph("现场检查情况", HEADING)
    w.paragraph(r.findings)
    if r.attachments:
        w.paragraph("附件：", indent_chars=0)
        _numbered(w, r.attachments)
    w.paragraph("被检查人意见", HEADING)
    w.paragraph(r.party_opinion or "（以下由被检查人书写）", indent_chars=2)
    w.space(18)
    w.sign_row([("被检查人（签名）", 42, _signed_value(r.signature)), ("日期", 36, "")])
    _refusal_note(w, r.signature)
    _inspector_signatures(w, ctx.inspectors, "检查人员")
    w.sign_row([("记录人（签名）", 42, ""), ("日期", 36, "")])
    if r.witness is not None:
        w.sign_row([("见证人（签名）", 42, ""), ("身份证号", 46, r.witness.id_number)])
    return [sec]


# -- 询问笔录 ----------


def _interview_section(ctx: DocumentContext, cfg: AgencyConfig, iv: Interview) -> Section:
    form = "interview"
    _check_inspectors(iv.interviewers, "询问")
    agency, unit = _names(ctx, cfg)
    part = f"interview-{iv.number}"
    content = {"case_id": ctx.case.case_id, "party": ctx.party.name, "interview": iv}
    sec = Section(part, _hash(form, part, content), SignatureLine(("被询问人签名", "日期"), iv.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    p = iv.interviewee
    w.labelled("询问次数", f"{ordinal(iv.number)}次")
    w.labelled("询问时间", time_span(iv.start, iv.end))
    w.labelled("询问地点", iv.place)
    w.labelled("询问人", _inspectors_text(iv.interviewers))
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
    w.labelled("问", _opening(cfg, form, unit, iv.interviewers))
    w.labelled("答", iv.recusal_answer)
    for qa in iv.qa:
        w.labelled("问", qa.question, keep_with_next=1)
        w.labelled("答", qa.answer)
    w.labelled("问", "以上笔录请你核对（已向你宣读），是否与你所说的相符？")
    w.labelled("答", "相符。")
    w.space(6)
    w.paragraph("（以下由被询问人亲笔书写）", SMALL, indent_chars=0)
    w.paragraph(iv.closing, indent_chars=2)
    w.space(14)
    w.sign_row([("被询问人（签名）", 42, _signed_value(iv.signature)), ("日期", 36, "")])
    _refusal_note(w, iv.signature)
    _inspector_signatures(w, iv.interviewers, "询问人")
    w.sign_row([("记录人（签名）", 42, ""), ("日期", 36, "")])
    return sec


def build_interview(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    _require(ctx.interviews, "没有可打印的询问笔录")
    return [_interview_section(ctx, cfg, iv) for iv in ctx.interviews]


# -- 证据清单 ----------


def build_evidence_list(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "evidence-list"
    _require(ctx.evidence, "证据清单中没有证据")
    _check_inspectors(ctx.inspectors, "证据提取")
    agency, _unit = _names(ctx, cfg)
    content = {
        "case_id": ctx.case.case_id,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "evidence": ctx.evidence,
        "signature": ctx.evidence_signature,
    }
    sec = Section(
        "main",
        _hash(form, "main", content),
        SignatureLine(("证据提供人签名", "日期"), ctx.evidence_signature),
    )
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    w.labelled("被稽核单位", ctx.party.name)
    w.labelled("案件编号", ctx.case.case_id)
    w.space(4)
    rows = []
    for e in ctx.evidence:
        obtained = f"{numeric_datetime(e.obtained_at)}\n{e.obtained_place}"
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
    w.sign_row([("证据提供人（签名）", 42, _signed_value(ctx.evidence_signature)), ("日期", 36, "")])
    _refusal_note(w, ctx.evidence_signature)
    _inspector_signatures(w, ctx.inspectors)
    return [sec]


# -- 先行登记保存证据通知书 + 清单 ----------


def build_preservation(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "preservation"
    _require(ctx.preservation is not None, "没有先行登记保存的证据")
    assert ctx.preservation is not None
    h = ctx.preservation
    _require(h.items, "先行登记保存清单为空")
    _check_inspectors(ctx.inspectors, "先行登记保存")
    agency, _unit = _names(ctx, cfg)
    content = {
        "case": ctx.case,
        "party": ctx.party,
        "inspectors": ctx.inspectors,
        "preservation": h,
        "issued_on": ctx.issued_on,
    }
    sec = Section("main", _hash(form, "main", content), SignatureLine(("当事人签名", "日期"), h.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
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
    w.centered("先行登记保存证据清单", HEADING)
    _held_table(w, h.items)
    w.space(6)
    w.sign_row([("当事人（签名）", 42, _signed_value(h.signature)), ("日期", 36, "")])
    _refusal_note(w, h.signature)
    _inspector_signatures(w, ctx.inspectors)
    if h.signature is not None and h.signature.witness:
        w.sign_row([("见证人（签名）", 42, ""), ("日期", 36, "")])
    w.space(4)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


# -- 封存决定书 + 清单（一式两联） ----------

SEALING_COPIES = ("第一联（交被封存单位）", "第二联（稽核机构存档）")


def _sealing_section(ctx: DocumentContext, cfg: AgencyConfig, h: Holding, copy: int) -> Section:
    form = "sealing"
    agency, _unit = _names(ctx, cfg)
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
        _hash(form, "main", content),
        SignatureLine(("当事人签名", "日期"), h.signature),
        banner=SEALING_COPIES[copy - 1],
    )
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    w.labelled("地址", ctx.party.address)
    w.labelled("统一社会信用代码", ctx.party.credit_code)
    basis = h.basis or cfg.wording(form).basis
    approved = f"经本机关负责人{h.approved_by}批准" if h.approved_by else "经本机关负责人批准"
    days = _days(h.start, h.end)
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
    w.centered("封存资料清单", HEADING)
    _held_table(w, h.items)
    w.space(6)
    w.sign_row([("当事人（签名）", 42, _signed_value(h.signature)), ("日期", 36, "")])
    _refusal_note(w, h.signature)
    _inspector_signatures(w, ctx.inspectors)
    if h.signature is not None and h.signature.witness:
        w.sign_row([("见证人（签名）", 42, ""), ("日期", 36, "")])
    return sec


def build_sealing(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    _require(ctx.sealing is not None, "没有封存的资料")
    assert ctx.sealing is not None
    h = ctx.sealing
    _require(h.items, "封存清单为空")
    _require(_days(h.start, h.end) <= 30, "封存期限不得超过三十日（延长另行决定）")
    _check_inspectors(ctx.inspectors, "封存")
    return [_sealing_section(ctx, cfg, h, 1), _sealing_section(ctx, cfg, h, 2)]


# -- 责令改正 / 陈述申辩告知 / 稽核结果告知 ----------


def _outcome_section(ctx: DocumentContext, cfg: AgencyConfig, form: str) -> tuple[Section, SectionWriter]:
    _require(ctx.outcome is not None, "尚无稽核发现和处理意见")
    agency, _unit = _names(ctx, cfg)
    content = {"case": ctx.case, "party": ctx.party, "outcome": ctx.outcome, "issued_on": ctx.issued_on}
    sec = Section("main", _hash(form, "main", content), SignatureLine(("签收人", "签收日期")))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    w.paragraph(f"{ctx.party.name}：", indent_chars=0)
    return sec, w


def _findings(w: SectionWriter, ctx: DocumentContext) -> None:
    assert ctx.outcome is not None
    for k, f in enumerate(ctx.outcome.findings, 1):
        amount = f"，涉及医保基金{money_both(f.amount_fen)}" if f.amount_fen else ""
        w.paragraph(f"{k}．{f.description}{amount}。违反了{f.basis}的规定。")


def build_rectification(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "rectification"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    _require(o.rectification and o.rectification_deadline, "责令改正需要改正事项和期限")
    assert o.rectification_deadline is not None
    agency, unit = _names(ctx, cfg)
    w.paragraph(
        f"{unit}在对你单位{_period(ctx)}期间的{'、'.join(ctx.case.matters)}进行稽核时，发现你单位存在以下问题："
    )
    _findings(w, ctx)
    w.paragraph(
        f"根据{cfg.wording(form).basis}的规定，现责令你单位于{numeric_date(o.rectification_deadline)}前"
        "改正下列问题，并将整改情况书面报送本机关："
    )
    _numbered(w, o.rectification)
    if o.consequence:
        w.paragraph(o.consequence)
    _contact(w, cfg)
    w.space(6)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


def build_defence_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "defence-notice"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    agency, unit = _names(ctx, cfg)
    w.paragraph(f"{unit}在对你单位开展{ctx.case.kind}中，经调查核实，认定你单位存在以下事实：")
    _findings(w, ctx)
    if ctx.evidence:
        w.paragraph(f"以上事实有证据材料{len(ctx.evidence)}项（详见证据材料登记表）等为证。")
    total = sum(f.amount_fen for f in o.findings)
    if total:
        w.paragraph(f"上述问题涉及医保基金合计{money_both(total)}。")
    w.paragraph(f"根据{cfg.wording(form).basis}的规定，本机关拟作出如下处理：{o.handling}")
    w.paragraph(
        f"你单位有权进行陈述和申辩。你单位可以自收到本告知书之日起{o.defence_deadline_days}个工作日内，"
        "向本机关提出书面陈述、申辩意见，并提供相关证据材料；逾期未提出的，视为放弃陈述和申辩的权利。"
    )
    if o.hearing_applies:
        w.paragraph("依法你单位还有要求听证的权利。如要求听证，应当自收到本告知书之日起五日内向本机关提出。")
    _contact(w, cfg)
    w.space(6)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


def build_result_notice(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "result-notice"
    sec, w = _outcome_section(ctx, cfg, form)
    o = ctx.outcome
    assert o is not None
    agency, unit = _names(ctx, cfg)
    w.paragraph(
        f"根据{cfg.wording(form).basis}，{unit}对你单位{_period(ctx)}期间的{'、'.join(ctx.case.matters)}"
        f"进行了{ctx.case.kind}。现将稽核结果告知如下："
    )
    w.paragraph("一、稽核发现的问题", HEADING)
    total = sum(f.amount_fen for f in o.findings)
    rows = [
        [str(k), f.description, f.basis, money_figures(f.amount_fen)] for k, f in enumerate(o.findings, 1)
    ]
    rows.append(["", "合计", "", money_figures(total)])
    w.table(
        [
            Column("序号", 3, "center"),
            Column("问题", 20),
            Column("依据", 12),
            Column("金额（元）", 7, "center"),
        ],
        rows,
    )
    w.space(6)
    w.paragraph(f"涉及医保基金合计{money_both(total)}。")
    w.paragraph("二、处理意见", HEADING)
    w.paragraph(o.handling)
    if o.rectification:
        w.paragraph("三、整改要求", HEADING)
        _numbered(w, o.rectification)
        if o.rectification_deadline is not None:
            w.paragraph(f"请于{numeric_date(o.rectification_deadline)}前完成整改并书面报送整改情况。")
    w.paragraph(("四" if o.rectification else "三") + "、异议", HEADING)
    w.paragraph(cfg.fill(cfg.objection_route, days=o.objection_deadline_days, unit="", inspectors=""))
    _contact(w, cfg)
    w.space(6)
    w.seal(agency, chinese_date(ctx.issued_on))
    return [sec]


# -- 送达回证 ----------


def build_service_receipt(ctx: DocumentContext, cfg: AgencyConfig) -> list[Section]:
    form = "service-receipt"
    _require(ctx.service is not None, "没有送达记录")
    assert ctx.service is not None
    s = ctx.service
    _require(s.servers, "送达回证需要送达人")
    if s.method.startswith("留置"):
        _require(s.refusal_reason and s.witness, "留置送达需要注明拒收事由和见证人")
    agency, _unit = _names(ctx, cfg)
    content = {"case_id": ctx.case.case_id, "service": s}
    sec = Section("main", _hash(form, "main", content), SignatureLine(("受送达人签名", "日期"), s.signature))
    w = SectionWriter(sec)
    w.header(agency, cfg.wording(form).title, _number(ctx, cfg, form))
    sig_cell = "\n\n" + " " * 40 + "年    月    日"
    refusal = s.refusal_reason or "—"
    photos = "、".join(s.photos) if s.photos else "—"
    rows = [
        ["送达文书名称", s.document_title],
        ["文号", s.document_number],
        ["受送达人", s.recipient],
        ["送达地点", s.place],
        ["送达方式", s.method],
        ["送达时间", numeric_datetime(s.served_at)],
        ["受送达人签名或盖章", sig_cell],
        ["送达人（签名）", "、".join(s.servers)],
        ["拒收事由", refusal],
        ["见证人（签名）", s.witness or "—"],
        ["现场照片", photos],
        [
            "备注",
            "受送达人拒绝签收的，送达人在本回证上注明拒收事由和日期，由送达人、见证人签名，"
            "把文书留在受送达人的住所，即视为送达。",
        ],
    ]
    w.table(
        [Column("项目", 5, "center"), Column("内容", 15)],
        rows,
        style=BODY,
        head_style=HEADING,
        show_head=False,
    )
    w.space(4)
    w.seal(agency, chinese_date(s.served_at.date()))
    return [sec]


FORMS: dict[str, FormSpec] = {
    spec.name: spec
    for spec in (
        FormSpec("notice", "稽核通知书", build_notice),
        FormSpec("onsite-record", "现场检查笔录", build_onsite_record),
        FormSpec("interview", "询问笔录", build_interview),
        FormSpec("evidence-list", "证据材料登记表", build_evidence_list),
        FormSpec("preservation", "先行登记保存证据通知书", build_preservation),
        FormSpec("sealing", "封存决定书", build_sealing),
        FormSpec("rectification", "责令改正通知书", build_rectification),
        FormSpec("defence-notice", "陈述申辩告知书", build_defence_notice),
        FormSpec("result-notice", "稽核结果告知书", build_result_notice),
        FormSpec("service-receipt", "送达回证", build_service_receipt),
    )
}
