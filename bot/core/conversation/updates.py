"""Raw channel updates: stored before they are acknowledged, handled from the store, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.models import ChannelUpdate


def store_update(session: Session, channel: str, update_id: int, payload: dict[str, Any], now: datetime) -> bool:
    """Keep an update; False when it was delivered before (a duplicate is ignored)."""
    try:
        with session.begin_nested():
            session.add(ChannelUpdate(channel=channel, update_id=update_id, payload=payload, received_at=now))
        return True
    except IntegrityError:
        return False


def unhandled_updates(session: Session, channel: str) -> list[ChannelUpdate]:
    return list(
        session.scalars(
            select(ChannelUpdate)
            .where(ChannelUpdate.channel == channel, ChannelUpdate.processed_at.is_(None))
            .order_by(ChannelUpdate.update_id)
        )
    )


def mark_handled(session: Session, stored_id: int, now: datetime) -> None:
    """Record the update as handled and drop its content: chat and user ids are kept no longer
    than needed (R7; the resident's words live on in chat_messages, pseudonymised). Marking it
    again changes nothing."""
    update = session.get_one(ChannelUpdate, stored_id)
    if update.processed_at is None:
        update.processed_at = now
        update.payload = {}


def is_unhandled(session: Session, stored_id: int) -> bool:
    query = select(ChannelUpdate.id).where(ChannelUpdate.id == stored_id, ChannelUpdate.processed_at.is_(None))
    return session.scalar(query) is not None


def next_offset(session: Session, channel: str) -> int | None:
    """The offset that acknowledges every update already stored."""
    last = session.scalar(select(func.max(ChannelUpdate.update_id)).where(ChannelUpdate.channel == channel))
    return None if last is None else last + 1
