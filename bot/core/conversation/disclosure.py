"""工单在工单页之外显示的内容:调度员的 Telegram 群和 CSV 导出。
What is shown of a ticket outside its page: in the dispatchers' Telegram group, in CSV exports.

A named ticket shows what it holds. An anonymous one (R7) shows no address below the estate,
since a building or a room number can point at the one resident who complained, and its words
with identifiers redacted (tickets stored before creation redacted them are covered too).
The ticket page, behind the dashboard's sign-in, keeps the full address a crew needs.
"""

from __future__ import annotations

from bot.core.models import Ticket
from bot.core.text.redaction import redact_identifiers


def shown_description(ticket: Ticket) -> str:
    return redact_identifiers(ticket.description) if ticket.anonymous else ticket.description


def shown_address_parts(ticket: Ticket) -> tuple[str | None, str | None, str | None, str | None]:
    """Estate, building, unit, room as they may be shown."""
    if ticket.anonymous:
        return ticket.estate, None, None, None
    return ticket.estate, ticket.building, ticket.unit, ticket.room


def shown_address_raw(ticket: Ticket) -> str | None:
    """The address as typed; for an anonymous ticket only its estate (the words may say more)."""
    return ticket.estate if ticket.anonymous else ticket.address_raw


def hides_address(ticket: Ticket) -> bool:
    """Whether the ticket holds more of the address than may be shown (the page has it)."""
    more_parts = any((ticket.building, ticket.unit, ticket.room))
    return ticket.anonymous and (more_parts or (ticket.address_raw is not None and ticket.estate is None))
