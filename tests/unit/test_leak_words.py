"""R1, safety first: the words that say something escapes, read the same by the NLU's safety net
and by the actions; a denial keeps a repair a repair."""

from __future__ import annotations

import pytest

from nlu.leak_words import says_something_escapes, smells_of_gas
from nlu.not_ours import another_partys_matter, appliance_trouble_only
from nlu.whistle_words import tells_of_bribery
from nlu.withdrawal_words import only_withdraws
from tests.harness import in_rasas_python

ESCAPES = [
    "landlord is away, the bedroom radiator is leaking, can you shut off the supply to the flat",
    "楼下说我家暖气管子漏到他家去了",
    "阀门那里一直往外喷水",
    "暖氣管滲水了",
    "hot water spraying from the valve",
    "there's a puddle under the radiator every morning",
    "I can smell gas in the stairwell",
    "steam is coming out of the manhole by gate 2",
    "暖气片接头滋水了",
    "卫生间分水器下面积了一滩水",
    "the valve keeps spitting hot water",
    "water is trickling down the wall behind the radiator",
    "steam escaping from the meter box in the hall",
    "water is collecting under the floorboards near the manifold",
    "楼道里一股 gas 味",
    "井盖一直在冒 steam",
    "地上一灘水",
]
DOES_NOT = [
    "暖气阀门坏了关不上,没漏水,就是关不住",
    "gurgling like running water in the radiator but nothing is leaking",
    "暖气片里整宿都是流水声,地上一滴水都没有",
    "the valve handle snapped off, no water coming out though",
    "暖气不热,屋里才十五度",
    "radiator knocking all night",
    "窗户漏风,屋里才十六度",  # a draught, not a leak
    "上个月漏交了暖气费",  # a missed payment
    "sounds like water running through the pipes but the floor is dry",
    "no hot water is coming out of the tap",
    "there isn't any hot water coming out of the radiators",
    "the water coming from the radiator is only lukewarm",
    "warm water is coming through the pipes but the room stays cold",
    "暖气片不热,地上也没积水",
    "there is no puddle, the radiator is just cold",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_water_steam_or_gas_escaping_is_read_as_escaping(text: str) -> None:
    assert says_something_escapes(text)


@pytest.mark.parametrize("text", DOES_NOT)
def test_a_denied_leak_or_a_plain_fault_is_not(text: str) -> None:
    assert not says_something_escapes(text)


def test_the_safety_net_makes_a_leaking_repair_a_leak_and_leaves_the_rest() -> None:
    """LeakSafetyNet in Rasa's own Python: the leak takes the repair's place and confidence, so
    the FallbackClassifier after it asks about an unsure leak with the leak first."""
    script = (
        "import json; from nlu.leak_safety import LeakSafetyNet\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "def msg(text, top, conf):\n"
        "    m = Message(data={'text': text})\n"
        "    m.set('intent', {'name': top, 'confidence': conf})\n"
        "    m.set('intent_ranking', [{'name': top, 'confidence': conf}, {'name': 'report_leak', 'confidence': 0.05},\n"
        "                             {'name': 'thank', 'confidence': 1 - conf - 0.05}])\n"
        "    return m\n"
        "cases = [msg('the radiator is leaking onto the floor', 'report_repair', 0.9),\n"
        "         msg('暖气阀门坏了,没漏水', 'report_repair', 0.9),\n"
        "         msg('漏水修好了,谢谢师傅', 'thank', 0.8),\n"
        "         msg('管子漏了好几天, 别说是我报的', 'request_anonymous', 0.6)]\n"
        "LeakSafetyNet().process(cases)\n"
        "print('RESULT' + json.dumps([[m.get('intent'), m.get('intent_ranking')[:2]] for m in cases]))"
    )
    leaking, denied, thanks, anonymous = in_rasas_python(script)  # type: ignore[misc]
    assert leaking[0] == {"name": "report_leak", "confidence": 0.9}
    assert leaking[1] == [{"name": "report_leak", "confidence": 0.9}, {"name": "report_repair", "confidence": 0.05}]
    assert denied[0]["name"] == "report_repair"
    assert thanks[0]["name"] == "thank"
    assert anonymous[0] == {"name": "report_leak", "confidence": 0.6}


@pytest.mark.parametrize(
    "text", ["楼道里燃气味很重", "楼道里一股 gas 味", "I can smell gas by the meter", "gas is leaking in the kitchen"]
)
def test_a_smell_of_gas_is_told_apart(text: str) -> None:
    assert smells_of_gas(text)


@pytest.mark.parametrize("text", ["the radiator gasket drips", "跟燃气公司一样不靠谱,漏水三天没人管", "暖气片漏水了"])
def test_gas_named_without_a_smell_is_not(text: str) -> None:
    assert not smells_of_gas(text)


@pytest.mark.parametrize(
    "text",
    ["我家冰箱漏水了怎么办", "楼上邻居家洗衣机漏水渗到我家天花板了", "my washing machine is leaking water everywhere",
     "my car is leaking oil", "空调一直滴水", "熱水器壞了", "the fridge stopped working"],
)  # fmt: skip
def test_an_appliance_or_a_vehicle_in_trouble_is_not_ours(text: str) -> None:
    assert appliance_trouble_only(text)


@pytest.mark.parametrize(
    "text",
    ["暖气片漏水把洗衣机泡了", "the radiator leaked onto my washing machine", "燃气热水器漏气,有煤气味",
     "厨房水管漏水了", "暖气不热", "I need a new washing machine", "I can smell gas near the boiler and the fridge"],
)  # fmt: skip
def test_the_heating_gas_or_no_trouble_keeps_it_ours(text: str) -> None:
    assert not appliance_trouble_only(text)


def test_the_nlu_makes_an_appliance_leak_out_of_scope_and_leaves_the_radiators() -> None:
    """NotOurAppliance in Rasa's own Python, after the leak safety net."""
    script = (
        "import json; from nlu.not_ours_component import NotOurAppliance\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "def msg(text, top):\n"
        "    m = Message(data={'text': text})\n"
        "    m.set('intent', {'name': top, 'confidence': 0.9})\n"
        "    return m\n"
        "cases = [msg('我家冰箱漏水了怎么办', 'report_leak'), msg('暖气片漏水把洗衣机泡了', 'report_leak'),\n"
        "         msg('洗衣机坏了,你们投诉电话多少', 'complaint')]\n"
        "NotOurAppliance().process(cases)\n"
        "print('RESULT' + json.dumps([m.get('intent')['name'] for m in cases]))"
    )
    assert in_rasas_python(script) == ["out_of_scope", "report_leak", "complaint"]


def test_the_nlu_makes_a_bribe_read_as_no_report_a_complaint_and_leaves_the_other_reports() -> None:
    """WhistleBlowing in Rasa's own Python: a bribe read as small talk or a status question is a
    complaint, sure enough for no clarifying question; a report's own reading stays."""
    script = (
        "import json; from nlu.whistle_component import WhistleBlowing\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "def msg(text, top):\n"
        "    m = Message(data={'text': text})\n"
        "    m.set('intent', {'name': top, 'confidence': 0.5})\n"
        "    m.set('intent_ranking', [{'name': top, 'confidence': 0.5}, {'name': 'complaint', 'confidence': 0.3}])\n"
        "    return m\n"
        "cases = [msg('师傅收红包,我微信号是zhangwei88', 'out_of_scope'),\n"
        "         msg('the engineer said he would only fix it if I paid him 200 cash', 'check_status'),\n"
        "         msg('收了我的钱没给收据,我要退费', 'billing_query'), msg('谢谢师傅,修好了', 'thank')]\n"
        "WhistleBlowing().process(cases)\n"
        "print('RESULT' + json.dumps([[m.get('intent'), len(m.get('intent_ranking'))] for m in cases]))"
    )
    wechat, paid, receipt, thanks = in_rasas_python(script)  # type: ignore[misc]
    assert wechat == [{"name": "complaint", "confidence": 1.0}, 2]
    assert paid[0]["name"] == "complaint"
    assert receipt[0]["name"] == "billing_query" and thanks[0]["name"] == "thank"


@pytest.mark.parametrize(
    ("text", "bribery"),
    [
        ("我要投诉你们的维修师傅,态度很差,还跟我要钱", True),
        ("我要投訴你們的維修師傅,態度很差,還跟我要錢", True),
        ("师傅收红包,我微信号是zhangwei88", True),
        ("he said he'd only fix it if I paid him 200", True),
        ("我想交钱,在哪交", False),
        ("师傅态度很差", False),
    ],
)
def test_whistle_blowing_is_told_by_its_words(text: str, bribery: bool) -> None:
    assert tells_of_bribery(text) is bribery


@pytest.mark.parametrize(
    ("text", "withdraws"),
    [
        ("算了不举报了,取消", True),
        ("我不想投诉了", True),
        ("算了算了不弄了", True),
        ("撤回吧", True),
        ("never mind, forget the complaint", True),
        ("I don't want to complain anymore", True),
        ("算了", False),  # "no" to a yes/no question, not the report taken back
        ("不用了", False),
        ("你们取消了我的预约", False),
        ("不投诉了,但是得给个说法", False),
        ("我不举报了,怕报复", False),
        # Testers' findings: a complaint started in jest could only be left with "取消".
        ("哈哈开玩笑的 没啥事 你别当真", True),
        ("不用登记 再见", True),
        ("just kidding lol", True),
        ("开玩笑的,我家真的漏水了", False),
        ("不用登记,你们快派人来", False),
    ],
)
def test_a_report_taken_back_is_told_by_its_words_and_nothing_else(text: str, withdraws: bool) -> None:
    assert only_withdraws(text) is withdraws


def test_the_nlu_makes_a_report_taken_back_a_sure_cancel_after_the_whistle_blowing_words() -> None:
    """Withdrawal in Rasa's own Python: "不举报了" is no report of bribery but a cancellation,
    with no second intent close enough to bring a clarifying question."""
    script = (
        "import json; from nlu.whistle_component import WhistleBlowing\n"
        "from nlu.withdrawal_component import Withdrawal\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "def msg(text, top):\n"
        "    m = Message(data={'text': text})\n"
        "    m.set('intent', {'name': top, 'confidence': 0.5})\n"
        "    m.set('intent_ranking', [{'name': top, 'confidence': 0.5}, {'name': 'cancel', 'confidence': 0.45}])\n"
        "    return m\n"
        "cases = [msg('算了不举报了,取消', 'complaint'), msg('不举报了', 'cancel'),\n"
        "         msg('你们取消了我的预约', 'complaint')]\n"
        "Withdrawal().process(WhistleBlowing().process(cases))\n"
        "print('RESULT' + json.dumps([[m.get('intent'), len(m.get('intent_ranking'))] for m in cases]))"
    )
    taken_back, cancel, appointment = in_rasas_python(script)  # type: ignore[misc]
    assert taken_back == [{"name": "cancel", "confidence": 1.0}, 1]
    assert cancel == [{"name": "cancel", "confidence": 1.0}, 1]
    assert appointment[0]["name"] == "complaint"


@pytest.mark.parametrize(
    ("text", "theirs"),
    [
        ("楼上邻居半夜太吵了", True),
        ("物业保安态度很差", True),
        ("电梯坏了三天了", True),
        ("the security guard at my building was rude", True),
        ("楼上邻居家暖气漏水到我家", False),  # a leak
        ("邻居私接暖气管", False),  # a theft of heat
        ("物业不让维修工进小区", False),  # our crew kept out
        ("楼下换热站噪音太大", False),  # our plant
        ("楼上邻居家也不热", False),  # a cold flat
    ],
)
def test_another_partys_business_is_told_by_its_words(text: str, theirs: bool) -> None:
    assert another_partys_matter(text) is theirs
