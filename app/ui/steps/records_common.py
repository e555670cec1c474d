"""Pages of a record for reading back and signing: the party signs every page (询问笔录, 现场检查笔录)."""

from __future__ import annotations

import hashlib
from typing import Any

QA_PER_PAGE = 4


def interview_pages(content: dict[str, Any]) -> list[str]:
    """The read-back text of an interview record, page by page (what the interviewee signs)."""
    person = content.get("interviewee", {})
    head = (f"被询问人：{person.get('name', '')}　性别：{person.get('sex', '')}　身份证号：{person.get('id_number', '')}\n"
            f"工作单位：{person.get('employer', '')}　职务：{person.get('post', '')}　电话：{person.get('phone', '')}\n"
            f"与本案关系：{person.get('relation', '')}\n\n{content.get('opening', '')}\n")
    qa = list(content.get("qa", []))
    pages: list[str] = []
    for start in range(0, max(1, len(qa)), QA_PER_PAGE):
        chunk = qa[start:start + QA_PER_PAGE]
        body = "\n".join(f"问：{p.get('q', '')}\n答：{p.get('a', '')}" for p in chunk)
        pages.append((head if start == 0 else "") + body)
    pages[-1] += f"\n\n{content.get('closing', '')}"
    return pages


def _attachment(a: Any) -> str:
    """An attachment as recorded by this page ({item, title, sha256}) or as an evidence item id alone."""
    if isinstance(a, dict):
        return f"{a.get('title', '')}（SHA-256 {str(a.get('sha256', ''))[:16]}…）"
    return f"证据 {a}"


def onsite_pages(content: dict[str, Any]) -> list[str]:
    attachments = "\n".join(f"{i + 1}. {_attachment(a)}" for i, a in enumerate(content.get("attachments", [])))
    return [f"检查时间：{content.get('start', '')} 至 {content.get('end', '')}\n检查地点：{content.get('place', '')}\n"
            f"在场人员：{content.get('present', '')}\n\n检查情况：\n{content.get('findings_text', '')}\n\n"
            f"附件：\n{attachments or '无'}"]


def page_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
