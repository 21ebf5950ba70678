"""The conversation a dispatcher reads beside a named ticket: its chat's messages up to the
ticket's receipt. What the chat said later (another report, perhaps an anonymous one in
progress, R7) is not this ticket's; news for the ticket reaches it as events of its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import ChatMessage, Ticket


def transcript_of(session: Session, ticket: Ticket, limit: int) -> list[ChatMessage]:
    """The chat's messages up to the ticket's receipt (the answers to the message that filed
    it), oldest first; none for an anonymous ticket (R7)."""
    if ticket.anonymous or not ticket.sender_ref:
        return []
    of_the_chat = (ChatMessage.channel == ticket.channel, ChatMessage.sender == ticket.sender_ref)
    # The first message the resident wrote after the ticket was filed ends its conversation.
    after = session.scalar(
        select(ChatMessage.id)
        .where(*of_the_chat, ChatMessage.direction == "in", ChatMessage.created_at > ticket.created_at)
        .order_by(ChatMessage.id)
        .limit(1)
    )
    rows = select(ChatMessage).where(*of_the_chat)
    if after is not None:
        rows = rows.where(ChatMessage.id < after)
    return list(session.scalars(rows.order_by(ChatMessage.id).limit(limit)))
