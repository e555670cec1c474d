"""Tests for the reference data and the checklist templates (app.workflow.reference_files, reference_entries,
reference_holidays, reference_caches, checklist_templates)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.workflow import reference_entries
from app.workflow.checklist_templates import list_checklist_templates, load_checklist_template
from app.workflow.reference_caches import clear_caches
from app.workflow.reference_entries import (
    audit_kinds,
    evidence_kinds,
    institution_identifier,
    institution_kinds,
    onsite_measures,
    outcomes,
    service_methods,
    violation_types,
)
from app.workflow.reference_files import ReferenceDataError, resources_dir
from app.workflow.reference_holidays import load_work_calendar
from app.workflow.thresholds import needs_collective_decision, needs_legal_review

REPO = Path(__file__).resolve().parents[2]


def _seeds_dir() -> Path | None:
    for candidate in (REPO.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if candidate.is_dir():
            return candidate
    return None


def _codes(entries: tuple[reference_entries.RefEntry, ...]) -> list[str]:
    return [e.code for e in entries]


def test_evidence_kinds_are_the_eight_statutory_types_in_order() -> None:
    kinds = evidence_kinds()
    assert _codes(kinds) == [
        "documentary", "physical", "audiovisual", "electronic",
        "witness", "party_statement", "expert_opinion", "inspection_record",
    ]
    assert [k.zh for k in kinds][:2] == ["书证", "物证"]
    assert kinds[7].zh == "勘验笔录、现场笔录"
    assert kinds[0].label("en") == "Documentary evidence"


def test_onsite_measures_cover_article_27() -> None:
    codes = _codes(onsite_measures())
    for code in ("onsite_inspection", "inquiry", "request_material", "record_media", "seal", "third_party"):
        assert code in codes
    assert next(m for m in onsite_measures() if m.code == "seal").zh == "封存"


def test_audit_kinds() -> None:
    kinds = audit_kinds()
    assert _codes(kinds.sources) == ["routine", "special", "targeted", "complaint"]
    assert _codes(kinds.forms) == ["onsite", "written"]
    assert _codes(kinds.flags) == ["unannounced"]
    assert "集中带量采购" in [t.zh for t in kinds.special_topics]


def test_institution_kinds_and_identifiers() -> None:
    assert _codes(institution_kinds()) == [
        "designated_hospital", "designated_pharmacy", "employer",
        "insured_person", "commercial_insurer", "agency_office",
    ]
    assert institution_identifier("insured_person") == "resident_id"
    assert institution_identifier("designated_pharmacy") == "uscc"
    with pytest.raises(KeyError):
        institution_identifier("nope")


def test_violation_types_from_domain_table() -> None:
    by_code = {v.code: v for v in violation_types()}
    for code in ("ghost_bed", "split_admission", "impersonation", "fictitious_service", "falsified_records",
                 "overcharging", "substitution", "excessive_treatment", "off_scope", "drug_resale"):
        assert code in by_code
        assert by_code[code].evidence, code
        assert by_code[code].basis.startswith("条例")
    assert "第三十八条第（四）项" in by_code["substitution"].basis
    assert any("追溯码" in h.zh for h in by_code["substitution"].evidence)
    assert "electronic" in by_code["falsified_records"].evidence_kinds


def test_outcomes_flags_drive_the_threshold_rules() -> None:
    by_code = {o.code: o for o in outcomes()}
    assert by_code["terminate_agreement"].ends_agreement
    assert by_code["suspend_agreement"].suspends
    assert by_code["recover"].monetary and not by_code["reminder"].monetary
    chosen = [by_code["reminder"], by_code["suspend_agreement"]]
    assert needs_collective_decision(0, any(o.suspends for o in chosen)).required
    assert not needs_legal_review(0, any(o.ends_agreement for o in chosen)).required


def test_service_methods() -> None:
    by_code = {m.code: m for m in service_methods()}
    assert {"direct", "lodged", "postal", "electronic"} <= set(by_code)
    assert by_code["lodged"].needs_witness and not by_code["direct"].needs_witness
    assert by_code["electronic"].needs_consent


def test_every_reference_file_has_bilingual_labels_and_unique_codes() -> None:
    for path in sorted((resources_dir() / "reference").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        groups = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if path.name == "holidays.json":
            continue
        assert groups, path
        for group in groups:
            codes = [e["code"] for e in group]
            assert len(codes) == len(set(codes)), path
            for e in group:
                assert re.fullmatch(r"[a-z][a-z0-9_]*", e["code"]), e
                assert e["zh"] and e["en"], e


def test_holiday_calendar_loads() -> None:
    cal = load_work_calendar()
    assert cal.years == frozenset({2025, 2026})
    assert len([d for d in cal.holidays if d.year == 2026]) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert load_work_calendar() is cal  # cached


# ------------------------------------------------------------------------------------------ checklists

TEMPLATE_SEEDS = {
    "nantong_2021_inspection_plan": "003_dea53202a836123b.txt",
    "yeji_2022_agency_self_check": "004_eb51e4ee481051d5.txt",
    "henan_2023_routine_audit": "002_d899fe0808b3633e.txt",
}


def test_every_template_loads_with_unique_ids_and_items() -> None:
    templates = list_checklist_templates()
    assert sorted(t.id for t in templates) == sorted(TEMPLATE_SEEDS)
    known_violations = {v.code for v in violation_types()}
    for t in templates:
        assert t.items and t.title and t.source.startswith("seeds/")
        assert t.source.split()[0].removeprefix("seeds/") == TEMPLATE_SEEDS[t.id]
        ids = [i.id for i in t.items]
        assert len(ids) == len(set(ids))
        for item in t.items:
            assert item.title and item.category and item.requirements
            assert set(item.evidence_hints) <= known_violations
        assert load_checklist_template(t.id) is t
    with pytest.raises(KeyError):
        load_checklist_template("missing")


def test_nantong_items_match_seed_003() -> None:
    t = load_checklist_template("nantong_2021_inspection_plan")
    assert len(t.items) == 7
    fraud = t.item("01")
    assert fraud.title == "打击欺诈骗保"
    assert fraud.focus[0].startswith("以“假病人”“假病情”“假票据”为重点")
    assert fraud.requirements == ("二级以上医疗机构覆盖率不低于20%。", "市本级案件发布不少于10件。")
    catalogue = t.item("04")
    assert "自费医疗费用是否控制在住院总费用的8%以内" in catalogue.focus[2]
    price = t.item("05")
    assert "自立项目、自立耗材、套用编码、分解收费、超标准收费" in price.focus[1]
    assert price.responsible_unit == "价格招采处"


def test_yeji_items_match_seed_004() -> None:
    t = load_checklist_template("yeji_2022_agency_self_check")
    assert len(t.items) == 10
    assert [i.category for i in t.items][:3] == ["机构职能整合情况", "内控机制建设", "基金财务管理"]
    finance = t.item("03")
    assert len(finance.requirements) == 7
    assert finance.requirements[2] == '医保基金实行"收支两条线"管理，按照规定纳入财政专户。'
    assert (finance.responsible_leader, finance.responsible_unit) == ("陈永波", "医保中心")
    review = t.item("06")
    assert "住院费用的抽查比例不低于总量的5%" in review.requirements[2]
    audit = t.item("08")
    assert (audit.responsible_leader, audit.responsible_unit) == ("陶然", "监管中心")
    assert len(audit.requirements) == 6
    assert len(t.item("07").requirements) == 5
    assert t.item("07").note


def test_henan_items_match_seed_002() -> None:
    t = load_checklist_template("henan_2023_routine_audit")
    assert [i.title for i in t.items] == [
        "定点医药机构协议履行情况", "费用结算和项目标准执行情况", "集中带量采购执行情况",
        "跨省异地就医人员费用结算情况", "病案首页填写情况", "DRG/DIP 支付情况",
    ]


def test_every_template_text_is_verbatim_from_its_seed() -> None:
    seeds = _seeds_dir()
    if seeds is None:
        pytest.skip("shared/seeds not present beside the repository")
    for template_id, seed_file in TEMPLATE_SEEDS.items():
        source = re.sub(r"\s", "", (seeds / seed_file).read_text(encoding="utf-8"))
        t = load_checklist_template(template_id)
        for item in t.items:
            for text in (item.title, item.category, *item.requirements, *item.focus):
                assert re.sub(r"\s", "", text) in source, (template_id, item.id, text)


# ------------------------------------------------------------------------------------------ loader errors


@pytest.fixture
def resource_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "resources"
    shutil.copytree(resources_dir() / "reference", root / "reference")
    shutil.copytree(resources_dir() / "templates" / "checklists", root / "templates" / "checklists")
    monkeypatch.setenv("FIELDAUDIT_RESOURCES_DIR", str(root))
    clear_caches()
    yield root
    clear_caches()


def test_env_override_and_agency_edit(resource_copy: Path) -> None:
    path = resource_copy / "reference" / "evidence_kinds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"][0]["zh"] = "书证（改）"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    clear_caches()
    assert evidence_kinds()[0].zh == "书证（改）"


def test_duplicate_codes_are_rejected(resource_copy: Path) -> None:
    path = resource_copy / "reference" / "outcomes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"].append(data["entries"][0])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        outcomes()


def test_unknown_violation_hint_in_template_is_rejected(resource_copy: Path) -> None:
    path = resource_copy / "templates" / "checklists" / "henan_2023_routine_audit.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["items"][0]["evidence_hints"] = ["no_such_violation"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        list_checklist_templates()


def test_missing_and_corrupt_files(resource_copy: Path) -> None:
    (resource_copy / "reference" / "service_methods.json").unlink()
    with pytest.raises(ReferenceDataError):
        service_methods()
    (resource_copy / "reference" / "audit_kinds.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        audit_kinds()


def test_empty_items_are_rejected(resource_copy: Path) -> None:
    path = resource_copy / "templates" / "checklists" / "henan_2023_routine_audit.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["items"] = []
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        list_checklist_templates()
