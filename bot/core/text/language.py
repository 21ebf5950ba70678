"""Which language a resident writes in: Chinese first, English as well, mixed counts as Chinese
(unless it is English sentences around a Chinese name)."""

from __future__ import annotations

import re

from bot.core.text.ticket_codes import TICKET_CODE

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# What says nothing of the language a resident speaks: a ticket code, a link, an e-mail address,
# and the names in markup or code (a word joined to {}[]<>:= such as a JSON key or an HTML tag).
_NOT_WORDS = re.compile(
    rf"{TICKET_CODE.pattern}"
    r"|(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|[\w.-]*[{}\[\]<>:=/][\w.-]*",
    re.IGNORECASE,
)
# In a piece of JSON or code, quoted strings and literals are its keys and values, not what the
# resident says.
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|\b(?:true|false|null|none)\b", re.IGNORECASE)
_CODE = re.compile(r"[{}\[\]]")


def words_of(text: str) -> str:
    """The text without what names no language (see _NOT_WORDS)."""
    if _CODE.search(text):
        text = _QUOTED.sub(" ", text)
    return _NOT_WORDS.sub(" ", text)


DEFAULT_LANGUAGE = "zh"
# How many English words make a message English even with a Chinese name in it.
ENGLISH_SENTENCE_WORDS = 4


def detect_language(text: str | None) -> str | None:
    """Return 'zh', 'en', or None when the text says nothing (digits, emoji, a button payload)."""
    if not text or text.startswith("/"):
        return None
    latin_words = len(_LATIN_WORD.findall(words_of(text)))
    chinese = len(_CJK.findall(text))
    # English sentences around a Chinese name ("My heating stopped, I live at 丽景苑 building 5")
    # are English; otherwise any Chinese makes a mixed message Chinese.
    if chinese and not (latin_words >= ENGLISH_SENTENCE_WORDS and latin_words > chinese):
        return "zh"
    if latin_words:
        return "en"
    return None


def conversation_language(text: str | None, previous: str | None) -> str:
    """The language to answer in: the latest message's, except that a short English reply
    ("evening", "ok", "yes please") inside a Chinese conversation does not switch it; residents
    mix in such words without wanting an English bot."""
    said = detect_language(text)
    if said == "en" and previous == "zh" and len(_LATIN_WORD.findall(text or "")) < 3:
        return "zh"
    return said or previous or DEFAULT_LANGUAGE
