"""The agency file: defaults load, an agency's own file changes what is printed, bad files are refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import ConfigError, load_agency_config, render
from app.documents.config import DEFAULT_CONFIG_PATH, FORM_NAMES, OFFICE_FORM_NAMES
from app.documents.form_registry import FORMS
from app.documents.sample import sample_context


def test_default_is_the_fictitious_agency() -> None:
    cfg = load_agency_config()
    assert cfg.agency_name == "某市医疗保障局"
    assert cfg.unit_name == "某市医疗保障基金稽核中心"
    assert set(FORM_NAMES) == set(FORMS)
    assert set(cfg.forms) == set(FORM_NAMES) | set(OFFICE_FORM_NAMES)  # the office's decision is worded there too
    # each body has its own 文号 series: the department's 检查通知书, the 稽核中心's 稽核通知书
    assert cfg.number("notice", 2026, 7, "department") == "某医保通〔2026〕7号"
    assert cfg.number("notice", 2026, 7, "agency") == "某医稽通〔2026〕7号"
    assert cfg.wording("notice").title_for("agency") == "稽核通知书"


def test_an_agency_file_without_the_office_forms_still_loads(tmp_path: Path) -> None:
    """Agency files written before the office printed its decision lack its wording: a default, not a refusal."""
    data = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    del data["forms"]["decision"]
    path = tmp_path / "agency.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cfg = load_agency_config(path)
    assert cfg.number("decision", 2026, 3, "department") == "某医保决〔2026〕3号"
    assert cfg.wording("decision").title == "行政处罚决定书"


def test_an_agency_file_without_the_correction_notice_still_loads(tmp_path: Path) -> None:
    """Agency files written before the 更正（补正）通知书 existed lack its wording: a default, not a refusal; a file
    that words it is read as written."""
    data = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    del data["forms"]["correction"]
    path = tmp_path / "agency.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cfg = load_agency_config(path)
    assert cfg.number("correction", 2026, 3, "department") == "某医保更〔2026〕3号"
    assert cfg.wording("correction").title == "更正（补正）通知书"
    data["forms"]["correction"] = {"title": "补正通知书", "number_pattern": "{agency_short}补〔{year}〕{seq}号"}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_agency_config(path).number("correction", 2026, 3, "agency") == "某医稽补〔2026〕3号"


def test_an_agency_file_overrides_the_wording(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    data["bodies"]["department"]["name"] = "甲市医疗保障局"
    data["bodies"]["department"]["seal"] = "甲市医疗保障局"
    data["bodies"]["department"]["short"] = "甲医保"
    data["forms"]["notice"]["number_pattern"] = "{agency_short}稽字〔{year}〕第{seq}号"
    data["forms"]["notice"]["titles"]["department"] = "医疗保障基金稽核通知书"
    path = tmp_path / "agency.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cfg = load_agency_config(path)
    out = io.BytesIO()
    render("notice", sample_context(), out, cfg)
    text = "".join(p.extract_text() for p in PdfReader(out).pages).replace(" ", "").replace("\n", "")
    assert "甲市医疗保障局" in text
    assert "医疗保障基金稽核通知书" in text
    assert "甲医保稽字〔2026〕第17号" in text
    assert "某市医疗保障局" not in text.replace("（某市医疗保障局）", "")  # the sample inspectors keep their own organisation


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["bodies"]["department"].pop("name"), "name"),
        (lambda d: d["bodies"].pop("agency"), "agency"),
        (lambda d: d.update(default_track="bureau"), "default_track"),
        (lambda d: d.update(hearing_threshold_fen=-1), "hearing_threshold_fen"),
        (lambda d: d["forms"].pop("sealing"), "sealing"),
        (lambda d: d["forms"]["notice"].update(number_pattern="{agency}〔{year}〕"), "agency"),
        (lambda d: d["forms"]["interview"].update(opening="{who}"), "who"),
        (lambda d: d.update(contact="x"), "contact"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, mutate: object, message: str) -> None:
    data = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "agency.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_agency_config(path)


def test_unreadable_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="无法读取"):
        load_agency_config(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="JSON"):
        load_agency_config(broken)
