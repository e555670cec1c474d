"""The legal sources the audit rules cite: the seed regulations by file and article, and two national laws.

Each rule's result carries its citations (see :mod:`app.workflow.thresholds`, :mod:`app.workflow.deadlines`,
:mod:`app.workflow.advance_notice`) for the UI to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Citation", "join_citations"]

SEED_000 = "seeds/000_d11889b39ed9d735.txt"
SEED_001 = "seeds/001_b3b20375b11e855e.txt"
LAW_PENALTY = "《中华人民共和国行政处罚法》(2021)"
LAW_COERCION = "《中华人民共和国行政强制法》"


@dataclass(frozen=True)
class Citation:
    """One legal source: ``source`` is a seed file path or a law's title; ``article`` as printed."""

    source: str
    article_zh: str
    article_en: str

    def __str__(self) -> str:
        return f"{self.source} {self.article_zh}"

    def text(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return f"{self.source} {self.article_en}"
        return f"{self.source} {self.article_zh}"


C_000_7_1 = Citation(SEED_000, "第七条第（一）项", "Art. 7(1)")
C_000_8_1 = Citation(SEED_000, "第八条第（一）项", "Art. 8(1)")
C_000_14 = Citation(SEED_000, "第十四条第二款", "Art. 14 para. 2")
C_001_21 = Citation(SEED_001, "第二十一条", "Art. 21")
C_001_22 = Citation(SEED_001, "第二十二条第三款", "Art. 22 para. 3")
C_001_35_5 = Citation(SEED_001, "第三十五条第（五）项", "Art. 35(5)")
C_001_36_1 = Citation(SEED_001, "第三十六条第（一）项", "Art. 36(1)")
C_001_36_2 = Citation(SEED_001, "第三十六条第（二）项", "Art. 36(2)")
C_PEN_56 = Citation(LAW_PENALTY, "第五十六条", "Art. 56")
C_PEN_58 = Citation(LAW_PENALTY, "第五十八条", "Art. 58")
C_PEN_60 = Citation(LAW_PENALTY, "第六十条", "Art. 60")
C_PEN_61 = Citation(LAW_PENALTY, "第六十一条", "Art. 61")
C_PEN_64 = Citation(LAW_PENALTY, "第六十四条", "Art. 64")
C_PEN_85 = Citation(LAW_PENALTY, "第八十五条", "Art. 85")
C_COE_24 = Citation(LAW_COERCION, "第二十四条", "Art. 24")
C_COE_25 = Citation(LAW_COERCION, "第二十五条", "Art. 25")


def join_citations(citations: Iterable[Citation], lang: str = "zh") -> str:
    return "；".join(c.text(lang) for c in citations) if lang == "zh" else "; ".join(
        c.text(lang) for c in citations
    )
