"""Language detection and the configured billing answers."""

import pytest

from bot.billing import answer_billing
from bot.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [("暖气不热", "zh"), ("my radiator is cold", "en"), ("我家radiator漏水了", "zh"), ("13812345678", None), ("/affirm", None), ("😀😀", None), ("HL-4F7K2P", None)],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_tariff_answer_comes_from_the_billing_file() -> None:
    answer = answer_billing("暖气费多少钱一平米", "zh")
    assert answer.topics == ["tariff"] and "22.5" in answer.texts[0] and not answer.is_dispute


def test_english_payment_answer() -> None:
    answer = answer_billing("how do I pay my bill", "en")
    assert answer.topics == ["payment"] and "Alipay" in answer.texts[0]


@pytest.mark.parametrize("text", ["我的账单算错了", "I was overcharged this month", "多收了我的钱"])
def test_disputes_are_recognised(text: str) -> None:
    assert answer_billing(text, "zh").is_dispute
