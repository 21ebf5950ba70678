"""Language detection and the configured billing answers."""

import pytest

from bot.config import get_settings
from bot.core.billing import answer_billing, billing_question_in
from bot.core.text.address import parse_address
from bot.core.text.language import conversation_language, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("暖气不热", "zh"),
        ("my radiator is cold", "en"),
        ("我家radiator漏水了", "zh"),
        ("13812345678", None),
        ("/affirm", None),
        ("😀😀", None),
        ("HL-4F7K2P", None),
        # Links, addresses and code name no language (a Chinese chat stays Chinese).
        ("https://example.com/heating/status", None),
        ("www.zbrl.com.cn", None),
        ("li.ming@example.com", None),
        ('{"action":"confirm","value":true}', None),
        ("<div></div>", None),
        ("see https://example.com, my radiator is cold", "en"),
        ('{"text": "暖气不热"}', "zh"),
        ("it's 'cold' again", "en"),  # quotes in prose are words
        # English sentences around a Chinese name are English; a few English words in Chinese are not.
        ("My heating stopped, I live at 丽景苑 building 5 unit 1 room 201", "en"),
        ("我的heating还没来,都11月了", "zh"),
        ("15度还收full price,真是good job啊", "zh"),
        ("my radiator is cold, 阳光花园3号楼2单元301, 电话13812345678", "en"),  # the address is no Chinese sentence
        ("我家在阳光花园,暖气不热", "zh"),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [
        ("evening", "zh", "zh"),  # a one-word answer inside a Chinese conversation
        ("ok thanks", "zh", "zh"),
        ("my radiator is still cold today", "zh", "en"),  # a real English message switches
        ("好的", "en", "zh"),
        ("evening", "en", "en"),
        ("13812345678", "en", "en"),
        ("evening", None, "en"),
        ("13812345678", None, "zh"),
        ('{"action": "confirm", "value": true, "reason": "none"}', "zh", "zh"),
        ("https://example.com/my/radiator/is/cold", "zh", "zh"),
        # A Chinese address alone, where an English conversation asked for it, keeps it English;
        # a Chinese sentence switches it.
        ("阳光花园3号楼2单元301", "en", "en"),
        ("丽景苑5栋", "en", "en"),
        ("阳光花园3号楼2单元301", None, "zh"),
        ("阳光花园3号楼暖气不热", "en", "zh"),
        ("我家在阳光花园", "en", "zh"),
        ("暖气不热", "en", "zh"),
    ],
)
def test_conversation_language(text: str, previous: str | None, expected: str) -> None:
    assert conversation_language(text, previous) == expected


def test_latin_estate_names_keep_their_space_in_chinese() -> None:
    assert parse_address("Rose Court 7栋 2单元 1101").format("zh") == "Rose Court 7号楼2单元1101室"
    assert parse_address("阳光花园3号楼2单元301").format("zh") == "阳光花园3号楼2单元301室"


def test_tariff_answer_comes_from_the_billing_file() -> None:
    answer = answer_billing("暖气费多少钱一平米", "zh", get_settings().billing_file)
    assert answer.topics == ["tariff"] and "22.5" in answer.texts[0] and not answer.is_dispute


def test_english_payment_answer() -> None:
    answer = answer_billing("how do I pay my bill", "en", get_settings().billing_file)
    assert answer.topics == ["payment"] and "Alipay" in answer.texts[0]


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("My flat is empty this winter, do I still have to pay the heating fee?", ["exemption"]),
        ("nobody lives there this year, do I need to pay?", ["exemption"]),
        ("房子闲置没人住,暖气费还要交吗", ["exemption"]),
        ("Can I pay with WeChat?", ["payment"]),
        ("I'd like to pay my heating bill", ["payment"]),
    ],
)
def test_an_empty_flat_is_asked_about_in_either_language_and_paying_is_not_how_to_pay(
    text: str, topics: list[str]
) -> None:
    """Tester's finding: "do I still have to pay" for an empty flat got the ways to pay."""
    assert answer_billing(text, "en", get_settings().billing_file).topics == topics


@pytest.mark.parametrize("text", ["我的账单算错了", "I was overcharged this month", "多收了我的钱"])
def test_disputes_are_recognised(text: str) -> None:
    assert answer_billing(text, "zh", get_settings().billing_file).is_dispute


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("暖气片漏水了!还有你们的缴费方式有哪些", True),
        ("My radiator is cold. Also, how do I pay my heating bill?", True),
        ("暖气不热,这个月的账单也算错了", True),  # a disputed bill
        ("暖气不热,修一下要不要钱", False),  # a repair's cost is the repair's question (R9)
        ("暖气片漏水了,水流了一地", False),
    ],
)
def test_a_billing_question_beside_a_report_is_found_in_its_own_part(text: str, asks: bool) -> None:
    assert billing_question_in(text, get_settings().billing_file) is asks
