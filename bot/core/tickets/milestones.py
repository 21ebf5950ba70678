"""A ticket's status and what follows from it: the SLA milestones reached and the next deadline.

`set_status` keeps the milestones and the queue's sort key (`next_due_at`) in step with the
status. Only `bot.core.tickets.workflow.change_status` calls it, after checking that the transition is allowed.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.models import Ticket, TicketStatus
from bot.core.tickets.alerts import ANSWERED, DEADLINES, FINISHED, ON_SITE


def set_status(ticket: Ticket, status: TicketStatus, now: datetime) -> None:
    ticket.status = status
    ticket.updated_at = now
    if status in ANSWERED and ticket.acknowledged_at is None:
        ticket.acknowledged_at = now
    if status in ON_SITE and ticket.onsite_at is None:
        ticket.onsite_at = now
    if status in FINISHED and ticket.resolved_at is None:
        ticket.resolved_at = now
    if status is TicketStatus.REOPENED:
        ticket.resolved_at = None  # the fix did not hold: the resolve deadline counts again
    refresh_next_due(ticket)


def refresh_next_due(ticket: Ticket) -> None:
    """The nearest deadline the ticket has not met yet (none once it is finished)."""
    pending = [
        (due, deadline.rule(ticket))
        for deadline in DEADLINES
        if (due := getattr(ticket, deadline.field)) is not None and ticket.status not in deadline.met_in
    ]
    if ticket.status in FINISHED or not pending:
        ticket.next_due_at, ticket.next_due_rule = None, None
        return
    ticket.next_due_at, ticket.next_due_rule = min(pending, key=lambda item: item[0])
