"""Sending what waits in Telegram chats' outboxes: answers, notes, follow-ups, answers to
messages kept while Rasa was down.

Each chat's messages go in order under the chat's lease, each marked delivered only after
Telegram accepted it: a process killed mid-way leaves the rest to another, and what Telegram did
not take is sent by the next push run.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.orm import Session
from telegram import Bot, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.relay import last_language
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.keyboards import markup_for
from bot.channels.worker_thread import in_transaction
from bot.core import claims
from bot.core.conversation.chat_links import chat_address
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
from bot.core.tickets.intake import utcnow

log = logging.getLogger(__name__)


class OutboxDelivery:
    def __init__(self, bot: Bot, secret_key: str) -> None:
        self.bot = bot
        self.secret_key = secret_key  # opens the sealed chat ids (bot.core.conversation.chat_links)

    async def push_outbox(self) -> int:
        """Send what waits for Telegram chats. One chat that cannot be written to (a handle that
        no longer opens, a bad row) is skipped and reported; it never holds up the others."""
        pushed = 0
        for sender in await in_transaction(chats_waiting, CHANNEL):
            pushed += await self.push_chat_reporting(sender)
        return pushed

    async def push_chat_reporting(self, sender: str) -> int:
        """Send one chat's waiting messages; a failure is reported, and the next run tries again."""
        try:
            return await self._push_chat(sender)
        except Exception:  # (reported; the next run tries this chat again)
            log.exception("Could not deliver the waiting messages of one Telegram chat")
            return 0

    async def _push_chat(self, sender: str) -> int:
        holder = uuid.uuid4().hex
        try:
            taken = await in_transaction(take_chat, sender, holder, self.secret_key)
        except Exception:
            # That step was rolled back, lease and all; what giving the chat back does besides
            # (an anonymous report's way back forgotten) still happens.
            await in_transaction(give_back_chat, sender, holder)
            raise
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
                await in_transaction(mark_delivered_keeping_chat, message_id, sender, holder)
                sent += 1
        finally:
            await in_transaction(give_back_chat, sender, holder)
        return sent


# -- the steps, each one transaction (bot/channels/worker_thread.py) -------------------------------


def take_chat(
    session: Session, sender: str, holder: str, secret_key: str
) -> tuple[str, str, list[tuple[int, Reply]]] | None:
    """The chat's address, language and waiting messages, if this holder got the chat's lease
    and there is something to send to an address."""
    if not claims.take(session, outbox_lease(CHANNEL, sender), holder, utcnow(), SENDING_LEASE):
        return None  # another process is sending them
    messages = [(m.id, as_reply(m)) for m in undelivered(session, CHANNEL, sender)]
    language = last_language(session, sender)
    address = chat_address(session, sender, secret_key)
    if address is None or not messages:  # no link: an anonymous chat that asked for nothing more
        give_back_chat(session, sender, holder)
        return None
    return address, language, messages


def give_back_chat(session: Session, sender: str, holder: str) -> None:
    claims.give_back(session, outbox_lease(CHANNEL, sender), holder)
    forget_anonymous_way_back(session, CHANNEL, sender)


def mark_delivered_keeping_chat(session: Session, message_id: int, sender: str, holder: str) -> None:
    """Record the message as delivered and keep the chat's lease for the next one."""
    now = utcnow()
    mark_delivered(session, message_id, now)
    claims.take(session, outbox_lease(CHANNEL, sender), holder, now, SENDING_LEASE)
