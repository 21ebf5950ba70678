"""R7: a resident asks not to be named in many words besides 匿名; every one of them is a request
for anonymity, and none of the words that merely name or call back the resident is."""

from __future__ import annotations

import pytest

from actions.intake import _ANONYMOUS, report_in

ASKS = [
    "我要匿名",
    "楼道里暖气管子漏水了,淌了一地,别说是我报的",
    "抄表员收了现金不给收据,千万别让他知道是我说的",
    "不要留我的名字",
    "别告诉他们是我说的",
    "请替我保密",
    "我不想让他们知道是我",
    "别透露我的身份",
    "The heating pipe behind our block has been leaking for days. Please don't mention my name.",
    "keep my name out of it",
    "please don't tell them it was me",
    "I want to stay anonymous",
    "without giving my name",
    "keep this confidential",
    # A resident's finding: an insider who dared not give his name was asked for his home address.
    "我是你们公司的维修工 班长让我们每户收一百块 不收就扣我们工资 我不敢实名",
    "我怕被报复,不想实名",
]
DOES_NOT_ASK = [
    "我叫王建国,电话13812345678",
    "please call me back",
    "我的名字是李梅",
    "别说了,暖气不热",
    "don't tell me it's broken again",
    "我不知道是谁",
    # Kept from the neighbours, not from the company: the crew must still be able to call.
    "楼上漏水 别告诉楼上是我报的 怕闹矛盾",
    "别让楼下知道是我报的",
]


@pytest.mark.parametrize("text", ASKS)
def test_each_way_of_asking_not_to_be_named_is_a_request_for_anonymity(text: str) -> None:
    assert _ANONYMOUS.search(text)


@pytest.mark.parametrize("text", DOES_NOT_ASK)
def test_naming_oneself_or_other_words_are_not(text: str) -> None:
    assert not _ANONYMOUS.search(text)


def test_the_report_beside_the_request_is_found_whatever_the_request_says() -> None:
    assert report_in("楼道里暖气管子漏水了,淌了一地,别说是我报的") == "report_leak"
    assert report_in("The heating pipe behind our block has been leaking for days. Please don't mention my name.") == (
        "report_leak"
    )
    assert report_in("抄表员收了现金不给收据,千万别让他知道是我说的") == "complaint"
    assert report_in("别说是我报的") is None  # only the request: the bot asks what happened
