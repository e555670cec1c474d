from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from app.ui.i18n import TranslationError, current_language, resolve_language
from app.ui.unlock import LockPage
from app.ui.widgets.photo_viewer import PhotoViewer


def test_switching_language_retranslates_widgets(qtbot, translators):
    page = LockPage()
    qtbot.addWidget(page)
    viewer = PhotoViewer()
    qtbot.addWidget(viewer)
    assert current_language() == "zh_CN"
    assert page.unlock_button.text() == "解锁"
    assert page._title.text() == "已锁定"
    assert viewer.zoom_in_button.text() == "放大"
    translators.switch("en")
    assert current_language() == "en"
    assert page.unlock_button.text() == "Unlock"
    assert page._title.text() == "Locked"
    assert viewer.zoom_in_button.text() == "Zoom in"
    assert viewer.message_text() == "No photo selected"
    assert QLocale().language() == QLocale.Language.English
    translators.switch("zh_CN")
    assert page.unlock_button.text() == "解锁"
    assert viewer.message_text() == "未选择照片"
    assert QLocale().language() == QLocale.Language.Chinese


def test_language_resolution(monkeypatch):
    monkeypatch.delenv("FIELDAUDIT_LANG", raising=False)
    assert resolve_language(None) == "zh_CN"
    monkeypatch.setenv("FIELDAUDIT_LANG", "en")
    assert resolve_language(None) == "en"
    assert resolve_language("zh_CN") == "zh_CN"
    with pytest.raises(TranslationError):
        resolve_language("fr")


def test_every_source_string_has_a_chinese_translation():
    import xml.etree.ElementTree as ET

    from app.ui.resources import i18n_dir

    root = ET.parse(i18n_dir() / "fieldaudit_zh_CN.ts").getroot()
    untranslated = [
        m.findtext("source")
        for m in root.iter("message")
        if m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
        or not (m.findtext("translation") or "").strip()
    ]
    assert untranslated == []
    assert (i18n_dir() / "fieldaudit_zh_CN.qm").stat().st_size > 1000
