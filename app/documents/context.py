"""The input of every printed form: plain frozen dataclasses, no store, no Qt.

This is the boundary between the encrypted store and the printer. Whoever prints maps a case onto a
:class:`DocumentContext`; the templates read nothing else (agency wording comes from
:class:`app.documents.config.AgencyConfig`). Amounts are integer fen, times are naive local
``datetime`` values as shown to the party, hashes are lower-case hex.

:func:`canonical_content` turns any part of a context into plain JSON data; the SHA-256 of its canonical
form (RFC 8785) is what every page's QR code carries, so a printed page can be matched to the record it
renders (a PDF cannot carry its own hash).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.evidence.canonical import canonical_sha256


class DocumentError(ValueError):
    """The context lacks what a form needs (a user-facing error: fill in the missing part)."""


@dataclass(frozen=True)
class Agency:
    """Overrides the configured agency for one case (e.g. a joint audit run by another office)."""

    name: str  # issuing authority, e.g. 某市医疗保障局
    unit: str  # the unit doing the audit, e.g. 某市医疗保障基金稽核中心
    short: str  # the abbreviation used in 文号, e.g. 某医保


@dataclass(frozen=True)
class Inspector:
    name: str
    credential_no: str  # 执法证号 / 稽核证号
    organisation: str = ""


@dataclass(frozen=True)
class Person:
    """Someone present, interviewed, witnessing or receiving a document."""

    name: str
    post: str = ""  # 职务
    id_number: str = ""  # 居民身份证号
    phone: str = ""
    sex: str = ""  # 男 / 女
    age: int | None = None
    employer: str = ""  # 工作单位
    address: str = ""
    relation: str = ""  # relation to the case, e.g. 被检查单位医保办主任


@dataclass(frozen=True)
class Party:
    """被稽核单位 (or person)."""

    name: str
    address: str
    credit_code: str  # 统一社会信用代码 (or 居民身份证号 for a person)
    representative: str  # 法定代表人 / 负责人
    representative_title: str = "法定代表人"  # or 负责人; "" for a person (no line printed)
    phone: str = ""
    kind: str = ""  # 定点医疗机构, 定点零售药店, 用人单位, ...
    #: 参保人员: addressed as 你, named by the 公民身份号码. Derived from the kind, so left out of the content hashes
    #: (:func:`canonical_content`): a document issued before it existed is not made stale by it.
    is_person: bool = field(default=False, metadata={"derived": True})

    @property
    def you(self) -> str:
        """How a form addresses the party: 你单位, or 你 for a person."""
        return "你" if self.is_person else "你单位"

    @property
    def unit(self) -> str:
        """被稽核单位 / 被稽核人: what the party is called after 被…."""
        return "人" if self.is_person else "单位"

    @property
    def identifier_label(self) -> str:
        """统一社会信用代码, or for a person 公民身份号码 (居民身份证法 Art. 3)."""
        return "公民身份号码" if self.is_person else "统一社会信用代码"


@dataclass(frozen=True)
class CaseInfo:
    case_id: str
    year: int  # the year in 文号
    seq: int  # the serial number in 文号
    kind: str  # 日常稽核 / 专项稽核 / 重点稽核 / 举报稽核 / 飞行检查
    form: str  # 实地稽核 / 书面稽核
    period_start: dt.date  # period covered by the audit
    period_end: dt.date
    matters: tuple[str, ...]  # 稽核事项
    scope: str = ""  # 稽核范围
    basis: str = ""  # legal basis; empty: the agency's wording for the form
    doc_numbers: Mapping[str, str] = field(default_factory=dict)  # form → 文号, overriding the pattern
    unannounced: bool = False
    unannounced_reason: str = ""
    track: str = ""  # "department" / "agency": the body running the case ("" = the agency file's default_track)


@dataclass(frozen=True)
class SignatureMark:
    """A signature on paper: either captured (image, time) or refused with a reason and a witness."""

    role: str  # 被检查人, 被询问人, 证据提供人, 签收人, 见证人, ...
    name: str
    signed_at: dt.datetime | None = None
    image_png: bytes | None = None  # the rendered handwriting, if captured on the pad
    refusal_reason: str = ""
    witness: str = ""  # 见证人 when the party refuses or is absent


@dataclass(frozen=True)
class QA:
    question: str
    answer: str


@dataclass(frozen=True)
class Interview:
    """One 询问（调查）笔录."""

    number: int  # 第 n 次询问
    start: dt.datetime
    end: dt.datetime
    place: str
    interviewers: tuple[Inspector, ...]
    recorder: str
    interviewee: Person
    qa: tuple[QA, ...]  # as recorded, in order (a recusal or closing question only if it was asked)
    recusal_answer: str = ""  # printed only when recorded apart from the questions
    closing: str = ""  # the interviewee's own closing words, written by hand: never typeset
    signature: SignatureMark | None = None
    opening: str = ""  # the opening statement as recorded (empty: none was recorded)
    record_id: str = ""  # the signed record this renders (empty for a bare context)
    time_text: str = ""  # printed instead of start–end when the record holds no times


@dataclass(frozen=True)
class OnsiteRecord:
    """One 现场检查笔录."""

    start: dt.datetime
    end: dt.datetime
    place: str
    present: tuple[Person, ...]  # the party's people present
    findings: str  # objective description; paragraphs separated by newlines
    credentials_answer: str = ""  # the party's answer to what was told, as recorded
    recusal_answer: str = ""  # printed only when recorded
    attachments: tuple[str, ...] = ()  # e.g. 现场照片12张（编号P001—P012）
    party_opinion: str = ""  # 被检查人意见
    witness: Person | None = None
    signature: SignatureMark | None = None
    opening: str = ""  # what the inspectors told the party, as recorded
    present_text: str = ""  # the people present when recorded as one line of text
    record_id: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    seq: int
    name: str
    kind: str  # 书证, 物证, 视听资料, 电子数据, 证人证言, 当事人陈述, 鉴定意见, 勘验笔录/现场笔录
    source: str  # 来源
    provider: str
    original: bool  # 原件 (True) or 复印件/复制件 (False)
    quantity: str  # 12页, 1份, 3张, 1.2 GB ...
    obtained_at: dt.datetime
    obtained_place: str
    sha256: str
    measure: str = ""  # 条例 Art. 27 measure used (复制, 照相, ...)
    note: str = ""


@dataclass(frozen=True)
class HeldItem:
    """An item under 先行登记保存 or 封存."""

    seq: int
    name: str
    spec: str  # 规格 / 编号
    quantity: str
    condition: str = ""  # 状态
    note: str = ""


@dataclass(frozen=True)
class Holding:
    """A 先行登记保存 or 封存 decision with its list."""

    items: tuple[HeldItem, ...]
    reason: str
    storage_place: str
    start: dt.date
    end: dt.date
    approved_by: str = ""  # the head who approved (行政处罚法 Art. 56 / 行政强制法 Art. 18)
    basis: str = ""  # unused by the forms (their basis comes from the citation table); kept for old callers
    signature: SignatureMark | None = None
    taken_at: dt.datetime | None = None  # when the measure was taken on site: the period counts from this day
    present: str = ""  # who of the party was present (行政强制法 Art. 18(四)); "" = absent, a witness signs
    party_statement: str = ""  # the party's 陈述、申辩 heard on the spot (行政强制法 Art. 18(六))
    extension_days: int = 0  # 封存 extended once (行政强制法 Art. 25), with its reason and approval
    extension_reason: str = ""
    extension_approved_by: str = ""


@dataclass(frozen=True)
class Finding:
    description: str
    basis: str  # free text, printed only when ``violation`` is not a type of the citation table
    amount_fen: int = 0
    violation: str = ""  # violation type code: its citations come from app.citations.VIOLATION_RULES


@dataclass(frozen=True)
class Outcome:
    """Findings and their handling, for 责令改正, 陈述申辩告知, 稽核结果告知."""

    findings: tuple[Finding, ...]
    handling: str  # proposed or decided handling
    rectification: tuple[str, ...] = ()  # what to correct
    rectification_deadline: dt.date | None = None
    consequence: str = ""  # what follows if not corrected
    defence_deadline_days: int = 5  # working days (001 Art. 22)
    hearing_applies: bool = False  # forced on; otherwise decided by the fine against the agency's threshold
    objection_deadline_days: int = 15
    penalty: str = ""  # the proposed penalty's kind, e.g. 罚款 / 暂停相关责任部门涉及基金使用的医药服务
    fine_fen: int = 0  # the proposed fine
    refund_fen: int = 0  # the fund's loss ordered back (责令退回); 0 = the findings' total where a rule requires it
    suspends_services: bool = False  # 暂停 / 解除: a heavier penalty that carries the hearing right


@dataclass(frozen=True)
class Decision:
    """The office's decision after the visit (``archive/office/procedure.py``), as its signed step recorded it."""

    number: str  # 文号
    decided_on: dt.date
    text: str  # the decision as the head of section wrote it
    amount_fen: int  # the amount ordered back to the fund
    signed_by: str  # the office user who took the step
    signed_role: str  # their role, e.g. 科室负责人
    legal_review: str = ""  # "赵审核 2026-03-12 通过" when a 法制审核 was required
    hearing: str = ""  # "2026-04-10 三楼会议室，主持人 周主任" when a hearing was held
    waived_defence: bool = False


