"""Train a candidate model in the background, from the dashboard, while the bot goes on.

The candidate is written to models/candidates/; the live model is never touched, so a failed
training changes nothing residents see. Activating the candidate is a separate, explicit step.
"""

from __future__ import annotations

import re
import subprocess
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.core.db import session_scope
from bot.core.models import TrainingRun
from bot.core.tickets.intake import utcnow
from bot.engine import processes
from bot.engine.processes import MODELS
from bot.teaching.texts import Explained, staff_text

CANDIDATES = MODELS / "candidates"
# A training takes minutes; one "running" for longer was cut off by a restart of the application.
STALE_AFTER = timedelta(hours=1)
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # Rasa colours its errors for terminals


class TrainingError(Explained, RuntimeError):
    """A training cannot be started; the message (a text of the catalogs) says why."""


def latest_run(session: Session) -> TrainingRun | None:
    return session.scalar(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(1))


def start_training(session: Session, settings: Settings, actor: str, now: datetime) -> TrainingRun:
    """Start `rasa train` on the current training data in a child process (one at a time)."""
    running = session.scalar(select(TrainingRun).where(TrainingRun.state == "running"))
    if running is not None and now - running.started_at > STALE_AFTER:
        # Its watcher died with an earlier application process: no answer will ever come.
        running.state, running.finished_at = "failed", now
        running.message = staff_text("training.interrupted")
        running = None
    if running is not None:
        raise TrainingError("training.running", actor=running.actor)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    CANDIDATES.mkdir(parents=True, exist_ok=True)
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    run = TrainingRun(actor=actor, started_at=now, state="running", model_path=str(CANDIDATES / f"candidate-{stamp}.tar.gz"),
                      log_path=str(log_dir / f"train-{stamp}.log"))  # fmt: skip
    session.add(run)
    session.flush()
    data = [str(settings.rules_file), str(settings.nlu_data_dir)]
    log_file = open(run.log_path, "wb")  # noqa: SIM115  (closed by the watcher when Rasa exits)
    process = processes.start_training(
        CANDIDATES, f"candidate-{stamp}", log_file, data=data, domain=settings.domain_file
    )
    threading.Thread(target=_watch, args=(run.id, process, log_file), daemon=True).start()
    return run


def _watch(run_id: int, process: subprocess.Popen[bytes], log_file: IO[bytes]) -> None:
    """Wait for Rasa to finish and record how it went."""
    code = process.wait()
    log_file.close()
    with session_scope() as session:
        run = session.get_one(TrainingRun, run_id)
        run.finished_at = utcnow()
        seconds = (run.finished_at - run.started_at).total_seconds()
        if code == 0 and Path(run.model_path).is_file():
            run.state, run.message = "succeeded", staff_text("training.trained", seconds=f"{seconds:.0f}")
        else:
            run.state, run.message = "failed", failure_reason(Path(run.log_path), code)


def failure_reason(log_path: Path, code: int) -> str:
    """The lines of Rasa's output that say what went wrong."""
    lines = [line.strip() for line in _read(log_path).splitlines() if line.strip()]
    telling = [line for line in lines if re.search(r"error|invalid|exception|failed|not found", line, re.IGNORECASE)]
    return staff_text("training.failed", code=code, lines=" | ".join((telling or lines)[-3:])[:600])


def progress(run: TrainingRun) -> str:
    """What the running training is doing, read from its log."""
    text = _read(Path(run.log_path))
    components = _COMPONENT.findall(text)
    epochs = _EPOCHS.findall(text)
    if not components:
        return staff_text("training.starting")
    if epochs and components[-1] == "DIETClassifier":
        return staff_text("training.epochs", component=components[-1], percent=epochs[-1])
    return components[-1]


def _read(path: Path) -> str:
    try:
        return _COLOUR.sub("", path.read_text(encoding="utf-8", errors="replace")).replace("\r", "\n")
    except FileNotFoundError:
        return ""
