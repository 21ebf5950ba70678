"""What `/health` reports: whether each part the application needs answers, so an operator (or a
load balancer) sees which one is down instead of residents hearing "system busy"."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.core.db import session_scope
from bot.core.models import ChatMessage, MessageStatus
from bot.engine.processes import connect_host

CHECK_TIMEOUT_SECONDS = 1.0  # a hung part must not make /health itself hang


def _database() -> dict[str, Any]:
    with session_scope() as session:
        session.execute(text("SELECT 1"))
        kept = session.scalar(select(func.count()).where(ChatMessage.status == MessageStatus.PENDING))
    # Messages kept while Rasa could not answer, waiting to be replayed.
    return {"status": "up", "kept_messages": kept}


async def _answers(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await client.get(url)
    except httpx.HTTPError as problem:
        return {"status": "down", "error": type(problem).__name__}
    if response.status_code != 200:
        return {"status": "down", "error": f"HTTP {response.status_code}"}
    return {"status": "up"}


async def health_report(settings: Settings) -> tuple[int, dict[str, Any]]:
    """The HTTP status and the report: one entry per part, each "up" or "down".

    503 only when the database is down: without Rasa or the action server the application still
    keeps every message and answers it later, so it must stay in a load balancer's rotation.
    """
    action_url = f"http://{connect_host(settings.action_interface)}:{settings.action_port}/health"
    async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
        # Rasa's root route answers without a token and without touching a conversation.
        rasa_checks = [_answers(client, f"{url.rstrip('/')}/") for url in settings.rasa_servers]
        *rasa, actions = await asyncio.gather(*rasa_checks, _answers(client, action_url))
    try:
        database = await asyncio.to_thread(_database)
    except Exception as problem:  # noqa: BLE001  (reported, not raised: this is the health check)
        database = {"status": "down", "error": type(problem).__name__}
    parts: dict[str, Any] = {"database": database, "action_server": actions}
    if len(rasa) == 1:
        parts["rasa"] = rasa[0]
    else:
        parts["rasa"] = {"status": "up" if all(r["status"] == "up" for r in rasa) else "down",
                         "servers": dict(zip(settings.rasa_servers, rasa))}  # fmt: skip
    down = sorted(name for name, part in parts.items() if part["status"] != "up")
    overall = "ok" if not down else ("down" if "database" in down else "degraded")
    return (503 if "database" in down else 200), {"status": overall, "down": down, "parts": parts}
