"""Score a candidate model against the live one on the held-out set, in the background, for the
admins' page: the same figures as `hotline nlu evaluate`, plus the messages whose prediction changed."""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.db import session_scope
from bot.core.models import EvaluationRun
from bot.core.tickets.intake import utcnow
from bot.teaching.evaluation import CLASSES, EvalReport, Scores, compare, evaluate_model, predict_with_server
from bot.teaching.texts import Explained, staff_text

STALE_AFTER = timedelta(minutes=30)  # an evaluation takes about a minute


class EvaluationError(Explained, RuntimeError):
    """An evaluation cannot be started; the message (a text of the catalogs) says why."""


def latest_evaluation(session: Session) -> EvaluationRun | None:
    return session.scalar(select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(1))


def start_evaluation(session: Session, rasa_url: str, candidate: Path, actor: str, now: datetime) -> EvaluationRun:
    running = session.scalar(select(EvaluationRun).where(EvaluationRun.state == "running"))
    if running is not None and now - running.started_at > STALE_AFTER:  # cut off by a restart
        running.state, running.finished_at, running.message = "failed", now, staff_text("evaluation.interrupted")
        running = None
    if running is not None:
        raise EvaluationError("evaluation.running")
    run = EvaluationRun(actor=actor, candidate_path=str(candidate), started_at=now, state="running")
    session.add(run)
    session.flush()
    threading.Thread(target=_evaluate, args=(run.id, rasa_url, candidate), daemon=True).start()
    return run


def _evaluate(run_id: int, rasa_url: str, candidate: Path) -> None:
    try:
        # The live model is asked where it runs; the candidate is loaded on its own.
        live = evaluate_model(Path("live"), predictor=lambda texts: predict_with_server(rasa_url, texts))
        new = evaluate_model(candidate)
        result: dict[str, Any] | None = summary(live, new)
        state, message = "succeeded", None
    except Exception as problem:  # noqa: BLE001  (whatever went wrong is shown to the admin)
        result, state, message = None, "failed", f"{type(problem).__name__}: {str(problem)[-600:]}"
    with session_scope() as session:
        run = session.get_one(EvaluationRun, run_id)
        run.state, run.result, run.message, run.finished_at = state, result, message, utcnow()


def _scores(scores: Scores) -> dict[str, Any]:
    return {
        "count": scores.count, "accuracy": scores.accuracy, "macro_f1": scores.macro_f1,
        "leak_recall": scores.leak_recall, "oos_ticket_rate": scores.oos_ticket_rate,
        "per_class": {name: asdict(score) for name, score in scores.per_class.items()},
        "confusion": scores.confusion,
    }  # fmt: skip


def summary(live: EvalReport, candidate: EvalReport) -> dict[str, Any]:
    """What the page shows, as JSON: both models' scores overall and per language, and changes."""
    return {
        "classes": list(CLASSES),
        "live": {"overall": _scores(live.overall), "per_language": {k: _scores(v) for k, v in live.per_language.items()}},
        "candidate": {"overall": _scores(candidate.overall),
                      "per_language": {k: _scores(v) for k, v in candidate.per_language.items()}},
        "changes": [asdict(change) | {"fixed": change.fixed} for change in compare(live, candidate)],
    }  # fmt: skip
