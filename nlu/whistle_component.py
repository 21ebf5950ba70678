"""The NLU's side of nlu/whistle_words.py: a message that tells of a bribe is a complaint.

A whistle-blower's report taken for small talk gets "I can't help with that" and is lost (R5,
R6): "师傅收红包,我微信号是zhangwei88" read as out of scope, a demand for a bribe as a status
question. Where the model reads such a message as no report at all, the words decide. A
complaint, a leak, a billing question or a request for anonymity or a person keep the model's
reading: each has its own way to the complaint (actions/intake.py). Runs before the
FallbackClassifier, with the complaint on top: no clarifying question for a bribe.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize
from nlu.stateless import StatelessComponent
from nlu.whistle_words import tells_of_bribery

COMPLAINT = "complaint"
# The readings that would drop the report.
NO_REPORT = ("out_of_scope", "greet", "goodbye", "thank", "affirm", "deny", "help", "check_status", "cancel")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class WhistleBlowing(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) not in NO_REPORT:
                continue
            if tells_of_bribery(normalize(message.get(TEXT) or "")):
                ranking = [e for e in message.get(INTENT_RANKING_KEY) or [] if e[INTENT_NAME_KEY] != COMPLAINT]
                complaint = {INTENT_NAME_KEY: COMPLAINT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, complaint, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [complaint, *ranking], add_to_output=True)
        return messages
