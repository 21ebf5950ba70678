"""DIET without a transformer reads the intent from a message's sentence features alone, so the
words' rows are left out before it (nlu/sentence_features.py), in training and on every parse."""

from __future__ import annotations

from tests.harness import in_rasas_python

SCRIPT = """
import json, numpy as np, scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from nlu.sentence_features import SentenceFeaturesOnly

def message():
    m = Message(data={'text': '暖气片 不热 了', 'intent': 'report_repair'})
    m.add_features(Features(scipy.sparse.coo_matrix(np.ones((3, 5))), 'sequence', 'text', 'words'))
    m.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 5))), 'sentence', 'text', 'words'))
    m.add_features(Features(scipy.sparse.coo_matrix(np.ones((3, 7))), 'sequence', 'text', 'chars'))
    m.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 7))), 'sentence', 'text', 'chars'))
    m.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 2))), 'sequence', 'intent', 'words'))
    return m

component = SentenceFeaturesOnly.create({}, None, None, None)
parsed = component.process([message()])[0]
trained = component.process_training_data(TrainingData([message()])).training_examples[0]
out = {}
for name, m in (('parsed', parsed), ('trained', trained)):
    words, sentence = m.get_sparse_features('text')
    intent_words, _ = m.get_sparse_features('intent')
    out[name] = {'words': [*words.features.shape, int(words.features.nnz)],
                 'sentence': [*sentence.features.shape, int(sentence.features.sum())],
                 'intent': [*intent_words.features.shape, int(intent_words.features.nnz)]}
print('RESULT' + json.dumps(out))
"""


def test_the_words_rows_become_one_empty_row_and_the_sentence_stays() -> None:
    result = in_rasas_python(SCRIPT)
    expected = {
        "words": [1, 12, 0],  # both featurizers' word rows: one empty row, as wide as before
        "sentence": [1, 12, 12],  # the sentence's features, untouched
        "intent": [1, 2, 2],  # other attributes' features are not DIET's input text: untouched
    }
    assert result == {"parsed": expected, "trained": expected}
