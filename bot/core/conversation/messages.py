"""Everything the bot says, in Chinese and English, with the courtesy scripts of R12.

The texts live in the gettext catalogs bot/locale/<locale>/LC_MESSAGES/hotline.po, read by
bot/core/text/catalog.py; a resident's text is found under its key ("greet", "too_long_not_kept").
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.conversation.branding import installed_branding
from bot.core.text import catalog
from bot.core.text.catalog import LANGUAGES, TextNotFound


def _both(msgid: str) -> dict[str, str]:
    return {language: catalog.texts(language)[msgid] for language in LANGUAGES if msgid in catalog.texts(language)}


def _table(kind: str) -> dict[str, dict[str, str]]:
    """One enum's names in both languages: {"report_leak": {"zh": "漏水", "en": "leak"}, ...}."""
    names = {language: catalog.labels(kind, language) for language in LANGUAGES}
    return {value: {language: names[language][value] for language in LANGUAGES if value in names[language]}
            for value in names[LANGUAGES[0]]}  # fmt: skip


# Every text of the catalogs by msgid, in both languages (a view: say() is the way to use one).
TEXTS: Mapping[str, Mapping[str, str]] = {msgid: _both(msgid) for msgid in catalog.texts(LANGUAGES[0])}

# The names of enum values, defined once in the catalogs and used by messages, notices, the
# dashboard and Telegram. STATUS_NAMES are the statuses as residents are told them; dispatchers
# and the dashboard use the shorter "status.*" names (catalog.labels("status", language)).
CATEGORY_NAMES = _table("category")
STATUS_NAMES = _table("status_resident")
PRIORITY_NAMES = _table("priority")
FIELD_NAMES = _table("field")


def say(key: str, language: str, **values: object) -> str:
    """Return the text `key` in `language` ("zh" or "en"), filled with `values` and the
    process's Branding (bot/core/conversation/branding.py).

    Never falls back: an unknown key, or a language without that text, raises TextNotFound (a
    KeyError)."""
    template = catalog.text(key, language)
    return template.format(**installed_branding().placeholders(), **values)


def name_of(table: Mapping[str, Mapping[str, str]], key: str, language: str) -> str:
    """The name of `key` in `language`; a key the table does not name (an empty slot) is shown as
    it is. An unknown language raises TextNotFound, as say() does."""
    if language not in LANGUAGES:
        raise TextNotFound(f"No names in the language {language!r}; there are {', '.join(LANGUAGES)}.")
    entry = table.get(key)
    if entry is None:
        return key
    try:
        return entry[language]
    except KeyError:
        raise TextNotFound(f"No {language!r} name for {key!r} in the catalog.") from None


def join_names(names: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
