"""The web chat: a page at `/` and its JSON API in the shape of Rasa's REST channel.

A chat is known by an id the server issued (POST /api/chat/session), never by one the client
chose. Bodies are read only up to a limit, and JSON only when sent as JSON; each chat and each
client address has a pace, over which messages are kept and answered a little later."""

from __future__ import annotations

import logging
from functools import partial

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from bot.channels.chat_ids import ChatIds
from bot.channels.chat_page import chat_page_headers, render_chat_page
from bot.channels.chat_rate_limits import ChatRateLimits, Pace
from bot.channels.held_messages import hold
from bot.channels.outage_feed import outages_feed
from bot.channels.relay import Relay, clean_text, plain_words, sounds_urgent
from bot.channels.request_body import error, read_json
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings
from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply
from bot.core.text.language import DEFAULT_LANGUAGE, detect_language

log = logging.getLogger(__name__)
MAX_SENDER_CHARS = 128


def json_type(value: object) -> str:
    """What JSON calls the type of a decoded value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "an array" if isinstance(value, list) else "an object"


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
    words = plain_words(clean_text(message))
    if len(words) <= limit:
        return None
    language = detect_language(words[:limit]) or DEFAULT_LANGUAGE
    return Reply(say("too_long_not_kept", language, length=len(words), limit=limit))


def chat_routes(settings: Settings, relay: Relay, telegram: TelegramChannel | None) -> list[Route]:
    """The residents' side of the web application: the web chat, its outage feed and Telegram's
    webhook. bot/runtime.py mounts them beside the dashboard and /health."""
    chat_ids = ChatIds(settings.resolved_secret_key())
    pace = ChatRateLimits(settings.chat_messages_per_minute, settings.chat_client_messages_per_minute)
    page = render_chat_page()
    page_headers = chat_page_headers(page, settings.chat_frame_ancestors)

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(page, headers=page_headers)

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
        if "message" not in data:
            return error("Field 'message' is missing; it must be a string.")
        if not isinstance(message, str):
            return error(f"Field 'message' must be a string, not {json_type(message)}.")
        too_long = too_long_reply(message, settings.max_message_chars)
        if too_long is not None and not sounds_urgent(message):  # urgent: the relay reads its first part
            return JSONResponse([too_long.as_dict()])
        urgent = sounds_urgent(message)  # R1: never slowed nor refused (chat_rate_limits.py)
        admission = pace.admit(sender, client_address(request), urgent=urgent)
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

    return [
        Route("/", index),
        Route("/api/chat/session", new_chat, methods=["POST"]),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/chat/updates", updates),
        Route("/api/outages", partial(outages_feed, settings.estates_file)),
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
    ]
