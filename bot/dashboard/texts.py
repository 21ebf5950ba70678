"""The dashboard's words: texts of the catalogs (bot/core/text/catalog.py, bot/locale/) in the
dashboard's language, the names of enum values as its pages show them, and the templates'
gettext (jinja2.ext.i18n, fed the same catalog)."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment

from bot.core.text import catalog

# Chinese with English alongside ("工单 Queue"), as the pages have always been; "en" is English only.
LANGUAGE = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class TextKey:
    """A text looked up only when its message is shown, in the language it is shown in."""

    key: str


def dashboard_text(key: str, language: str = LANGUAGE, **values: object) -> str:
    """The text `key` filled with `values` (str.format); an unknown key or language raises."""
    filled = {name: dashboard_text(value.key, language) if isinstance(value, TextKey) else value
              for name, value in values.items()}  # fmt: skip
    return catalog.text(key, language).format(**filled)


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
