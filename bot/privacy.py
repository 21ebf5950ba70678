"""Forgetting who wrote: what R7 asks for anonymous reports."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import create_engine, delete, func, inspect, select, text
from sqlalchemy.orm import Session

from bot.buttons import withdraw
from bot.db import flush_wal
from bot.models import Attachment, ChatLink, ChatMessage, Ticket
from bot.nlu_inbox import drop_open_items_from
from bot.redaction import redact_identifiers

# An anonymous report's messages are filed under a pseudonym of their own: this prefix and a
# random part nothing else knows, so they are neither linked to the chat nor to each other.
ANONYMOUS_PREFIX = "anonymous:"


def new_anonymous_pseudonym() -> str:
    return ANONYMOUS_PREFIX + secrets.token_hex(12)


def is_anonymous_pseudonym(sender: str) -> bool:
    return sender.startswith(ANONYMOUS_PREFIX)


def forget_sender(session: Session, channel: str, sender: str, *, from_id: int | None = None) -> str:
    """Make a report anonymous after the fact (R7): drop the way back to the chat, and take its
    messages (rows from `from_id` on, all when None) out of the chat's history, with whatever
    identifies the resident in their words redacted. Returns the pseudonym they are filed under.

    Messages before `from_id` belong to the chat's earlier, named conversations and stay theirs;
    later messages of the chat keep the chat's pseudonym: neither shows up in the other's transcript.
    """
    anonymous = new_anonymous_pseudonym()
    session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
    withdraw(session, sender)  # the buttons it was last given are tied to the pseudonym too
    rows = select(ChatMessage).where(ChatMessage.channel == channel, ChatMessage.sender == sender)
    if from_id is not None:
        rows = rows.where(ChatMessage.id >= from_id)
    messages = session.scalars(rows.order_by(ChatMessage.id)).all()
    # What the admins' NLU inbox took from these words (it is found by the words, so first).
    drop_open_items_from(session, [m.text for m in messages if m.direction == "in"])
    for message in messages:
        message.sender = anonymous
        message.text = redact_identifiers(message.text)
        if message.buttons:  # a button's title may repeat what was typed ("改电话 139…")
            message.buttons = [{**b, "title": redact_identifiers(b.get("title", ""))} for b in message.buttons]
    # Photos and locations too, also those the ticket did not take (older, or sent later).
    for attachment in session.scalars(
        select(Attachment).where(Attachment.channel == channel, Attachment.sender == sender)
    ).all():
        attachment.sender = None
        if attachment.caption:
            attachment.caption = redact_identifiers(attachment.caption)
    session.flush()
    return anonymous


def report_start(session: Session, channel: str, sender: str) -> int | None:
    """The first message of the report this chat is making now: the first it wrote after its
    last named ticket was filed (None: the chat has no named ticket, all of it is this report)."""
    last_named = session.scalar(
        select(Ticket.created_at)
        .where(Ticket.sender_ref == sender, Ticket.anonymous.is_(False))
        .order_by(Ticket.created_at.desc())
        .limit(1)
    )
    if last_named is None:
        return None
    return first_message_since(session, channel, sender, last_named, written_by_resident=True, strictly=True)


def first_message_since(session: Session, channel: str, sender: str, moment: datetime, *,
                        written_by_resident: bool = False, strictly: bool = False) -> int:  # fmt: skip
    """The id of the chat's first message at (or after) `moment`; when there is none, an id
    above every message, so that no earlier (named) message is ever taken for a later one."""
    query = select(func.min(ChatMessage.id)).where(
        ChatMessage.channel == channel,
        ChatMessage.sender == sender,
        ChatMessage.created_at > moment if strictly else ChatMessage.created_at >= moment,
    )
    if written_by_resident:
        query = query.where(ChatMessage.direction == "in")
    first = session.scalar(query)
    if first is not None:
        return int(first)
    return int(session.scalar(select(func.max(ChatMessage.id))) or 0) + 1


def forget_conversation(tracker_url: str, sender: str) -> None:
    """Delete a conversation from Rasa's tracker store (R7, for an anonymous report): a SQL
    database (the default) or Redis (endpoints-redis.yml, several Rasa servers).

    Rasa's HTTP API cannot do it: replacing a conversation's events only ever appends, in a SQL
    store and in Redis alike (Redis merges with what it holds). Rasa reads the store afresh
    every turn, so the next message starts a new conversation.
    """
    if tracker_url.startswith(("redis://", "rediss://")):
        _forget_in_redis(tracker_url, sender)
        return
    engine = create_engine(tracker_url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                # Rasa's own connections leave deleted rows readable in the file's free space;
                # this one overwrites what it deletes.
                connection.exec_driver_sql("PRAGMA secure_delete=ON")
            if inspect(connection).has_table("events"):
                connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
        flush_wal(engine)
    finally:
        engine.dispose()


# Rasa's RedisTrackerStore keeps a conversation under this prefix and the sender id
# (endpoints-redis.yml sets no key_prefix of its own).
REDIS_TRACKER_PREFIX = "tracker:"


def _forget_in_redis(url: str, sender: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.delete(REDIS_TRACKER_PREFIX + sender)
    finally:
        client.close()
