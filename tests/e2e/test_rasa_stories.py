"""`rasa test` runs the conversation stories against the trained model."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.processes import MODEL_FILE, RASA_BIN, rasa_env

pytestmark = pytest.mark.stack


def test_conversation_stories_pass(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(RASA_BIN), "test", "core",
            "--model", str(MODEL_FILE),
            "--stories", "tests/stories",
            "--out", str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=PROJECT_ROOT,
        env=rasa_env(5055),
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, details
    report = json.loads((tmp_path / "story_report.json").read_text())
    assert report["conversation_accuracy"]["accuracy"] == 1.0
