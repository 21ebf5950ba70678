"""A ticket's deadlines, the milestones that meet them, and its status.

The one table of which milestone meets which deadline, and which statuses reach which milestone:
the SLA clock (alerts.py), the queue's sort key and the dashboard's statistics all read it.
`set_status` keeps the milestones and the queue's sort key (`next_due_at`) in step with the
status; only `bot.core.tickets.workflow.change_status` calls it, after checking that the
transition is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.models import Category, Ticket, TicketStatus

# Each milestone and the statuses that show it was reached.
ANSWERED = frozenset({TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED})
ON_SITE = frozenset({TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED})
FINISHED = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
MILESTONE_STATUSES = {"acknowledged_at": ANSWERED, "onsite_at": ON_SITE, "resolved_at": FINISHED}
SHORT_LEAD = timedelta(minutes=10)  # warning ahead of minutes-long deadlines (R1, R2, R4)
LONG_LEAD = timedelta(hours=24)  # warning ahead of working-day deadlines (R5)


@dataclass(frozen=True)
class Deadline:
    field: str  # the ticket's due time
    milestone: str  # the ticket's time of the milestone that meets it
    lead: timedelta

    @property
    def met_in(self) -> frozenset[TicketStatus]:
        """The statuses that show the deadline was kept."""
        return MILESTONE_STATUSES[self.milestone]

    def rule(self, ticket: Ticket) -> str:
        return rule_for(self.field, ticket.category)


def rule_for(field: str, category: Category) -> str:
    """Which of the company's rules a deadline of a ticket of this category comes from."""
    if field == "response_due_at":
        return "R4"
    if category is Category.REPORT_LEAK:
        return "R1"
    if category is Category.REPORT_REPAIR:
        return "R2"
    return "R5"


DEADLINES = (
    Deadline("response_due_at", "acknowledged_at", SHORT_LEAD),  # handling opinion: acknowledged in time
    Deadline("contact_due_at", "acknowledged_at", SHORT_LEAD),  # the resident was called
    Deadline("onsite_due_at", "onsite_at", SHORT_LEAD),  # crew on site: in progress
    Deadline("resolve_due_at", "resolved_at", SHORT_LEAD),  # fixed (R2) or answered (R5)
)


# Closing records no call and no crew on site that never happened: a ticket closed straight from
# 新 (a duplicate, a report withdrawn) keeps those milestones empty, and the statistics (R14)
# do not count its deadlines as kept.
NOT_REACHED_BY_CLOSING = frozenset({"acknowledged_at", "onsite_at"})


def set_status(ticket: Ticket, status: TicketStatus, now: datetime) -> None:
    ticket.status = status
    ticket.updated_at = now
    for milestone, statuses in MILESTONE_STATUSES.items():
        if status is TicketStatus.CLOSED and milestone in NOT_REACHED_BY_CLOSING:
            continue
        if status in statuses and getattr(ticket, milestone) is None:
            setattr(ticket, milestone, now)
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
