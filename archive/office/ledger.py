"""The 稽核工作台账 (ledger of every audit, Wuhan Audit Measures Art. 19), statistics by quarter, kind and violation
type, and the quarterly report (a PDF with charts, due on the 25th of the quarter's last month)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db import Case, StoredObject
from archive.office import procedure
from archive.office.cases import names, obj, summaries, violation_label, whole


@dataclass
class LedgerRow:
    case_id: str
    institution: str
    kind: str
    title: str
    visit: str
    registered: str
    team: str
    findings: int
    amount_fen: int
    decided_fen: int
    returned_fen: int
    handling: str
    stage: str


def _objects(s: Session, kinds: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case_id, body in s.execute(select(StoredObject.case_id, StoredObject.body)
                                   .where(StoredObject.kind.in_(kinds))).all():
        value = json.loads(body)
        if isinstance(value, dict):
            out[case_id].append(value)
    return out


def ledger(s: Session) -> list[LedgerRow]:
    who = names(s)
    findings = _objects(s, ("finding.added",))
    created = {c.id: c.created_at for c in s.execute(select(Case)).scalars()}
    rows = []
    for c in summaries(s):
        hist = procedure.history(s, c.id)
        done = {h["stage"]: h for h in hist}
        stage = next((st.zh for st in reversed(procedure.STAGES) if st.key in done), "")
        if not stage:
            stage = "现场结束，待立案" if c.status == "closed" else "现场稽核中"
        decided = done.get("decided", {}).get("data", {})
        returned = sum(int(h["data"].get("returned_fen", 0)) for h in hist if h["stage"] == "executed")
        case_findings = findings.get(c.id, [])
        rows.append(LedgerRow(
            case_id=c.id, institution=c.institution, kind=c.kind_zh, title=c.title,
            visit=_visit(s, c.id), registered=created[c.id].strftime("%Y-%m-%d"),
            team="、".join(who.get(t, t) for t in c.team),
            findings=len(case_findings), amount_fen=sum(whole(f.get("amount_fen")) for f in case_findings),
            decided_fen=int(decided.get("amount_fen", 0) or 0), returned_fen=returned,
            handling=str(decided.get("decision", "")), stage=stage))
    return rows


def _visit(s: Session, case_id: str) -> str:
    body = s.execute(select(StoredObject.body).where(StoredObject.case_id == case_id,
                                                     StoredObject.kind == "case.created").limit(1)).scalar()
    if body is None:
        return ""
    return str(obj(json.loads(body)).get("planned_date", ""))


def totals(rows: list[LedgerRow]) -> dict[str, int]:
    return {"cases": len(rows), "findings": sum(r.findings for r in rows),
            "amount_fen": sum(r.amount_fen for r in rows), "decided_fen": sum(r.decided_fen for r in rows),
            "returned_fen": sum(r.returned_fen for r in rows)}


HEADERS = ("被检查单位", "稽核类型", "稽核事项", "现场日期", "登记日期", "稽核人员", "问题数", "涉及金额（元）",
           "决定金额（元）", "退回基金（元）", "处理情况", "办理阶段")


def ledger_xlsx(rows: list[LedgerRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "稽核工作台账"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.institution, r.kind, r.title, r.visit, r.registered, r.team, r.findings, r.amount_fen / 100,
                   r.decided_fen / 100, r.returned_fen / 100, r.handling, r.stage])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text laptops pushed ("=HYPERLINK(…)") stays text, never a formula
    t = totals(rows)
    ws.append(["合计", "", f"{t['cases']} 件", "", "", "", t["findings"], t["amount_fen"] / 100,
               t["decided_fen"] / 100, t["returned_fen"] / 100, "", ""])
    for col in "HIJ":
        for cell in ws[col][1:]:
            cell.number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHIJKL", (28, 10, 36, 12, 12, 18, 8, 16, 16, 16, 24, 14), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def report_due(year: int, quarter: int) -> dt.date:
    """Quarterly reports are due on the 25th of the quarter's last month (Henan 2023 points)."""
    return dt.date(year, quarter * 3, 25)


