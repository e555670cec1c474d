"""Frozen documents, pure: page text = what pdftotext reads back; every agency.json wording is in some page's hash;
QR codes of ≥ 0.5 mm modules with a 4-module quiet zone that zbarimg decodes from a 100-dpi rendering."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.documents import FORMS, render
from app.documents.config import DEFAULT_CONFIG_PATH, load_agency_config, parse_agency_config
from app.documents.form_registry import OFFICE_FORMS
from app.documents.frozen import freeze, page_texts, pages
from app.documents.layout import MM
from app.documents.renderer import QR_MODULE, qr_size
from app.documents.sample import sample_context
from app.documents.verify import QUIET, Statement, decode, encode, qr_matrix
from app.evidence.page_hash import normalise, text_sha256

STRESS = {"interview_questions": 30, "evidence_items": 60, "held_items": 40, "onsite_paragraphs": 6}


def _stress_ctx(track: str = "department") -> Any:
    return sample_context(track=track, **STRESS)


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    out = tmp_path_factory.mktemp("stress")
    contexts = {track: _stress_ctx(track) for track in ("department", "agency")}
    done = {}
    for form in FORMS:
        path = out / f"{form}.pdf"
        done[form] = (path, render(form, contexts[_track(form)], path))
    return done


def _track(form: str) -> str:
    """The body a form is issued by in the tests: the 稽核结果告知书 is the 经办机构's, the rest the department's."""
    return "agency" if form == "result-notice" else "department"


def _pdftotext(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, timeout=60).stdout.decode("utf-8")


def test_page_text_is_what_pdftotext_reads_back(stress: dict[str, tuple[Path, Any]]) -> None:
    """The text function the GUI read-back uses gives exactly the printed page's text, white space aside."""
    assert shutil.which("pdftotext")
    contexts = {track: _stress_ctx(track) for track in ("department", "agency")}
    cfg = load_agency_config()
    for form, (path, result) in stress.items():
        texts = page_texts(freeze(form, contexts[_track(form)], cfg))
        assert len(texts) == result.pages
        for k, printed in enumerate(result.printed, 1):
            read = normalise(_pdftotext(path, k))
            if printed.text == texts[k - 1]:  # pages without a signature mark
                assert read.startswith(normalise(texts[k - 1])), (form, k)
            assert read.startswith(normalise(printed.text)), (form, k)
            assert text_sha256(printed.text) == printed.sha256


