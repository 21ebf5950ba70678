"""The web chat: a page at `/` and its JSON API in the shape of Rasa's REST channel."""

from __future__ import annotations

import asyncio
import json
import contextlib
import logging
from datetime import datetime
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route

from bot.channels.followup_sender import FollowupSender
from bot.channels.relay import Relay
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.dashboard.app import create_dashboard
from bot.db import session_scope
from bot.sla_alerts import check_deadlines
from bot.tickets import utcnow

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
MAX_SENDER_CHARS = 128
MAX_BODY_BYTES = 64 * 1024


def error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_json(request: Request) -> dict | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return error(f"Request body is larger than {MAX_BODY_BYTES} bytes.", 413)
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return error("Request body is not valid JSON.")
    if not isinstance(data, dict):
        return error('Request body must be a JSON object like {"sender": "...", "message": "..."}.')
    return data


def sender_of(value: object) -> str | JSONResponse:
    if not isinstance(value, str) or not value.strip():
        return error("Field 'sender' is missing or empty; it must be a non-empty string.")
    if len(value) > MAX_SENDER_CHARS:
        return error(f"Field 'sender' is longer than {MAX_SENDER_CHARS} characters.")
    return value.strip()


async def check_sla() -> None:
    """Raise due SLA alerts (a short transaction in a worker thread)."""

    def run() -> None:
        with session_scope() as session:
            for alert in check_deadlines(session, utcnow()):
                log.warning("SLA %s %s of ticket %s", alert.rule, alert.kind, alert.ticket_id)

    await asyncio.to_thread(run)


def create_app(settings: Settings, relay: Relay | None = None) -> Starlette:
    """Build the web application (one relay and one scheduler per process)."""
    relay = relay or Relay(settings)
    followups = FollowupSender(settings, relay.rasa)
    telegram = TelegramChannel(settings, relay) if settings.telegram_bot_token else None

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")

    async def chat(request: Request) -> JSONResponse:
        data = await read_json(request)
        if isinstance(data, JSONResponse):
            return data
        sender = sender_of(data.get("sender"))
        if isinstance(sender, JSONResponse):
            return sender
        message = data.get("message")
        if not isinstance(message, str):
            return error("Field 'message' is missing; it must be a string.")
        replies = await relay.handle("web", sender, message)
        return JSONResponse([reply.as_dict() for reply in replies])

    async def updates(request: Request) -> JSONResponse:
        sender = sender_of(request.query_params.get("sender"))
        if isinstance(sender, JSONResponse):
            return sender
        replies = await relay.outbox("web", sender)
        return JSONResponse([reply.as_dict() for reply in replies])

    async def telegram_webhook(request: Request) -> JSONResponse:
        if telegram is None:
            return error("Telegram is not configured.", 404)
        if not telegram.verify_webhook_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token")):
            return error("Wrong or missing secret token.", 403)
        data = await read_json(request)
        if isinstance(data, JSONResponse):
            return data
        try:
            await telegram.receive_webhook(data)
        except ValueError as problem:
            return error(str(problem))
        return JSONResponse({"ok": True})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        scheduler = AsyncIOScheduler(timezone=settings.tz)

        def every(seconds: float, job: Callable[[], Awaitable[object]], *, at_start: bool = False) -> None:
            # One run at a time per job; runs missed while busy collapse into one.
            start = {"next_run_time": datetime.now(settings.tz)} if at_start else {}
            scheduler.add_job(job, "interval", seconds=seconds, max_instances=1, coalesce=True, **start)

        # Messages Rasa could not answer are retried until it can (nothing a resident wrote is lost).
        every(settings.retry_pending_every_seconds, relay.retry_pending)
        # Follow-ups: the due time lives on each ticket, so this job only looks; missed ones
        # (the application was down) are found on the first run after start.
        every(settings.followup_check_every_seconds, followups.run_due, at_start=True)
        every(settings.sla_check_every_seconds, check_sla, at_start=True)
        if telegram is not None:
            every(settings.telegram_push_every_seconds, telegram.push_outbox)
            every(settings.telegram_push_every_seconds, telegram.post_to_dispatchers)
        scheduler.start()
        if telegram is not None:
            await telegram.start()
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            if telegram is not None:
                await telegram.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(relay.rasa.close(), 2)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/api/chat", chat, methods=["POST"]),
            Route("/api/chat/updates", updates),
            Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
            Route("/health", health),
            Route("/dashboard", lambda request: RedirectResponse("/dashboard/", 307)),
            Mount("/dashboard", create_dashboard(settings)),
        ],
        lifespan=lifespan,
    )
