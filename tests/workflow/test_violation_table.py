"""The one citation table read against the statute texts in shared/law/: every article, 款 and 项 it cites
exists and says what the table claims (a norm names the duty, a handling article orders 责令退回 where the
table says so, the fine is the statute's)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.citations import (
    FORM_BASIS,
    LAW_COERCION,
    LAW_FUND,
    LAW_LITIGATION,
    LAW_PENALTY_2021,
    LAW_RECONSIDERATION,
    VIOLATION_RULES,
    Citation,
    all_citation_texts,
)

ROOT = Path(__file__).resolve().parents[2]
LAW = ROOT.parent / "shared" / "law"
FILES = {
    LAW_FUND: "医疗保障基金使用监督管理条例(2021-01-15).md",
    LAW_PENALTY_2021: "行政处罚法(2021-01-22).md",
    LAW_COERCION: "行政强制法(2011-06-30).md",
    LAW_RECONSIDERATION: "行政复议法(2023-09-01).md",
    LAW_LITIGATION: "行政诉讼法(2017-06-27).md",
}
_ART = re.compile(r"^第([一二三四五六七八九十百]+)条")
_CITE = re.compile(r"第([一二三四五六七八九十]+)条(?:第([一二三四五六七八九十]+)款)?(?:第（([一二三四五六七八九十]+)）项)?")

pytestmark = pytest.mark.skipif(not LAW.is_dir(), reason="the statute texts (shared/law) are not beside the repo")


def _articles(source: object) -> dict[str, list[str]]:
    """Article number (Chinese) → its paragraphs (non-empty lines up to the next article)."""
    out: dict[str, list[str]] = {}
    current = ""
    for raw in (LAW / FILES[source]).read_text(encoding="utf-8").splitlines():  # type: ignore[index]
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _ART.match(line)
        if m:
            current = m.group(1)
            out[current] = [line]
        elif current:
            out[current].append(line)
    return out


def _text_of(c: Citation) -> str:
    m = _CITE.fullmatch(c.article_zh)
    assert m is not None, c.article_zh
    art, para, item = m.groups()
    paras = _articles(c.source).get(art)
    assert paras, f"{c}: no such article in {FILES[c.source]}"
    if item:
        # items are the lines starting （一） … of the article (of its paragraph when given)
        lines = [p for p in paras if p.startswith(f"（{item}）")]
        assert lines, f"{c}: no item （{item}）"
        return lines[0]
    if para:
        numbered = [p for p in paras if not p.startswith("（")]
        k = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}[para]
        assert len(numbered) >= k, f"{c}: no paragraph {para}"
        return numbered[k - 1]
    return "".join(paras)


def test_every_violation_type_has_a_rule() -> None:
    data = json.loads((ROOT / "resources" / "reference" / "violation_types.json").read_text(encoding="utf-8"))
    codes = {e["code"] for e in data["entries"]}
    assert codes <= set(VIOLATION_RULES), codes - set(VIOLATION_RULES)


@pytest.mark.parametrize("code", sorted(VIOLATION_RULES))
def test_rule_matches_the_statute(code: str) -> None:
    rule = VIOLATION_RULES[code]
    for c in (*rule.norm, *rule.handling, *((rule.fraud,) if rule.fraud else ())):
        assert c.source is LAW_FUND
        _text_of(c)
    # a norm is a duty (不得 / 应当), never a penalty article
    for c in rule.norm:
        text = _text_of(c)
        assert "不得" in text or "应当" in text, (code, c.article_zh)
        assert not any(c.article_zh.startswith(f"第{n}条") for n in ("三十八", "三十九", "四十", "四十一"))
    # the handling article's opening words carry the refund rule and the fine the table prints
    for c in rule.handling:
        art = _CITE.fullmatch(c.article_zh).group(1)  # type: ignore[union-attr]
        head = _articles(LAW_FUND)[art][0]
        if rule.refund == "always":
            assert "责令退回" in head and "造成医疗保障基金损失的，责令退回" not in head
        elif rule.refund == "loss":
            assert "造成医疗保障基金损失的，责令退回" in head
        else:
            assert "责令退回" not in head
        assert rule.fine.replace("拒不改正的，", "") in head, (code, rule.fine)
    if rule.fraud is not None:
        assert "第三十八条" in _text_of(rule.fraud)


def test_every_cited_article_exists() -> None:
    for bodies in FORM_BASIS.values():
        for cites in bodies.values():
            for c in cites:
                _text_of(c)


def test_table_names_what_it_could_not_confirm() -> None:
    assert VIOLATION_RULES["off_scope"].unconfirmed
    assert all(isinstance(r.unconfirmed, str) for r in VIOLATION_RULES.values())
    assert "《医疗保障基金使用监督管理条例》第三十八条第（一）项" in all_citation_texts()
