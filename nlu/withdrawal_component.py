"""The NLU's side of nlu/withdrawal_words.py: a message that only takes the report back is a
cancellation, whatever the model reads.

"算了不举报了,取消" read as a complaint (or left unsure between complaint and cancel) inside an
anonymous complaint became its estate, and the report went on. The words decide, as a button
press would: the intent is `cancel` for sure, and the rules and forms drop the report (or tell
the dispatchers, for a filed one). Runs after the whistle-blowing words, which would otherwise
read "不举报了" as a report of bribery, and before the FallbackClassifier.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize
from nlu.stateless import StatelessComponent
from nlu.withdrawal_words import only_withdraws

CANCEL = "cancel"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class Withdrawal(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) == CANCEL:
                continue
            if only_withdraws(normalize(message.get(TEXT) or "")):
                # The model's ranking is dropped: next to a sure cancel, its complaint at 0.93
                # would look like a doubt and bring a clarifying question.
                cancel = {INTENT_NAME_KEY: CANCEL, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, cancel, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [cancel], add_to_output=True)
        return messages
