"""What the form builders share: the checks every form makes, the numbering and names from the agency
configuration, the content hash of a record, and the blocks several forms print (party, contact, signatures,
numbered lists, the table of held items)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from app.documents.chinese import numeric_date
from app.documents.config import AgencyConfig, Body
from app.documents.context import (
    DocumentContext,
    DocumentError,
    HeldItem,
    Inspector,
    SignatureMark,
    content_sha256,
)
from app.documents.layout import BODY, MM, SMALL, Column, SectionWriter, Style


def require(cond: object, message: str) -> None:
    if not cond:
        raise DocumentError(message)


def case_track(ctx: DocumentContext, cfg: AgencyConfig) -> str:
    """The body running the case: "department" (行政检查) or "agency" (稽核 under the agreement)."""
    return ctx.case.track or cfg.default_track


def issuer(ctx: DocumentContext, cfg: AgencyConfig, form: str, served_form: str = "") -> Body:
    """The body whose name, 文号 series, seal and contact ``form`` carries; refuses a body without the power.

    A case-level override (:class:`app.documents.context.Agency`, a joint audit) renames that body."""
    from app.documents.powers import form_body

    if form == "correction" and not served_form and ctx.correction is not None:
        served_form = ctx.correction.form  # the body that issued the original corrects it
    body = cfg.body(form_body(form, case_track(ctx, cfg), served_form))
    if ctx.agency is not None:
        name = ctx.agency.name if body.key == "department" else ctx.agency.unit
        short = ctx.agency.short if body.key == "department" else body.short
        body = dataclasses.replace(body, name=name, seal=name, short=short)
    return body


def agency_names(ctx: DocumentContext, cfg: AgencyConfig, form: str = "") -> tuple[str, str]:
    """(the name on the header and seal, the name of the body acting in the text): one issuing body."""
    if not form:
        return (ctx.agency.name, ctx.agency.unit) if ctx.agency is not None else (cfg.agency_name, cfg.unit_name)
    body = issuer(ctx, cfg, form)
    return body.seal, body.name


def form_title(ctx: DocumentContext, cfg: AgencyConfig, form: str) -> str:
    return cfg.wording(form).title_for(issuer(ctx, cfg, form).key)


def doc_number(ctx: DocumentContext, cfg: AgencyConfig, form: str, sub: int = 0) -> str:
    """The form's 文号 in its issuing body's series; ``sub`` numbers one of several records of the form (the
    n-th 询问笔录: 17-2), so no two documents of a case share a 文号."""
    explicit = ctx.case.doc_numbers.get(form)
    if explicit:
        return explicit
    short = issuer(ctx, cfg, form).short
    if not sub and form == "correction" and ctx.correction is not None:
        sub = ctx.correction.sub
    seq = f"{ctx.case.seq}-{sub}" if sub else ctx.case.seq
    return cfg.wording(form).number_pattern.format(agency_short=short, year=ctx.case.year, seq=seq)


def legal_basis(ctx: DocumentContext, cfg: AgencyConfig, form: str) -> str:
    """The form's legal basis from the one citation table, for the issuing body."""
    from app.citations import basis_text

    return basis_text(form, issuer(ctx, cfg, form).key)


def inspectors_text(inspectors: Sequence[Inspector]) -> str:
    return "、".join(f"{i.name}（执法证号：{i.credential_no}）" for i in inspectors)


def check_inspectors(inspectors: Sequence[Inspector], what: str) -> None:
    require(len(inspectors) >= 2, f"{what}需要两名以上稽核人员（当前 {len(inspectors)} 名）")
    require(len({i.credential_no for i in inspectors}) == len(inspectors), f"{what}的稽核人员执法证号重复")


def audit_period(ctx: DocumentContext) -> str:
    return f"{numeric_date(ctx.case.period_start)}至{numeric_date(ctx.case.period_end)}"


def opening(cfg: AgencyConfig, form: str, unit: str, inspectors: Sequence[Inspector]) -> str:
    names = "、".join(i.name for i in inspectors)
    return cfg.fill(cfg.wording(form).opening, unit=unit, inspectors=names, days="")


def signed_value(mark: SignatureMark | None) -> str:
    if mark is None:
        return ""
    if mark.refusal_reason:
        return "拒绝签名"
    return ""


