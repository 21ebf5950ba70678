"""Which language a resident writes in: Chinese first, English as well, mixed counts as Chinese
(unless it is English sentences around a Chinese name)."""

from __future__ import annotations

import re

from bot.core.text.address import parse_address
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


# The Chinese of an address or a phone given inside English sentences ("my radiator is cold,
# 阳光花园3号楼2单元301, 电话138…"): names and labels, not the language the resident writes in.
_ADDRESS_WORDS = re.compile(
    r"(?:(?![我你您他她们的了吗呢吧啊呀是不没要请在有这那么什怎想能会说谢还就都])[\u4e00-\u9fff]){1,6}?"
    r"(?:小区|花园|家园|公寓|新村|社区|大厦|苑|园)|\d+\s*(?:号楼|栋|幢|单元|室|号|楼|层)|电话|手机"
)

DEFAULT_LANGUAGE = "zh"
# How many English words make a message English even with a Chinese name in it.
ENGLISH_SENTENCE_WORDS = 4


def detect_language(text: str | None) -> str | None:
    """Return 'zh', 'en', or None when the text says nothing (digits, emoji, a button payload)."""
    if not text or text.startswith("/"):
        return None
    latin_words = len(_LATIN_WORD.findall(words_of(text)))
    chinese = len(_CJK.findall(_ADDRESS_WORDS.sub(" ", text)))
    # English sentences around a Chinese name ("My heating stopped, I live at 丽景苑 building 5")
    # are English; otherwise any Chinese makes a mixed message Chinese.
    if chinese and not (latin_words >= ENGLISH_SENTENCE_WORDS and latin_words > chinese):
        return "zh"
    if latin_words:
        return "en"
    return None


# Words of a Chinese sentence that no estate's or street's name has: a reply with none of them
# is a name, not a switch to Chinese.
_SENTENCE_WORDS = re.compile(r"[我你您他她们的了吗呢吧啊呀是不没要请在有这那么什怎想能会说谢还就都]")
# How many Chinese characters a name (an estate, a street, a building) may have at most.
NAME_CHARACTERS = 16


def is_chinese_address_only(text: str) -> bool:
    """ "阳光花园3号楼2单元301", "丽景苑5栋": a Chinese address and nothing else; an English
    speaker gives their address in the script it is written in."""
    if len(_CJK.findall(text)) > NAME_CHARACTERS or _SENTENCE_WORDS.search(text) or _LATIN_WORD.search(text):
        return False
    address = parse_address(text)
    return bool(address.estate or address.building)


def conversation_language(text: str | None, previous: str | None) -> str:
    """The language to answer in: the latest message's, except that a short English reply
    ("evening", "ok", "yes please") inside a Chinese conversation does not switch it, nor does
    a Chinese address alone inside an English one; residents mix in such words without wanting
    the bot to change its language."""
    said = detect_language(text)
    if said == "en" and previous == "zh" and len(_LATIN_WORD.findall(text or "")) < 3:
        return "zh"
    if said == "zh" and previous == "en" and is_chinese_address_only(text or ""):
        return "en"
    return said or previous or DEFAULT_LANGUAGE
