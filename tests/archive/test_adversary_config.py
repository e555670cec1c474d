"""A guard setting that is not a finite, non-negative number is refused at start: FIELDAUDIT_ARCHIVE_RATE=nan made
every rate-limit comparison false (no limit at all), a negative burst refused everything."""

from __future__ import annotations

import pytest

from archive.config import ConfigError, Settings


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e999"])
def test_non_finite_or_negative_guard_settings_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FIELDAUDIT_ARCHIVE_RATE", value)
    with pytest.raises(ConfigError, match="FIELDAUDIT_ARCHIVE_RATE"):
        Settings.from_env()


def test_ordinary_settings_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDAUDIT_ARCHIVE_RATE", "0.01")
    monkeypatch.setenv("FIELDAUDIT_ARCHIVE_UPLOAD_STALE", "2")
    assert Settings.from_env().rate_per_s == 0.01
