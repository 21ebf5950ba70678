"""Normalise what residents type before tokenising: traditional characters, full-width forms, typos.

Every function keeps the text's length, character for character, so tokens keep their offsets in
the original message (Rasa reports entities and the form fills slots from the original text; only
the tokens the classifier sees are normalised).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Misspellings and homophones residents type with a pinyin keyboard, mapped to what they mean.
# Only same-length pairs, and only ones that are unambiguous on a heating hotline
# (露水 is "dew" elsewhere, but nobody reports dew to a heating company).
TYPOS = {
    "暖器": "暖气",
    "暖汽": "暖气",
    "暖企": "暖气",
    "露水": "漏水",
    "漏谁": "漏水",
    "楼水": "漏水",
    "缴废": "缴费",
    "交废": "交费",
    "收废": "收费",
    "气废": "气费",
    "暖废": "暖费",
    "热废": "热费",
    "发漂": "发票",
    "发飘": "发票",
    "帐单": "账单",
    "投述": "投诉",
    "头诉": "投诉",
    "举暴": "举报",
    "维休": "维修",
    "报休": "报修",
    "阀们": "阀门",
    "伐门": "阀门",
    "煤汽": "煤气",
    "温空": "温控",
}
_TYPO_PATTERN = re.compile("|".join(map(re.escape, sorted(TYPOS, key=len, reverse=True))))


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese. OpenCC converts phrases; if that changes the length
    (rare), convert character by character instead so offsets stay valid."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


def _narrow(ch: str) -> str:
    """Full-width letters and digits (ＨＬ１２３) → ASCII, one character for one."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def normalize(text: str) -> str:
    """The text as the classifier should see it; always the same length as `text`."""
    text = "".join(_narrow(ch) for ch in to_simplified(text))
    return _TYPO_PATTERN.sub(lambda m: TYPOS[m.group(0)], text)
