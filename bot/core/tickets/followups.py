"""The 48-hour follow-up of R3: when it is due, who may send it, and what the answer does.

The due time lives on the ticket, so nothing depends on a scheduler's memory. A worker may send
a follow-up only after winning a conditional UPDATE (the claim); that is what keeps each one
exactly once with several application processes on one database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cryptography.fernet import InvalidToken
from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.core.conversation.handles import open_handle
from bot.core.conversation.privacy import forget_sender
from bot.core.db import rows_changed
from bot.core.models import Category, FollowupState, Priority, Ticket, TicketEvent, TicketStatus
from bot.core.outages.register import reopen_as_repair
from bot.core.text.redaction import anonymous_words
from bot.core.tickets.alerts import raise_alert
from bot.core.tickets.workflow import Step, change_status

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings

log = logging.getLogger(__name__)

LOW_RATING = 2  # a rating at or below this is shown to the dispatchers as an alert
CLAIM_LEASE = timedelta(minutes=10)  # a claim older than this belonged to a worker that died
# When a chat may take part in a ticket's follow-up. ASKING: a worker holds the claim and is
# having Rasa ask right now. AWAITING_ANSWER: the ask (or the reminder) went out, no answer yet.
ASKING = frozenset({FollowupState.SENDING})
AWAITING_ANSWER = frozenset({FollowupState.SENT, FollowupState.REMINDED})


@dataclass(frozen=True)
class Window:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Window:
        """Read '08:00-21:00'."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as error:
            raise ValueError(f"Follow-up window {text!r} is not like '08:00-21:00'.") from error
        return cls(start, end)

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        local = moment.astimezone(tz).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # a window across midnight, "22:00-02:00"

    def next_open(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """`moment` itself if inside the window, else the next opening (quiet hours wait)."""
        if self.contains(moment, tz):
            return moment
        local = moment.astimezone(tz)
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=tz).astimezone(moment.tzinfo)


def is_reachable(ticket: Ticket) -> bool:
    return ticket.sender_ref is not None or ticket.followup_handle is not None


class HandleUnreadable(Exception):
    """A ticket's sealed handle this application's key cannot open (sealed with another key, or
    damaged): its resident cannot be written to, by this process at least."""


def conversation_of(ticket: Ticket, secret_key: str) -> str | None:
    """The chat to write the follow-up to; for anonymous tickets, opened from the sealed handle."""
    if ticket.sender_ref is not None:
        return ticket.sender_ref
    if not ticket.followup_handle:
        return None
    try:
        return open_handle(ticket.followup_handle, secret_key)
    except InvalidToken as error:
        raise HandleUnreadable(f"The follow-up handle of {ticket.code} cannot be opened") from error


def is_bound_to(ticket: Ticket, sender: str, states: frozenset[FollowupState], secret_key: str) -> bool:
    """Whether `sender` is the chat this ticket's follow-up was sent to, while it is in `states`.

    The conversation engine only obeys the application's trigger, but a tracker can still carry
    a code it should not (a forged request, a stale slot): without this, any chat that knows a
    code could close someone else's ticket, rate it, or hear what it was about.
    """
    return ticket.followup_state in states and conversation_of(ticket, secret_key) == sender


def end_followup(session: Session, ticket: Ticket, secret_key: str) -> None:
    """An anonymous resident's way back is deleted, with the follow-up's messages' sender (R7)."""
    if ticket.anonymous and ticket.followup_handle:
        try:
            forget_sender(session, ticket.channel, open_handle(ticket.followup_handle, secret_key))
        except InvalidToken:  # the way back cannot be opened, so it leads nowhere: dropped all the same
            log.warning("The follow-up handle of %s cannot be opened; it is dropped", ticket.code)
        ticket.followup_handle = None


def stop_followups(session: Session, sender: str, now: datetime) -> list[Ticket]:
    """The chat asked not to be written to: its tickets' follow-ups not yet answered are not sent
    (one being sent at this moment is left to finish). The tickets' work goes on."""
    tickets = session.scalars(
        select(Ticket).where(
            Ticket.sender_ref == sender,
            Ticket.followup_state.in_((FollowupState.SCHEDULED, *AWAITING_ANSWER)),
        )
    ).all()
    for ticket in tickets:
        ticket.followup_state = FollowupState.SKIPPED
        ticket.events.append(TicketEvent(at=now, actor="resident", kind="followup_declined", detail={}))
    return list(tickets)


