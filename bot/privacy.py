"""Forgetting who wrote: what R7 asks for anonymous reports."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.models import Attachment, ChatLink, ChatMessage


def forget_sender(session: Session, channel: str, sender: str) -> None:
    """Drop the sender id from a conversation's stored messages, and the way back to the chat."""
    session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
    session.execute(
        update(ChatMessage)
        .where(ChatMessage.channel == channel, ChatMessage.sender == sender)
        .values(sender="anonymous")
        .execution_options(synchronize_session=False)
    )
    # Photos and locations too, also those the ticket did not take (older, or sent later).
    session.execute(
        update(Attachment)
        .where(Attachment.channel == channel, Attachment.sender == sender)
        .values(sender=None)
        .execution_options(synchronize_session=False)
    )