def party_block(w: SectionWriter, ctx: DocumentContext, label: str = "") -> None:
    """The party's lines: name (``label``, 被稽核单位 or 被稽核人 by default), address, identifier, and the legal
    representative or head with the phone; a person has no representative: the phone has a line of its own."""
    p = ctx.party
    w.labelled(label or f"被稽核{p.unit}", p.name)
    w.labelled("地址", p.address)
    w.labelled(p.identifier_label, p.credit_code)
    if p.representative_title:
        w.labelled(p.representative_title, p.representative + (f"    联系电话：{p.phone}" if p.phone else ""))
    elif p.phone:
        w.labelled("联系电话", p.phone)


def contact_block(w: SectionWriter, cfg: AgencyConfig, body: Body | None = None) -> None:
    c = body.contact if body is not None else cfg.contact
    w.space(4)
    w.paragraph(f"联系人：{c.person}    联系电话：{c.phone}", indent_chars=0)
    w.paragraph(f"联系地址：{c.address}", indent_chars=0)


SEAL_HEIGHT = 2 * 20 * MM + 6  # layout.SectionWriter.seal: the dashed circle of radius 20 mm


def issue_block(w: SectionWriter, cfg: AgencyConfig, body: Body, day: dt.date, *, contact: bool = True,
                keep: float = 0.0) -> None:
    """Contact, then the issuing body's name and date (Arabic numerals, GB/T 9704-2012 7.3.5.1) in the seal
    area, kept on one page with ``keep`` points of what precedes: the seal never stands alone on a page."""
    needed = SEAL_HEIGHT + 6 + keep + ((4 + 2 * BODY.leading) if contact else 0)
    w.ensure(needed)
    if contact:
        contact_block(w, cfg, body)
    w.space(6)
    w.seal(body.seal, numeric_date(day))


def inspector_signatures(w: SectionWriter, inspectors: Sequence[Inspector], role: str = "稽核人员") -> None:
    for i in inspectors:  # 12 pt row: the printed 执法证号 stays at 10.5 pt, never shrunk below 9 pt
        w.sign_row([(f"{role}（签名）", 38, ""), ("执法证号", 56, i.credential_no)], SMALL)


def keep_signatures(w: SectionWriter, rows: int) -> None:
    """Start a new page unless ``rows`` signature rows fit: no signature line stands alone on a page."""
    w.ensure(BODY.leading * 1.6 * rows + 4)


def refusal_note(w: SectionWriter, mark: SignatureMark | None) -> None:
    if mark is not None and mark.refusal_reason:
        text = f"{mark.role}{mark.name}拒绝签名，原因：{mark.refusal_reason}。"
        if mark.witness:
            text += f"见证人：{mark.witness}。"
        w.paragraph(text, SMALL, indent_chars=0)


def numbered(w: SectionWriter, items: Sequence[str], style: Style = BODY) -> None:
    for k, text in enumerate(items, 1):
        w.paragraph(f"{k}．{text}", style, indent_chars=2)


def held_table(w: SectionWriter, items: Sequence[HeldItem]) -> None:
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


def days_inclusive(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def section_hash(form: str, part: str, content: Mapping[str, Any]) -> str:
    return content_sha256(form, part, dict(content))



def finding_paragraphs(w: SectionWriter, ctx: DocumentContext, *, with_handling: bool) -> None:
    """Each finding with the norm it violates and, on the department's forms, the handling article with its 项,
    all from the one citation table (a finding of a type outside the table prints its own basis text)."""
    from app.citations import VIOLATION_RULES
    from app.documents.chinese import money_both

    assert ctx.outcome is not None
    for k, f in enumerate(ctx.outcome.findings, 1):
        amount = f"，涉及医保基金{money_both(f.amount_fen)}" if f.amount_fen else ""
        rule = VIOLATION_RULES.get(f.violation)
        if rule is None:
            w.paragraph(f"{k}．{f.description}{amount}。违反了{f.basis}的规定。")
            continue
        text = f"{k}．{f.description}{amount}。上述行为违反了{rule.norm_text()}的规定"
        if with_handling:
            text += f"，依据{rule.handling_text()}处理"
            if rule.refund_text():
                text += f"，{rule.refund_text()}"
        w.paragraph(text + "。")
