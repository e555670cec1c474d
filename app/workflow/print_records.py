"""The signed records, evidence manifests and page signatures of a case as the printed forms show them (read only).

The 询问笔录 and 现场检查笔录 are mapped exactly as signed; the evidence list from the current manifests; the
party's signatures and refusals as overlays of the page where each was given (images decrypted in memory only).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.context import QA, EvidenceItem, Inspector, Interview, OnsiteRecord, Person, SignatureMark
from app.documents.frozen import PageMark
from app.errors import UserError
from app.evidence.blobstore import BlobStore
from app.evidence.canonical import loads
from app.evidence.items import item_statuses, record_statuses
from app.models.profile import Store
from app.models.schema import Case, SignedObject
from app.models.schema import Inspector as InspectorRow


def _local(value: str) -> datetime:
    """A stored time as the naive local time shown to the party ('...Z' / offsets are converted)."""
    from app.evidence.records import local_time

    return local_time(value)


def _labels(entries: Any) -> dict[str, str]:
    return {e.code: e.zh for e in entries}


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[、\n；;]+", text or "") if p.strip())


def _str(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v)


def _inspectors(session: Session, ids: list[str]) -> tuple[Inspector, ...]:
    out = []
    for i in ids:
        row = session.get(InspectorRow, i)
        if row is not None:
            out.append(Inspector(row.name, row.credential_no, row.organisation))
    return tuple(out)


#: Forms that print the period under review (the others print without it).

def _bindings(session: Session, case_id: str) -> dict[str, list[dict[str, Any]]]:
    """provider-signature / provider-refusal bodies by target id."""
    out: dict[str, list[dict[str, Any]]] = {}
    rows = session.scalars(select(SignedObject).where(
        SignedObject.case_id == case_id, SignedObject.type.in_(("provider-signature", "provider-refusal")))
        .order_by(SignedObject.created, SignedObject.id))
    for r in rows:
        if r.target_id:
            out.setdefault(r.target_id, []).append(dict(loads(r.body)))
    return out


def page_marks(store: Store, session: Session, bindings: list[dict[str, Any]], part: str, n_pages: int, *,
               images: bool = True) -> dict[tuple[str, int], list[PageMark]]:
    """The signatures given on a record's pages, each on the page where it was given with its own time (one given
    for the whole record, on its last page); a refusal noted on the last page. Images are decrypted in memory, and
    only when ``images`` (the page text needs none)."""
    out: dict[tuple[str, int], list[PageMark]] = {}
    blobs = BlobStore(store)
    for b in bindings:
        page = b.get("page")
        where = page if isinstance(page, int) and 1 <= page <= n_pages else n_pages
        if b.get("type") == "provider-signature":
            image = blobs.read(str(b["image_sha256"]), session=session) if images else b"\x89PNG"
            mark = PageMark(image_png=image, signed_at=_local(str(b["time"]["wall"])))
        else:
            witness = b.get("witness") or {}
            mark = PageMark.of(SignatureMark("", "", refusal_reason=str(b.get("reason", "")),
                                             witness=str(witness.get("name", ""))))
        out.setdefault((part, where), []).append(mark)
    return out


def record_bindings(session: Session, case_id: str, record_id: str) -> list[dict[str, Any]]:
    """The provider-signature / provider-refusal bodies bound to one record, in the order made."""
    rows = session.scalars(select(SignedObject.body).where(
        SignedObject.case_id == case_id, SignedObject.target_id == record_id,
        SignedObject.type.in_(("provider-signature", "provider-refusal")))
        .order_by(SignedObject.created, SignedObject.id))
    return [dict(loads(body)) for body in rows]


def _current_records(session: Session, case_id: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for st in record_statuses(session, case_id):
        if st.kind == kind and st.superseded_by is None:
            row = session.get(SignedObject, st.record_id)
            assert row is not None
            out.append((st.record_id, dict(loads(row.body))))
    return out


def _person(d: dict[str, Any]) -> Person:
    age = d.get("age")
    return Person(name=_str(d, "name"), post=_str(d, "post"), id_number=_str(d, "id_number"),
                  phone=_str(d, "phone"), sex=_str(d, "sex"), age=int(age) if isinstance(age, int) else None,
                  employer=_str(d, "employer"), address=_str(d, "address"), relation=_str(d, "relation"))


def _typed_person(text: str) -> dict[str, str]:
    """"姓名（职务）" or "姓名" as an inspector typed it."""
    m = re.fullmatch(r"\s*([^（(]+?)\s*[（(]\s*(.*?)\s*[）)]\s*", text)
    return {"name": m.group(1), "post": m.group(2)} if m else {"name": text.strip()}


def _evidence(session: Session, case_id: str, bindings: dict[str, list[dict[str, Any]]]
              ) -> tuple[tuple[EvidenceItem, ...], dict[str, int]]:
    from app.workflow.reference_entries import evidence_kinds, onsite_measures

    kinds, measures = _labels(evidence_kinds()), _labels(onsite_measures())
    out: list[EvidenceItem] = []
    seq_of: dict[str, int] = {}
    for st in item_statuses(session, case_id):
        if st.superseded_by is not None:
            continue
        row = session.get(SignedObject, st.item_id)
        assert row is not None
        m = dict(loads(row.body))
        streams = m.get("streams") or []
        source = m.get("source") or {}
        provider = m.get("provider") or {}
        notes = []
        if m.get("supersedes"):
            notes.append(f"更正：{m['supersedes'].get('reason', '')}")
        for s in streams[1:]:
            notes.append(f"文件{int(s['index']) + 1} SHA-256：{s['sha256']}")
        refusal = [b for b in bindings.get(st.item_id, []) if b.get("type") == "provider-refusal"]
        if st.provider == "refused" and refusal:
            notes.append(f"提供人未签字：{refusal[-1].get('reason', '')}")
        seq = len(out) + 1
        seq_of[st.item_id] = seq
        out.append(EvidenceItem(
            seq=seq, name=str(m["title"]), kind=kinds.get(str(m["kind"]), str(m["kind"])),
            source="；".join(x for x in (_str(source, "text"), _str(source, "system")) if x),
            provider=_str(provider, "name"), original=bool(m.get("original", True)),
            quantity=_str(m, "quantity") or f"{len(streams)}个文件",
            obtained_at=_local(str(m["obtained_at"]["wall"])), obtained_place=_str(m, "place"),
            sha256=str(streams[0]["sha256"]) if streams else "",
            measure=measures.get(str(m.get("measure", "")), ""), note="；".join(notes),
        ))
    return tuple(out), seq_of


def _when(c: dict[str, Any], key: str, what_zh: str, what_en: str) -> datetime:
    try:
        return _local(_str(c, key))
    except ValueError:
        raise UserError(f"笔录缺少{what_zh}，无法生成文书。", f"The record lacks its {what_en}; cannot make the document."
                        ) from None


def _onsite_record(session: Session, case: Case, record_id: str, body: dict[str, Any],
                   seq_of: dict[str, int], titles: dict[int, str]) -> OnsiteRecord:
    """The 现场检查笔录 exactly as signed: nothing from elsewhere in the case is added to it."""
    c = body["content"]
    raw_present = c.get("present")
    present = tuple(_person(p) for p in raw_present if isinstance(p, dict)) if isinstance(raw_present, list) else ()
    attachments = []
    for raw in c.get("attachments") or []:
        # an item id (demo, CLI) or {"item", "title", "sha256"} (the walk-through's on-site page)
        a = raw.get("item", "") if isinstance(raw, dict) else raw
        seq = seq_of.get(str(a))
        if seq is not None:
            attachments.append(f"证据{seq}：{titles[seq]}")
            continue
        row = session.get(SignedObject, str(a))
        title = str(loads(row.body).get("title", "")) if row is not None and row.type == "evidence" else ""
        if not title and isinstance(raw, dict):
            title = str(raw.get("title", ""))
        attachments.append(f"{title}（已更正，以更正后的证据为准）" if title else "（未能识别的附件）")
    return OnsiteRecord(
        start=_when(c, "start", "检查开始时间", "start time"), end=_when(c, "end", "检查结束时间", "end time"),
        place=_str(c, "place") or case.place, present=present,
        present_text=raw_present.strip() if isinstance(raw_present, str) else "",
        findings=_str(c, "findings_text"), opening=_str(c, "opening") or _str(c, "rights_told"),
        credentials_answer=_str(c, "answer"), recusal_answer=_str(c, "recusal_answer"),
        attachments=tuple(attachments), party_opinion=_str(c, "party_opinion"),
        witness=_person(c["witness"]) if isinstance(c.get("witness"), dict) else None, record_id=record_id,
    )


def _interview(session: Session, record_id: str, body: dict[str, Any], default_recorder: str, n: int) -> Interview:
    """One 询问笔录 exactly as signed (the opening and every question as recorded, nothing added)."""
    c = body["content"]
    interviewee = _person(c.get("interviewee") or {})
    number = c.get("sequence") or c.get("number")
    if _str(c, "start") and _str(c, "end"):
        start, end, time_text = _when(c, "start", "询问开始时间", "start time"), _when(
            c, "end", "询问结束时间", "end time"), ""
    else:  # the record holds no times: say so rather than print a time nobody recorded
        start = end = _local(str((body.get("time") or {}).get("wall") or "1970-01-01T00:00:00"))
        time_text = "（笔录未记载）"
    return Interview(
        number=int(number) if isinstance(number, int) else n, start=start, end=end, time_text=time_text,
        place=_str(c, "place"),
        interviewers=_inspectors(session, [str(i) for i in body.get("inspectors") or []]),
        recorder=_str(c, "recorder") or default_recorder, interviewee=interviewee,
        qa=tuple(QA(_str(p, "q"), _str(p, "a")) for p in c.get("qa") or []),
        recusal_answer=_str(c, "recusal_answer"), opening=_str(c, "opening"), record_id=record_id,
    )


def record_body(session: Session, record_id: str) -> dict[str, Any]:
    row = session.get(SignedObject, record_id)
    if row is None or row.type != "record":
        raise UserError("笔录不存在。", "No such record.")
    return dict(loads(row.body))
