"""NLU quality on the held-out set (tests/nlu/heldout/), and the metric code behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.teaching import evaluation as nlu_eval

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


@pytest.mark.stack
def test_live_model_meets_the_targets_on_the_heldout_set(stack) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{stack.rasa_port}"
    report = nlu_eval.evaluate_model(Path("live"), predictor=lambda texts: nlu_eval.predict_with_server(url, texts))
    overall = report.overall
    assert nlu_eval.meets_targets(overall) == {"macro_f1": True, "leak_recall": True, "oos_ticket_rate": True}, (
        nlu_eval.format_report(report)
    )
