"""What an answer to "where is it?" may be: anything that names a place, a landmark too, but never
a question back, a greeting or a phone number (actions/intake.py, names_no_place)."""

from __future__ import annotations

import pytest

from actions.intake import names_no_place


@pytest.mark.parametrize(
    "text",
    [
        "hello?",
        "what?",
        "where do u need?",
        "啥意思？",
        "你说啥?",
        "嗯",
        "好的",
        "13812345678",
        "+86 138 1234 5678",
        "😀😀",
        "what should I do now?",  # a question back, however long
        "你们到底管不管?!",
        "稍等我看看",  # "wait, let me look": the address comes next
        "hold on, let me check",
    ],
)
def test_answers_that_name_no_place(text: str) -> None:
    assert names_no_place(text)


@pytest.mark.parametrize(
    "text",
    [
        "阳光花园3号楼2单元301",
        "Sunshine Garden",
        "村东头老李家,知道吧?",  # a landmark that ends in a question is still a place
        "the blue house next to the school, you know it?",
        "陽光花園 13812345678",
        "金色水岸",  # an estate whose name has no place word
    ],
)
def test_answers_that_name_a_place(text: str) -> None:
    assert not names_no_place(text)


@pytest.mark.parametrize("text", ["island road, by the corner?", "donghu village, next to the school?"])
def test_a_landmark_starting_like_a_question_word_is_still_a_place(text: str) -> None:
    assert not names_no_place(text)
