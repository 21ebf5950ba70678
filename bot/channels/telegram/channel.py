"""Telegram, on python-telegram-bot 22: the same conversation as the web chat.

This puts the parts together and runs them:
- stored_updates.py: updates stored before Telegram is told they arrived, handled from the store
  exactly once, with any number of processes; polling.py fetches them when no webhook is set;
- resident_turns.py, photos_and_locations.py: what residents send, as the relay's turns;
- outbox_delivery.py: the answers, pushed from the chats' outboxes as soon as an update is handled;
- group_notices.py, dispatcher_buttons.py: the dispatchers' group;
- limits.py: Telegram's flood limits on what the bot sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channels.relay import Relay
from bot.channels.telegram.dispatcher_buttons import CALLBACK_PATTERN, DispatcherButtons
from bot.channels.telegram.group_notices import DispatcherNotices
from bot.channels.telegram.limits import PerChatRateLimiter
from bot.channels.telegram.outbox_delivery import OutboxDelivery
from bot.channels.telegram.photos_and_locations import PhotosAndLocations
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.resident_turns import ResidentTurns
from bot.channels.telegram.stored_updates import StoredUpdates
from bot.config import Settings
from bot.core import claims


def build_application(settings: Settings) -> Application:
    if not settings.telegram_bot_token:
        raise ValueError("Config 'TELEGRAM_BOT_TOKEN' is missing, and has no default.")
    return (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_url)  # photos are downloaded from here
        # Waits out a 429's retry_after, keeps to the overall and per-chat limits.
        .rate_limiter(PerChatRateLimiter(settings.telegram_chat_interval_seconds, max_retries=5))
        .updater(None)  # polling.py polls: PTB's Updater acknowledges updates before they are handled
        .build()
    )


class TelegramChannel:
    """Bridges Telegram chats and the relay."""

    def __init__(self, settings: Settings, relay: Relay) -> None:
        self.settings = settings
        self.relay = relay
        self.application = build_application(settings)
        holder = claims.process_name()  # this process, as the holder of the polling and handling leases
        self.delivery = OutboxDelivery(self.bot, settings.resolved_secret_key())
        self.updates = StoredUpdates(self.application, holder, self.delivery.push_chat_reporting)
        self.poller = Poller(settings, self.bot, holder, self.updates)
        self.turns = ResidentTurns(relay, lambda: self.updates.in_handling)
        self.photos_and_locations = PhotosAndLocations(settings, self.turns)
        self.dispatcher_buttons = DispatcherButtons(settings, self.bot)
        self.notices = DispatcherNotices(settings, self.bot)
        self._add_handlers()
        self._poller: asyncio.Task[None] | None = None
        self._replayer: asyncio.Task[None] | None = None

    @property
    def bot(self):
        return self.application.bot

    def _add_handlers(self) -> None:
        """Which handler an update goes to: the first that matches."""
        app, turns, attached = self.application, self.turns, self.photos_and_locations
        app.add_handler(CommandHandler("start", turns.on_start))
        app.add_handler(CommandHandler("help", turns.on_command_payload("/help")))
        app.add_handler(CommandHandler("cancel", turns.on_command_payload("/cancel")))
        app.add_handler(CommandHandler("status", turns.on_status))
        app.add_handler(CommandHandler("language", turns.on_language))
        app.add_handler(CallbackQueryHandler(self.dispatcher_buttons.on_press, pattern=CALLBACK_PATTERN))
        app.add_handler(CallbackQueryHandler(turns.on_button))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, turns.on_edited))
        app.add_handler(MessageHandler(filters.CONTACT, turns.on_contact))
        app.add_handler(MessageHandler(filters.LOCATION, attached.on_location))
        app.add_handler(MessageHandler(filters.PHOTO, attached.on_photo))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, turns.on_text))
        app.add_handler(MessageHandler(filters.CAPTION, turns.on_caption))
        app.add_handler(MessageHandler(filters.ALL, turns.on_unreadable))

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        if self.settings.telegram_webhook_url:
            await self.bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=self.settings.telegram_webhook_secret,
                drop_pending_updates=False,
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)  # never drop what residents sent
            self._poller = asyncio.create_task(self.poller.poll_forever())
        self._replayer = asyncio.create_task(self.updates.handle_forever())

    async def stop(self) -> None:
        for task in (self._poller, self._replayer):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._poller:
            with contextlib.suppress(Exception):
                await self.poller.release()
        await self.application.stop()
        await self.application.shutdown()

    # -- what the application calls: the webhook, the scheduler's jobs -------------------------

    def verify_webhook_secret(self, given: str | None) -> bool:
        expected = self.settings.telegram_webhook_secret or ""
        return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())

    async def receive_webhook(self, payload: dict[str, Any]) -> None:
        """Store a webhook update (Telegram gets its 200 only after this), then handle it."""
        update_id = payload.get("update_id")
        if not isinstance(update_id, int):
            raise ValueError("Telegram update without an integer 'update_id'.")
        await self.updates.store(update_id, payload)
        asyncio.create_task(self.updates.handle())

    async def push_outbox(self) -> int:
        """Send what waits for Telegram chats: follow-ups, answers to messages kept while Rasa was
        down (bot/runtime.py runs it every few seconds)."""
        return await self.delivery.push_outbox()

    async def post_to_dispatchers(self) -> int:
        """Tell the dispatchers' group about new tickets, alerts and suspected outages, each once."""
        return await self.notices.post()
