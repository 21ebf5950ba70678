"""Greeting, small talk and clarification: never a ticket."""

from __future__ import annotations

from actions.common import HotlineAction, Utterance, button, harm_advice, resident_text, say
from actions.intake import start_intake_with
from actions.status import asks_how_it_goes, brings_news, note_addition, recent_open_ticket, tell_status
from bot.core.conversation.messages import CATEGORY_NAMES, name_of
from bot.core.text.temperature import cold_room_reading

CORE_INTENTS = ("report_leak", "report_repair", "billing_query", "complaint")


class ActionGreet(Utterance):
    text_key = "greet"

    def name(self) -> str:
        return "action_greet"


class ActionGoodbye(Utterance):
    text_key = "goodbye"

    def name(self) -> str:
        return "action_goodbye"


class ActionThank(Utterance):
    text_key = "thank"

    def name(self) -> str:
        return "action_thank"


class ActionHelp(Utterance):
    text_key = "help"

    def name(self) -> str:
        return "action_help"


class ActionOutOfScope(HotlineAction):
    """Nothing for the hotline, unless it asks after a report in words the model did not know."""

    def name(self) -> str:
        return "action_out_of_scope"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        if cold_room_reading(text) and tracker.active_loop_name is None:
            return start_intake_with("report_repair", text, tracker, dispatcher, language, call)  # R11
        for advice in harm_advice(text, language):  # someone is hurt: first aid whatever else
            dispatcher.utter_message(text=advice)
        if brings_news(text) and (filed := recent_open_ticket(tracker, call)) is not None:
            # "补充一下,家里有个80岁的老人": more for the chat's open ticket, never lost.
            note_addition(filed, text, dispatcher, language, call)
        elif asks_how_it_goes(text):
            tell_status(text, tracker, dispatcher, language, call)
        else:
            dispatcher.utter_message(text=say("out_of_scope", language))
        return []


class ActionClarify(HotlineAction):
    """Ask which kind of problem it is when the model is unsure, offering the likely ones first."""

    def name(self) -> str:
        return "action_clarify"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        if cold_room_reading(text) and tracker.active_loop_name is None:
            # "家里有刚出生的宝宝,家里才14度": below 18 °C is a repair case (R11), not a question.
            return start_intake_with("report_repair", text, tracker, dispatcher, language, call)
        for advice in harm_advice(text, language):  # someone is hurt: first aid whatever else
            dispatcher.utter_message(text=advice)
        if brings_news(text) and (filed := recent_open_ticket(tracker, call)) is not None:
            # "补充一下,家里有个80岁的老人": more for the chat's open ticket, never lost.
            note_addition(filed, text, dispatcher, language, call)
        elif asks_how_it_goes(text):  # "我刚才报的怎么样了": how it goes, not which kind of problem
            tell_status(text, tracker, dispatcher, language, call)
            return []
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
