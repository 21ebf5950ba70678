"""A filed ticket's phone or address put right: by a dispatcher from the dashboard, or by the
resident who filed it, in the chat ("地址说错了 是4号楼2单元301"). The one place that changes
those fields of a filed ticket and logs it."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import Ticket, TicketEvent
from bot.core.text.address import Address


def filed_address(ticket: Ticket) -> Address:
    return Address(ticket.estate, ticket.building, ticket.unit, ticket.room)


def set_phone(ticket: Ticket, e164: str, actor: str, now: datetime) -> None:
    """The number to call (checked by the caller). Neither number goes in the history: a
    report made anonymous later must keep none (R7)."""
    ticket.events.append(TicketEvent(at=now, actor=actor, kind="phone_corrected", detail={}))
    ticket.phone = e164
    ticket.updated_at = now


def set_address(ticket: Ticket, raw: str, parts: Address, actor: str, now: datetime) -> None:
    """Where the crew must go: the words (`raw`) and their parts; the estate stays when the
    parts name none."""
    detail = {"from": ticket.address_raw, "to": raw}
    ticket.events.append(TicketEvent(at=now, actor=actor, kind="address_corrected", detail=detail))
    ticket.address_raw = raw
    ticket.estate = parts.estate or ticket.estate
    ticket.building, ticket.unit, ticket.room = parts.building, parts.unit, parts.room
    ticket.updated_at = now