def statistics(s: Session, year: int, quarter: int) -> dict[str, Any]:
    rows = ledger(s)
    in_quarter = [r for r in rows if quarter_of(dt.date.fromisoformat(r.registered)) == (year, quarter)]
    by_kind: dict[str, int] = defaultdict(int)
    for r in in_quarter:
        by_kind[r.kind or "（未填写）"] += 1
    by_violation: dict[str, int] = defaultdict(int)
    ids = {r.case_id for r in in_quarter}
    for case_id, items in _objects(s, ("finding.added",)).items():
        if case_id in ids:
            for f in items:
                by_violation[violation_label(str(f.get("violation") or "其他"))] += whole(f.get("amount_fen"))
    return {"year": year, "quarter": quarter, "due": report_due(year, quarter).isoformat(),
            "totals": totals(in_quarter), "by_kind": dict(by_kind), "by_violation_fen": dict(by_violation),
            "rows": in_quarter}


def quarterly_pdf(stats: dict[str, Any]) -> bytes:
    """The quarterly report: figures, two charts (matplotlib) and the quarter's ledger, in the bundled CJK face."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from app.documents.fonts import FONT_DIR, HEI, SONG, register_fonts

    register_fonts()
    font_manager.fontManager.addfont(str(FONT_DIR / "wqy-microhei.ttc"))
    family = font_manager.FontProperties(fname=str(FONT_DIR / "wqy-microhei.ttc")).get_name()
    plt.rcParams["font.family"] = family
    plt.rcParams["text.parse_math"] = False  # labels are pushed text: "$…$" is not mathtext

    def chart(title: str, data: dict[str, float], unit: str) -> ImageReader:
        fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=150)
        labels = list(data) or ["（无）"]
        values = list(data.values()) or [0]
        ax.bar(labels, values, color="#1f4e79")
        ax.set_title(title)
        ax.set_ylabel(unit)
        if unit == "件":
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        buf.seek(0)
        return ImageReader(buf)

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    w, h = A4
    t = stats["totals"]
    c.setFont(HEI, 18)
    c.drawCentredString(w / 2, h - 30 * mm, f"{stats['year']} 年第 {stats['quarter']} 季度医保基金稽核工作报告")
    c.setFont(SONG, 11)
    y = h - 45 * mm
    for line in (f"报送期限：{stats['due']}", f"稽核案件 {t['cases']} 件，发现问题 {t['findings']} 个，"
                 f"涉及金额 {t['amount_fen'] / 100:,.2f} 元；", f"作出决定金额 {t['decided_fen'] / 100:,.2f} 元，"
                 f"已退回基金 {t['returned_fen'] / 100:,.2f} 元。"):
        c.drawString(20 * mm, y, line)
        y -= 7 * mm
    img = chart("按稽核类型统计的案件数", {k: float(v) for k, v in stats["by_kind"].items()}, "件")
    c.drawImage(img, 20 * mm, y - 75 * mm, width=170 * mm, height=74 * mm)
    y -= 80 * mm
    img = chart("按违规类型统计的涉及金额", {k: v / 100 for k, v in stats["by_violation_fen"].items()}, "元")
    c.drawImage(img, 20 * mm, y - 75 * mm, width=170 * mm, height=74 * mm)
    c.showPage()
    c.setFont(HEI, 14)
    c.drawString(20 * mm, h - 25 * mm, "本季度稽核工作台账")
    c.setFont(SONG, 9)
    y = h - 35 * mm
    for r in stats["rows"]:
        if y < 20 * mm:
            c.showPage()
            c.setFont(SONG, 9)
            y = h - 20 * mm
        c.drawString(20 * mm, y, f"{r.institution[:24]}  {r.kind}  {r.registered}  问题 {r.findings} 个  "
                                 f"涉及 {r.amount_fen / 100:,.2f} 元  {r.stage}")
        y -= 6 * mm
    c.save()
    return out.getvalue()