@dataclass(frozen=True)
class NoticeInfo:
    """What the 稽核通知书 announces."""

    audit_at: dt.datetime
    materials: tuple[str, ...]
    place: str = ""


@dataclass(frozen=True)
class Service:
    """送达: one document delivered to the party."""

    document_title: str
    document_number: str
    recipient: str  # the unit (or person) served
    place: str
    method: str  # 直接送达 / 留置送达 / 邮寄送达 / 电子送达
    served_at: dt.datetime
    servers: tuple[str, ...]  # 送达人
    refusal_reason: str = ""
    witness: str = ""
    photos: tuple[str, ...] = ()  # photo evidence ids for 留置送达
    signature: SignatureMark | None = None
    form: str = ""  # the served document's form name (its issuing body heads the 回证)
    received_by: str = ""  # who signed for the unit, with post
    consent: str = ""  # 电子送达: the party's recorded consent and its 送达地址确认书 (行政处罚法 Art. 61 para. 2)
    address: str = ""  # 电子送达: the confirmed address (e-mail, fax)


@dataclass(frozen=True)
class Correction:
    """A 更正（补正）通知书: what is corrected in a served document, which stays valid otherwise."""

    form: str  # the corrected document's form (its issuing body issues the correction)
    title: str  # the original's title, 文号 and date, as issued
    number: str
    issued_on: dt.date
    items: tuple[tuple[str, str], ...]  # (原文, 更正为), typed by the inspector
    reason: str
    sub: int = 0  # the n-th correction of the case (n > 1) numbers 17-n


