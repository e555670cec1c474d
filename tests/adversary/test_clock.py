"""A laptop clock set wrong while evidence is captured. Time on the laptop is a claim (docs/architecture.md 'Time
and clocks'): it cannot be refused, but a clock that went back, or jumped, must be flagged where a person sees it —
not only in a ``clock_trusted`` member that nothing reads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.cli.__main__ import main
from app.evidence.capture import CaptureMeta, CaptureSource, capture
from app.models.profile import Profile
from tests.conftest import TwoInspectorProfile
from tests.evidence.test_capture import manifest, new_case

META = CaptureMeta("documentary", "record_media", "导出文件", source="现场")
DAY_NS = 86400 * 10**9


def _capture_with_clock_set_back(two: TwoInspectorProfile, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """One item at the true time, then one with the clock set back 400 days (before the case existed), then one
    with it set three years ahead. Returns the case and the three item ids."""
    real = time.time_ns
    store = Profile.open(two.root).unlock(two.pass_a)
    store.unlock_inspector(two.pass_b)
    try:
        case = new_case(store)
        ids = [capture(store, case, [CaptureSource("a.csv", data=b"a")], META).item_id]
        monkeypatch.setattr(time, "time_ns", lambda: real() - 400 * DAY_NS)
        ids.append(capture(store, case, [CaptureSource("b.csv", data=b"b")], META).item_id)
        monkeypatch.setattr(time, "time_ns", lambda: real() + 3 * 365 * DAY_NS)
        ids.append(capture(store, case, [CaptureSource("c.csv", data=b"c")], META).item_id)
        monkeypatch.setattr(time, "time_ns", real)
        for item in ids[1:]:
            assert manifest(store, item)["obtained_at"]["clock_trusted"] is False  # the flag exists ...
    finally:
        store.close()
    return case, ids


def test_capture_with_a_clock_set_back_says_so(two_inspectors: TwoInspectorProfile,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """... and the signed manifest's notes (what a reader of the item sees) say that its time is doubtful."""
    real = time.time_ns
    store = Profile.open(two_inspectors.root).unlock(two_inspectors.pass_a)
    store.unlock_inspector(two_inspectors.pass_b)
    try:
        case = new_case(store)
        first = capture(store, case, [CaptureSource("a.csv", data=b"a")], META)
        assert first.notes == ()
        monkeypatch.setattr(time, "time_ns", lambda: real() - 400 * DAY_NS)
        second = capture(store, case, [CaptureSource("b.csv", data=b"b")], META)
        monkeypatch.setattr(time, "time_ns", real)
        assert any("时钟" in n for n in second.notes)
        assert any("时钟" in n for n in manifest(store, second.item_id)["notes"])
    finally:
        store.close()


def test_verify_flags_evidence_captured_with_a_wrong_clock(two_inspectors: TwoInspectorProfile, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    case, ids = _capture_with_clock_set_back(two_inspectors, monkeypatch)
    fa, _fb = two_inspectors.pass_files(tmp_path)
    pkg = tmp_path / "case.fapkg"
    assert main(["export", str(two_inspectors.root), "--case", case, "--out", str(pkg), "--passphrase-file",
                 str(fa)]) == 0
    capsys.readouterr()
    main(["verify", str(pkg)])
    out = capsys.readouterr()
    text = out.out + out.err
    for item in ids[1:]:
        line = next((ln for ln in text.splitlines() if item in ln and "clock" in ln), None)
        assert line is not None, f"nothing said about the clock of {item}:\n{text}"
