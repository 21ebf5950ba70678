"""Training from the dashboard runs in the background; a failed training says why and leaves
the live model untouched."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import TrainingRun
from bot.engine.processes import MODEL_FILE
from tests.staff import Staff, new_account

pytestmark = pytest.mark.stack
NLU_DATA = Path(os.environ["HOTLINE_NLU_DATA_DIR"])


def finished_run(model, seconds: float):  # type: ignore[no-untyped-def]
    """The latest background run of this kind, once it is no longer running (or at the deadline)."""
    deadline = time.monotonic() + seconds
    while True:
        with session_scope() as session:
            run = session.scalars(select(model).order_by(model.id.desc())).first()
            if run is not None and run.state != "running" or time.monotonic() > deadline:
                return run
        time.sleep(1)


def test_a_failed_training_says_why_and_changes_nothing(stack, app) -> None:  # type: ignore[no-untyped-def]
    live_before = httpx.get(f"{stack.rasa_url}/status", params={"token": stack.rasa_token}).json()["model_file"]
    model_written = MODEL_FILE.stat().st_mtime
    broken = NLU_DATA / "broken.yml"
    broken.write_text(
        'version: "3.1"\nnlu:\n- intent: report_leak\n  examples: |\n    - ok\n  - : [unclosed\n', encoding="utf-8"
    )
    admin = Staff(app.base_url, new_account("admin"))
    try:
        assert admin.post("/dashboard/nlu/train").status_code == 303
        busy = admin.post("/dashboard/nlu/train")  # one training at a time
        assert busy.status_code == 409 and "still running" in busy.text
        assert "running" in admin.get("/dashboard/nlu/models").text  # the page stays usable meanwhile
        run = finished_run(TrainingRun, 240)
        assert run is not None and run.state == "failed", run and run.state
        print(run.message)  # with -s: what the admin reads
        assert "exit code" in (run.message or "") and not Path(run.model_path).exists()
        page = admin.get("/dashboard/nlu/models").text
        assert "failed" in page and "exit code" in page
    finally:
        broken.unlink()
    assert httpx.get(f"{stack.rasa_url}/status", params={"token": stack.rasa_token}).json()["model_file"] == live_before
    assert MODEL_FILE.stat().st_mtime == model_written
    dispatcher = Staff(app.base_url, new_account("dispatcher"))
    assert dispatcher.post("/dashboard/nlu/train").status_code == 403


def test_a_model_is_evaluated_against_the_live_one_from_the_page(stack, app) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import uuid

    from bot.core.models import EvaluationRun
    from bot.engine.processes import MODELS

    name = f"candidates/eval-{uuid.uuid4().hex[:6]}.tar.gz"
    copy = MODELS / name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(MODEL_FILE, copy)  # the live model under another name: nothing may change
    admin = Staff(app.base_url, new_account("admin"))
    try:
        assert admin.post("/dashboard/nlu/evaluate", model="../config.yml").status_code == 400
        assert admin.post("/dashboard/nlu/evaluate", model=name).status_code == 303
        run = finished_run(EvaluationRun, 300)
        assert run is not None and run.state == "succeeded", run and run.message
        result = run.result or {}
        assert result["changes"] == []
        assert result["candidate"]["overall"]["accuracy"] == result["live"]["overall"]["accuracy"] > 0.9
        assert set(result["candidate"]["per_language"]) == {"zh", "en", "mixed"}
        page = admin.get("/dashboard/nlu/evaluate").text
        assert '<svg class="confusion"' in page and "No message is classified differently" in page
        assert "report_leak" in page and "macro-F1" in page
    finally:
        copy.unlink()
