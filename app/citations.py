"""The legal sources the audit rules cite: the seed regulations and the national laws, by title and article.

Each rule's result carries its citations (see :mod:`app.workflow.thresholds`, :mod:`app.workflow.deadlines`,
:mod:`app.workflow.advance_notice`) for the UI to show. Texts shown to users name a document by its title
(``《武汉市医疗保险稽核办法（试行）》`` / "Wuhan Audit Measures"), never by its seed file; the file stays available as
:attr:`Source.file` / :attr:`Citation.file` for traceability in docs and tests.

The short English titles are the one form used in every English message of the app:

========  =================================================  ====================================
seed      Chinese title                                      English short title
========  =================================================  ====================================
000       《武汉市医疗保险稽核办法（试行）》                   Wuhan Audit Measures
001       《兰州市医疗保障基金使用监督管理办法》               Lanzhou Fund Supervision Measures
002       《2023年河南省医疗保障稽核工作要点》                 Henan 2023 Audit Priorities
003       《2021年度医疗保障行政检查计划》 (Nantong)           Nantong 2021 Inspection Plan
004       《2022年六安市叶集区医保经办机构自查自纠工作方案》   Yeji 2022 Self-Check Plan
========  =================================================  ====================================

National laws and regulations are named in English by :data:`NATIONAL_LAWS` (Chinese short name → English
name), never by their Chinese name: "Administrative Penalty Law Art. 55", not "行政处罚法 Art. 55". A Chinese text
may cite them by the short name or, for the fund regulations, as plain "条例" (:data:`CHINESE_SHORTHANDS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CHINESE_SHORTHANDS", "NATIONAL_LAWS", "SOURCES", "Citation", "Source", "join_citations", "law_en"]


@dataclass(frozen=True)
class Source:
    """One cited document: its titles for users and, for a seed, the repository file it was read from."""

    title_zh: str  # with the book-title marks: 《…》
    title_en: str  # the short English title used in every English message
    file: str = ""  # seed file path (traceability only, never shown to users); "" for a national law

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang.startswith("en") else self.title_zh

    def __str__(self) -> str:
        return self.title_zh


WUHAN_AUDIT = Source("《武汉市医疗保险稽核办法（试行）》", "Wuhan Audit Measures", "seeds/000_d11889b39ed9d735.txt")
LANZHOU_SUPERVISION = Source("《兰州市医疗保障基金使用监督管理办法》", "Lanzhou Fund Supervision Measures",
                             "seeds/001_b3b20375b11e855e.txt")
HENAN_2023_PRIORITIES = Source("《2023年河南省医疗保障稽核工作要点》", "Henan 2023 Audit Priorities",
                               "seeds/002_d899fe0808b3633e.txt")
NANTONG_2021_PLAN = Source("《2021年度医疗保障行政检查计划》", "Nantong 2021 Inspection Plan",
                           "seeds/003_dea53202a836123b.txt")
YEJI_2022_SELF_CHECK = Source("《2022年六安市叶集区医保经办机构自查自纠工作方案》", "Yeji 2022 Self-Check Plan",
                              "seeds/004_eb51e4ee481051d5.txt")
NATIONAL_LAWS: dict[str, str] = {
    "行政处罚法": "Administrative Penalty Law",
    "行政强制法": "Administrative Coercion Law",
    "医疗保障基金使用监督管理条例": "Regulations on the Supervision and Administration of the Use of Medical Security Funds",
    "医疗保障行政处罚程序暂行规定": "Interim Provisions on Administrative Penalty Procedures for Medical Security",
    "社会保险法": "Social Insurance Law",
    "民事诉讼法": "Civil Procedure Law",
    "居民身份证法": "Resident Identity Card Law",
    "行政复议法": "Administrative Reconsideration Law",
    "行政诉讼法": "Administrative Litigation Law",
}
"""The national laws and regulations by their Chinese short name (without 中华人民共和国 and 《》): the one English
name every English message uses, followed by the article as "Art. 55"."""

CHINESE_SHORTHANDS: dict[str, str] = {"条例": "医疗保障基金使用监督管理条例"}
"""Shorter Chinese forms the Chinese texts use for a law of :data:`NATIONAL_LAWS`: "条例第二十九条" is the fund
regulations. Never part of an English text either."""


def law_en(name_zh: str) -> str:
    """The English name of a national law given its Chinese short name (or a shorthand such as "条例")."""
    return NATIONAL_LAWS[CHINESE_SHORTHANDS.get(name_zh, name_zh)]


LAW_PENALTY = Source("《中华人民共和国行政处罚法》(2021)", f"{law_en('行政处罚法')} (2021)")
LAW_COERCION = Source("《中华人民共和国行政强制法》", law_en("行政强制法"))

SOURCES: dict[str, Source] = {
    "000": WUHAN_AUDIT,
    "001": LANZHOU_SUPERVISION,
    "002": HENAN_2023_PRIORITIES,
    "003": NANTONG_2021_PLAN,
    "004": YEJI_2022_SELF_CHECK,
}
"""The seed documents by their number in ``seeds/``."""


@dataclass(frozen=True)
class Citation:
    """One article of one source; ``article_zh`` / ``article_en`` as printed after the title."""

    source: Source
    article_zh: str
    article_en: str

    @property
    def file(self) -> str:
        """The seed file read for the article ("" for a national law): for docs and tests, never for users."""
        return self.source.file

    def __str__(self) -> str:
        return self.text("zh")

    def text(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return f"{self.source.title_en} {self.article_en}"
        return f"{self.source.title_zh}{self.article_zh}"


C_000_7_1 = Citation(WUHAN_AUDIT, "第七条第（一）项", "Art. 7(1)")
C_000_8_1 = Citation(WUHAN_AUDIT, "第八条第（一）项", "Art. 8(1)")
C_000_14 = Citation(WUHAN_AUDIT, "第十四条第二款", "Art. 14 para. 2")
C_001_21 = Citation(LANZHOU_SUPERVISION, "第二十一条", "Art. 21")
C_001_22 = Citation(LANZHOU_SUPERVISION, "第二十二条第三款", "Art. 22 para. 3")
C_001_35_5 = Citation(LANZHOU_SUPERVISION, "第三十五条第（五）项", "Art. 35(5)")
C_001_36_1 = Citation(LANZHOU_SUPERVISION, "第三十六条第（一）项", "Art. 36(1)")
C_001_36_2 = Citation(LANZHOU_SUPERVISION, "第三十六条第（二）项", "Art. 36(2)")
C_PEN_56 = Citation(LAW_PENALTY, "第五十六条", "Art. 56")
C_PEN_58 = Citation(LAW_PENALTY, "第五十八条", "Art. 58")
C_PEN_60 = Citation(LAW_PENALTY, "第六十条", "Art. 60")
C_PEN_61 = Citation(LAW_PENALTY, "第六十一条", "Art. 61")
C_PEN_64 = Citation(LAW_PENALTY, "第六十四条", "Art. 64")
C_PEN_85 = Citation(LAW_PENALTY, "第八十五条", "Art. 85")
C_COE_24 = Citation(LAW_COERCION, "第二十四条", "Art. 24")
C_COE_25 = Citation(LAW_COERCION, "第二十五条", "Art. 25")


def join_citations(citations: Iterable[Citation], lang: str = "zh") -> str:
    """The citations as one text: "；"-separated in Chinese, "; "-separated in English."""
    return ("；" if not lang.startswith("en") else "; ").join(c.text(lang) for c in citations)


# ============================================================================================== statute table
# Every article below was read in the statute texts kept beside the project (shared/law/); the test
# tests/workflow/test_violation_table.py reads them again and checks each article (and 项 / 款) exists and says
# what the table claims. Where a rule could not be confirmed from a text there, ``ViolationRule.unconfirmed``
# says so and the forms print nothing of it.

LAW_FUND = Source("《医疗保障基金使用监督管理条例》", law_en("条例"))
LAW_PENALTY_2021 = Source("《中华人民共和国行政处罚法》", law_en("行政处罚法"))  # as the forms cite it (2021 text)
LAW_RECONSIDERATION = Source("《中华人民共和国行政复议法》", law_en("行政复议法"))
LAW_LITIGATION = Source("《中华人民共和国行政诉讼法》", law_en("行政诉讼法"))
SERVICE_AGREEMENT = Source("医疗保障服务协议", "the medical-security service agreement")

_ZH_NUM = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1..99 in Chinese numerals as statutes number articles: 15 → 十五, 38 → 三十八."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else _ZH_NUM[tens]) + "十") + ("" if ones == 0 else _ZH_NUM[ones])


def article(source: Source, art: int, *, para: int = 0, item: int = 0) -> Citation:
    """One article of a statute, with its 款 (paragraph) and 项 (item) when given: 第三十八条第（一）项."""
    zh = f"第{zh_number(art)}条"
    en = f"Art. {art}"
    if para:
        zh += f"第{zh_number(para)}款"
        en += f" para. {para}"
    if item:
        zh += f"第（{zh_number(item)}）项"
        en += f"({item})"
    return Citation(source, zh, en)


@dataclass(frozen=True)
class ViolationRule:
    """What a finding of one violation type cites: the duty violated (违反了…), the handling or penalty article
    with its 项 (依据…), whether the fund's loss must be ordered back (责令退回), and the fine range."""

    code: str
    norm: tuple[Citation, ...]  # the duty violated: 条例 Art. 14, 15, 16, 19, 20, 29
    handling: tuple[Citation, ...]  # the handling / penalty article with its 项: 条例 Art. 38-41
    refund: str  # "loss" (责令退回 when the fund lost money), "always", or "" (no refund rule)
    fine: str  # the fine the handling article provides, as the statute words it
    fraud: Citation | None = None  # Art. 40 para. 2: an Art. 38 act done to defraud the fund is handled under Art. 40
    unconfirmed: str = ""  # what the statute texts here could not confirm ("" = every part confirmed)

    def norm_text(self, lang: str = "zh") -> str:
        return _join_same_source(self.norm, lang)

    def handling_text(self, lang: str = "zh") -> str:
        return _join_same_source(self.handling, lang)

    def refund_text(self) -> str:
        """The 责令退回 sentence a form prints ("" when the handling article has none)."""
        if self.refund == "always":
            return "应当责令退回骗取的医疗保障基金"
        if self.refund == "loss":
            return "造成医疗保障基金损失的，应当责令退回"
        return ""


