"""NLU quality on the held-out set (tests/nlu/heldout/), and the metric code behind it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.teaching import evaluation as nlu_eval
from bot.teaching.evaluation import Example, Prediction, compare, evaluate_predictions, load_examples
from tests.harness import in_rasas_python


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
    assert s.confusion["report_leak"] == {
        "report_leak": 2,
        "report_repair": 1,
        "billing_query": 0,
        "complaint": 0,
        "out_of_scope": 0,
    }
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
    assert nlu_eval.meets_targets(s) == {
        "macro_f1": False, "complaint_recall": False, "leak_recall": False, "oos_ticket_rate": False,
    }  # fmt: skip


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


def test_at_most_half_the_baselines_errors() -> None:
    half = nlu_eval.ErrorCount
    assert half("overall", 3, 6).at_most_half and half("overall", 3, 7).at_most_half
    assert not half("overall", 4, 7).at_most_half  # 7 / 2 = 3.5: four is more than half
    assert half("zh", 0, 0).at_most_half and not half("zh", 1, 0).at_most_half and not half("zh", 1, 1).at_most_half


def test_errors_of_ours_against_a_baseline_overall_and_per_language() -> None:
    # (language, expected, ours: intent and confidence, baseline: intent and confidence)
    rows = [
        ("zh", "report_leak", ("report_leak", 0.9), ("report_repair", 0.9)),
        ("zh", "report_leak", ("report_leak", 0.9), ("report_leak", 0.4)),  # below 0.45: no ticket, wrong
        ("zh", "complaint", ("complaint", 0.9), ("nlu_fallback", 0.7)),  # its own fallback: no ticket, wrong
        ("zh", "out_of_scope", ("billing_query", 0.3), ("greet", 0.9)),  # ours asks: no ticket, right
        ("en", "report_repair", ("report_leak", 0.8), ("report_leak", 0.8)),  # both wrong
        ("en", "out_of_scope", ("out_of_scope", 0.9), ("complaint", 0.95)),
        ("mixed", "billing_query", ("billing_query", 0.9), ("billing_query", 0.9)),  # both right
    ]
    examples = [Example(f"m{i}", expected, lang) for i, (lang, expected, _, _) in enumerate(rows)]

    def report(column: int) -> nlu_eval.EvalReport:
        predictions = [Prediction(f"m{i}", *row[column]) for i, row in enumerate(rows)]
        return evaluate_predictions(examples, predictions, threshold=0.45)

    ours, baseline = report(2), report(3)
    counts = nlu_eval.error_counts(ours, baseline)
    assert [(c.scope, c.ours, c.baseline, c.at_most_half) for c in counts] == [
        ("overall", 1, 5, True),
        ("en", 1, 2, True),
        ("mixed", 0, 0, True),
        ("zh", 0, 3, True),
    ]
    # The other way round: the baseline is far from half of ours.
    assert [c.at_most_half for c in nlu_eval.error_counts(baseline, ours)] == [False, False, True, False]

    targets = nlu_eval.all_targets(ours, baseline)
    assert {k: v for k, v in targets.items() if k.startswith("half")} == {
        "half_baseline_errors": True, "half_baseline_errors_en": True,
        "half_baseline_errors_mixed": True, "half_baseline_errors_zh": True,
    }  # fmt: skip
    names = ("macro_f1", "complaint_recall", "leak_recall", "oos_ticket_rate")
    per_language = {f"{name}_{language}" for name in names for language in ("en", "mixed", "zh")}
    assert set(nlu_eval.all_targets(ours)) == {*names, *per_language}  # no baseline, no "half" target
    assert not all(nlu_eval.all_targets(baseline, ours).values())

    text = nlu_eval.format_report(ours, baseline, baseline_title="Chinese yardstick")
    assert "half_baseline_errors_zh met" in text
    assert "  zh           0        3  yes" in text
    # Against another model (`--against`), the errors are not a target and not tabled.
    other = nlu_eval.format_report(ours, baseline, baseline_title="Compared with", rasa_baseline=False)
    assert "half_baseline" not in other and "at most half" not in other

    shorter = evaluate_predictions(examples[:-1], [Prediction(f"m{i}", "greet", 0.9) for i in range(6)], 0.45)
    with pytest.raises(ValueError):
        nlu_eval.error_counts(ours, shorter)


def test_each_baseline_is_trained_once_into_its_own_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Training is replaced by a stand-in: what is checked is the cache, the directory per baseline
    and that Rasa trains with our determinism environment."""
    from bot.engine.processes import TRAINING_DETERMINISM

    runs = []

    def fake_run(command: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        runs.append(command)
        assert TRAINING_DETERMINISM.items() <= kwargs["env"].items()
        out, name = command[command.index("--out") + 1], command[command.index("--fixed-model-name") + 1]
        (Path(out) / f"{name}.tar.gz").write_text("model")

    monkeypatch.setattr(nlu_eval, "BASELINE_DIR", tmp_path)
    monkeypatch.setattr(subprocess, "run", fake_run)
    chinese = nlu_eval.baseline_model("chinese")
    assert nlu_eval.baseline_model("chinese") == chinese and len(runs) == 1  # cached
    assert nlu_eval.baseline_model() == chinese and len(runs) == 1  # the default is the Chinese one
    english = nlu_eval.baseline_model("english")
    assert len(runs) == 2 and english.parent != chinese.parent and chinese.exists() and english.exists()
    assert str(nlu_eval.BASELINES["chinese"].config) in runs[0] and str(nlu_eval.BASELINES["english"].config) in runs[1]


def test_the_chinese_baseline_is_rasas_documented_pipeline() -> None:
    config = yaml.safe_load(nlu_eval.BASELINES["chinese"].config.read_text(encoding="utf-8"))
    pipeline = {c["name"]: {k: v for k, v in c.items() if k != "name"} for c in config["pipeline"]}
    assert config["language"] == "zh" and next(iter(pipeline)) == "JiebaTokenizer"
    assert not [name for name in pipeline if "." in name]  # Rasa's own components only
    counts = [c for c in config["pipeline"] if c["name"] == "CountVectorsFeaturizer"]
    char_ngrams = {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
    assert counts == [{"name": "CountVectorsFeaturizer"}, char_ngrams]
    assert pipeline["DIETClassifier"] == {"epochs": 100, "random_seed": 42}  # its default transformer and all
    assert pipeline["FallbackClassifier"] == {"threshold": 0.7}
    from bot.engine.processes import fingerprint

    fingerprints = {fingerprint([PROJECT_ROOT / "data" / "nlu", b.config]) for b in nlu_eval.BASELINES.values()}
    assert len(fingerprints) == 2


def test_heldout_set_is_large_balanced_and_never_trained_on() -> None:
    examples = load_examples()
    assert len(examples) >= 300
    assert {e.intent for e in examples} == set(nlu_eval.CLASSES)
    assert {e.language for e in examples} == {"zh", "en", "mixed"}
    trained = set()  # and the candidates for it (tests/nlu/candidate-data/, scripts/compare-data)
    candidates = (PROJECT_ROOT / "tests" / "nlu" / "candidate-data").glob("*.yml")
    for path in [*Path(PROJECT_ROOT / "data").rglob("*.yml"), *candidates]:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            trained |= {line.strip()[2:].strip() for line in block.get("examples", "").splitlines()}
    blind = load_examples(nlu_eval.BLIND_HELDOUT_DIR)
    assert len(blind) >= 150 and {e.intent for e in blind} == set(nlu_eval.CLASSES)
    unseen = load_examples(nlu_eval.UNSEEN_HELDOUT_DIR)  # the third set, written blind in session 6
    assert len(unseen) >= 450 and {e.intent for e in unseen} == set(nlu_eval.CLASSES)
    assert {e.language for e in unseen} == {"zh", "en", "mixed"}
    later = []  # written blind: the fourth and fifth in session 7, sixth and seventh in 8, eighth in 9, ninth in 10
    sets = (
        nlu_eval.FRESH_HELDOUT_DIR,
        nlu_eval.FINAL_HELDOUT_DIR,
        nlu_eval.SIXTH_HELDOUT_DIR,
        nlu_eval.SEVENTH_HELDOUT_DIR,
        nlu_eval.EIGHTH_HELDOUT_DIR,
        nlu_eval.NINTH_HELDOUT_DIR,
    )
    for directory in sets:
        written = load_examples(directory)
        assert len(written) >= 300 and {e.intent for e in written} == set(nlu_eval.CLASSES)
        assert {e.language for e in written} == {"zh", "en", "mixed"}
        later += written
    assert not [e.text for e in examples + blind + unseen + later if e.text in trained]


def test_tokens_are_normalised_but_keep_the_residents_offsets() -> None:
    """Traditional characters, typos and full-width forms reach the classifier normalised; the
    offsets still point into the original text, and mixed text keeps its English words whole."""
    script = (
        "import json; from nlu.tokenizer import MixedTokenizer; "
        "from rasa.shared.nlu.training_data.message import Message\n"
        "t = MixedTokenizer(MixedTokenizer.get_default_config())\n"
        "out = {}\n"
        "for text in ['暖氣露水了', '我家radiator漏水了 HELP', '缴废ＨＬ－４Ｆ７Ｋ２Ｐ']:\n"
        "    out[text] = [(x.text, x.start, x.end) for x in t.tokenize(Message(data={'text': text}), 'text')]\n"
        "print('RESULT' + json.dumps(out, ensure_ascii=False))"
    )
    tokens: dict = in_rasas_python(script)  # type: ignore[assignment]
    assert [t[0] for t in tokens["暖氣露水了"]] == ["暖气", "漏水", "了"]
    assert tokens["暖氣露水了"][1][1:] == [2, 4]
    assert [t[0] for t in tokens["我家radiator漏水了 HELP"]] == ["我家", "radiator", "漏水", "了", "HELP"]
    assert [t[0] for t in tokens["缴废ＨＬ－４Ｆ７Ｋ２Ｐ"]] == ["缴费", "__code__"]
