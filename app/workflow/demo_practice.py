"""The demo's practice audit: beside the closed showcase, an audit at its first step that a new user carries
through themselves. Started exactly as 新建稽核 starts one (``new_audit.start_audit``). Everything is invented."""

from __future__ import annotations

from datetime import date, timedelta

from app.models.profile import Store
from app.workflow.new_audit import InstitutionInput, NewAudit, start_audit

PRACTICE_PARTY = InstitutionInput(name="某市虚构第二医院（练习）", kind="designated_hospital",
                                  uscc="91350100M000100Y30", address="某市某区练习路 2 号", legal_rep="钱练习",
                                  phone="027-00000001")
#: Days from today to the practice audit: its notice is still to be served (the home page lists the deadline).
PRACTICE_DAYS_AHEAD = 7


def add_practice_case(store: Store, inspector_a: str, inspector_b: str, today: date | None = None) -> str:
    """An announced routine audit planned a week ahead, its notice not served yet; returns its id."""
    from app.workflow.checklist_templates import list_checklist_templates

    today = today or date.today()
    templates = list_checklist_templates()
    with store.transaction() as s:
        return start_audit(s, store, inspector_a, NewAudit(
            kind="routine", inspector_ids=[inspector_a, inspector_b], institution=PRACTICE_PARTY,
            checklist_template_id=templates[0].id if templates else "",
            title="定点医疗机构日常稽核（练习）", doc_no="某医保稽通〔2026〕2号",
            matters="住院费用结算、药品耗材进销存", basis="《医疗保障基金使用监督管理条例》第二十七条",
            period_from=date(today.year - 1, 1, 1).isoformat(), period_to=date(today.year - 1, 12, 31).isoformat(),
            planned_date=(today + timedelta(days=PRACTICE_DAYS_AHEAD)).isoformat()), today=today)