def _join_same_source(cites: tuple[Citation, ...], lang: str) -> str:
    """"《条例》第十五条、第二十条": the title once per run of articles of one source."""
    parts: list[str] = []
    last: Source | None = None
    for c in cites:
        if lang.startswith("en"):
            parts.append(c.text("en") if c.source is not last else c.article_en)
        else:
            parts.append(c.text("zh") if c.source is not last else c.article_zh)
        last = c.source
    return ("、" if not lang.startswith("en") else ", ").join(parts)


def _f(art: int, para: int = 0, item: int = 0) -> Citation:
    return article(LAW_FUND, art, para=para, item=item)


_FINE_38 = "处造成损失金额1倍以上2倍以下的罚款"
_FINE_39 = "拒不改正的，处1万元以上5万元以下的罚款"
_FINE_40 = "处骗取金额2倍以上5倍以下的罚款"
_FRAUD = _f(40, 2)

VIOLATION_RULES: dict[str, ViolationRule] = {r.code: r for r in (
    ViolationRule("ghost_bed", (_f(15),), (_f(38, item=1),), "loss", _FINE_38, _FRAUD),
    ViolationRule("split_admission", (_f(15),), (_f(38, item=1),), "loss", _FINE_38, _FRAUD),
    ViolationRule("excessive_treatment", (_f(15),), (_f(38, item=2),), "loss", _FINE_38, _FRAUD),
    ViolationRule("overcharging", (_f(15),), (_f(38, item=3),), "loss", _FINE_38, _FRAUD),
    ViolationRule("substitution", (_f(15),), (_f(38, item=4),), "loss", _FINE_38, _FRAUD),
    ViolationRule("drug_resale", (_f(19),), (_f(38, item=5),), "loss", _FINE_38, _FRAUD),
    ViolationRule("off_scope", (_f(15),), (_f(38, item=6),), "loss", _FINE_38, _FRAUD,
                  unconfirmed="支付范围的具体规定（医保药品目录、诊疗项目目录等）不在所附法规文本中，"
                              "以第十五条“合理、必要的医药服务”为违反的规范"),
    ViolationRule("impersonation", (_f(15),), (_f(40, item=1),), "always", _FINE_40),
    ViolationRule("fictitious_service", (_f(15), _f(20)), (_f(40, item=1), _f(40, item=3)), "always", _FINE_40),
    ViolationRule("falsified_records", (_f(20),), (_f(40, item=2),), "always", _FINE_40),
    ViolationRule("record_keeping", (_f(14), _f(16)), (_f(39, item=1), _f(39, item=2), _f(39, item=3),
                                                         _f(39, item=4), _f(39, item=5)), "", _FINE_39),
    ViolationRule("obstruction", (_f(29, 2),), (_f(39, item=7),), "", _FINE_39),
)}
"""Every violation type of ``resources/reference/violation_types.json`` (DOMAIN.md "Common violations"):
the one table every form and every finding takes its citations from."""


