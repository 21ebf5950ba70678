"""The staff's texts: the dashboard's and the teaching loop's messages, texts of the catalogs
(bot/core/text/catalog.py, bot/locale/) looked up in the language they are shown in.

It lives here, the lowest layer whose messages staff read, so that the teaching loop's errors
and the dashboard above it (bot/dashboard/texts.py) fill their texts one way."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import catalog

# Chinese with English alongside ("工单 Queue"), as the pages have always been; "en" is English only.
LANGUAGE = "zh"


@dataclass(frozen=True)
class TextKey:
    """A text looked up only when its message is shown, in the language it is shown in."""

    key: str


def staff_text(key: str, language: str = LANGUAGE, /, **values: object) -> str:
    """The text `key` filled with `values` (str.format); an unknown key or language raises. A value
    that is itself a text (a TextKey, or an Explained error) is shown in the same language."""
    filled = {name: _shown(value, language) for name, value in values.items()}
    return catalog.text(key, language).format(**filled)


def _shown(value: object, language: str) -> object:
    if isinstance(value, TextKey):
        return staff_text(value.key, language)
    if isinstance(value, Explained):
        return value.text(language)
    return value


class Explained(Exception):
    """An error whose message is a text of the catalogs: str() gives it in the staff's default
    language (as the command line prints it), text() in the language of the page showing it.
    Mixed in before the error's own base (ValueError, RuntimeError) so `except` clauses stay."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.text())

    def text(self, language: str = LANGUAGE) -> str:
        return staff_text(self.key, language, **self.values)