def initial_state(ticket: Ticket) -> FollowupState:
    return FollowupState.SCHEDULED if is_reachable(ticket) else FollowupState.SKIPPED


def _is_due(now: datetime, reminder_after: timedelta) -> ColumnElement[bool]:
    """First asks and reminders that are due now, and claims abandoned by a dead worker."""
    return or_(
        (Ticket.followup_state == FollowupState.SCHEDULED) & (Ticket.followup_due_at <= now),
        (Ticket.followup_state == FollowupState.SENT) & (Ticket.followup_sent_at <= now - reminder_after),
        (Ticket.followup_state == FollowupState.SENDING) & (Ticket.followup_claimed_at <= now - CLAIM_LEASE),
    )


# How many due follow-ups one query hands out; a run goes on to the next batch (after=) until done.
BATCH = 100


def due_for_sending(
    session: Session, now: datetime, reminder_after: timedelta, after: tuple[datetime, int] | None = None
) -> list[Ticket]:
    """The follow-ups due now, in the order they fell due, a batch at a time: `after` is the
    (due time, id) of the last one of the batch before."""
    # A first ask held back behind another of its chat's (another_awaits_answer) is left out here,
    # or such tickets would be handed out again in every batch.
    other = aliased(Ticket)
    held_back = (Ticket.followup_state == FollowupState.SCHEDULED) & exists().where(
        other.sender_ref == Ticket.sender_ref, other.id != Ticket.id, other.followup_state.in_(ASKING | AWAITING_ANSWER)
    )
    query = select(Ticket).where(_is_due(now, reminder_after), ~held_back)
    if after is not None:
        due_at, ticket_id = after
        query = query.where(
            or_(Ticket.followup_due_at > due_at, (Ticket.followup_due_at == due_at) & (Ticket.id > ticket_id))
        )
    query = query.order_by(Ticket.followup_due_at, Ticket.id).limit(BATCH).execution_options(populate_existing=True)
    return list(session.scalars(query))


def another_awaits_answer(session: Session, ticket: Ticket, sender: str, secret_key: str) -> bool:
    """Whether the chat `sender` already has another ticket's follow-up out (being asked, or
    waiting for its answer). Asked on top of it, the second question would take the first one's
    place: its buttons die, and "已解决" typed for the first answers the wrong ticket. So the
    second waits until the first is answered or expires."""
    pending = ASKING | AWAITING_ANSWER
    others = select(Ticket).where(Ticket.id != ticket.id, Ticket.followup_state.in_(pending))
    if session.scalars(others.where(Ticket.sender_ref == sender).limit(1)).first() is not None:
        return True
    # Anonymous tickets keep their way back sealed: the few out now are opened one by one.
    for anonymous in session.scalars(others.where(Ticket.followup_handle.is_not(None))):
        try:
            if conversation_of(anonymous, secret_key) == sender:
                return True
        except HandleUnreadable:
            continue
    return False


