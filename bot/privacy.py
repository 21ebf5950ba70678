"""Forgetting who wrote: what R7 asks for anonymous reports."""

from __future__ import annotations

from sqlalchemy import create_engine, delete, inspect, text, update
from sqlalchemy.orm import Session

from bot.buttons import withdraw
from bot.models import Attachment, ChatLink, ChatMessage

# What a forgotten sender becomes in the stored messages.
ANONYMOUS_SENDER = "anonymous"


def forget_sender(session: Session, channel: str, sender: str) -> None:
    """Drop the sender id from a conversation's stored messages, and the way back to the chat."""
    session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
    withdraw(session, sender)  # the buttons it was last given are tied to the pseudonym too
    session.execute(
        update(ChatMessage)
        .where(ChatMessage.channel == channel, ChatMessage.sender == sender)
        .values(sender=ANONYMOUS_SENDER)
        .execution_options(synchronize_session=False)
    )
    # Photos and locations too, also those the ticket did not take (older, or sent later).
    session.execute(
        update(Attachment)
        .where(Attachment.channel == channel, Attachment.sender == sender)
        .values(sender=None)
        .execution_options(synchronize_session=False)
    )


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
            if inspect(connection).has_table("events"):
                connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
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
