"""The ticket workflow: which status may follow which, and the one function that changes a status.

Every status change — the dashboard, the dispatchers' Telegram buttons, the resident's follow-up
answer, closing a duplicate — goes through `change_status`. So none of them can skip the
workflow, forget the owner R13 asks for, let the SLA milestones disagree with the status, or
leave the event log without a trace.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.db import rows_changed
from bot.core.models import Ticket, TicketEvent, TicketStatus
from bot.core.tickets.milestones import set_status

NEW, ACKNOWLEDGED, IN_PROGRESS = TicketStatus.NEW, TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS
RESOLVED, CLOSED, REOPENED = TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.REOPENED


class Step(str, enum.Enum):
    """Who moves the ticket, and why: each kind of step has its own part of the table."""

    WORK = "work"  # a dispatcher moves it along (dashboard, Telegram group)
    FOLLOWUP = "followup"  # the resident's follow-up answer (R3): solved closes, not solved reopens
    DUPLICATE = "duplicate"  # marked a duplicate: closed, the work goes on in the original


# The one transition table: for each kind of step, from each status, the statuses it may go to.
TRANSITIONS: dict[Step, dict[TicketStatus, tuple[TicketStatus, ...]]] = {
    Step.WORK: {
        NEW: (ACKNOWLEDGED, IN_PROGRESS, RESOLVED, CLOSED),
        ACKNOWLEDGED: (IN_PROGRESS, RESOLVED, CLOSED),
        IN_PROGRESS: (RESOLVED,),
        RESOLVED: (CLOSED, REOPENED),
        CLOSED: (REOPENED,),
        REOPENED: (ACKNOWLEDGED, IN_PROGRESS, RESOLVED),
    },
    # The resident has the last word on their own problem, wherever the work stands: a ticket
    # nobody touched in 48 hours is reopened too, so that it comes back up with a higher priority.
    Step.FOLLOWUP: {
        NEW: (CLOSED, REOPENED),
        ACKNOWLEDGED: (CLOSED, REOPENED),
        IN_PROGRESS: (CLOSED, REOPENED),
        RESOLVED: (CLOSED, REOPENED),
        CLOSED: (REOPENED,),
        REOPENED: (CLOSED,),
    },
    Step.DUPLICATE: {status: (CLOSED,) for status in (NEW, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, REOPENED)},
}


class TransitionRefused(ValueError):
    """The workflow does not allow this change. The message is the dashboard's; other callers
    build their own from `code`, `current`, `target` and `allowed`."""

    def __init__(self, ticket: Ticket, target: TicketStatus, allowed: tuple[TicketStatus, ...]) -> None:
        self.code, self.current, self.target, self.allowed = ticket.code, ticket.status, target, allowed
        names = ", ".join(status.value for status in allowed) or "nothing"
        super().__init__(f"A ticket that is {ticket.status.value} can only become: {names}.")


class ReasonRequired(ValueError):
    """Closing a ticket whose work was never reported done (a duplicate, a report withdrawn, a
    prank) needs a note saying why: it is the only trace of what happened to the case (R6)."""

    def __init__(self, ticket: Ticket) -> None:
        self.code, self.current = ticket.code, ticket.status
        super().__init__(f"Closing a ticket that is {ticket.status.value}, not resolved, needs a note saying why.")


class OwnedByAnother(ValueError):
    """R13: one owner from first contact to closure. Another dispatcher moving or closing an owned
    ticket would leave the owner's case done behind their back, unanswered and counted as met."""

    def __init__(self, ticket: Ticket) -> None:
        self.code, self.owner = ticket.code, ticket.owner
        super().__init__(f"{ticket.code} is owned by {ticket.owner}; only they or an admin may change it.")


def refuse_unless_owner(ticket: Ticket, actor: str, *, is_admin: bool = False) -> None:
    """Raise OwnedByAnother when `actor` may not work this ticket: it has another owner and the
    actor is no admin. A ticket nobody owns yet may be worked by any dispatcher."""
    if ticket.owner is not None and ticket.owner != actor and not is_admin:
        raise OwnedByAnother(ticket)


def claim_owner(session: Session, ticket: Ticket, to: str) -> bool:
    """Make `to` the owner if the owner is still the one read. Of two dispatchers taking a ticket
    at the same moment, the second finds it taken (False, `ticket` read again), rather than taking
    it silently from the first, who was just told it is theirs (R13)."""
    owner_as_read = Ticket.owner.is_(None) if ticket.owner is None else Ticket.owner == ticket.owner
    changed = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, owner_as_read)
        .values(owner=to)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) != 1:
        session.refresh(ticket)
        return False
    set_committed_value(ticket, "owner", to)  # written already: no second UPDATE at the flush
    return True


def next_statuses(status: TicketStatus, step: Step = Step.WORK) -> tuple[TicketStatus, ...]:
    return TRANSITIONS[step].get(status, ())


def change_status(
    session: Session,
    ticket: Ticket,
    new_status: TicketStatus,
    actor: str,
    now: datetime,
    note: str | None = None,
    *,
    step: Step = Step.WORK,
) -> None:
    """Move `ticket` to `new_status` if the table allows it, else raise TransitionRefused and
    change nothing. Logs who did it; whoever acknowledges an unowned ticket owns it (R13).
    The caller owns `session` and commits (or rolls back on a refusal of a later step)."""
    allowed = next_statuses(ticket.status, step)
    if new_status not in allowed:
        raise TransitionRefused(ticket, new_status, allowed)
    if step is Step.WORK and new_status is CLOSED and ticket.status is not RESOLVED and not note:
        raise ReasonRequired(ticket)
    # The status as read, checked again as it is changed: of two dispatchers pressing 受理 at the
    # same moment, the second finds the ticket acknowledged and is refused, never made its owner.
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]  # an UPDATE's result has a rowcount
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == ticket.status)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(ticket)
        raise TransitionRefused(ticket, new_status, next_statuses(ticket.status, step))
    detail: dict[str, Any] = {"from": ticket.status.value, "to": new_status.value}
    if note:
        detail["note"] = note
    set_status(ticket, new_status, now)  # the SLA milestones and the queue's next deadline follow
    ticket.events.append(TicketEvent(at=now, actor=actor, kind="status_changed", detail=detail))
    if new_status is ACKNOWLEDGED and ticket.owner is None and claim_owner(session, ticket, actor):
        ticket.events.append(TicketEvent(at=now, actor=actor, kind="owner_changed", detail={"from": None, "to": actor}))
    if new_status is REOPENED and ticket.duplicate_of_id is not None:
        # Reopened, it is worked on its own again: no longer closed as another's duplicate.
        ticket.duplicate_of_id = None
        ticket.events.append(TicketEvent(at=now, actor=actor, kind="duplicate_unlinked", detail={}))
