"""Which language a resident writes in: Chinese first, English as well, mixed counts as Chinese."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_TICKET_CODE = re.compile(r"\bHL-?[0-9A-Z]{6}\b", re.IGNORECASE)

DEFAULT_LANGUAGE = "zh"


def detect_language(text: str | None) -> str | None:
    """Return 'zh', 'en', or None when the text says nothing (digits, emoji, a button payload)."""
    if not text or text.startswith("/"):
        return None
    if _CJK.search(text):
        return "zh"
    if _LATIN_WORD.search(_TICKET_CODE.sub(" ", text)):
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
