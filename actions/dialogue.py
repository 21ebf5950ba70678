"""Greeting, small talk and clarification: never a ticket."""

from __future__ import annotations

import re

from actions.billing import bill_to_check, disputes_a_bill, heating_season_answer, start_billing_intake
from actions.common import (
    ASKS_IF_A_BOT,
    HotlineAction,
    Utterance,
    button,
    harm_advice,
    resident_text,
    safety_advice,
    say,
)
from actions.intake import (
    asks_for_anonymity,
    denies_gas,
    made_filed_anonymous,
    mains_water_only,
    sounds_solved,
    start_intake_with,
)
from actions.privacy_requests import answered_privacy_request
from actions.status import (
    answer_to_staff,
    asks_how_it_goes,
    brings_news,
    for_a_filed_ticket,
    news_for_recent_ticket,
    note_addition,
    own_open_ticket_named,
    phone_after_filing,
    recent_open_ticket,
    tell_status,
)
from bot.core.conversation.messages import CATEGORY_NAMES, name_of
from bot.core.text.temperature import cold_room_reading
from bot.core.text.ticket_codes import find_ticket_code, mistyped_ticket_code
from nlu.leak_words import says_something_escapes, smells_of_gas
from nlu.not_ours import another_partys_matter, appliance_trouble_only

CORE_INTENTS = ("report_leak", "report_repair", "billing_query", "complaint")


class ActionGreet(Utterance):
    text_key = "greet"

    def name(self) -> str:
        return "action_greet"


class ActionGoodbye(Utterance):
    text_key = "goodbye"

    def name(self) -> str:
        return "action_goodbye"


class ActionThank(HotlineAction):
    """You're welcome; and "HL-4F7K2P 已经好了,谢谢,不用来了" is news for that ticket (the crew
    must hear it), noted on the chat's own open ticket the message names, or its latest one."""

    def name(self) -> str:
        return "action_thank"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        if sounds_solved(text) and tracker.active_loop_name is None:
            filed = own_open_ticket_named(text, tracker, call) or recent_open_ticket(tracker, call)
            if filed is not None:
                note_addition(filed, text, dispatcher, language, call, key="solved_noted")
                return []
        if answer_to_staff(text, tracker, dispatcher, language, call):
            return []  # "好的谢谢,我下午在家" after a dispatcher wrote: for them
        dispatcher.utter_message(text=say("thank", language))
        return []


class ActionHelp(Utterance):
    text_key = "help"

    def name(self) -> str:
        return "action_help"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        if find_ticket_code(text):
            # "单号是 HL YESCDK": a code the model read as "yes"/"help" is still a status question.
            tell_status(text, tracker, dispatcher, language, call)
            return []
        if for_a_filed_ticket(text, tracker, dispatcher, language, call):
            return []  # "地址说错了 是4号楼2单元301" after filing, "好的" after a dispatcher wrote
        if (registered := bill_to_check(text, tracker, dispatcher, language, call)) is not None:
            return registered  # "yes, register it" after a billing answer offered it
        return super().respond(dispatcher, tracker, language, call)


# "Do you speak English?", "能说中文吗": a foreigner's first question, not an off-topic one.
_ASKS_FOR_A_LANGUAGE = re.compile(
    r"\b(?:do|can|could) (?:you|u|i) (?:speak|understand|read|write|talk|use|chat)(?: in)? (?:english|chinese)\b|"
    r"\benglish (?:please|ok|okay)\b|\bspeak english\b|"
    r"(?:会|能|可以)(?:说|讲|用|打)?(?:英文|英语|中文|汉语)(?:吗|嘛|么|不)",
    re.IGNORECASE,
)


