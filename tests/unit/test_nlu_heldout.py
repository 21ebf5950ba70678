"""NLU quality on the held-out set (tests/nlu/heldout/), and the metric code behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.teaching import evaluation as nlu_eval
from bot.config import PROJECT_ROOT
from bot.teaching.evaluation import Example, Prediction, compare, evaluate_predictions, load_examples


def _report(rows: list[tuple[str, str, float]], language: str = "zh") -> nlu_eval.EvalReport:
    examples = [Example(f"m{i}", expected, language) for i, (expected, _, _) in enumerate(rows)]
    predictions = [Prediction(f"m{i}", intent, conf) for i, (_, intent, conf) in enumerate(rows)]
    return evaluate_predictions(examples, predictions, threshold=0.45)


# Nine messages: (expected class, predicted intent, confidence).
HAND_MADE = [
    ("report_leak", "report_leak", 0.9),
    ("report_leak", "report_leak", 0.8),
    ("report_leak", "report_repair", 0.7),
    ("report_repair", "report_repair", 0.9),
    ("billing_query", "billing_query", 0.9),
    ("complaint", "nlu_fallback", 0.4),  # the bot asks: counts as no ticket
    ("out_of_scope", "greet", 0.9),  # no ticket: right
    ("out_of_scope", "billing_query", 0.9),  # would open a ticket
    ("out_of_scope", "billing_query", 0.3),  # below the threshold: the bot asks, no ticket
]


def test_metrics_of_a_hand_made_example() -> None:
    s = _report(HAND_MADE).overall
    assert s.confusion["report_leak"] == {"report_leak": 2, "report_repair": 1, "billing_query": 0, "complaint": 0, "out_of_scope": 0}
    assert s.confusion["complaint"]["out_of_scope"] == 1 and s.confusion["out_of_scope"]["out_of_scope"] == 2
    assert s.count == 9 and s.accuracy == pytest.approx(6 / 9)
    leak = s.per_class["report_leak"]
    assert (leak.precision, leak.recall, leak.f1, leak.support) == pytest.approx((1.0, 2 / 3, 0.8, 3))
    repair = s.per_class["report_repair"]
    assert (repair.precision, repair.recall, repair.f1) == pytest.approx((0.5, 1.0, 2 / 3))
    assert s.per_class["complaint"].f1 == 0.0  # never predicted: no division by zero
    oos = s.per_class["out_of_scope"]
    assert (oos.precision, oos.recall) == pytest.approx((2 / 3, 2 / 3))
    assert s.macro_f1 == pytest.approx((0.8 + 2 / 3 + 2 / 3 + 0 + 2 / 3) / 5)
    assert s.leak_recall == pytest.approx(2 / 3)
    assert s.oos_ticket_rate == pytest.approx(1 / 3)
    assert nlu_eval.meets_targets(s) == {"macro_f1": False, "leak_recall": False, "oos_ticket_rate": False}


def test_figures_per_language_and_changes_between_two_models() -> None:
    perfect = [(expected, expected, 0.99) for expected, _, _ in HAND_MADE]
    examples = [Example(f"m{i}", r[0], "en" if i % 2 else "zh") for i, r in enumerate(HAND_MADE)]
    before = evaluate_predictions(examples, [Prediction(f"m{i}", r[1], r[2]) for i, r in enumerate(HAND_MADE)], 0.45)
    after = evaluate_predictions(examples, [Prediction(f"m{i}", r[1], r[2]) for i, r in enumerate(perfect)], 0.45)
    assert set(before.per_language) == {"en", "zh"}
    assert before.per_language["zh"].count == 5 and before.per_language["en"].count == 4
    assert after.overall.macro_f1 == 1.0 and after.overall.oos_ticket_rate == 0.0
    changes = compare(before, after)
    assert [c.text for c in changes] == ["m2", "m5", "m7"]  # m8 (below threshold) was already right
    assert all(c.fixed and not c.broken for c in changes)
    assert "macro-F1" in nlu_eval.format_report(after, before)


def test_heldout_set_is_large_balanced_and_never_trained_on() -> None:
    examples = load_examples()
    assert len(examples) >= 300
    assert {e.intent for e in examples} == set(nlu_eval.CLASSES)
    assert {e.language for e in examples} == {"zh", "en", "mixed"}
    trained = set()
    for path in Path(PROJECT_ROOT / "data").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            trained |= {line.strip()[2:].strip() for line in block.get("examples", "").splitlines()}
    blind = load_examples(nlu_eval.BLIND_HELDOUT_DIR)
    assert len(blind) >= 150 and {e.intent for e in blind} == set(nlu_eval.CLASSES)
    assert not [e.text for e in examples + blind if e.text in trained]




def test_tokens_are_normalised_but_keep_the_residents_offsets() -> None:
    """Traditional characters, typos and full-width forms reach the classifier normalised; the
    offsets still point into the original text, and mixed text keeps its English words whole."""
    import json
    import subprocess

    script = (
        "import json; from nlu.tokenizer import MixedTokenizer; "
        "from rasa.shared.nlu.training_data.message import Message\n"
        "t = MixedTokenizer(MixedTokenizer.get_default_config())\n"
        "out = {}\n"
        "for text in ['暖氣露水了', '我家radiator漏水了 HELP', '缴废ＨＬ－４Ｆ７Ｋ２Ｐ']:\n"
        "    out[text] = [(x.text, x.start, x.end) for x in t.tokenize(Message(data={'text': text}), 'text')]\n"
        "print('RESULT' + json.dumps(out, ensure_ascii=False))"
    )
    run = subprocess.run(
        [str(nlu_eval.RASA_PYTHON), "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    tokens = json.loads(run.stdout.split("RESULT", 1)[1])
    assert [t[0] for t in tokens["暖氣露水了"]] == ["暖气", "漏水", "了"]
    assert tokens["暖氣露水了"][1][1:] == [2, 4]
    assert [t[0] for t in tokens["我家radiator漏水了 HELP"]] == ["我家", "radiator", "漏水", "了", "HELP"]
    assert [t[0] for t in tokens["缴废ＨＬ－４Ｆ７Ｋ２Ｐ"]] == ["缴费", "__code__"]
