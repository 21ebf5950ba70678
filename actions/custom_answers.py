"""Answers to intents admins added from the dashboard, in the resident's language."""

from __future__ import annotations

import yaml

from actions.common import HotlineAction, latest_intent
from bot.core.conversation.messages import say


class ActionAnswerCustom(HotlineAction):
    def name(self) -> str:
        return "action_answer_custom"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        # Read on every call: an intent added on the dashboard answers without a restart.
        answers = (yaml.safe_load(call.settings.answers_file.read_text(encoding="utf-8")) or {}).get("answers") or {}
        texts = answers.get(latest_intent(tracker) or "") or {}
        text = texts.get(language) or next(iter(texts.values()), None) or say("out_of_scope", language)
        dispatcher.utter_message(text=text)
        return []