def violation_rule(code: str) -> ViolationRule | None:
    return VIOLATION_RULES.get(code)


# The articles the forms cite for powers, procedure and remedies (each checked against the statute texts).
FUND_27 = _f(27)
FUND_27_5 = _f(27, item=5)
FUND_28 = _f(28)
FUND_29 = _f(29)
FUND_31 = _f(31)
FUND_13 = _f(13)
FUND_13_1 = _f(13, 1)
FUND_13_2 = _f(13, 2)
FUND_10 = _f(10)
FUND_38 = _f(38)
PEN_20 = article(LAW_PENALTY_2021, 20)
PEN_44 = article(LAW_PENALTY_2021, 44)
PEN_45 = article(LAW_PENALTY_2021, 45)
PEN_55 = article(LAW_PENALTY_2021, 55)
PEN_56 = article(LAW_PENALTY_2021, 56)
PEN_57 = article(LAW_PENALTY_2021, 57)
PEN_59 = article(LAW_PENALTY_2021, 59)
PEN_61 = article(LAW_PENALTY_2021, 61)
PEN_61_2 = article(LAW_PENALTY_2021, 61, para=2)
PEN_63 = article(LAW_PENALTY_2021, 63)
PEN_64 = article(LAW_PENALTY_2021, 64)
COE_17 = article(LAW_COERCION, 17)
COE_18 = article(LAW_COERCION, 18)
COE_19 = article(LAW_COERCION, 19)
COE_24 = article(LAW_COERCION, 24)
COE_25 = article(LAW_COERCION, 25)
REC_20 = article(LAW_RECONSIDERATION, 20)
LIT_46 = article(LAW_LITIGATION, 46)

