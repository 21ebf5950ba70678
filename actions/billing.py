"""Billing questions (R15): answered from configuration; disputes become tickets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import ASKS_IF_A_BOT, HotlineAction, button, report_text, resident_text, say
from actions.intake import bill_beside_report, intake_intro, intake_start_events, report_in, start_intake_with
from actions.unit_of_work import ActionCall
from bot.core.billing import about_money, answer_billing, clauses_of
from nlu.leak_words import says_something_escapes


def report_beside_billing(text: str) -> str | None:
    """What a billing question's message also reports, in a part of its own that is not about
    money: "暖气不热,另外这个月账单为什么这么高" is a repair as well as a question, and the repair
    must not be lost in the answer to the question."""
    for clause in clauses_of(text):
        if about_money(clause):
            continue
        if says_something_escapes(clause):  # "漏水了" is short, and still a leak
            return "report_leak"
        if category := report_in(clause):
            return category
    return None


# An amount of money ("300块", "¥120"): with a dispute's words, a bill disputed.
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:块|元|塊|yuan|rmb|kuai)|[¥￥]\s*\d", re.IGNORECASE)


def disputes_a_bill(text: str, billing_file: Path) -> bool:
    """ "那多收的300块怎么办": a disputed bill in words the model may not know (the billing file's
    dispute words, about money or an amount), so it is registered rather than refused."""
    return answer_billing(text, "zh", billing_file).is_dispute and (about_money(text) or bool(_AMOUNT.search(text)))


def heating_season_answer(text: str, language: str, billing_file: Path) -> str | None:
    """The heating season's dates from the billing file, when the message asks when it starts or
    ends ("今年什么时候开始供暖?", "is the heating on yet?"); None otherwise."""
    answer = answer_billing(text, language, billing_file)
    return answer.texts[answer.topics.index("season")] if "season" in answer.topics else None


def start_billing_intake(dispatcher: CollectingDispatcher, tracker: Tracker, language: str,
                         call: ActionCall, text: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Register a billing case for a person to check."""
    for line in intake_intro("billing_query", "dispute", language):
        dispatcher.utter_message(text=line)
    # After "I need a person" the question the resident asked is what the officer must check.
    text = text or report_text(tracker) or resident_text(tracker)
    events = intake_start_events("billing_query", "dispute", text, tracker, call)
    return [*events, FollowupAction("ticket_form")]


# "yes register it for checking pls", "帮我登记核实一下" after a billing answer offered just that.
_HAVE_IT_CHECKED = re.compile(
    r"登记|核实|核对|帮我查|查一下|查查|\b(?:register|check(?:ed|ing)?|look into|verify|correct(?:ed)?)\b",
    re.IGNORECASE,
)


def bill_to_check(text: str, tracker: Tracker, dispatcher: CollectingDispatcher, language: str,
                  call: ActionCall) -> list[dict[str, Any]] | None:  # fmt: skip
    """A billing case asked to be registered in words, after a billing answer: registered, with
    the resident's earlier words (the amounts and areas the officer must check), not only "yes
    register it"; None when the message asks no such thing."""
    if tracker.active_loop_name is not None or tracker.get_slot("category") != "billing_query":
        return None
    if not _HAVE_IT_CHECKED.search(text):
        return None
    typed = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    words = [t.strip() for t in typed if t.strip() and not t.strip().startswith("/")][-3:]
    return start_billing_intake(dispatcher, tracker, language, call, text=" / ".join(words))


class ActionAnswerBilling(HotlineAction):
    def name(self) -> str:
        return "action_answer_billing"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = report_text(tracker)
        answer = answer_billing(text, language, call.settings.billing_file)
        if tracker.active_loop_name is None and (category := report_beside_billing(text)):
            # The report is taken down now (a leak's advice comes first); the question is answered
            # as far as the billing file can, and a disputed bill can be raised once it is done.
            events = start_intake_with(category, text, tracker, dispatcher, language, call)
            return [*events, *bill_beside_report(text, dispatcher, language, call)]
        if answer.is_dispute:
            return start_billing_intake(dispatcher, tracker, language, call)
        if not answer.texts:
            # What the bot can tell, and the person who can tell more; no "did this answer it?"
            # after an answer that was none.
            need_person = button(say("billing_need_person", language), "request_human")
            dispatcher.utter_message(text=say("billing_unknown", language), buttons=[need_person])
            return [SlotSet("category", "billing_query")]
        for line in answer.texts:
            dispatcher.utter_message(text=line)
        dispatcher.utter_message(
            text=say("billing_more", language),
            buttons=[
                button(say("billing_solved", language), "thank"),
                button(say("billing_need_person", language), "request_human"),
            ],
        )
        return [SlotSet("category", "billing_query")]


class ActionRequestHuman(HotlineAction):
    """After a billing answer, register the case; otherwise give the staffed hotline."""

    def name(self) -> str:
        return "action_request_human"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        if tracker.active_loop_name == "ticket_form":
            # Asked in the middle of a report: the staffed line, and the report goes on where it
            # was (data/rules.yml asks the pending question again); nothing given so far is lost.
            dispatcher.utter_message(text=say("human_during_report", language))
            return []
        if tracker.get_slot("category") == "billing_query":
            return start_billing_intake(dispatcher, tracker, language, call)
        text = report_text(tracker)
        # "你到底是不是人工": said plainly that it is a program, with the staffed line all the same.
        dispatcher.utter_message(text=say("bot_disclosure" if ASKS_IF_A_BOT.search(text) else "human", language))
        if tracker.active_loop_name is None and (category := report_in(text)):
            # "师傅态度太差,我要找人工": the staffed line, and the complaint is taken down now.
            return start_intake_with(category, text, tracker, dispatcher, language, call)
        return []
