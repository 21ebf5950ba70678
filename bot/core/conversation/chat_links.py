"""Sealed links from a pseudonymous sender to the network's chat id, for messages pushed later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.conversation.handles import open_handle, seal
from bot.core.models import ChatLink


def remember_chat(session: Session, channel: str, sender: str, address: str, now: datetime, secret_key: str) -> None:
    link = session.get(ChatLink, sender)
    if link is None:
        session.add(ChatLink(sender=sender, channel=channel, sealed_address=seal(address, secret_key), updated_at=now))
    elif open_handle(link.sealed_address, secret_key) != address:
        link.sealed_address, link.updated_at = seal(address, secret_key), now


def chat_address(session: Session, sender: str, secret_key: str) -> str | None:
    link = session.get(ChatLink, sender)
    return open_handle(link.sealed_address, secret_key) if link else None
