"""R11: a room reading below 18 °C is a repair case, told in digits, Chinese numbers or English."""

from __future__ import annotations

import pytest

from bot.core.text.temperature import cold_room_reading


@pytest.mark.parametrize(
    ("text", "reading"),
    [("家里有刚出生的宝宝,家里才14度", 14), ("室温十五度", 15), ("温度只有16℃", 16), ("It is only 14 degrees in my flat", 14),
     ("15°C inside, freezing", 15)],
)  # fmt: skip
def test_a_cold_room_is_read(text: str, reading: float) -> None:
    assert cold_room_reading(text) == reading


@pytest.mark.parametrize(
    "text", ["外面零下5度", "家里20度还行", "暖气片温度60度", "阳光花园3号楼2单元301", "回水温度15度", "I live at no 5"]
)
def test_no_reading_of_a_cold_room_is_invented(text: str) -> None:
    assert cold_room_reading(text) is None
