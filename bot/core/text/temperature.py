"""A room temperature a resident reports ("家里才14度", "only 15 degrees in my flat").

R11: during the heating season a room must be at least 18 °C; a lower reading is a repair case,
whatever else the message says about it (a newborn at home, an angry tone).
"""

from __future__ import annotations

import re

MINIMUM_ROOM_CELSIUS = 18

_CHINESE_NUMBER = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_READING = re.compile(
    r"(?<![一再几首]|[A-Za-z])(?P<number>\d{1,2}(?:\.\d)?|十[一二三四五六七八九]?|[一二两三四五六七八九]十[一二三四五六七八九]?|[一二两三四五六七八九])"
    r"\s*(?:度(?!以为|来|来电|电话)|°\s*[cC]?|℃|摄氏度|degrees?\b|deg\b)",
    re.IGNORECASE,
)
# Words that say the reading is not of the room (the weather outside, the water, a setting).
_NOT_THE_ROOM = re.compile(
    r"外面|室外|户外|气温|天气|零下|水温|回水|供水|outside|outdoor|weather|below zero|water", re.IGNORECASE
)


def _value(number: str) -> float:
    if number[0].isdigit():
        return float(number)
    if number.startswith("十"):
        return 10 + _CHINESE_NUMBER.get(number[1:], 0)
    if "十" in number:
        tens, _, ones = number.partition("十")
        return _CHINESE_NUMBER[tens] * 10 + _CHINESE_NUMBER.get(ones, 0)
    return _CHINESE_NUMBER[number]


def cold_room_reading(text: str) -> float | None:
    """The room temperature below R11's minimum the message reports, or None."""
    if _NOT_THE_ROOM.search(text):
        return None
    for match in _READING.finditer(text):
        value = _value(match.group("number"))
        if 0 < value < MINIMUM_ROOM_CELSIUS:
            return value
    return None
