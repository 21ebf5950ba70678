"""The web chat: a page at `/` and its JSON API in the shape of Rasa's REST channel.

A chat is known by an id the server issued (POST /api/chat/session), never by one the client
chose. Bodies are read only up to a limit, and JSON only when sent as JSON; each chat and each
client address has a pace, over which messages are kept and answered a little later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route

from bot.channels.chat_ids import ChatIds
from bot.channels.chat_rate_limits import ChatRateLimits, Pace
from bot.channels.followup_sender import FollowupSender
from bot.channels.held_messages import hold
from bot.channels.outage_feed import outages_feed
from bot.channels.rasa_client import Reply
from bot.channels.relay import Relay, as_plain_text, clean_text
from bot.channels.request_body import BodyLimit, BodyTooLarge, answer_too_large, error, read_json
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.dashboard.app import create_dashboard
from bot.db import session_scope
from bot.health import health_report
from bot.language import DEFAULT_LANGUAGE, detect_language
from bot.messages import say
from bot.outage_jobs import check_outages
from bot.sla_alerts import check_deadlines
from bot.tickets import utcnow

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
MAX_SENDER_CHARS = 128


def sender_of(value: object) -> str | JSONResponse:
    if not isinstance(value, str) or not value.strip():
        return error("Field 'sender' is missing or empty; it must be a non-empty string.")
    if len(value) > MAX_SENDER_CHARS:
        return error(f"Field 'sender' is longer than {MAX_SENDER_CHARS} characters.")
    return value.strip()


def client_address(request: Request) -> str:
    """The client's address; behind a proxy on this machine uvicorn takes it from
    X-Forwarded-For (other proxies: list them in FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "unknown"


def too_long_reply(message: str, limit: int) -> Reply | None:
    """The answer to a message over the length limit, which is not stored at all (measured as
    the relay reads it, after cleaning), or None when the message is within the limit."""
    words = as_plain_text(clean_text(message))
    if len(words) <= limit:
        return None
    language = detect_language(words[:limit]) or DEFAULT_LANGUAGE
    return Reply(say("too_long_not_kept", language, length=len(words), limit=limit))


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
    chat_ids = ChatIds(settings.resolved_secret_key())
    pace = ChatRateLimits(settings.chat_messages_per_minute, settings.chat_client_messages_per_minute)

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")

    async def new_chat(request: Request) -> JSONResponse:
        return JSONResponse({"sender": chat_ids.issue()})

    def issued_sender(value: object) -> str | JSONResponse:
        sender = sender_of(value)
        if isinstance(sender, JSONResponse):
            return sender
        if not chat_ids.is_issued(sender):
            return error("This chat id was not issued by this service; get one with POST /api/chat/session.", 403)
        return sender

    async def chat(request: Request) -> JSONResponse:
        data = await read_json(request)
        if isinstance(data, JSONResponse):
            return data
        sender = issued_sender(data.get("sender"))
        if isinstance(sender, JSONResponse):
            return sender
        message = data.get("message")
        if not isinstance(message, str):
            return error("Field 'message' is missing; it must be a string.")
        if (too_long := too_long_reply(message, settings.max_message_chars)) is not None:
            return JSONResponse([too_long.as_dict()])
        admission = pace.admit(sender, client_address(request))
        if admission.pace is Pace.REFUSED:
            seconds = admission.retry_after
            text = say("wait_and_resend", detect_language(message) or DEFAULT_LANGUAGE, seconds=seconds)
            return JSONResponse({"error": text, "retry_after": seconds}, 429, {"Retry-After": str(seconds)})
        if admission.pace is Pace.LATER:
            replies = await hold(relay, "web", sender, message)
        else:
            replies = await relay.handle("web", sender, message)
        return JSONResponse([reply.as_dict() for reply in replies])

    async def updates(request: Request) -> JSONResponse:
        sender = issued_sender(request.query_params.get("sender"))
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
        status, report = await health_report(settings)
        return JSONResponse(report, status_code=status)

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
        # Outages: planned works announced two days ahead, undeclared outages suspected (R10).
        every(settings.outage_check_every_seconds, partial(check_outages, settings), at_start=True)
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
            Route("/api/chat/session", new_chat, methods=["POST"]),
            Route("/api/chat", chat, methods=["POST"]),
            Route("/api/chat/updates", updates),
            Route("/api/outages", outages_feed),
            Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
            Route("/health", health),
            Route("/dashboard", lambda request: RedirectResponse("/dashboard/", 307)),
            Mount("/dashboard", create_dashboard(settings)),
        ],
        middleware=[Middleware(BodyLimit, limit=settings.max_request_bytes)],
        exception_handlers={BodyTooLarge: answer_too_large},
        lifespan=lifespan,
    )
