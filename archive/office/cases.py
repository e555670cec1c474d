"""What the office's pages show of a case, read from what laptops pushed (no copy of any laptop rule)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence.signing import unb64
from app.evidence.verify_rules import Key
from archive.admin import _verify_log
from archive.db import Case, Checkpoint, Device, Inspector, Leaf, LogHead, ObjectBlob, PullItem, StoredObject
from archive.office.auth import Principal
from archive.service import Archive

#: journal event type -> what the office calls it
EVENT_LABELS: dict[str, str] = {
    "case.created": "立案登记（新建稽核）",
    "case.assigned": "办公室下发任务",
    "case.field_changed": "案件信息变更",
    "case.closed": "现场稽核结束",
    "case.closed.confirmed": "第二名稽核人员确认结束",
    "arrival.notice": "出示稽核通知",
    "arrival.credentials_shown": "出示执法证件",
    "arrival.representative": "被检查单位负责人到场",
    "arrival.rights_told": "告知权利义务",
    "recusal.declared": "回避声明",
    "evidence.captured": "取证",
    "provider.signed": "证据提供者签名确认",
    "provider.refused": "证据提供者拒绝签名",
    "record.signed": "笔录签名",
    "checklist.finding": "检查清单结果",
    "finding.added": "发现问题",
    "finding.flags_acknowledged": "法制审核、集体讨论提示确认",
    "measure.preservation": "先行登记保存",
    "measure.sealing": "封存",
    "document.printed": "打印文书",
    "document.served": "送达文书",
    "step.completed": "步骤完成",
}


def kind_label(code: str) -> str:
    """The Chinese name of an audit kind code (the laptop's reference data), else the code as given."""
    from app.workflow.reference_entries import audit_kinds

    return next((k.zh for k in audit_kinds().sources if k.code == code), code)


def violation_label(code: str) -> str:
    from app.workflow.reference_entries import violation_types

    return next((v.zh for v in violation_types() if v.code == code), code)


@dataclass
class CaseSummary:
    id: str
    title: str
    institution: str
    kind: str
    status: str  # open | closed
    source: str
    created_at: str
    team: list[str] = field(default_factory=list)  # inspector ids
    leaves: int = 0

    @property
    def kind_zh(self) -> str:
        return kind_label(self.kind)


def whole(value: Any) -> int:
    """A count or an amount as pushed: a JSON whole number, else 0 (the archive verifies signatures, not the
    type of every field a page reads; one malformed object must not fail a page)."""
    return value if type(value) is int else 0


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _case_facts(s: Session, case_id: str) -> dict[str, Any]:
    """The case's own description: the laptop's case.created payload, else the office assignment."""
    row = s.execute(select(StoredObject.body).where(StoredObject.case_id == case_id,
                                                    StoredObject.kind == "case.created").limit(1)).scalar()
    if row is not None and isinstance(body := _json(row), dict):
        return body
    for item in s.execute(select(PullItem.payload).where(PullItem.kind == "assignments",
                                                         PullItem.item_id == case_id)).scalars():
        payload = _json(item)
        if isinstance(payload, dict):
            return {**payload.get("case", {}), **{k: v for k, v in payload.items() if k != "case"}}
    return {}


def case_institution(s: Session, case_id: str) -> dict[str, str]:
    """The case's institution as the laptop or the office described it: id, name, uscc, address (strings, ""
    unknown: a laptop before the address was pushed, an office assignment made without one)."""
    inst = _case_facts(s, case_id).get("institution") or {}
    if not isinstance(inst, dict):
        return {"id": "", "name": str(inst), "uscc": "", "address": ""}
    return {k: str(inst.get(k) or "") for k in ("id", "name", "uscc", "address")}


def summaries(s: Session) -> list[CaseSummary]:
    closed = set(s.execute(select(StoredObject.case_id).where(StoredObject.kind == "case.closed")).scalars())
    out = []
    for case in s.execute(select(Case).order_by(Case.created_at.desc())).scalars():
        facts = _case_facts(s, case.id)
        inst = facts.get("institution") or {}
        team = facts.get("inspectors") or []
        out.append(CaseSummary(
            id=case.id,
            title=str(facts.get("title") or ""),
            institution=str(inst.get("name", "")) if isinstance(inst, dict) else str(inst),
            kind=str(facts.get("kind") or ""),
            status="closed" if case.id in closed else "open",
            source=case.source,
            created_at=case.created_at.strftime("%Y-%m-%d"),
            team=[str(t) for t in team] if isinstance(team, list) else [],
        ))
    return out


def may_see(principal: Principal, summary: CaseSummary) -> bool:
    if principal.role != "inspector":
        return True
    return principal.inspector_id is not None and principal.inspector_id in summary.team


def visible_cases(s: Session, principal: Principal, institution: str = "", kind: str = "",
                  status: str = "") -> list[CaseSummary]:
    rows = [c for c in summaries(s) if may_see(principal, c)]
    if institution:
        rows = [c for c in rows if institution in c.institution]
    if kind:
        rows = [c for c in rows if c.kind == kind]
    if status:
        rows = [c for c in rows if c.status == status]
    return rows


def names(s: Session) -> dict[str, str]:
    out = {i.id: i.name for i in s.execute(select(Inspector)).scalars()}
    out.update({d.id: f"设备 {d.name}" for d in s.execute(select(Device)).scalars()})
    return out


def _wall(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("wall", "")
    text = str(value or "")
    return text.replace("T", " ")[:16]


def case_page(archive: Archive, s: Session, summary: CaseSummary) -> dict[str, Any]:
    who = names(s)
    case_id = summary.id
    timeline = []
    for leaf in s.execute(select(Leaf.leaf).where(Leaf.case_id == case_id)).scalars():
        entry = obj(obj(_json(leaf)).get("entry"))
        timeline.append({"time": str(entry.get("time", "")), "when": _wall(entry.get("time")),
                         "what": EVENT_LABELS.get(str(entry.get("type")), str(entry.get("type"))),
                         "who": who.get(str(entry.get("actor")), str(entry.get("actor", "")))})
    timeline.sort(key=lambda e: e["time"])
    objects = list(s.execute(select(StoredObject.kind, StoredObject.body).where(StoredObject.case_id == case_id))
                   .all())
    evidence: dict[str, dict[str, Any]] = {}
    derived: dict[str, str] = {}  # parent item -> sha of an image stream of a derived item (the thumbnail)
    provider: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    printed: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for kind, body_text in objects:
        body = _json(body_text)
        if not isinstance(body, dict):
            continue
        inner: dict[str, Any] = body["body"] if isinstance(body.get("body"), dict) else {}
        if kind == "evidence.captured":
            streams = [st for st in (inner.get("streams") or []) if isinstance(st, dict)] \
                if isinstance(inner.get("streams"), list) else []
            if inner.get("parent"):
                for st in streams:
                    if str(st.get("media_type", "")).startswith("image/"):
                        derived[str(inner["parent"])] = str(st.get("sha256"))
                continue
            evidence[str(inner.get("item"))] = {
                "id": str(inner.get("item")), "kind": str(inner.get("kind", "")),
                "description": str(inner.get("description") or obj(inner.get("source")).get("text", "")),
                "obtained": _wall(inner.get("obtained_at")), "place": str(inner.get("place", "")),
                "provider": str(obj(inner.get("provider")).get("name", "")),
                "streams": [{"name": str(st.get("name", "")), "sha256": str(st.get("sha256", "")),
                             "size": whole(st.get("size")), "media_type": str(st.get("media_type", "")),
                             "image": str(st.get("media_type", "")).startswith("image/")} for st in streams],
                "signatures": len(body["signatures"]) if isinstance(body.get("signatures"), list) else 0,
            }
        elif kind in ("provider.signed", "provider.refused"):
            signer = obj(inner.get("signer"))
            provider.append({"refused": kind == "provider.refused", "target": str(inner.get("target", "")),
                             "name": str(signer.get("name", "")) if isinstance(signer, dict) else "",
                             "role": str(signer.get("role", "")) if isinstance(signer, dict) else "",
                             "reason": str(inner.get("reason", "")), "when": _wall(inner.get("time")),
                             "witness": str(obj(inner.get("witness")).get("name", ""))})
        elif kind == "record.signed":
            records.append({"kind": {"onsite": "现场检查笔录", "interview": "询问笔录"}.get(
                str(inner.get("kind")), str(inner.get("kind", ""))), "version": inner.get("version"),
                "when": _wall(inner.get("time")),
                "signatures": len(body["signatures"]) if isinstance(body.get("signatures"), list) else 0,
                "id": str(inner.get("record", body.get("id", "")))})
        elif kind == "document.printed":
            printed.append({"form": str(body.get("form", "")), "when": _wall(body.get("at")),
                            "by": who.get(str(body.get("by")), ""), "sha256": str(body.get("content_sha256", ""))})
        elif kind == "finding.added":
            findings.append({"description": str(body.get("description", "")), "basis": str(body.get("basis", "")),
                             "amount": f"{whole(body.get('amount_fen')) / 100:,.2f}"})
    for item_id, sha in derived.items():
        if item_id in evidence:
            evidence[item_id]["thumbnail"] = sha
    checkpoints = []
    for cp in s.execute(select(Checkpoint).where(Checkpoint.case_id == case_id).order_by(Checkpoint.size)).scalars():
        rec = obj(_json(cp.checkpoint))
        receipt = obj(obj(_json(cp.receipt)).get("payload"))
        checkpoints.append({"device": who.get(cp.device_id, cp.device_id), "size": cp.size, "root": cp.root,
                            "time": _wall(obj(rec.get("checkpoint")).get("time")),
                            "step": str(obj(rec.get("checkpoint")).get("step", "")),
                            "archived": _wall(receipt.get("archive_time"))})
    return {"case": summary, "team": [who.get(t, t) for t in summary.team], "timeline": timeline,
            "evidence": sorted(evidence.values(), key=lambda e: e["obtained"]), "provider": provider,
            "records": records, "printed": printed, "findings": findings, "checkpoints": checkpoints,
            "verification": verify_case(archive, s, case_id)}


def verify_case(archive: Archive, s: Session, case_id: str) -> dict[str, Any]:
    """The case's journals, checkpoints and receipts by the rules ``verify`` and ``admin verify`` use."""
    keys = {i.id: Key(i.id, unb64(i.public_key), i.suite, "inspector", i.name)
            for i in s.execute(select(Inspector)).scalars()}
    keys.update({d.id: Key(d.id, unb64(d.public_key), d.suite, "device", d.name)
                 for d in s.execute(select(Device)).scalars()})
    failures: list[str] = []
    counts = {"leaves": 0, "logs": 0, "checkpoints": 0}
    for head in s.execute(select(LogHead).where(LogHead.case_id == case_id)).scalars():
        _verify_log(archive, s, case_id, head.device_id, head, keys, counts, failures.append, {})
    return {"ok": not failures and counts["logs"] > 0, "failures": failures[:20], **counts}


def blob_of_case(s: Session, case_id: str, sha256: str) -> dict[str, str] | None:
    """The stream description of blob ``sha256`` if an evidence item of ``case_id`` holds it."""
    linked = s.execute(select(StoredObject.body).join(ObjectBlob, ObjectBlob.object_sha256 == StoredObject.sha256)
                       .where(StoredObject.case_id == case_id, ObjectBlob.blob_sha256 == sha256)).scalars().all()
    for body_text in linked:
        body = _json(body_text) or {}
        for st in ((body.get("body") or {}).get("streams") or []):
            if st.get("sha256") == sha256:
                return {"name": str(st.get("name", "blob")), "media_type": str(st.get("media_type") or
                                                                               "application/octet-stream")}
    return None


def issued_documents(s: Session, case_id: str) -> list[dict[str, Any]]:
    """Every document the laptop issued in the case (``document.issued``: frozen, signed, its pages' exact text),
    oldest first: what the party signed and what was printed, as they read it."""
    out = []
    for sha, body_text in s.execute(select(StoredObject.sha256, StoredObject.body).where(
            StoredObject.case_id == case_id, StoredObject.kind == "document.issued")
            .order_by(StoredObject.created_at, StoredObject.sha256)).all():
        body = _json(body_text)
        if not isinstance(body, dict):
            continue
        source: dict[str, Any] = body["source"] if isinstance(body.get("source"), dict) else {}
        pages = [p for p in body.get("pages") or [] if isinstance(p, dict)]
        out.append({"sha256": sha, "title": str(body.get("title", "")), "form": str(body.get("form", "")),
                    "issued_on": str(body.get("issued_on", "")), "record": str(source.get("record", "")),
                    "pages": [{"page": p.get("page"), "of": p.get("of"), "part": str(p.get("part", "")),
                               "sha256": str(p.get("sha256", "")), "text": str(p.get("text", ""))} for p in pages]})
    return out