def test_every_qr_decodes_with_zbarimg_at_100_dpi(stress: dict[str, tuple[Path, Any]], tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbar-tools (zbarimg) is needed"
    for form, (path, result) in stress.items():
        prefix = tmp_path / form
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(prefix)], check=True, timeout=120)
        pngs = sorted(tmp_path.glob(f"{form}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        assert len(pngs) == result.pages
        for png, printed in zip(pngs, result.printed, strict=True):
            run = subprocess.run([zbarimg, "-q", "--raw", str(png)], capture_output=True, text=True, timeout=60,
                                 check=False)
            assert run.returncode == 0, (form, png.name, run.stderr)
            assert run.stdout.strip().splitlines() == [printed.statement], (form, png.name)


def test_qr_modules_and_quiet_zone() -> None:
    ctx = sample_context()
    result = render("notice", ctx, io.BytesIO())
    statement = result.printed[0].statement
    n = len(qr_matrix(statement))
    assert QR_MODULE >= 0.5 * MM
    assert QUIET == 4
    assert qr_size(statement) == pytest.approx((n + 8) * QR_MODULE)
    assert qr_size(statement) <= 36 * MM  # fits the foot of the page beside the signature line


def test_statement_round_trip_and_refusals() -> None:
    st = Statement("0193a7c2-5b1e-7cc0-9f3a-2d4e5f607182", "onsite-record", "ab" * 10, 2, 3, "cd" * 32,
                   "42-ABCD EF01 2345 6789")
    text = encode(st, b"\x01" * 64)
    assert decode(text) == (st, b"\x01" * 64)
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric mode
    office = Statement("办案-2026-017", "notice", "ab" * 10, 1, 1, "cd" * 32, "7-ABCD EF01 2345 6789")
    assert decode(encode(office, b"\x02" * 64))[0] == office  # an office may name its cases
    for bad in ("", "FA1", text.replace("FA1", "FA2", 1), text + ":X", text[:-4], text.replace(":2/3:", ":x/3:"),
                "FA1:" + ":".join(["A"] * 7)):
        with pytest.raises(ValueError):
            decode(bad)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            yield from _leaves(v, (*path, k))
    elif isinstance(data, str):
        yield path, data


def _set(data: Any, path: tuple[Any, ...], value: str) -> None:
    for k in path[:-1]:
        data = data[k]
    data[path[-1]] = value


def _hashes(cfg: Any) -> dict[tuple[str, str], list[str]]:
    """Every form each body may issue, on the sample case of that body's track."""
    from app.documents.context import DocumentError

    out = {}
    for track in ("department", "agency"):
        ctx = sample_context(track=track)
        for form in (*FORMS, *OFFICE_FORMS):  # the office's decision too: the same model, the same wording
            try:
                out[(track, form)] = [text_sha256(p.text) for p in pages(freeze(form, ctx, cfg))]
            except DocumentError:  # a form this body does not issue (or this track does not hold)
                continue
    return out


#: Wording no form prints: ``opening`` is what the inspectors read out (a record prints it only as recorded); the
#: records, the evidence list and the service receipt state no legal basis of their own.
#: Settings that are no wording: the head's title decides who may approve (the approver prints as recorded), aliases
#: recognise the body, fonts name files; ``title`` of the notice and defence notice is the fallback behind their
#: per-body ``titles``; a 送达回证 shows the served document's own 文号, not a number of its own.
UNPRINTED = {("forms", f, "opening") for f in FORMS} | {
    ("forms", f, "basis") for f in ("onsite-record", "interview", "evidence-list", "service-receipt")} | {
    ("bodies", b, "head_title") for b in ("department", "agency")} | {
    ("bodies", "agency", "aliases", 0), ("default_track",), ("forms", "notice", "title"),
    ("forms", "defence-notice", "title"), ("forms", "service-receipt", "number_pattern")} | {
    ("fonts", role, k) for role in ("body", "title") for k in range(3)}


def test_changing_any_agency_wording_changes_a_page_hash() -> None:
    """Every text in agency.json that is printed is inside some page's hash (the old QR left them all out)."""
    raw = json.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    base = _hashes(parse_agency_config(raw))
    checked = 0
    for path, value in _leaves(raw):
        if any(str(k).startswith("_") for k in path) or path in UNPRINTED or not value.strip():
            continue
        changed = copy.deepcopy(raw)
        _set(changed, path, "改" + value)
        hashes = _hashes(parse_agency_config(changed))
        assert hashes != base, f"agency.json {'.'.join(map(str, path))} changes no printed page"
        checked += 1
    assert checked >= 20


def test_a_derived_party_field_is_not_part_of_what_a_document_read() -> None:
    """``Party.is_person`` follows from the party's kind: left out of the content hashes, so the documents a
    profile issued before it existed keep their fingerprints (they would all print as "stale" after an upgrade)."""
    import dataclasses

    from app.documents.context import Party, canonical_content

    org = Party(name="某医院", address="某路 1 号", credit_code="91420100M000300Q5R", representative="钱院长",
                kind="定点医疗机构")
    hashed = canonical_content(org)
    assert "is_person" not in hashed
    assert set(hashed) == {f.name for f in dataclasses.fields(Party)} - {"is_person"}
    assert canonical_content(dataclasses.replace(org, is_person=True)) == hashed


def test_the_sealing_copy_for_a_person_goes_to_the_person(tmp_path: Path) -> None:
    """The 封存决定书's first copy is handed to the party: 被封存人 for an insured person, not 被封存单位."""
    import dataclasses

    ctx = sample_context()
    person = dataclasses.replace(ctx.party, name="张某某", credit_code="11010519491231002X", representative="",
                                 representative_title="", kind="参保人员", is_person=True)
    texts = {}
    for who, party in (("org", ctx.party), ("person", person)):
        out = tmp_path / f"{who}.pdf"
        render("sealing", dataclasses.replace(ctx, party=party), out)
        texts[who] = normalise(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"], check=True,
                                              capture_output=True, timeout=60).stdout.decode("utf-8"))
    assert "第一联（交被封存单位）" in texts["org"]
    assert "第一联（交被封存人）" in texts["person"] and "被封存单位" not in texts["person"]
