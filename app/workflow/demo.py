"""The demo profile: two demo inspectors and a demo audit of a fictitious hospital.

Everything here is invented: the hospital, the people and the numbers. The audit is complete and closed: every
evidence type, an interview, a provider's refusal, a correction, preservation and sealing, findings over the
法制审核 threshold, the documents printed, both inspectors' closing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.fsutil import fsync_dir, replace
from app.models.lock import ProfileLock
from app.models.profile import Profile
from app.models.schema import Case
from app.workflow.cases import CaseSpec, ChecklistItemSpec, add_institution, create_case
from app.workflow.demo_case import print_and_close, run_procedure

DEMO_INSPECTORS = (
    ("王建国", "42010020260001", "某市医疗保障基金稽核中心"),
    ("李晓梅", "42010020260002", "某市医疗保障基金稽核中心"),
)
DEMO_HOSPITAL = {
    "name": "某市虚构第一人民医院（演示）",
    "kind": "designated_hospital",
    "uscc": "12420100MB0123456C",
    "address": "某市某区演示大道 1 号",
    "legal_rep": "赵演示",
    "phone": "027-00000000",
    "level": "三级甲等",
}


@dataclass(frozen=True)
class DemoResult:
    case_id: str
    status: str
    institution: str
    inspector_ids: tuple[str, str]


def demo_checklist() -> list[ChecklistItemSpec]:
    try:
        from app.workflow.checklist_templates import list_checklist_templates, load_checklist_template

        templates = list_checklist_templates()
        if templates:
            tpl = load_checklist_template(templates[0].id)
            return [ChecklistItemSpec(i.id, i.title, i.category, list(i.requirements)) for i in tpl.items[:8]]
    except (ImportError, AttributeError):
        pass
    return [ChecklistItemSpec("demo-1", "挂床住院、虚假住院", "打击欺诈骗保", ["核对在院患者与住院清单"])]


def build_demo(root: Path, passphrase_a: str, passphrase_b: str) -> DemoResult:
    """Build the demo profile beside ``root`` and move it into place when complete, so ``root`` never holds half a
    demo: a run that is killed or fails (a full disk) leaves only ``.NAME.demo-partial``, which this run removes and
    the next run starts over from (issue 12 item 9)."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        Profile.init(root)  # raises: a profile, or something else, is already there
    root.parent.mkdir(parents=True, exist_ok=True)
    partial = root.with_name(f".{root.name}.demo-partial")
    lock = ProfileLock(root.with_name(f".{root.name}.demo-lock"))
    lock.acquire()  # a second demo build of the same profile is refused, not interleaved
    try:
        if partial.exists():
            shutil.rmtree(partial)  # what a killed earlier run left
        try:
            result = _build_demo(partial, passphrase_a, passphrase_b)
            if root.exists():
                root.rmdir()
            replace(partial, root)
            fsync_dir(root.parent)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    finally:
        lock.release()
    return result


def _build_demo(root: Path, passphrase_a: str, passphrase_b: str) -> DemoResult:
    profile = Profile.init(root)
    (n1, c1, o1), (n2, c2, o2) = DEMO_INSPECTORS
    a = profile.enroll(n1, c1, o1, passphrase_a)
    b = profile.enroll(n2, c2, o2, passphrase_b, unlock_passphrase=passphrase_a)
    with profile.unlock(passphrase_a) as store:
        store.unlock_inspector(passphrase_b)
        with store.transaction() as s:
            inst = add_institution(s, **DEMO_HOSPITAL)
            case = create_case(s, store, a, CaseSpec(
                institution_id=inst.id, kind="special", inspector_ids=[a, b],
                title="2026 年度定点医疗机构医保基金使用专项稽核（演示）",
                doc_no="某医保稽通〔2026〕1号", period_from="2025-01-01", period_to="2025-12-31",
                matters="住院费用结算、检查检验收费、药品耗材进销存", basis="《医疗保障基金使用监督管理条例》第二十七条",
                planned_date="2026-11-23", notice_served_on="2026-11-18", place=DEMO_HOSPITAL["address"],
                checklist_template_id=None, checklist=demo_checklist(),
            ))
            case_id, inst_name = case.id, inst.name
        run_procedure(store, case_id, a, b, DEMO_HOSPITAL["address"], date.today())
        print_and_close(store, case_id, a, b)
        with store.session() as s:
            status = s.get(Case, case_id).status  # type: ignore[union-attr]
    return DemoResult(case_id, status, inst_name, (a, b))
