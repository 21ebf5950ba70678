"""Store each message first, then pass it to Rasa; keep what Rasa could not answer for later."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import unicodedata
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat_links import remember_chat
from bot.channels.rasa_client import RasaClient, RasaUnavailable, Reply
from bot.config import Settings
from bot.db import session_scope
from bot.language import DEFAULT_LANGUAGE, detect_language
from bot.messages import say
from bot.models import ChatMessage, MessageStatus
from bot.privacy import ANONYMOUS_SENDER, forget_conversation

log = logging.getLogger(__name__)
# Channels whose chats the bot writes to unasked (the web chat and terminal fetch their outbox).
PUSH_CHANNELS = {"telegram"}


def clean_text(text: str) -> str:
    """Drop control characters (keeping line breaks as spaces) and surrounding blanks."""
    kept = []
    for ch in text:
        if ch in "\n\r\t":
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs", "Cn"):
            kept.append(ch)
    return "".join(kept).strip()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Relay:
    """The channel layer every resident channel goes through."""

    def __init__(self, settings: Settings, rasa: RasaClient | None = None) -> None:
        self.settings = settings
        self.rasa = rasa or RasaClient(settings.rasa_servers, settings.rasa_timeout_seconds)
        self._secret = settings.resolved_secret_key().encode()
        self._locks: dict[str, asyncio.Lock] = {}

    def sender_ref(self, channel: str, chat_id: str) -> str:
        """A keyed pseudonym of the chat: what Rasa, logs and tickets see instead of the raw id."""
        digest = hmac.new(self._secret, f"{channel}:{chat_id}".encode(), hashlib.sha256)
        return f"{channel}:{digest.hexdigest()[:24]}"

    async def handle(self, channel: str, chat_id: str, text: str) -> list[Reply]:
        """Answer one resident message; it is stored before anything else happens."""
        sender = self.sender_ref(channel, chat_id)
        cleaned = clean_text(text)
        language = detect_language(cleaned) or DEFAULT_LANGUAGE
        if not cleaned:
            return [Reply(say("empty_message", language))]
        # One turn at a time per resident, so replays and new messages keep their order.
        # Two trips to the database per turn (store, then record), each one short transaction
        # in a worker thread: every extra thread hop costs a wakeup, which on a busy machine
        # adds milliseconds to the resident's wait.
        async with self._locks.setdefault(sender, asyncio.Lock()):
            message_id, pending = await asyncio.to_thread(
                self._store_inbound, channel, sender, cleaned, language, chat_id if channel in PUSH_CHANNELS else None
            )
            if len(cleaned) > self.settings.max_message_chars:
                await asyncio.to_thread(self._set_status, message_id, MessageStatus.REJECTED)
                return [
                    Reply(
                        say(
                            "too_long",
                            language,
                            message_id=message_id,
                            length=len(cleaned),
                            limit=self.settings.max_message_chars,
                        )
                    )
                ]
            try:
                for earlier_id, earlier_text in pending:  # earlier unanswered messages first, in order
                    await self._replay_one(earlier_id, channel, sender, earlier_text)
                answered = await self.rasa.send(sender, cleaned)
            except RasaUnavailable as error:
                log.warning("Message %s kept for retry: %s", message_id, error)
                await asyncio.to_thread(self._set_status, message_id, MessageStatus.PENDING)
                answered = [Reply(say("rasa_unavailable", language, message_id=message_id))]
                return await asyncio.to_thread(self._take_undelivered, channel, sender) + answered
            # Answers to replayed messages come first, in the order they were written.
            undelivered, forgotten = await asyncio.to_thread(
                self._record_answer, message_id, channel, sender, answered, True
            )
            if forgotten:
                await self._forget_conversation(sender)
            return undelivered + answered

    async def _forget_conversation(self, sender: str) -> None:
        """R7: the report just became anonymous, so Rasa's stored conversation (which may hold a
        phone number typed before) is wiped too; the bot starts afresh with this chat."""
        try:
            await asyncio.to_thread(forget_conversation, self.settings.tracker_url, sender)
        except Exception:  # noqa: BLE001  (the ticket is made; a failed wipe must not cost the reply)
            log.exception("Could not wipe an anonymous conversation from Rasa's tracker store")

    async def _replay_one(self, message_id: int, channel: str, sender: str, text: str) -> None:
        try:
            answered = await self.rasa.send(sender, text)
        except RasaUnavailable:
            await asyncio.to_thread(self._bump_attempts, message_id)
            raise
        _, forgotten = await asyncio.to_thread(self._record_answer, message_id, channel, sender, answered, False)
        if forgotten:
            await self._forget_conversation(sender)

    async def retry_pending(self) -> int:
        """Retry every message Rasa could not answer; the replies wait in each resident's outbox."""
        done = 0
        for message_id, channel, sender, text in await asyncio.to_thread(self._all_pending):
            async with self._locks.setdefault(sender, asyncio.Lock()):
                try:
                    await self._replay_one(message_id, channel, sender, text)
                except RasaUnavailable:
                    return done
                done += 1
        return done

    async def outbox(self, channel: str, chat_id: str) -> list[Reply]:
        """Messages for this chat that it has not yet been given (replays, follow-ups)."""
        sender = self.sender_ref(channel, chat_id)
        return await asyncio.to_thread(self._take_undelivered, channel, sender)

    # -- storage, run in a worker thread: one short session per step --------------------------

    @staticmethod
    def _store_inbound(
        channel: str, sender: str, text: str, language: str, address: str | None
    ) -> tuple[int, list[tuple[int, str]]]:
        """Store the message; return its id and the sender's earlier messages still pending."""
        with session_scope() as session:
            if address is not None:
                remember_chat(session, channel, sender, address, utcnow())
            message = ChatMessage(
                channel=channel,
                sender=sender,
                direction="in",
                text=text,
                status=MessageStatus.RECEIVED,
                language=language,
                created_at=utcnow(),
            )
            session.add(message)
            session.flush()
            return message.id, pending_of(session, sender, before=message.id)

    @staticmethod
    def _set_status(message_id: int, status: MessageStatus) -> None:
        with session_scope() as session:
            message = session.get_one(ChatMessage, message_id)
            message.status = status
            message.attempts += 1

    @staticmethod
    def _bump_attempts(message_id: int) -> None:
        with session_scope() as session:
            session.get_one(ChatMessage, message_id).attempts += 1

    @staticmethod
    def _record_answer(
        message_id: int, channel: str, sender: str, replies: list[Reply], delivered: bool
    ) -> tuple[list[Reply], bool]:
        """Record Rasa's answer; when delivered now, also take what else waits for this chat.
        Also tells whether the turn made the report anonymous (the sender was forgotten)."""
        now = utcnow()
        with session_scope() as session:
            message = session.get_one(ChatMessage, message_id)
            message.status = MessageStatus.PROCESSED
            message.processed_at = now
            message.attempts += 1
            for reply in replies:
                session.add(
                    ChatMessage(
                        channel=channel,
                        sender=message.sender,  # "anonymous" when the action just forgot the sender
                        direction="out",
                        text=reply.text,
                        buttons=reply.buttons or None,
                        created_at=now,
                        processed_at=now if delivered else None,
                    )
                )
            forgotten = message.sender == ANONYMOUS_SENDER
            return (take_undelivered(session, channel, sender) if delivered else []), forgotten

    @staticmethod
    def _all_pending() -> list[tuple[int, str, str, str]]:
        with session_scope() as session:
            rows = session.execute(
                select(ChatMessage.id, ChatMessage.channel, ChatMessage.sender, ChatMessage.text)
                .where(ChatMessage.status == MessageStatus.PENDING)
                .order_by(ChatMessage.id)
            )
            return [(row.id, row.channel, row.sender, row.text) for row in rows]

    @staticmethod
    def _take_undelivered(channel: str, sender: str) -> list[Reply]:
        with session_scope() as session:
            return take_undelivered(session, channel, sender)


def pending_of(session: Session, sender: str, before: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(ChatMessage.id, ChatMessage.text)
        .where(
            ChatMessage.sender == sender,
            ChatMessage.status == MessageStatus.PENDING,
            ChatMessage.id < before,
        )
        .order_by(ChatMessage.id)
    )
    return [(row.id, row.text) for row in rows]


def take_undelivered(session: Session, channel: str, sender: str) -> list[Reply]:
    messages = session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.channel == channel,
            ChatMessage.sender == sender,
            ChatMessage.direction == "out",
            ChatMessage.processed_at.is_(None),
        )
        .order_by(ChatMessage.id)
    ).all()
    now = utcnow()
    for message in messages:
        message.processed_at = now
    return [Reply(m.text, list(m.buttons or [])) for m in messages]
