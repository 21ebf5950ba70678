"""Safety first (R1): a message the classifier takes for a repair, or for a bare request for
anonymity, that says water, steam or gas is escaping is handled as a leak.

A leak taken for a repair waits hours for a crew instead of 30 minutes, without the safety
advice; a repair taken for a leak costs a fast visit. So between these intents the words decide,
not the model's doubt ("landlord is abroad, the radiator is leaking, can you turn off the supply"
reads like a repair to a bag of words). Messages the model takes for anything else (thanks for a
fixed leak, a status question, a complaint about a late crew) are left alone, and a denial
("没漏水", "nothing is leaking") keeps a repair a repair. Runs after DIET and before the
FallbackClassifier, so an unsure leak is still asked about, with the leak offered first.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.leak_words import says_something_escapes
from nlu.normalize import normalize
from nlu.stateless import StatelessComponent

LEAK = "report_leak"
# What the model may call a leak that says it leaks: both report the same thing.
TAKEN_FOR = ("report_repair", "request_anonymous")


def as_leak(intent: dict[str, Any], ranking: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The leak takes the top intent's place and confidence; the top intent takes the leak's."""
    top = intent[INTENT_NAME_KEY]
    swap = {top: LEAK, LEAK: top}
    swapped = [
        {**entry, INTENT_NAME_KEY: swap.get(entry[INTENT_NAME_KEY], entry[INTENT_NAME_KEY])} for entry in ranking
    ]
    swapped.sort(key=lambda entry: -entry[PREDICTED_CONFIDENCE_KEY])
    return {INTENT_NAME_KEY: LEAK, PREDICTED_CONFIDENCE_KEY: intent[PREDICTED_CONFIDENCE_KEY]}, swapped


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LeakSafetyNet(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) not in TAKEN_FOR:
                continue
            if says_something_escapes(normalize(message.get(TEXT) or "")):
                leak, ranking = as_leak(intent, message.get(INTENT_RANKING_KEY) or [])
                message.set(INTENT, leak, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
