"""Every text the hotline shows, in Chinese and English: the gettext catalogs in bot/locale/
(<locale>/LC_MESSAGES/hotline.po), read with Babel once per process and compiled in memory, so
there is no build step.

What is in them: the residents' texts under their keys ("too_long_not_kept", filled with
str.format's {placeholders}); the names of categories, statuses, priorities and deadlines as
"<kind>.<value>" ("category.billing_query", "status.closed"); the dispatchers' and the
dashboard's texts under dotted keys ("notice.new_ticket", "dashboard.wrong_password"); and the
dashboard templates' words under their English text, as jinja2.ext.i18n extracts them.

A lookup never falls back: a msgid or a language the catalogs do not have raises TextNotFound,
a LookupError (a KeyError, as TEXTS[key] raised before), instead of showing Chinese, or the key,
to someone who asked for something else.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DOMAIN = "hotline"
# The conversation's language codes ("zh", "en", as detect_language gives them) and their catalogs.
LOCALES = {"zh": "zh_CN", "en": "en"}
LANGUAGES = tuple(LOCALES)


class TextNotFound(KeyError):
    """The catalogs have no such text, or no such language."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "text not found"


def po_path(language: str) -> Path:
    return LOCALE_DIR / _locale(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


def _locale(language: str) -> str:
    try:
        return LOCALES[language]
    except KeyError:
        raise TextNotFound(f"No texts in the language {language!r}; there are {', '.join(LANGUAGES)}.") from None


@functools.cache
def catalog(language: str) -> Catalog:
    """The parsed .po file of a language (read once)."""
    with po_path(language).open("rb") as po:
        return read_po(po, locale=_locale(language), domain=DOMAIN)


@functools.cache
def texts(language: str) -> Mapping[str, str]:
    """msgid -> msgstr, in the file's order; entries without a translation are left out."""
    found: dict[str, str] = {}
    for message in catalog(language):
        if isinstance(message.id, str) and message.id and isinstance(message.string, str) and message.string:
            found[message.id] = message.string
    return found


@functools.cache
def translations(language: str) -> Translations:
    """The same catalog as gettext translations (for Jinja's i18n extension), compiled in memory."""
    compiled = BytesIO()
    write_mo(compiled, catalog(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def text(msgid: str, language: str) -> str:
    """The text `msgid` in `language`, unfilled; TextNotFound when either is unknown."""
    found = texts(language)
    try:
        return found[msgid]
    except KeyError:
        raise TextNotFound(f"No text {msgid!r} in {po_path(language).relative_to(LOCALE_DIR.parent)}.") from None


def label(kind: str, value: str, language: str) -> str:
    """The name of an enum value ("category", "billing_query" -> 缴费问题); strict, as text()."""
    return text(f"{kind}.{value}", language)


def labels(kind: str, language: str) -> dict[str, str]:
    """Every name of a kind, in the catalog's order: {"report_leak": "漏水", ...}."""
    prefix = f"{kind}."
    return {msgid[len(prefix) :]: string for msgid, string in texts(language).items() if msgid.startswith(prefix)}
