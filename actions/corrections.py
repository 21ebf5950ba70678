"""A resident who corrects an earlier answer while the bot asks the next question.

At the phone question a resident writes "不对,地址错了,是4号楼": that is no phone number but a
new building. A person on the phone would change the address and ask for the number again; so
does the bot. A correction that names a field and brings its new value changes it at once (the
address parts it names, or a valid phone number); one that brings no value ("地址说错了") clears
the field, and the form asks for it again before going on. The summary's "change ..." buttons
(actions/confirmation.py) use the same names of the fields.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from bot.core.text.address import Address, address_from_parts, parse_address
from bot.core.text.phone import check_phone, find_phone

CORRECTABLE = ("address", "description", "phone", "callback_time")
# The words that name each field a resident may correct.
FIELD_WORDS = {
    "address": re.compile(
        r"地址|小区|花园|家园|苑|社区|新村|大厦|公寓|楼|单元|房间|门牌|"
        r"address|building|room|unit|gardens?|community|court|estate|residence|village|compound",
        re.IGNORECASE,
    ),
    "phone": re.compile(r"电话|手机|号码|联系方式|phone|number|mobile", re.IGNORECASE),
    "callback_time": re.compile(r"时间|几点|上午|下午|晚上|time|when|morning|afternoon|evening", re.IGNORECASE),
    "description": re.compile(r"描述|情况|问题|内容|description|details|problem|what happened", re.IGNORECASE),
}
# "That was wrong": what turns a message naming a field into a correction of it.
_CORRECTION = re.compile(
    r"不对|错了|有误|写错|说错|输错|打错|填错|弄错|搞错|记错|更正|改成|改为|改一下|应该是|其实是"
    r"|不是[^,，。.!！?？]{1,20}[,，]?\s*而?是"  # "不是阳光花园,是幸福小区"
    r"|\bwrong\b|\bmistake|\btypo\b|\bcorrection\b|\bi meant\b|\bshould (?:be|have been)\b|\bchange (?:my|the)\b"
    r"|\bnot\b[^,.!?]{1,40}[,.]?\s*(?:it'?s|it is|but)\b",  # "not Sunshine Garden, it's Xingfu Community"
    re.IGNORECASE,
)


def says_it_is_wrong(text: str) -> bool:
    """ "说错了", "that's wrong", "应该是…": the message corrects something."""
    return bool(_CORRECTION.search(text))


# What comes before the new value in a correction ("不对,地址错了,是", "sorry, wrong address, it's"):
# up to the last "that was wrong", field name, "is" or punctuation. The address parser would
# take it for the estate's name.
_LEAD_IN = re.compile(
    rf"^.*(?:{_CORRECTION.pattern}|地址|是|为|成|到|\baddress\b|\bit'?s\b|\bit is\b|\bis\b|\bto\b|[,，:：;；])\s*",
    re.IGNORECASE | re.DOTALL,
)


# "是阳光花园 不是翠湖苑", "it's Rose Court, not Sunshine Garden": the wrong value named last; it
# goes before the lead-in is cut (which would keep what follows the last 是).
_WRONG_NAMED_LAST = re.compile(
    r"[,，\s]*而?不是[^,，。.!！?？]{1,20}[。.!！]*$|,?\s+not\s+[^,.!?]{1,40}[.!]*$", re.IGNORECASE
)


# "是312不是311", "不是311,是312", "it's 502 not 501": a number of the address put right, with
# neither a field's name nor "wrong" (what the number is comes from the address it replaces).
_RIGHT_NOT_WRONG = re.compile(
    r"(?P<right>\d{1,4})\s*[,，]?\s*(?:而?不是|not)\s*(?:room\s*)?(?P<wrong>\d{1,4})"
    r"|(?:不是|not)\s*(?:room\s*)?(?P<wrong2>\d{1,4})\s*[,，]?\s*(?:而?是|it'?s|but)\s*(?P<right2>\d{1,4})",
    re.IGNORECASE,
)


def with_number_put_right(text: str, address: Address) -> Address | None:
    """`address` with the number `text` puts right ("是312不是311"), or None when it puts right
    no number the address has."""
    match = _RIGHT_NOT_WRONG.search(text)
    if match is None:
        return None
    right, wrong = match.group("right") or match.group("right2"), match.group("wrong") or match.group("wrong2")
    field = next((name for name in ("room", "unit", "building") if getattr(address, name) == wrong), None)
    return None if field is None else address.merged_with(Address(**{field: right}))


def place_named_in(text: str) -> Address:
    """The parts of an address a correction names, without its lead-in ("sorry wrong address,
    it's", "不对,地址错了,是") or the wrong value named last, which the parser would take for parts
    (an estate called "its")."""
    return parse_address(_LEAD_IN.sub("", _WRONG_NAMED_LAST.sub("", text)))


def number_put_right(text: str, tracker: Tracker, dispatcher: CollectingDispatcher,
                     language: str) -> dict[str, Any] | None:  # fmt: skip
    """The address with the number the resident put right, or None when the message puts right
    no number the address has."""
    if not tracker.get_slot("address"):
        return None
    address = with_number_put_right(text, address_from_parts(tracker.get_slot("address_parts") or {}))
    if address is None:
        return None
    formatted = address.format(language)
    dispatcher.utter_message(text=say("corrected_address", language, value=formatted))
    return {"address": formatted, "address_parts": {**asdict(address), "raw": formatted, "attempts": 1}}


def earlier_answer_corrected(text: str, tracker: Tracker, dispatcher: CollectingDispatcher,
                             language: str) -> dict[str, Any] | None:  # fmt: skip
    """The slots a correction of an earlier answer changes, or None when `text` corrects none.

    Only a field answered before and other than the one asked counts: a correction of the
    pending question is simply its answer."""
    # Not where a number is the answer itself (the address; "下午3点,不是4点" for the time).
    numbers_asked = tracker.get_slot("requested_slot") in ("address", "callback_time")
    if not numbers_asked and (put_right := number_put_right(text, tracker, dispatcher, language)):
        return put_right
    if not _CORRECTION.search(text):
        return None
    asked = tracker.get_slot("requested_slot")
    for field in CORRECTABLE:
        if field != asked and tracker.get_slot(field) is not None and FIELD_WORDS[field].search(text):
            return _new_value(field, text, tracker, dispatcher, language)
    return None


def _new_value(field: str, text: str, tracker: Tracker, dispatcher: CollectingDispatcher,
               language: str) -> dict[str, Any]:  # fmt: skip
    if field == "address":
        named = place_named_in(text)
        if any(asdict(named).values()):
            address = address_from_parts(tracker.get_slot("address_parts") or {}).merged_with(named)
            formatted = address.format(language)
            dispatcher.utter_message(text=say("corrected_address", language, value=formatted))
            parts = {**asdict(address), "raw": formatted, "attempts": 1}
            return {"address": formatted, "address_parts": parts}
        return {"address": None, "address_parts": None}
    if field == "phone":
        found = find_phone(text)
        checked = check_phone(found) if found else None
        if checked is not None and checked.ok:
            dispatcher.utter_message(text=say("corrected_phone", language, value=checked.e164))
            return {"phone": checked.e164}
    return {field: None}  # no new value given: the form asks for it again
