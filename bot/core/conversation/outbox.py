"""A chat's outbox: what the bot says to a resident, stored before it is delivered.

A message counts as delivered only once it was handed over: fetched by the web chat, or sent and
accepted by Telegram. Several application processes share one outbox: a row is marked delivered
by a conditional UPDATE, and a pushed chat's outbox is sent under a lease (bot/core/claims.py), so no
message goes out twice and none is lost when a process dies while sending.

Everything the bot writes to a chat goes through store_replies (Rasa's answers, follow-up asks,
dispatchers' replies), so no button leaves the application with its real payload: each one
carries an id issued to that chat (bot/core/conversation/buttons.py).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from bot.core import claims
from bot.core.conversation.buttons import issue
from bot.core.conversation.privacy import is_anonymous_pseudonym
from bot.core.conversation.replies import Reply
from bot.core.db import rows_changed
from bot.core.models import ChatLink, ChatMessage
from bot.core.tickets.intake import utcnow

_TABLE = cast(Table, ChatMessage.__table__)


def store_replies(
    session: Session,
    channel: str,
    sender: str,
    replies: list[Reply],
    now: datetime,
    *,
    delivered: bool = False,
    stored_under: str | None = None,
) -> list[Reply]:
    """Store the replies for this chat and return them as the chat must get them (with
    button ids instead of payloads). `delivered`: they are being handed over right now.
    `stored_under`: the sender to file them under when it is no longer the chat's pseudonym
    (an anonymous report forgot it, R7); the buttons still belong to the chat that sees them.
    """
    issued = issue(session, sender, [reply.buttons for reply in replies], now)
    rows = [
        {
            "channel": channel,
            "sender": stored_under or sender,
            "direction": "out",
            "text": reply.text,
            "buttons": buttons or None,
            "created_at": now,
            "processed_at": now if delivered else None,
            "hints": reply.custom or None,
        }
        for reply, buttons in zip(replies, issued)
    ]
    if rows:
        # One INSERT for the answer's messages, not one per message through the ORM's unit of
        # work (nobody needs their ids); the rows are in the table at once, in this order.
        session.execute(insert(_TABLE), rows)
    return [replace(reply, buttons=buttons) for reply, buttons in zip(replies, issued)]


# How long a process may go without sending one of a chat's waiting messages (the lease is
# renewed after each) before another process takes the chat over.
SENDING_LEASE = timedelta(seconds=30)


def lease_name(channel: str, sender: str) -> str:
    return f"outbox:{channel}:{sender}"


def as_reply(message: ChatMessage) -> Reply:
    return Reply(message.text, list(message.buttons or []), dict(message.hints or {}))


def undelivered(session: Session, channel: str, sender: str) -> list[ChatMessage]:
    return list(
        session.scalars(
            select(ChatMessage)
            .where(
                ChatMessage.channel == channel,
                ChatMessage.sender == sender,
                ChatMessage.direction == "out",
                ChatMessage.processed_at.is_(None),
            )
            .order_by(ChatMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def mark_delivered(session: Session, message_id: int, now: datetime) -> bool:
    """Record one message as delivered; False when another process already did (it is not yours)."""
    return (
        rows_changed(
            session.execute(
                update(ChatMessage)
                .where(ChatMessage.id == message_id, ChatMessage.processed_at.is_(None))
                .values(processed_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


# Built once: building the statement anew costs more than running it.
TAKE_WAITING = (
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("chat_channel"),
        _TABLE.c.sender == bindparam("chat_sender"),
        _TABLE.c.direction == "out",
        _TABLE.c.processed_at.is_(None),
    )
    .values(processed_at=bindparam("taken_at", type_=_TABLE.c.processed_at.type))
    .returning(_TABLE.c.id, _TABLE.c.text, _TABLE.c.buttons, _TABLE.c.hints)
)


def take_undelivered(session: Session, channel: str, sender: str, *, pushed: bool = False) -> list[Reply]:
    """What waits for this chat, oldest first; it counts as delivered from now on.

    `pushed`: the channel's messages are also sent by a pusher (Telegram's push job), which may
    be sending them right now in another process; then nothing is taken while it holds the lease.
    """
    holder = uuid.uuid4().hex
    now = utcnow()
    if pushed and not claims.take(session, lease_name(channel, sender), holder, now, SENDING_LEASE):
        return []
    # One conditional UPDATE marks what waits and returns it: a row another process marked first
    # is not matched (its processed_at is set), so it is never handed over twice.
    taken = session.execute(TAKE_WAITING, {"chat_channel": channel, "chat_sender": sender, "taken_at": now}).all()
    if pushed:
        claims.give_back(session, lease_name(channel, sender), holder)
    return [
        Reply(row.text, list(row.buttons or []), dict(row.hints or {})) for row in sorted(taken, key=lambda row: row.id)
    ]


def chats_waiting(session: Session, channel: str) -> list[str]:
    """The chats of this channel with messages not yet delivered."""
    return list(
        session.scalars(
            select(ChatMessage.sender)
            .where(ChatMessage.channel == channel, ChatMessage.direction == "out", ChatMessage.processed_at.is_(None))
            .group_by(ChatMessage.sender)
            .order_by(ChatMessage.sender)
        )
    )


def forget_anonymous_way_back(session: Session, channel: str, sender: str) -> None:
    """An anonymous report's answers are pushed through a sealed link of their own, kept only
    until the last of them was delivered (R7: nothing leads from the report to the chat)."""
    if is_anonymous_pseudonym(sender) and not undelivered(session, channel, sender):
        session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
