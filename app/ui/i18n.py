"""Language selection and Qt translator installation.

Source strings are English and go through Qt's ``tr()``; ``resources/i18n/fieldaudit_<lang>.ts`` hold the
translations, compiled to ``.qm`` by ``scripts/update_translations.sh``. zh_CN is the default language.
Qt's own strings (standard dialog buttons) come from the ``qtbase_<lang>.qm`` shipped with PySide6.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from app.ui.resources import i18n_dir

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
ENV_VAR = "FIELDAUDIT_LANG"
_PROPERTY = "fieldauditLanguage"


class TranslationError(RuntimeError):
    """A requested language has no usable translation file."""


def resolve_language(requested: str | None = None) -> str:
    """The language to use: the explicit request, else ``FIELDAUDIT_LANG``, else zh_CN."""
    lang = requested or os.environ.get(ENV_VAR) or DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        raise TranslationError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return lang


def current_language() -> str:
    """The language installed on the running application (zh_CN when none is)."""
    app = QCoreApplication.instance()
    if app is None:
        return DEFAULT_LANGUAGE
    value = app.property(_PROPERTY)
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


class Translators:
    """Owns the translators installed on one application; ``switch()`` replaces them.

    Installing or removing a translator makes Qt send ``QEvent.LanguageChange`` to every widget, so widgets
    that re-set their texts in ``changeEvent`` follow a switch at run time.
    """

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []

    def switch(self, lang: str) -> None:
        lang = resolve_language(lang)
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed = []
        ours = QTranslator(self._app)
        if not ours.load(f"fieldaudit_{lang}", str(i18n_dir())):
            raise TranslationError(f"missing translation file fieldaudit_{lang}.qm in {i18n_dir()}")
        qt_own = QTranslator(self._app)
        qt_path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if lang != "en" and qt_own.load(f"qtbase_{lang}", qt_path):
            self._installed.append(qt_own)
        self._installed.append(ours)
        for translator in self._installed:
            self._app.installTranslator(translator)
        self._app.setProperty(_PROPERTY, lang)
        # deliver the posted LanguageChange now, so every widget shows the new language when switch() returns
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        if lang == "zh_CN":
            QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        else:
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def pick(message_zh: str, message_en: str) -> str:
    """Choose between a Chinese and an English text by the current language."""
    return message_en if current_language() == "en" else message_zh
