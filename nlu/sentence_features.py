"""DIET without a transformer reads a message's intent from its sentence features alone.

The count-vector featurizers give every message two kinds of features: one row per word
(sequence features) and one row for the whole message (sentence features). DIET pushes every
row through its dense layers, then, with no transformer layer to mix them, takes the intent from
the last row alone: the sentence's. The word rows never reach the intent it predicts, yet they are most
of its work, in training and on every parse. This component, placed between the featurizers
and DIET, leaves one empty word row in their place (DIET needs at least one).

It holds only while DIET has no transformer and sees no per-word input of another kind (dense
word features, entity tags): with those, the word rows matter, and the component must go.
"""

from __future__ import annotations

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.stateless import StatelessComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturesOnly(StatelessComponent):
    # A method, not a module function: Rasa's training cache keys a component by its class's
    # source, so a change here retrains DIET instead of reusing a cached one.
    @staticmethod
    def without_word_rows(features: Features) -> Features:
        """Sparse sequence features of a message's text become one all-zero row; others stay."""
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SEQUENCE or not features.is_sparse():
            return features
        empty = scipy.sparse.coo_matrix((1, features.features.shape[1]), dtype=features.features.dtype)
        return Features(empty, features.type, features.attribute, features.origin)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            kept = [self.without_word_rows(features) for features in message.features]
            message.features = []
            for features in kept:
                message.add_features(features)  # add_features also forgets the message's fingerprint
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
