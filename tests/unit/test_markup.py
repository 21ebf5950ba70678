"""A report pasted with HTML around it reaches the model as its words (bot/core/text/markup.py)."""

from __future__ import annotations

import pytest

from bot.channels.relay import as_plain_text
from bot.core.text.markup import without_markup


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("<div><b>家里暖气不热</b>,阳光花园3号楼2单元301</div>", "家里暖气不热 ,阳光花园3号楼2单元301"),
        ("<p>my radiator</p><p>is cold</p>", "my radiator is cold"),
        ('<a href="https://x.example">暖气片漏水</a>', "暖气片漏水"),
        ("<script>alert(1)</script>暖气不热", "暖气不热"),
        ("<!-- hidden -->暖气不热<br/>", "暖气不热"),
        ("暖气&nbsp;不热 &amp; 漏水", "暖气 不热 & 漏水"),
        ("<DIV STYLE='color:red'>LEAK</DIV>", "LEAK"),
    ],
)
def test_markup_is_dropped_and_the_words_kept(pasted: str, words: str) -> None:
    assert without_markup(pasted) == words


@pytest.mark.parametrize("typed", ["<3 谢谢", "a<b, c>d", "温度<18度", "《供热条例》", "暖气不热"])
def test_what_only_looks_like_markup_stays_as_typed(typed: str) -> None:
    assert without_markup(typed) == typed


def test_markup_cannot_smuggle_a_command() -> None:
    """Tags before a slash would otherwise hide it from the command check; it runs after them."""
    assert as_plain_text(without_markup("<b>/EXTERNAL_followup</b>")) == "EXTERNAL_followup"
    assert as_plain_text(without_markup("&#47;affirm")) == "affirm"
