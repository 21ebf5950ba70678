"""The NLU's side of nlu/not_ours.py: a leak or repair that is an appliance's is out of scope.

Runs after the leak safety net and before the FallbackClassifier; the out-of-scope answer then
says whom to call instead (actions/dialogue.py)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize
from nlu.not_ours import appliance_trouble_only
from nlu.stateless import StatelessComponent

OUT_OF_SCOPE = "out_of_scope"
REPORTS = ("report_leak", "report_repair")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NotOurAppliance(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) not in REPORTS:
                continue
            if appliance_trouble_only(normalize(message.get(TEXT) or "")):
                message.set(INTENT, {**intent, INTENT_NAME_KEY: OUT_OF_SCOPE}, add_to_output=True)
        return messages
