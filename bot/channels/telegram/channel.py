"""Telegram, on python-telegram-bot 22: the same conversation as the web chat.

Updates are stored (by update_id) before Telegram is told they arrived, and handled from the
store, so a crash loses none and a duplicate delivery is ignored. Polling is done here rather
than by PTB's Updater because the Updater acknowledges updates before they are handled.

Exactly once, with any number of processes: stored updates are handled by one process at a time
(a lease), in order; an update counts as handled in the transaction that puts its answer in the
chat's outbox (bot/channels/turn_commit.py), and the outbox is pushed right away, each message
marked delivered only after Telegram accepted it. What Telegram did not take is sent by the next
push run.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.relay import Relay, last_language
from bot.channels.telegram.group_notices import DispatcherNotices
from bot.channels.telegram.limits import PerChatRateLimiter
from bot.channels.turn_commit import committing_with_turns
from bot.config import Settings
from bot.core import claims
from bot.core.conversation import attachments
from bot.core.conversation.chat_links import chat_address
from bot.core.conversation.messages import say
from bot.core.conversation.outbox import (
    SENDING_LEASE,
    as_reply,
    chats_waiting,
    forget_anonymous_way_back,
    mark_delivered,
    undelivered,  # fmt: skip
)
from bot.core.conversation.outbox import lease_name as outbox_lease
from bot.core.conversation.replies import Reply
from bot.core.conversation.updates import is_unhandled, mark_handled, next_offset, store_update, unhandled_updates
from bot.core.db import session_scope
from bot.core.tickets.intake import utcnow
from bot.core.tickets.notices import ACTION_TITLES, GROUP_LANGUAGE, apply_dispatcher_action, refusal_text
from bot.core.tickets.workflow import TransitionRefused

log = logging.getLogger(__name__)
CHANNEL = "telegram"
# The lease outlives one long poll by this much; a process killed while polling is replaced
# after at most that long.
POLLING_LEASE_MARGIN_SECONDS = 10
POLLING_RETRY_SECONDS = 5
# Handling stored updates: the lease is renewed before each update and every few seconds during
# one, so a process killed mid-update leaves its updates to another after at most this long.
HANDLING_LEASE = timedelta(seconds=15)
HANDLING_LEASE_NAME = "handle:telegram"
HANDLING_RENEW_SECONDS = 4
# How often stored updates nobody finished (their process died) are looked for.
HANDLING_RETRY_SECONDS = 5


def language_of(update: Update) -> str:
    user = update.effective_user
    return "en" if user and (user.language_code or "").startswith("en") else "zh"


def markup_for(reply: Reply, language: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Rasa buttons become an inline keyboard; the phone question offers to share the contact.

    A button's payload here is already the opaque id the relay issued to this chat (never
    Rasa's payload), and short enough for Telegram's 64 bytes of callback data."""
    if reply.buttons:
        rows = [[InlineKeyboardButton(b["title"], callback_data=b["payload"])] for b in reply.buttons]
        return InlineKeyboardMarkup(rows)
    if reply.custom.get("request") == "phone":
        button = KeyboardButton(say("share_phone", language), request_contact=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    return None


@dataclass
class UpdateInHandling:
    """A stored update being handled: it counts as handled in the transaction that stores its
    answer (see bot/channels/turn_commit.py); the chats' outboxes that answer went to are pushed."""

    stored_id: int
    filed_under: set[str] = field(default_factory=set)
    # Set while a handler stores a note that more of the same update follows (a photo's caption).
    more_follows: bool = False

    def commit_with_turn(self, session: Session, filed_under: str) -> None:
        self.filed_under.add(filed_under)
        if not self.more_follows:
            mark_handled(session, self.stored_id, utcnow())


class TelegramChannel:
    """Bridges Telegram chats and the relay."""

    def __init__(self, settings: Settings, relay: Relay) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("Config 'TELEGRAM_BOT_TOKEN' is missing, and has no default.")
        self.settings = settings
        self.relay = relay
        self.application = (
            Application.builder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url)
            .base_file_url(settings.telegram_file_url)  # photos are downloaded from here
            # Waits out a 429's retry_after, keeps to the overall and per-chat limits.
            .rate_limiter(PerChatRateLimiter(settings.telegram_chat_interval_seconds, max_retries=5))
            .updater(None)
            .build()
        )
        self._add_handlers()
        self._poller: asyncio.Task[None] | None = None
        self._replayer: asyncio.Task[None] | None = None
        self._holder = claims.process_name()
        self._handling = asyncio.Lock()
        self._in_handling: UpdateInHandling | None = None
        self.notices = DispatcherNotices(settings, self.bot)

    @property
    def bot(self):
        return self.application.bot

    def _add_handlers(self) -> None:
        app = self.application
        app.add_handler(CommandHandler("start", self.on_start))
        app.add_handler(CommandHandler("help", self.on_command_payload("/help")))
        app.add_handler(CommandHandler("cancel", self.on_command_payload("/cancel")))
        app.add_handler(CommandHandler("status", self.on_status))
        app.add_handler(CommandHandler("language", self.on_language))
        app.add_handler(CallbackQueryHandler(self.on_dispatcher_button, pattern=r"^t:"))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        app.add_handler(MessageHandler(filters.CONTACT, self.on_contact))
        app.add_handler(MessageHandler(filters.LOCATION, self.on_location))
        app.add_handler(MessageHandler(filters.PHOTO, self.on_photo))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(MessageHandler(filters.CAPTION, self.on_caption))
        app.add_handler(MessageHandler(filters.ALL, self.on_unreadable))

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
            self._poller = asyncio.create_task(self.poll_forever())
        # Stored before a crash, not yet handled; and later what a dead process left half-done.
        self._replayer = asyncio.create_task(self.handle_stored_forever())

    async def stop(self) -> None:
        for task in (self._poller, self._replayer):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._poller:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._release_polling)
        await self.application.stop()
        await self.application.shutdown()

    # -- receiving ----------------------------------------------------------------------------

    async def poll_forever(self) -> None:
        """Poll while this process holds the polling lease: one process polls, however many run
        (Telegram allows one getUpdates at a time); another takes over when this one dies."""
        while True:
            try:
                if not await asyncio.to_thread(self._hold_polling):
                    await asyncio.sleep(POLLING_RETRY_SECONDS)
                    continue
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a network hiccup must not end polling
                log.exception("Telegram polling failed; retrying")
                await asyncio.sleep(2)

    async def poll_once(self) -> None:
        offset = await asyncio.to_thread(self._next_offset)
        updates = await self.bot.get_updates(
            offset=offset, timeout=self.settings.telegram_poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        for update in updates:
            await asyncio.to_thread(self._store, update.update_id, update.to_dict())
        # The next getUpdates call, with the new offset, acknowledges only what is stored now.
        if updates:
            await self.handle_stored()

    def verify_webhook_secret(self, given: str | None) -> bool:
        expected = self.settings.telegram_webhook_secret or ""
        return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())

    async def receive_webhook(self, payload: dict[str, Any]) -> None:
        """Store a webhook update (Telegram gets its 200 only after this), then handle it."""
        update_id = payload.get("update_id")
        if not isinstance(update_id, int):
            raise ValueError("Telegram update without an integer 'update_id'.")
        await asyncio.to_thread(self._store, update_id, payload)
        asyncio.create_task(self.handle_stored())

    async def handle_stored_forever(self) -> None:
        while True:
            try:
                await self.handle_stored()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment must not end this
                log.exception("Handling stored Telegram updates failed; retrying")
            await asyncio.sleep(HANDLING_RETRY_SECONDS)

    async def handle_stored(self) -> None:
        """Handle every stored update not handled yet, in order, while this process holds the
        handling lease (another process handling them now has it: they are left to it)."""
        async with self._handling:
            waiting = await asyncio.to_thread(self._unhandled)
            if not waiting or not await asyncio.to_thread(self._hold_handling, None):
                return
            try:
                for stored_id, payload in await asyncio.to_thread(self._unhandled):
                    # Renewed, and the update re-checked, before each: one never handled twice.
                    if not await asyncio.to_thread(self._hold_handling, stored_id):
                        continue
                    await self._handle_one(stored_id, payload)
            finally:
                await asyncio.to_thread(self._release_handling)

    async def _handle_one(self, stored_id: int, payload: dict[str, Any]) -> None:
        handling = UpdateInHandling(stored_id)
        keep_lease = asyncio.create_task(self._keep_handling_lease())
        self._in_handling = handling
        try:
            with committing_with_turns(handling.commit_with_turn):
                await self.application.process_update(Update.de_json(payload, self.bot))
        finally:
            self._in_handling = None
            keep_lease.cancel()
        # Handled also when no turn marked it (a dispatcher's button) or a handler failed (PTB
        # reports it): an update that breaks its handler must not come back forever.
        await asyncio.to_thread(self._mark, stored_id)
        for sender in sorted(handling.filed_under):  # the residents wait: no push interval
            await self._push_chat_reporting(sender)

    async def _keep_handling_lease(self) -> None:
        while True:
            await asyncio.sleep(HANDLING_RENEW_SECONDS)
            with contextlib.suppress(Exception):  # the next renewal may succeed
                await asyncio.to_thread(self._hold_handling, None)

    # -- handlers -----------------------------------------------------------------------------

    async def converse(self, update: Update, text: str) -> None:
        """Pass on what the resident wrote (as words: the relay makes sure of that)."""
        await self._answer(update, lambda chat_id: self.relay.handle(CHANNEL, chat_id, text))

    async def _answer(self, update: Update, turn: Callable[[str], Awaitable[list[Reply]]]) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await turn(str(chat.id))  # the answer waits in the chat's outbox, pushed when the update is handled

    async def send(self, chat_id: int | str, replies: list[Reply], *, more_follows: bool = False) -> None:
        """A note of the application's own to a resident's chat: it waits in the chat's outbox
        and is pushed with the update's answers. `more_follows`: the update has a turn still to
        come (a photo's caption), which then marks it handled."""
        handling = self._in_handling
        if handling is not None:
            handling.more_follows = more_follows
        try:
            await self.relay.note(CHANNEL, str(chat_id), replies)
        finally:
            if handling is not None:
                handling.more_follows = False

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet with the company's name (R12)."""
        await self.converse(update, "hello" if language_of(update) == "en" else "你好")

    def on_command_payload(self, payload: str):
        """A Telegram command the application maps to a Rasa intent: the relay's trusted path,
        with the payload written here, in code."""

        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await self._answer(update, lambda chat_id: self.relay.command(CHANNEL, chat_id, payload))

        return handler

    async def on_status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        code = " ".join(context.args or [])
        if code:  # what follows "/status" is the resident's own words
            await self.converse(update, f"{code} 怎么样了")
        else:
            await self._answer(update, lambda chat_id: self.relay.command(CHANNEL, chat_id, "/check_status"))

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = say("language_policy", language_of(update))  # the same bilingual sentence in both
        await self.send(update.effective_chat.id, [Reply(text)])  # type: ignore[union-attr]

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, update.effective_message.text or "")  # type: ignore[union-attr]

    async def on_caption(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, update.effective_message.caption or "")  # type: ignore[union-attr]

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A resident pressed an inline button: its callback data is the id the relay issued to
        this chat. Anyone can send any callback data, so the relay checks it is this chat's."""
        query = update.callback_query
        await query.answer()  # type: ignore[union-attr]  # stops the button's spinner
        data = query.data or ""  # type: ignore[union-attr]
        await self._answer(update, lambda chat_id: self.relay.press(CHANNEL, chat_id, data))

    async def on_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        contact = message.contact  # type: ignore[union-attr]
        if contact.user_id != (update.effective_user.id if update.effective_user else None):  # type: ignore[union-attr]
            await self.send(message.chat_id, [Reply(say("telegram_text_only", language_of(update)))])  # type: ignore[union-attr]
            return
        await self.converse(update, contact.phone_number)  # type: ignore[union-attr]

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep a shared location; it goes on the ticket with the typed address."""
        chat, location = update.effective_chat, update.effective_message.location  # type: ignore[union-attr]
        sender = self.relay.sender_ref(CHANNEL, str(chat.id))  # type: ignore[union-attr]
        await asyncio.to_thread(self._record_location, sender, location.latitude, location.longitude)  # type: ignore[union-attr]
        language = language_of(update)
        await self.send(chat.id, [Reply(say("location_kept", language))])  # type: ignore[union-attr]

    async def on_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep the photo for the ticket, say so, then go on with the caption as a message."""
        message, chat = update.effective_message, update.effective_chat
        language = language_of(update)
        sender = self.relay.sender_ref(CHANNEL, str(chat.id))  # type: ignore[union-attr]
        largest = message.photo[-1]  # type: ignore[union-attr]  # Telegram lists the sizes smallest first
        data, problem = await self.download_photo(largest)
        # A photo that could not be kept is still recorded (without a file), so the dispatchers
        # see that one was sent; the resident is asked to send it again.
        await asyncio.to_thread(self._record_photo, sender, data, largest.file_size, message.caption)  # type: ignore[union-attr]
        limit_mb = self.settings.attachment_max_bytes // (1024 * 1024)
        kept = [Reply(say(problem or "photo_kept", language, limit_mb=limit_mb))]
        await self.send(chat.id, kept, more_follows=bool(message.caption))  # type: ignore[union-attr]
        if message.caption:  # type: ignore[union-attr]
            await self.converse(update, message.caption)  # type: ignore[union-attr]

    async def download_photo(self, photo: PhotoSize) -> tuple[bytes | None, str | None]:
        """The photo's bytes, or None and the message key that says why not."""
        limit = self.settings.attachment_max_bytes
        if (photo.file_size or 0) > limit:  # Telegram tells the size: no need to fetch it
            return None, "photo_too_big"
        try:
            file = await photo.get_file()
            if (file.file_size or 0) > limit:
                return None, "photo_too_big"
            data = bytes(await file.download_as_bytearray())
        except TelegramError as problem:
            log.warning("Could not download a photo: %s", type(problem).__name__)
            return None, "photo_failed"
        if len(data) > limit:
            return None, "photo_too_big"
        return data, None

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update.effective_chat.id, [Reply(say("telegram_edited", language_of(update)))])  # type: ignore[union-attr]

    async def on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is None:
            return
        await self.send(update.effective_chat.id, [Reply(say("telegram_text_only", language_of(update)))])

    # -- the dispatchers' group ---------------------------------------------------------------

    async def post_to_dispatchers(self) -> int:
        """Tell the dispatchers' group about new tickets, alerts and suspected outages, each once."""
        return await self.notices.post()

    async def on_dispatcher_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        user = update.effective_user
        if user is None or user.id not in self.settings.dispatcher_ids:
            await query.answer(say("telegram.not_a_dispatcher", GROUP_LANGUAGE), show_alert=True)  # type: ignore[union-attr]
            return
        _, action, ticket_id = (query.data or "").split(":")  # type: ignore[union-attr]
        try:
            code, status = await asyncio.to_thread(self._apply, int(ticket_id), action, user.id)
        except TransitionRefused as refused:  # the workflow said no; the ticket is as it was
            await query.answer(refusal_text(refused, action), show_alert=True)  # type: ignore[union-attr]
            return
        title = ACTION_TITLES[action]
        await query.answer(say("telegram.action_answer", GROUP_LANGUAGE, code=code, action=title))  # type: ignore[union-attr]
        name = user.full_name or str(user.id)
        done = say("telegram.action_done", GROUP_LANGUAGE, code=code, action=title, name=name)
        await self.bot.send_message(query.message.chat_id, done)  # type: ignore[union-attr]

    @staticmethod
    def _apply(ticket_id: int, action: str, user_id: int) -> tuple[str, str]:
        with session_scope() as session:
            ticket = apply_dispatcher_action(session, ticket_id, action, f"telegram-dispatcher:{user_id}", utcnow())
            return ticket.code, ticket.status.value

    # -- pushing ------------------------------------------------------------------------------

    async def push_outbox(self) -> int:
        """Send what waits for Telegram chats: follow-ups, answers to messages kept while Rasa was
        down. One chat that cannot be written to (a handle that no longer opens, a bad row) is
        skipped and reported; it never holds up the others."""
        pushed = 0
        for sender in await asyncio.to_thread(self._chats_waiting):
            pushed += await self._push_chat_reporting(sender)
        return pushed

    async def _push_chat_reporting(self, sender: str) -> int:
        try:
            return await self._push_chat(sender)
        except Exception:  # (reported; the next run tries this chat again)
            log.exception("Could not deliver the waiting messages of one Telegram chat")
            return 0

    async def _push_chat(self, sender: str) -> int:
        """Send one chat's waiting messages in order under a lease, each marked delivered only
        after Telegram accepted it: a process killed mid-way leaves the rest to another."""
        holder = uuid.uuid4().hex
        taken = await asyncio.to_thread(self._take_chat, sender, holder, self.settings.resolved_secret_key())
        if taken is None:
            return 0
        address, language, messages = taken
        sent = 0
        try:
            for message_id, reply in messages:
                markup = markup_for(reply, language) or ReplyKeyboardRemove()
                try:
                    await self.bot.send_message(address, reply.text, reply_markup=markup)
                except (Forbidden, BadRequest) as refused:  # blocked the bot, or no such chat: no retry helps
                    log.warning(
                        "Telegram refused a waiting message for good (%s); it is dropped", type(refused).__name__
                    )
                except TelegramError as problem:  # network, flood limits: the next run sends it
                    log.warning("A waiting message stays for the next run: %s", type(problem).__name__)
                    break
                await asyncio.to_thread(self._mark_delivered, message_id, sender, holder)
                sent += 1
        finally:
            await asyncio.to_thread(self._give_back_chat, sender, holder)
        return sent

    @staticmethod
    def _chats_waiting() -> list[str]:
        with session_scope() as session:
            return chats_waiting(session, CHANNEL)

    @staticmethod
    def _take_chat(sender: str, holder: str, secret_key: str) -> tuple[str, str, list[tuple[int, Reply]]] | None:
        """The chat's address, language and waiting messages, if this holder got the chat's lease."""
        with session_scope() as session:
            if not claims.take(session, outbox_lease(CHANNEL, sender), holder, utcnow(), SENDING_LEASE):
                return None  # another process is sending them
            messages = [(m.id, as_reply(m)) for m in undelivered(session, CHANNEL, sender)]
            language = last_language(session, sender)
        try:
            with session_scope() as session:
                address = chat_address(session, sender, secret_key)
        except Exception:
            TelegramChannel._give_back_chat(sender, holder)
            raise
        if address is None or not messages:  # no link: an anonymous chat that asked for nothing more
            TelegramChannel._give_back_chat(sender, holder)
            return None
        return address, language, messages

    @staticmethod
    def _give_back_chat(sender: str, holder: str) -> None:
        with session_scope() as session:
            claims.give_back(session, outbox_lease(CHANNEL, sender), holder)
            forget_anonymous_way_back(session, CHANNEL, sender)

    @staticmethod
    def _mark_delivered(message_id: int, sender: str, holder: str) -> None:
        """Record the message as delivered and keep the chat's lease for the next one."""
        with session_scope() as session:
            now = utcnow()
            mark_delivered(session, message_id, now)
            claims.take(session, outbox_lease(CHANNEL, sender), holder, now, SENDING_LEASE)

    # -- storage ------------------------------------------------------------------------------

    @property
    def _polling_lease(self) -> str:
        """One lease per bot and Bot API server (Telegram serves one getUpdates per bot at a
        time); hashed, as the token is a secret."""
        bot = f"{self.settings.telegram_api_base_url}|{self.settings.telegram_bot_token}".encode()
        return f"poll:telegram:{hashlib.sha256(bot).hexdigest()[:24]}"

    def _hold_polling(self) -> bool:
        lease = timedelta(seconds=self.settings.telegram_poll_timeout + POLLING_LEASE_MARGIN_SECONDS)
        with session_scope() as session:
            return claims.take(session, self._polling_lease, self._holder, utcnow(), lease)

    def _release_polling(self) -> None:
        with session_scope() as session:
            claims.give_back(session, self._polling_lease, self._holder)

    def _hold_handling(self, stored_id: int | None) -> bool:
        """Take or renew the lease on handling stored updates; with `stored_id`, also check
        that update is still unhandled."""
        with session_scope() as session:
            if not claims.take(session, HANDLING_LEASE_NAME, self._holder, utcnow(), HANDLING_LEASE):
                return False
            return stored_id is None or is_unhandled(session, stored_id)

    def _release_handling(self) -> None:
        with session_scope() as session:
            claims.give_back(session, HANDLING_LEASE_NAME, self._holder)

    @staticmethod
    def _next_offset() -> int | None:
        with session_scope() as session:
            return next_offset(session, CHANNEL)

    @staticmethod
    def _store(update_id: int, payload: dict[str, Any]) -> None:
        with session_scope() as session:
            if not store_update(session, CHANNEL, update_id, payload, utcnow()):
                log.info("Duplicate Telegram update %s ignored", update_id)

    def _record_photo(self, sender: str, data: bytes | None, declared_size: int | None, caption: str | None) -> None:
        stored = None
        if data is not None:
            stored = attachments.save_photo_file(self.settings.attachments_path, data)
        with session_scope() as session:
            attachments.add_photo(
                session, CHANNEL, sender, utcnow(),
                storage_path=stored,
                size_bytes=len(data) if data is not None else declared_size,
                content_type=attachments.image_type(data)[0] if data is not None else None,
                caption=caption,
            )  # fmt: skip

    @staticmethod
    def _record_location(sender: str, latitude: float, longitude: float) -> None:
        with session_scope() as session:
            attachments.add_location(session, CHANNEL, sender, latitude, longitude, utcnow())

    @staticmethod
    def _unhandled() -> list[tuple[int, dict[str, Any]]]:
        with session_scope() as session:
            return [(u.id, u.payload) for u in unhandled_updates(session, CHANNEL)]

    @staticmethod
    def _mark(stored_id: int) -> None:
        with session_scope() as session:
            mark_handled(session, stored_id, utcnow())