@dataclass(frozen=True)
class DocumentContext:
    """Everything a form may print about one case. Sections a form does not use may be left empty."""

    case: CaseInfo
    party: Party
    inspectors: tuple[Inspector, ...]  # two or more
    issued_on: dt.date  # date under the seal
    checkpoint: str  # journal checkpoint fingerprint at print time, e.g. "42-ABCD-EF01-2345-6789"
    recorder: str = ""  # 记录人
    agency: Agency | None = None
    notice: NoticeInfo | None = None
    onsite: OnsiteRecord | None = None
    interviews: tuple[Interview, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    evidence_signature: SignatureMark | None = None  # the provider's signature on the evidence list
    preservation: Holding | None = None
    sealing: Holding | None = None
    outcome: Outcome | None = None
    service: Service | None = None  # the latest service (older callers); ``services`` lists each one
    services: tuple[Service, ...] = ()  # one 送达回证 per document served
    decision: Decision | None = None  # the office's decision (form "decision", printed at the office)
    correction: Correction | None = None  # form "correction": what it corrects in which served document


def canonical_content(value: Any) -> Any:
    """Plain JSON data for a context or any part of it: dates as ISO strings, bytes as their SHA-256.

    Dataclasses become objects with every field (so a field added later changes the hash, as it should) but the
    ones marked ``derived`` (a value that follows from the others), tuples become arrays; floats are refused by the
    canonicaliser downstream.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical_content(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.metadata.get("derived")}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, Mapping):
        return {str(k): canonical_content(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_content(v) for v in value]
    return value


def content_sha256(form: str, part: str, value: Any) -> str:
    """The hash a printed page refers to: the form name, which record of it, and that record's content."""
    return canonical_sha256({"form": form, "part": part, "content": canonical_content(value)})
