"""Forgetting who wrote: what R7 asks for anonymous reports."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.models import ChatLink, ChatMessage


def forget_sender(session: Session, channel: str, sender: str) -> None:
    """Drop the sender id from a conversation's stored messages, and the way back to the chat."""
    session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
    session.execute(
        update(ChatMessage)
        .where(ChatMessage.channel == channel, ChatMessage.sender == sender)
        .values(sender="anonymous")
        .execution_options(synchronize_session=False)
    )
