"""R1, safety first: what the bot says before a report's questions. A complaint about a leak that
still runs ("报了漏水两天没人来,楼下都淹了") stays a complaint, and gets the safety advice too."""

from __future__ import annotations

import pytest

from actions.intake import intake_intro, sounds_solved, subcategory_of
from bot.core.conversation.messages import say


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("漏水报了两个小时了还没人来,楼下都淹了", "zh"),
        ("I reported a leak this morning and nobody came, water is still dripping through the ceiling", "en"),
        ("修完还漏,白修了,你们什么水平", "zh"),
        ("the radiator gasket still drips after your repair, I want to complain", "en"),  # "gas"ket
        ("漏水报了三天没人来,跟燃气公司一样不靠谱", "zh"),  # names the gas company, smells no gas
    ],
)
def test_a_complaint_about_water_still_escaping_gets_the_safety_advice(text: str, language: str) -> None:
    assert intake_intro("complaint", None, language, text) == [
        say("complaint_leak_safety", language),
        say("complaint_intro", language),
    ]


def test_a_complaint_that_smells_gas_gets_the_gas_advice() -> None:
    text = "楼道燃气味好几天了,打了三次电话都没人管"
    assert intake_intro("complaint", None, "zh", text) == [say("gas_safety", "zh"), say("complaint_intro", "zh")]


@pytest.mark.parametrize(
    "text",
    [
        "抄表员态度太差,还骂人",
        "the repairman was rude and left without fixing anything",
        "暖气阀门坏了,没漏水,你们拖了一周",
    ],
)
def test_other_complaints_get_the_courtesy_alone(text: str) -> None:
    assert intake_intro("complaint", None, "zh", text) == [say("complaint_intro", "zh")]


def test_the_complaint_texts_promise_no_crew() -> None:
    """A complaint opens no crew visit: its advice must not say one comes, as the leak's does."""
    assert "抢修" not in say("complaint_leak_safety", "zh")
    assert "crew" not in say("complaint_leak_safety", "en")


@pytest.mark.parametrize(
    "text",
    [
        "我闻到煤气味",
        "家裡有煤氣味",
        "我聞到燃氣味了",
        "樓道裡天然氣味很重",
        "I smell gas in the kitchen",
        "屋里有股臭鸡蛋味",  # the smell, without the word
        "there is a strange smell like rotten eggs in my kitchen",
    ],
)
def test_a_leak_that_smells_gas_gets_the_gas_advice_in_either_script(text: str) -> None:
    subcategory = subcategory_of("report_leak", text)
    assert subcategory == "gas"
    assert intake_intro("report_leak", subcategory, "zh", text) == [say("gas_safety", "zh")]


def test_a_water_leak_gets_the_water_advice() -> None:
    assert subcategory_of("report_leak", "暖氣片漏水了") is None


@pytest.mark.parametrize(
    "text", ["楼下暖气井一直在冒白气", "小区路上的井盖冒蒸汽", "steam is pouring out of a manhole"]
)
def test_steam_gets_the_advice_to_keep_away_not_the_water_advice(text: str) -> None:
    assert intake_intro("report_leak", subcategory_of("report_leak", text), "zh", text) == [say("steam_safety", "zh")]


@pytest.mark.parametrize("text", ["暖气片接头漏水了,地上湿了一片", "the radiator valve is dripping onto the floor"])
def test_a_dripping_leak_is_no_steam_nor_scalding_water(text: str) -> None:
    assert intake_intro("report_leak", None, "zh", text) == [say("leak_safety", "zh")]


@pytest.mark.parametrize(
    "text",
    [
        "快来人啊 暖气管子爆了 滚烫的热水往外喷 满屋子都是白汽 孩子还在屋里",
        "客厅暖气片在冒蒸汽",
        "boiling water is spraying from the radiator",
        # A resident's finding: heating water that bursts or sprays out is hot, said or not.
        "暖气片漏水了,水喷了一地",
        "暖气片漏水 水很烫",
        "卫生间暖气管子爆了 在喷水",
        "暖气阀门滋滋冒汽",
        "暖气管子往外冒热汽",
        "暖氣管爆了 在噴熱水",
        "the heating pipe burst in the kitchen",
    ],
)
def test_scalding_water_or_steam_indoors_gets_the_advice_to_leave_the_room_not_to_catch_it(text: str) -> None:
    """Tester's finding: a burst pipe spraying scalding water was told to catch it with a basin."""
    said = intake_intro("report_leak", subcategory_of("report_leak", text), "zh", text)
    assert said == [say("hot_water_safety", "zh")], said


def test_a_burning_smell_beside_a_fault_gets_the_fire_advice_first() -> None:
    said = intake_intro("report_leak", None, "zh", "暖气管子里呲呲的往外冒白烟 一股焦糊味")
    assert said[0] == say("fire_advice", "zh") and "119" in said[0]


@pytest.mark.parametrize(
    ("category", "text", "language"),
    [  # a tester's finding: people posing as the company got no warning
        ("complaint", "有人冒充你们热力公司的,让我加微信转账交暖气费", "zh"),
        ("billing_query", "今天有个自称供热公司工作人员的上门收维修费 要现金", "zh"),
        ("complaint", "我被骗了300块,那人说是你们派来修暖气的", "zh"),
        ("complaint", "someone called claiming to be from the heating company and asked me to transfer the fee", "en"),
    ],
)
def test_someone_posing_as_the_company_gets_the_scam_warning_first(category: str, text: str, language: str) -> None:
    said = intake_intro(category, None, language, text)
    assert said[0] == say("scam_advice", language) and "110" in said[0], said


@pytest.mark.parametrize("text", ["维修工收了我200块红包才肯修", "物业自称不归他们管", "我扫码交的暖气费没到账"])
def test_a_bribe_or_a_payment_question_is_no_scam(text: str) -> None:
    assert say("scam_advice", "zh") not in intake_intro("complaint", None, "zh", text)


def test_a_burning_smell_with_no_water_gets_no_water_advice() -> None:
    """A tester's "像是烧焦的味道" got the fire advice and, beside it, "catch the water in a basin"."""
    said = intake_intro("report_leak", None, "zh", "我家有股怪味 像是烧焦的味道")
    assert said == [say("fire_advice", "zh")], said
    wet = intake_intro("report_leak", None, "zh", "暖气管子往外冒水 还有一股焦糊味")
    assert wet[0] == say("fire_advice", "zh") and say("leak_safety", "zh") in wet


@pytest.mark.parametrize(
    "text", ["暖气太热了 屋里快三十度了 阀门也关不小", "the radiator is too hot and the valve won't turn down"]
)
def test_a_flat_too_hot_is_not_told_to_open_its_valves_nor_that_it_sounds_solved(text: str) -> None:
    """A resident's finding: "暖气太热了…关不小" was told to check that the valves are open (the
    opposite of the problem), then "听起来问题已经解决了"."""
    said = intake_intro("report_repair", None, "zh", text)
    assert say("repair_selfhelp", "zh") not in said, said
    assert not sounds_solved(text)