FORM_BASIS: dict[str, dict[str, tuple[Citation, ...]]] = {
    # form → issuing body ("agency" = 经办机构, "department" = 医疗保障行政部门) → the legal basis printed on it
    "notice": {"agency": (FUND_10, FUND_13_1), "department": (FUND_27, FUND_29)},
    "onsite-record": {"agency": (FUND_10, FUND_13_1), "department": (FUND_27, PEN_55)},
    "interview": {"agency": (FUND_10, FUND_13_1), "department": (FUND_27, PEN_55)},
    "evidence-list": {"agency": (FUND_10, FUND_13_1), "department": (FUND_27,)},
    "preservation": {"department": (PEN_56,)},
    "sealing": {"department": (FUND_27_5, COE_18, COE_24, COE_25)},
    "rectification": {"department": (FUND_38,)},  # each finding adds its own handling article from VIOLATION_RULES
    "defence-notice": {"agency": (FUND_13_1,), "department": (PEN_44, PEN_45, FUND_31)},
    "result-notice": {"agency": (FUND_10, FUND_13_1)},
    "service-receipt": {"agency": (), "department": ()},
    # a correction notice of a served document: issued by the body that issued the original, on its basis
    "correction": {"agency": (), "department": ()},
    # the office's decision after the visit: 行政处罚决定书 (Art. 57 decides, Art. 59 says what it states), or the
    # 经办机构's handling decision under the agreement
    "decision": {"agency": (FUND_13_1,), "department": (PEN_57, PEN_59)},
}
"""The legal basis each form prints, by the body issuing it. A form absent for a body cannot be issued by it
(see :mod:`app.documents.powers`). The agreement is named beside the 经办机构's basis (SERVICE_AGREEMENT)."""


def basis_text(form: str, body: str) -> str:
    """The basis as printed: "《医疗保障基金使用监督管理条例》第二十七条、第二十九条"."""
    cites = FORM_BASIS[form][body]
    text = _join_same_source(cites, "zh")
    if body == "agency" and form != "service-receipt":
        text += "和医疗保障服务协议的约定"
    return text


def all_citation_texts() -> set[str]:
    """Every citation text the forms may print, for the test that checks each printed citation against it."""
    out: set[str] = set()
    for rule in VIOLATION_RULES.values():
        for c in (*rule.norm, *rule.handling, *((rule.fraud,) if rule.fraud else ())):
            out.add(c.text("zh"))
    for bodies in FORM_BASIS.values():
        for cites in bodies.values():
            out.update(c.text("zh") for c in cites)
    for c in (FUND_28, FUND_13_2, PEN_20, PEN_61, PEN_61_2, PEN_63, PEN_64, COE_17, COE_19, REC_20, LIT_46,
              FUND_29, FUND_31, FUND_27_5):
        out.add(c.text("zh"))
    return out