def answered_without_the_model(text: str, tracker, dispatcher, language: str, call) -> list[dict] | None:  # type: ignore[no-untyped-def]
    """What a message the model calls out of scope, or is unsure of, may still be: a cold room
    (R11: a repair), news for the chat's open ticket, a question about a report; first aid comes
    first when someone is hurt, and an appliance's trouble is told whom to call. The events of
    the answer, or None when it is none of these (the first aid, if any, is said all the same)."""
    if tracker.active_loop_name is None and answered_privacy_request(text, tracker, dispatcher, language, call):
        return []  # "以后别再给我发消息了", "把我的电话和地址都删了"
    if asks_for_anonymity(text) and made_filed_anonymous(text, tracker, dispatcher, language, call):
        return []  # "我刚才那个投诉能不能改成匿名的", whatever the model read
    if smells_of_gas(text) and not denies_gas(text) and tracker.active_loop_name is None:
        # "楼下饭店的液化气好像漏了": gas is told by its words, whatever the model read (R1).
        return start_intake_with("report_leak", text, tracker, dispatcher, language, call)
    if cold_room_reading(text) and tracker.active_loop_name is None:
        # "家里有刚出生的宝宝,家里才14度": below 18 °C is a repair case (R11), not a question.
        return start_intake_with("report_repair", text, tracker, dispatcher, language, call)
    if for_a_filed_ticket(text, tracker, dispatcher, language, call):
        return []  # "电话也错了 应该是139…" after filing, "三点不行 能不能改到四点" after a dispatcher wrote
    if phone_after_filing(text, tracker, dispatcher, language, call):
        return []  # "对了我电话是139…" with no report under way: on the open ticket, or said why not
    for advice in harm_advice(text, language):
        dispatcher.utter_message(text=advice)
    if ASKS_IF_A_BOT.search(text):  # "你是机器人还是真人": said plainly, with the staffed line
        dispatcher.utter_message(text=say("bot_disclosure", language))
        return []
    if _ASKS_FOR_A_LANGUAGE.search(text):  # "do you speak English?": yes, and what is wrong?
        dispatcher.utter_message(text=say("languages_spoken", language))
        return []
    if mains_water_only(text):  # a dripping tap or toilet: the water company's or the estate's
        dispatcher.utter_message(text=say("not_heating_water", language))
        return []
    if appliance_trouble_only(text):  # a leaking fridge, a broken car: whom to call instead
        dispatcher.utter_message(text=say("not_heating_appliance", language))
        return []
    if another_partys_matter(text):  # a noisy neighbour, the property company's guards: whom to ask
        dispatcher.utter_message(text=say("not_heating_other_party", language))
        return []
    if season := heating_season_answer(text, language, call.settings.billing_file):
        dispatcher.utter_message(text=season)  # "今年什么时候开始供暖?": the company's own dates
        return []
    if (registered := bill_to_check(text, tracker, dispatcher, language, call)) is not None:
        return registered  # "yes register it for checking pls" after a billing answer offered it
    if tracker.active_loop_name is None and disputes_a_bill(text, call.settings.billing_file):
        return start_billing_intake(dispatcher, tracker, language, call)  # R15: registered, not refused
    if news_for_recent_ticket(text, tracker, dispatcher, language, call):
        return []
    if find_ticket_code(text) or mistyped_ticket_code(text) is not None or asks_how_it_goes(text):
        # "HL—4F7K2P" (a code, whatever the model read), "HL-12345 查询" (told the code is wrong),
        # "我刚才报的怎么样了": how it goes, not which problem
        tell_status(text, tracker, dispatcher, language, call)
        return []
    return None


class ActionOutOfScope(HotlineAction):
    """Nothing for the hotline, unless it is something the model did not know (see above)."""

    def name(self) -> str:
        return "action_out_of_scope"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        answered = answered_without_the_model(resident_text(tracker), tracker, dispatcher, language, call)
        if answered is not None:
            return answered
        dispatcher.utter_message(text=say("out_of_scope", language))
        return []


class ActionClarify(HotlineAction):
    """Ask which kind of problem it is when the model is unsure, offering the likely ones first."""

    def name(self) -> str:
        return "action_clarify"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        answered = answered_without_the_model(resident_text(tracker), tracker, dispatcher, language, call)
        if answered is not None:
            return answered
        ranking = [
            entry["name"]
            for entry in tracker.latest_message.get("intent_ranking", [])
            if entry.get("name") in CORE_INTENTS
        ]
        likely = ranking[:2]
        if set(likely) == {"report_leak", "report_repair"}:
            question = say("clarify_leak_repair", language)
        else:
            question = say("clarify", language)
        ordered = likely + [intent for intent in CORE_INTENTS if intent not in likely]
        buttons = [button(name_of(CATEGORY_NAMES, intent, language), intent) for intent in ordered]
        dispatcher.utter_message(text=question, buttons=buttons)
        return []


class ActionDefaultFallback(ActionClarify):
    """Rasa's last resort: ask rather than guess."""

    def name(self) -> str:
        return "action_default_fallback"


class ActionCheckStatus(HotlineAction):
    """How a ticket stands; news for one's own open ticket is kept on it. Water escaping now
    gets the safety advice first (R1), and, unless it is news for this chat's open ticket, a
    leak report of its own: a relative on another phone, or a closed ticket, cannot take it."""

    def name(self) -> str:
        return "action_check_status"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        if asks_for_anonymity(text) and made_filed_anonymous(text, tracker, dispatcher, language, call):
            return []  # "我刚才那个投诉能改成匿名的吗" read as a status question
        escaping = says_something_escapes(text)
        own = own_open_ticket_named(text, tracker, call) if escaping or brings_news(text) else None
        if own is not None:
            if escaping:
                dispatcher.utter_message(text=safety_advice(text, language))
            note_addition(own, text, dispatcher, language, call)
            return []
        if escaping:
            return start_intake_with("report_leak", text, tracker, dispatcher, language, call)
        if for_a_filed_ticket(text, tracker, dispatcher, language, call):
            return []  # "HL-… 地址写错了 是4号楼" from the chat that filed it; "师傅几点到?" after a dispatcher wrote
        tell_status(text, tracker, dispatcher, language, call)
        if brings_news(text) and find_ticket_code(text):
            # "HL-4F7K2P 补充一下…" from another chat, or for a closed ticket: not added; say so.
            dispatcher.utter_message(text=say("news_not_added", language))
        return []
