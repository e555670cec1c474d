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
