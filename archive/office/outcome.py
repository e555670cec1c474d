"""The office's outcome forms, printed from the laptop's document model (``app.documents``): the decision
(行政处罚决定书, or the 经办机构's 稽核处理决定书) from the decision step its head of section signed, and the
送达回证 of that decision from the service step. The same freeze → render path as every laptop form (the
frozen pages, the page statements with their 核验码), with two differences: the wording comes from
``agency.json`` in the archive's data directory when there is one (else the bundled file), and the page
statements are signed by the archive key, the office having no device key.

The context is read from what the laptops pushed (the case with its institution's name, code and address, its
findings, its inspectors) or the office assignment, and from the office steps; what neither holds (the address
of a case pushed before laptops sent it, or assigned without one) is left blank rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents.config import AgencyConfig, load_agency_config
from app.documents.context import (
    CaseInfo,
    Decision,
    DocumentContext,
    DocumentError,
    Finding,
    Inspector,
    Outcome,
    Party,
    Service,
)
from app.documents.frozen import freeze
from app.documents.renderer import Issued, render_documents
from app.evidence.canonical import canonical_bytes
from archive.db import Inspector as ArchiveInspector
from archive.db import StoredObject
from archive.office.auth import OfficeError
from archive.office.cases import CaseSummary, case_institution, obj, whole
from archive.office.models import ROLES
from archive.service import Archive

#: the outcome forms the office prints, by the step that must be recorded first
OUTCOME_FORMS = {"decision": "decided", "service-receipt": "served"}


def agency_config(archive: Archive) -> AgencyConfig:
    path = archive.paths.data / "agency.json"
    return load_agency_config(path if path.is_file() else None)


def decision_number(cfg: AgencyConfig, year: int, earlier_this_year: int) -> str:
    """The next 文号 of the office's decisions in ``year`` (in the series of the body that runs the case)."""
    body = cfg.default_track
    return cfg.number("decision", year, earlier_this_year + 1, body)


def _bodies(s: Session, case_id: str, kind: str) -> list[dict[str, Any]]:
    out = []
    for body in s.execute(select(StoredObject.body).where(StoredObject.case_id == case_id,
                                                          StoredObject.kind == kind)).scalars():
        try:
            out.append(obj(json.loads(body)))
        except ValueError:
            continue
    return out


def _facts(s: Session, case_id: str) -> dict[str, Any]:
    created = _bodies(s, case_id, "case.created")
    return created[0] if created else {}


def context(archive: Archive, s: Session, summary: CaseSummary, done: dict[str, dict[str, Any]],
            cfg: AgencyConfig) -> DocumentContext:
    """The document context of the office's outcome forms, from the pushed case and the office steps."""
    decided = done.get("decided")
    if decided is None:
        raise OfficeError("尚未作出决定", "no decision is recorded yet", 409)
    d = decided["data"]
    if not str(d.get("number", "")).strip():  # a decision recorded before the office numbered its decisions
        raise OfficeError("该决定未随决定记录文号，不能打印决定书", "the decision was recorded without its 文号", 409)
    on = dt.date.fromisoformat(d["on"])
    facts = _facts(s, summary.id)
    inst = case_institution(s, summary.id)
    rep = next((str(b.get("name", "")) for b in _bodies(s, summary.id, "arrival.representative")), "")
    findings: dict[str, Finding] = {}
    for n, b in enumerate(_bodies(s, summary.id, "finding.added")):
        findings[str(b.get("finding") or n)] = Finding(str(b.get("description", "")), str(b.get("basis", "")),
                                                      whole(b.get("amount_fen")), str(b.get("violation", "")))
    roster = {i.id: i for i in s.execute(select(ArchiveInspector)).scalars()}
    inspectors = tuple(Inspector(roster[i].name, roster[i].credential_no, roster[i].organisation)
                       for i in summary.team if i in roster)
    review = done.get("legal_review", {}).get("data")
    hearing = done.get("hearing_held", {}).get("data")
    scheduled = done.get("hearing_scheduled", {}).get("data", {})
    decision = Decision(
        number=str(d.get("number", "")), decided_on=on, text=str(d.get("decision", "")),
        amount_fen=whole(d.get("amount_fen")), signed_by=str(decided["name"]),
        signed_role=ROLES.get(str(decided["role"]), (str(decided["role"]),))[0],
        legal_review=(f"{done['legal_review']['name']} {review['on']} 通过" if review else ""),
        hearing=(f"{hearing['on']}在{scheduled.get('place', '')}（主持人 {hearing.get('presiding', '')}）"
                 if hearing else ""),
        waived_defence=d.get("waived") is True)
    raw_period, raw_matters = facts.get("period"), facts.get("matters")
    period: list[Any] = raw_period if isinstance(raw_period, list) else []
    start = _date(period[0] if period else "", on)
    end = _date(period[1] if len(period) > 1 else "", start)
    matters: list[Any] = raw_matters if isinstance(raw_matters, list) else []
    case = CaseInfo(case_id=summary.id, year=on.year, seq=0, kind=summary.kind_zh, form=str(facts.get("form", "")),
                    period_start=start, period_end=end, matters=tuple(str(m) for m in matters),
                    doc_numbers={"decision": decision.number})
    party = Party(name=inst["name"], address=inst["address"], credit_code=inst["uscc"], representative=rep)
    services: tuple[Service, ...] = ()
    served = done.get("served")
    if served is not None:
        sd = served["data"]
        services = (Service(document_title="", document_number=decision.number, recipient=str(sd["recipient"]),
                            place=str(sd.get("place", "")), method=str(sd["method"]),
                            served_at=dt.datetime.fromisoformat(sd["on"] + "T00:00:00"),
                            servers=tuple(sd.get("servers") or [served["name"]]), form="decision"),)
    return DocumentContext(
        case=case, party=party, inspectors=inspectors, issued_on=on, checkpoint=office_checkpoint(decided),
        outcome=Outcome(findings=tuple(findings.values()), handling=decision.text,
                        refund_fen=decision.amount_fen),
        decision=decision, services=services, service=services[0] if services else None)


def _date(text: Any, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return fallback


def office_checkpoint(step: dict[str, Any]) -> str:
    """What the page statements name as their checkpoint: the office step itself ("OFFICE-" and the first 16
    hex digits of its canonical hash, in the statement's alphabet)."""
    digest = hashlib.sha256(canonical_bytes(step)).hexdigest()[:16].upper()
    return "OFFICE-" + "-".join(digest[k:k + 4] for k in range(0, 16, 4))


def outcome_pdf(archive: Archive, s: Session, summary: CaseSummary, done: dict[str, dict[str, Any]],
                form: str) -> bytes:
    """One outcome form as a PDF (frozen and printed by ``app.documents``), signed page by page by the archive."""
    if form not in OUTCOME_FORMS:
        raise OfficeError("没有这种文书", "no such outcome form", 404)
    if OUTCOME_FORMS[form] not in done:
        raise OfficeError("相应步骤尚未办理", f"the {OUTCOME_FORMS[form]} step is not recorded yet", 409)
    cfg = agency_config(archive)
    ctx = context(archive, s, summary, done, cfg)
    try:
        doc = freeze(form, ctx, cfg)
    except DocumentError as exc:
        raise OfficeError(f"文书无法生成：{exc}", f"the form cannot be made: {exc}", 409) from exc
    ref = hashlib.sha256(canonical_bytes(doc)).hexdigest()[:20]
    data, _printed = render_documents(form, [Issued(doc, ref, ctx.checkpoint)], summary.id, archive.key.sign)
    return data
