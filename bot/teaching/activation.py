"""Switch the model Rasa serves through its HTTP API, while conversations go on, and roll back.

Rasa's `PUT /model` loads the new model and swaps its agent; conversations live in the tracker
store (a database, see endpoints.yml), so none is lost. Every switch is logged with who and when.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import ModelActivation
from bot.teaching.texts import Explained

LOAD_TIMEOUT_SECONDS = 300


class ActivationError(Explained, RuntimeError):
    """The model could not be activated; the live model is unchanged. The message is a "model.*"
    text of the catalogs."""


def _auth(token: str | None) -> dict[str, str]:
    """Query parameters of Rasa's HTTP API (`--auth-token`): `token`, or the configured one."""
    return {"token": token or get_settings().resolved_rasa_token()}


def serving(rasa_url: str, token: str | None = None) -> str | None:
    """The model file Rasa serves now, as Rasa names it."""
    try:
        response = httpx.get(f"{rasa_url}/status", params=_auth(token), timeout=10)
    except httpx.HTTPError as problem:
        raise ActivationError("model.rasa_unreachable", url=rasa_url, problem=problem) from None
    return response.json().get("model_file") if response.status_code == 200 else None


def latest(session: Session) -> ModelActivation | None:
    return session.scalar(select(ModelActivation).order_by(ModelActivation.id.desc()).limit(1))


def history(session: Session) -> list[ModelActivation]:
    return list(session.scalars(select(ModelActivation).order_by(ModelActivation.id.desc())))


def activate(session: Session, rasa_urls: str | Sequence[str], model: Path, actor: str, now: datetime,
             default_previous: Path | None = None, token: str | None = None) -> ModelActivation:  # fmt: skip
    """Make Rasa serve `model`, on every server when there are several (HOTLINE_RASA_URLS), one
    after the other; refuses a file that is missing or not a Rasa model archive."""
    urls = [rasa_urls] if isinstance(rasa_urls, str) else list(rasa_urls)
    model = model.resolve()
    if not model.is_file() or not model.name.endswith(".tar.gz"):
        raise ActivationError("model.not_a_model", model=model)
    before = latest(session)
    previous = before.model_path if before else (str(default_previous.resolve()) if default_previous else None)
    started = time.monotonic()
    for done, url in enumerate(urls):
        try:
            _load(url, model, token)
        except ActivationError as problem:
            if done:  # say plainly that the servers now disagree
                problem = ActivationError("model.servers_disagree", problem=problem, servers=", ".join(urls[:done]))
            raise problem from None
    record = ModelActivation(model_path=str(model), previous_path=previous, actor=actor, at=now,
                             seconds=round(time.monotonic() - started, 2))  # fmt: skip
    session.add(record)
    session.flush()
    return record


def _load(rasa_url: str, model: Path, token: str | None) -> None:
    try:
        response = httpx.put(f"{rasa_url}/model", json={"model_file": str(model)}, params=_auth(token),
                             timeout=LOAD_TIMEOUT_SECONDS)  # fmt: skip
    except httpx.HTTPError as problem:
        raise ActivationError("model.no_answer", url=rasa_url, problem=problem) from None
    if response.status_code != 204:
        raise ActivationError("model.refused", url=rasa_url, status=response.status_code, answer=response.text[:300])


def roll_back(session: Session, rasa_urls: str | Sequence[str], actor: str, now: datetime,
              token: str | None = None) -> ModelActivation:  # fmt: skip
    """Serve again the model the latest activation replaced."""
    current = latest(session)
    if current is None or not current.previous_path:
        raise ActivationError("model.nothing_to_roll_back")
    return activate(session, rasa_urls, Path(current.previous_path), actor, now, token=token)


def available_models(directory: Path) -> dict[str, Path]:
    """Every trained model file under the models directory, newest first, by its name relative
    to it: pages offer these names and accept only these, never a path from a form."""
    if not directory.is_dir():
        return {}
    files = sorted(directory.rglob("*.tar.gz"), key=lambda path: path.stat().st_mtime, reverse=True)
    return {path.relative_to(directory).as_posix(): path for path in files}
