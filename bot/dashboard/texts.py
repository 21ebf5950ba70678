"""The dashboard's words: texts of the catalogs (bot/core/text/catalog.py, bot/locale/) in the
dashboard's language, the names of enum values as its pages show them, and the templates'
gettext (jinja2.ext.i18n, fed the same catalog).

The texts are filled as the teaching loop's are (bot/teaching/texts.py): one way for every
message staff read, and one `Explained` base for the errors that carry one."""

from __future__ import annotations

from jinja2 import Environment

from bot.core.text import catalog
from bot.teaching.texts import LANGUAGE, Explained, TextKey, staff_text

__all__ = ["HTML_LANG", "LANGUAGE", "Explained", "TextKey", "dashboard_text", "install", "titles"]

HTML_LANG = {"zh": "zh-CN", "en": "en"}


def dashboard_text(key: str, language: str = LANGUAGE, **values: object) -> str:
    """The text `key` filled with `values` (str.format); an unknown key or language raises."""
    return staff_text(key, language, **values)


def titles(kind: str, language: str = LANGUAGE) -> dict[str, str]:
    """The names of an enum's values as the pages show them: Chinese then English on the Chinese
    dashboard ("漏水 leak", "已结案 closed"), English alone on the English one."""
    names = catalog.labels(kind, language)
    if language == "en":
        return names
    english = catalog.labels(kind, "en")
    return {value: f"{name} {english[value]}" for value, name in names.items()}


def install(env: Environment, language: str = LANGUAGE) -> None:
    """Templates translate with {% trans %} and _(): msgids are their English words, whitespace
    in a trans block collapsed (as Babel extracts them)."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(catalog.translations(language), newstyle=True)  # type: ignore[attr-defined]