def claim(session: Session, ticket_id: int, worker: str, now: datetime, reminder_after: timedelta) -> bool:
    """Take the right to send this ticket's follow-up; only one worker ever wins.

    The UPDATE re-checks that the follow-up is still due: a worker whose list is stale (another
    one sent it meanwhile, or took over the dead claim) matches no row.
    """
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, _is_due(now, reminder_after))
        .values(followup_state=FollowupState.SENDING, followup_claim=worker, followup_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def mark_sent(session: Session, ticket_id: int, worker: str, now: datetime) -> bool:
    """Record the ask (or the reminder) as sent, if this worker still holds the claim."""
    ticket = session.get_one(Ticket, ticket_id, populate_existing=True)
    if ticket.followup_state is not FollowupState.SENDING or ticket.followup_claim != worker:
        return False
    reminder = ticket.followup_sent_at is not None
    ticket.followup_state = FollowupState.REMINDED if reminder else FollowupState.SENT
    ticket.followup_claim = None
    if reminder:
        ticket.followup_reminded_at = now
    else:
        ticket.followup_sent_at = now
    kind = "followup_reminded" if reminder else "followup_sent"
    ticket.events.append(TicketEvent(at=now, actor="bot", kind=kind, detail={}))
    return True


def release(session: Session, ticket_id: int, worker: str) -> None:
    """Give the claim back after a failed send, so the next run tries again."""
    ticket = session.get_one(Ticket, ticket_id, populate_existing=True)
    if ticket.followup_state is FollowupState.SENDING and ticket.followup_claim == worker:
        ticket.followup_state = FollowupState.SENT if ticket.followup_sent_at is not None else FollowupState.SCHEDULED
        ticket.followup_claim = None


def expire_unanswered(session: Session, now: datetime, reminder_after: timedelta, secret_key: str) -> list[Ticket]:
    """Reminded and still silent a day later: record 'no response' (R3: follow-ups are recorded)."""
    tickets = session.scalars(
        select(Ticket).where(
            Ticket.followup_state == FollowupState.REMINDED,
            Ticket.followup_reminded_at <= now - reminder_after,
        )
    ).all()
    for ticket in tickets:
        ticket.followup_state = FollowupState.NO_RESPONSE
        ticket.updated_at = now
        end_followup(session, ticket, secret_key)
        ticket.events.append(TicketEvent(at=now, actor="bot", kind="followup_no_response", detail={}))
    return list(tickets)


def record_answer(
    session: Session,
    ticket: Ticket,
    settings: Settings,
    *,
    solved: bool,
    satisfaction: int | None,
    comment: str | None,
    now: datetime,
) -> None:
    """Close a solved ticket with its rating, or reopen an unsolved one with a higher priority.

    A ticket closed as a duplicate stays closed: its work went on in the original, so "not
    solved" brings the original back up, with this resident's words in its history.
    The caller checks that the answer may be taken (`is_bound_to(..., AWAITING_ANSWER)`).
    """
    if comment and ticket.anonymous:  # "我叫吴小红,住602…" in an anonymous ticket's comment (R7)
        comment = anonymous_words(comment, ticket.language, complaint=ticket.category is Category.COMPLAINT)
    detail = {"solved": solved, "satisfaction": satisfaction, "comment": comment}
    ticket.events.append(TicketEvent(at=now, actor="resident", kind="followup_answered", detail=detail))
    worked = ticket if solved else where_the_work_is(session, ticket)
    if worked is not ticket:
        told = {"duplicate": ticket.code, "comment": comment}
        worked.events.append(TicketEvent(at=now, actor="resident", kind="duplicate_not_solved", detail=told))
    target = TicketStatus.CLOSED if solved else TicketStatus.REOPENED
    if worked.status is not target:  # a dispatcher may have closed it already; a rating is still welcome
        change_status(session, worked, target, "resident", now, step=Step.FOLLOWUP)
    if solved:
        ticket.followup_state = FollowupState.SOLVED
        ticket.satisfaction = satisfaction
        ticket.satisfaction_comment = comment or None
        if satisfaction is not None and satisfaction <= LOW_RATING:
            # Closed as the resident said, and a dispatcher reads why ("1分…墙被泡坏了 谁赔", R6).
            raise_alert(session, ticket, "R3", "followup", "low_rating", None, now)
    else:
        ticket.followup_state = FollowupState.NOT_SOLVED
        worked.priority = raise_priority(worked.priority)
        if worked.outage_id is not None:  # linked to an outage, and the heat is still not back
            reopen_as_repair(worked, now, settings.tz)
        raise_alert(session, worked, "R3", "followup", "not_solved", None, now)
        worked.updated_at = now
    ticket.updated_at = now
    end_followup(session, ticket, settings.resolved_secret_key())


def where_the_work_is(session: Session, ticket: Ticket) -> Ticket:
    """The ticket itself, or for one closed as a duplicate, the original its work went on in."""
    if ticket.duplicate_of_id is None:
        return ticket
    return session.get_one(Ticket, ticket.duplicate_of_id)


def raise_priority(priority: Priority) -> Priority:
    return Priority.URGENT if priority in (Priority.HIGH, Priority.URGENT) else Priority.HIGH
