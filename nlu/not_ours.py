"""Household appliances and vehicles are not district heating: a fridge, a washing machine or a
car that leaks or breaks down opens no report (no crew promised, no address asked).

A bag of words hears "漏水" and "坏了" and calls it a leak or a repair, whatever leaks. Here the
words decide, narrowly: the message names an appliance's or a vehicle's trouble, says nothing of
the heating (radiator, pipe, valve, 暖气, 地暖...) and smells of no gas (R1: gas always counts).
Plain `re`, no Rasa: the NLU component below and the actions' answer share it.
"""

from __future__ import annotations

import re

from nlu.leak_words import says_something_escapes, smells_of_gas
from nlu.whistle_words import tells_of_bribery

_APPLIANCE = (
    r"冰箱|冰柜|洗衣机|洗碗机|热水器|熱水器|饮水机|飲水機|净水器|淨水器|空调|空調|鱼缸|魚缸|加湿器|加濕器|"
    r"电热水壶|電熱水壺|咖啡机|咖啡機|汽车|汽車|车子|車子|电动车|電動車|摩托车|摩托車|"
    r"\bfridge|\brefrigerator|\bfreezer|washing machine|\bwasher\b|dishwasher|water heater|water dispenser|"
    r"water purifier|\baquarium|fish tank|air[- ]?con|\bAC\b|humidifier|\bkettle|coffee (?:machine|maker)|"
    r"\bmy car\b|\bthe car\b|\bcar(?:'s)? (?:is|was|has|engine|radiator)|\bvehicle|\bmotorbike|\bscooter"
)
_TROUBLE = r"漏|滴|渗|滲|坏|壞|不制冷|不製冷|不转|不轉|不工作|不出水|出问题|出問題|leak|drip|broke|broken|not working|stopped working|won'?t"
# The appliance and its trouble close together, either way round ("冰箱漏水", "漏水的是冰箱", "the
# fridge is leaking", "leaking washing machine").
_APPLIANCE_TROUBLE = re.compile(
    rf"(?:{_APPLIANCE}).{{0,25}}?(?:{_TROUBLE})|(?:{_TROUBLE}).{{0,12}}?(?:{_APPLIANCE})", re.IGNORECASE
)
# Anything of the heating makes it ours (a radiator that floods the washing machine is a leak).
_HEATING = re.compile(
    r"暖气|暖氣|散热器|散熱器|地暖|供暖|采暖|採暖|供热|供熱|热力|熱力|管道|管子|水管|阀门|閥門|分水器|"
    r"radiator|heating|\bheat\b|\bpipe|\bvalve|floor heat",
    re.IGNORECASE,
)


# "是冰箱,不是暖气": the heating named only to be ruled out.
_NOT_THE_HEATING = re.compile(
    r"(?:不是|并不是|並不是|并非|並非|不关|不關)(?:暖气|暖氣|地暖)(?:的事|的问题|的問題)?|"
    r"(?:not|isn'?t|nothing to do with) (?:the |my )?(?:radiator|heating)",
    re.IGNORECASE,
)


def appliance_trouble_only(text: str) -> bool:
    """True when the message is about an appliance's or a vehicle's trouble and nothing of ours."""
    if not _APPLIANCE_TROUBLE.search(text) or smells_of_gas(text):
        return False
    return not _HEATING.search(_NOT_THE_HEATING.sub(" ", text))


# Other parties residents complain of: the property company and its guards, neighbours' noise,
# lifts, other utilities, the street. Not the heating company's to handle.
_OTHER_PARTY = re.compile(
    r"物业(?!费)|保安|门卫|門衛|保洁|保潔|邻居|鄰居|楼上|樓上|楼下|樓下|装修|裝修|电梯|電梯|燃气公司|燃氣公司|"
    r"煤气公司|煤氣公司|自来水公司|自來水公司|供电|供電|电力公司|電力公司|城管|派出所|居委会|居委會|噪音|太吵|吵得|"
    r"垃圾|停车|停車|"
    r"security guard|\bguards?\b|property (?:management|company|manager)|neighbou?rs?|\belevator|\blift\b|"
    r"garbage|rubbish|\bnoise|\bnoisy|\bparking|gas company|water company|power company|electricity company",
    re.IGNORECASE,
)
# Ours after all: our staff, our plant or our hotline ("物业不让维修工进门", "楼下换热站噪音太大").
_OURS = re.compile(
    r"收费员|收費員|抄表员|抄表員|维修工|維修工|维修人员|維修人員|师傅|師傅|热力|熱力|客服|热线|熱線|工作人员|工作人員|"
    r"换热站|換熱站|热站|熱站|锅炉|鍋爐|水泵|不热|不熱|冰凉|冰涼|冷|温度|溫度|[0-9一二三四五六七八九十]度|"
    r"repairm[ae]n|technician|meter reader|your staff|engineer|hotline|heat(?:ing)? station|boiler|pump|"
    r"\bcold\b|\bwarm|temperature|degrees",
    re.IGNORECASE,
)


def another_partys_matter(text: str) -> bool:
    """True when the message is about another party's business (a noisy neighbour, the property
    company's guards, a lift) and nothing of ours: no heating, staff, plant, leak, gas or bribe."""
    if not _OTHER_PARTY.search(text) or _OURS.search(text) or smells_of_gas(text):
        return False
    if says_something_escapes(text) or tells_of_bribery(text):
        return False
    return not _HEATING.search(_NOT_THE_HEATING.sub(" ", text))
