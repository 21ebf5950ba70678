"""What a resident adds to their own open ticket ("HL-4F7K2P 水越来越大了"): kept on the ticket,
and dispatchers alerted, instead of a second ticket for the same fault (R13: one owner, one case)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.models import Ticket, TicketEvent
from bot.core.tickets.alerts import raise_alert
from bot.core.tickets.milestones import FINISHED

KIND = "resident_added"
MAX_CHARS = 1000
# What a dispatcher writes to the chat is logged so (bot/dashboard/ticket_work.py); the next words
# of the chat within this long are taken as the answer to it.
STAFF_REPLY = "reply_sent"
ANSWER_WITHIN = timedelta(hours=24)


def can_add_to(ticket: Ticket, sender_ref: str) -> bool:
    """Only the chat that filed the ticket adds to it (a code alone is no proof: anyone who has
    it may ask how it goes, not speak for the resident), and only while it is open."""
    return ticket.sender_ref is not None and ticket.sender_ref == sender_ref and ticket.status not in FINISHED


def add_to_ticket(session: Session, ticket: Ticket, text: str, now: datetime) -> None:
    """Log the resident's words on the ticket and raise an alert of their own: each addition
    is news a dispatcher must read (the leak got worse, the resident is waiting)."""
    number = 1 + sum(event.kind == KIND for event in ticket.events)
    ticket.events.append(TicketEvent(at=now, actor="resident", kind=KIND, detail={"text": text[:MAX_CHARS]}))
    ticket.updated_at = now
    raise_alert(session, ticket, "R13", f"resident#{number}", "resident_added", None, now)


def awaits_answer_to_staff(ticket: Ticket, now: datetime) -> bool:
    """Whether a dispatcher wrote to the chat lately and the resident has not added anything to
    the ticket since: the resident's next words ("好的,我下午在家") answer it, and belong on the
    ticket. Other events between (an SLA alert, a note) change nothing."""
    for event in reversed(ticket.events):
        if event.kind == KIND:
            return False
        if event.kind == STAFF_REPLY:
            return event.at >= now - ANSWER_WITHIN
    return False
