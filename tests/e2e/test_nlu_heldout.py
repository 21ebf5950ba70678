"""NLU quality on the held-out set (tests/nlu/heldout/), and the metric code behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.teaching import evaluation as nlu_eval


@pytest.mark.stack
def test_live_model_meets_the_targets_on_the_heldout_set(stack) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{stack.rasa_port}"
    report = nlu_eval.evaluate_model(Path("live"), predictor=lambda texts: nlu_eval.predict_with_server(url, texts))
    missed = [name for name, met in nlu_eval.all_targets(report).items() if not met]
    assert not missed, nlu_eval.format_report(report)
