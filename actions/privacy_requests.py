"""A resident's requests about being written to and about their data.

"以后别再给我发消息了" stops the follow-ups of this chat's tickets (their work goes on). "把我的电话
和地址都删了" is told how it is done (staff check who asks, by the hotline) and goes on the chat's
open ticket for its dispatchers: never taken for a new report that asks for the address again.
"""

from __future__ import annotations

import re

import zhconv
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from actions.status import recent_open_ticket
from actions.unit_of_work import ActionCall
from bot.core.tickets.additions import add_to_ticket
from bot.core.tickets.followups import stop_followups
from bot.core.tickets.intake import utcnow

_NO_MORE_MESSAGES = re.compile(
    r"(?:别|不要|不用|甭)再?(?:给我)?(?:发|推送?)(?:消息|信息|短信)|(?:别|不要|不用)再?(?:联系|打扰)我|"
    r"(?:不要|不用|别)(?:再)?回访|"
    r"\b(?:stop|quit|don'?t keep) (?:messaging|texting|contacting|writing to|sending me)\b|\bunsubscribe\b|"
    r"\bno more (?:messages|follow-?ups?)\b|\bdon'?t (?:message|text|contact) me (?:again|any ?more)\b",
    re.IGNORECASE,
)
_DELETE_MY_DATA = re.compile(
    r"(?:删|删除|删掉|清除|销毁)(?:了|掉)?(?:我的)?(?:电话|手机号?|号码|地址|个人信息|信息|资料|数据)|"
    r"(?:电话|手机号?|地址|信息|资料)[^,，。!！?？]{0,6}删(?:了|掉|除)|不想(?:让)?你们(?:保)?存我的|"
    r"\b(?:delete|remove|erase|forget) (?:all )?(?:of )?my (?:data|details|information|info|number|phone|address)\b",
    re.IGNORECASE,
)


# What else a message may bring beside such a request ("别再给我发短信催费了,我交过了"): then it is
# that matter's message, handled as such, never answered only as a request about messages.
_ANOTHER_MATTER = re.compile(
    r"费|钱|账单|投诉|举报|不热|冰凉|冷|坏|修|漏|水|气|"
    r"\b(?:bill|fee|charge|paid|complain\w*|cold|broken|repair|leak\w*|water|gas)\b",
    re.IGNORECASE,
)


def privacy_request_in(text: str) -> str | None:
    """ "no_more_messages", "data_deletion", or None: what the message asks, if that is all it brings."""
    simplified = zhconv.convert(text, "zh-cn")
    rest = _DELETE_MY_DATA.sub(" ", _NO_MORE_MESSAGES.sub(" ", simplified))
    if _ANOTHER_MATTER.search(rest):
        return None
    if _NO_MORE_MESSAGES.search(simplified):
        return "no_more_messages"
    return "data_deletion" if _DELETE_MY_DATA.search(simplified) else None


def answered_privacy_request(text: str, tracker: Tracker, dispatcher: CollectingDispatcher, language: str,
                             call: ActionCall) -> bool:  # fmt: skip
    """Whether the message asked not to be written to, or for its data to be deleted (answered)."""
    request = privacy_request_in(text)
    if request == "no_more_messages":
        stop_followups(call.session, tracker.sender_id, utcnow())
    elif request == "data_deletion" and (filed := recent_open_ticket(tracker, call)) is not None:
        add_to_ticket(call.session, filed, text, utcnow())  # its dispatchers see the request
    if request is not None:
        dispatcher.utter_message(text=say(request, language))
    return request is not None
