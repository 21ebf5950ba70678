"""A chat's outbox: what the bot says to a resident, stored before it is delivered.

Everything the bot writes to a chat goes through store_replies (Rasa's answers, follow-up asks,
dispatchers' replies), so no button leaves the application with its real payload: each one
carries an id issued to that chat (bot/buttons.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.buttons import issue
from bot.channels.rasa_client import Reply
from bot.models import ChatMessage
from bot.tickets import utcnow


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
    shown = []
    for reply, buttons in zip(replies, issued):
        session.add(
            ChatMessage(
                channel=channel,
                sender=stored_under or sender,
                direction="out",
                text=reply.text,
                buttons=buttons or None,
                created_at=now,
                processed_at=now if delivered else None,
            )
        )
        shown.append(replace(reply, buttons=buttons))
    return shown


def take_undelivered(session: Session, channel: str, sender: str) -> list[Reply]:
    """What waits for this chat, oldest first; it counts as delivered from now on."""
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

