"""The one transition table and `change_status`, on SQLite and PostgreSQL: what each kind of step
may do from each status, that a refusal changes nothing, and the owner of R13."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import product

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import Category, Ticket, TicketEvent, TicketStatus
from bot.core.tickets.followups import record_answer
from bot.core.tickets.intake import create_ticket
from bot.core.tickets.workflow import ReasonRequired, Step, TransitionRefused, change_status, next_statuses
from bot.dashboard.ticket_work import WorkError, take_ownership
from tests.unit.test_tickets import draft

S = TicketStatus
CREATED = datetime(2025, 12, 1, 2, 0, tzinfo=timezone.utc)
LATER = CREATED + timedelta(minutes=20)

# The dashboard's workflow as the README describes it: new → acknowledged → in progress →
# resolved → closed, reopened when needed. Written out here so that a change to the table shows.
DISPATCHER_MOVES = {
    S.NEW: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
    S.REOPENED: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED},
}


def expected(step: Step, current: TicketStatus, target: TicketStatus) -> bool:
    if step is Step.WORK:
        return target in DISPATCHER_MOVES[current]
    if step is Step.FOLLOWUP:  # the resident's answer closes or reopens, from wherever the work is
        return target in (S.CLOSED, S.REOPENED) and target is not current
    return target is S.CLOSED and current is not S.CLOSED  # a duplicate is closed


def ticket_in(session: Session, status: TicketStatus) -> Ticket:
    ticket = create_ticket(session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    ticket.status = status
    session.flush()
    return ticket


def as_stored(session: Session, ticket_id: int) -> tuple:  # type: ignore[type-arg]
    ticket = session.get_one(Ticket, ticket_id, populate_existing=True)
    events = session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    ).all()
    return (ticket.status, ticket.owner, ticket.updated_at, ticket.acknowledged_at, ticket.onsite_at,
            ticket.resolved_at, ticket.next_due_at, list(events))  # fmt: skip


def test_every_transition_is_allowed_or_refused_as_the_table_says(db_session: Session) -> None:
    for step, current, target in product(Step, S, S):
        ticket = ticket_in(db_session, current)
        db_session.commit()
        before = as_stored(db_session, ticket.id)
        if expected(step, current, target):
            change_status(db_session, ticket, target, "dispatcher:li", LATER, "why", step=step)
            db_session.commit()
            after = as_stored(db_session, ticket.id)
            assert after[0] is target, (step, current, target)
            assert after[-1][-1] in ("status_changed", "owner_changed")
        else:
            with pytest.raises(TransitionRefused) as refused:
                change_status(db_session, ticket, target, "dispatcher:li", LATER, step=step)
            db_session.commit()
            assert as_stored(db_session, ticket.id) == before, (step, current, target)
            assert (refused.value.code, refused.value.current, refused.value.target) == (ticket.code, current, target)
    assert {status: set(next_statuses(status)) for status in S} == DISPATCHER_MOVES


def test_a_refusal_says_what_the_ticket_can_become(db_session: Session) -> None:
    ticket = ticket_in(db_session, S.CLOSED)
    with pytest.raises(TransitionRefused, match=r"A ticket that is closed can only become: reopened\."):
        change_status(db_session, ticket, S.RESOLVED, "telegram-dispatcher:4242", LATER)


def test_the_first_to_acknowledge_owns_the_ticket(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    change_status(db_session, ticket, S.ACKNOWLEDGED, "telegram-dispatcher:4242", LATER)
    db_session.commit()
    assert ticket.owner == "telegram-dispatcher:4242"
    owner_events = [(e.actor, e.detail) for e in ticket.events if e.kind == "owner_changed"]
    assert owner_events == [("telegram-dispatcher:4242", {"from": None, "to": "telegram-dispatcher:4242"})]
    for status, actor in ((S.RESOLVED, "wang"), (S.REOPENED, "resident"), (S.ACKNOWLEDGED, "wang")):
        change_status(
            db_session, ticket, status, actor, LATER, step=Step.FOLLOWUP if actor == "resident" else Step.WORK
        )
    db_session.commit()
    assert ticket.owner == "telegram-dispatcher:4242"  # R13: one owner to closure; only an admin hands over
    assert [e.kind for e in ticket.events].count("owner_changed") == 1


def test_the_sla_milestones_follow_the_status(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    assert ticket.next_due_rule == "R2" and ticket.next_due_at == ticket.contact_due_at
    change_status(db_session, ticket, S.IN_PROGRESS, "li", LATER)
    assert (ticket.acknowledged_at, ticket.onsite_at) == (LATER, LATER)
    assert ticket.next_due_at == ticket.resolve_due_at  # only the 24-hour fix is left
    change_status(db_session, ticket, S.RESOLVED, "li", LATER + timedelta(hours=1), note="换了阀门")
    assert ticket.resolved_at == LATER + timedelta(hours=1) and ticket.next_due_at is None
    change_status(db_session, ticket, S.REOPENED, "resident", LATER + timedelta(days=2), step=Step.FOLLOWUP)
    assert ticket.resolved_at is None and ticket.next_due_at is not None  # its deadlines count again
    db_session.commit()
    changes = [(e.actor, e.detail) for e in ticket.events if e.kind == "status_changed"]
    assert changes == [
        ("li", {"from": "new", "to": "in_progress"}),
        ("li", {"from": "in_progress", "to": "resolved", "note": "换了阀门"}),
        ("resident", {"from": "resolved", "to": "reopened"}),
    ]


def test_a_rating_for_a_ticket_already_closed_changes_no_status(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    change_status(db_session, ticket, S.CLOSED, "li", LATER, "居民说已经好了")
    record_answer(
        db_session, ticket, get_settings(), solved=True, satisfaction=4, comment=None, now=LATER + timedelta(days=2)
    )
    db_session.commit()
    assert ticket.status is S.CLOSED and ticket.satisfaction == 4
    assert [e.kind for e in ticket.events].count("status_changed") == 1


def test_closing_a_ticket_never_resolved_needs_a_note_and_records_no_visit(db_session: Session) -> None:
    ticket = ticket_in(db_session, S.NEW)
    with pytest.raises(ReasonRequired):
        change_status(db_session, ticket, S.CLOSED, "dispatcher:li", LATER)
    change_status(db_session, ticket, S.CLOSED, "dispatcher:li", LATER, "居民撤回了报修")
    db_session.commit()
    # No call and no crew on site were recorded that never happened (R14 counts them as missed).
    assert ticket.status is S.CLOSED and ticket.acknowledged_at is None and ticket.onsite_at is None


def test_of_two_dispatchers_acknowledging_at_once_the_second_is_refused(db_session: Session) -> None:
    ticket = ticket_in(db_session, S.NEW)
    db_session.commit()
    with Session(db_session.get_bind()) as other:
        same = other.get_one(Ticket, ticket.id)  # both read it as new
        assert same.status is S.NEW and ticket.status is S.NEW
        change_status(db_session, ticket, S.ACKNOWLEDGED, "wang", LATER)
        db_session.commit()
        with pytest.raises(TransitionRefused):
            change_status(other, same, S.ACKNOWLEDGED, "li", LATER)
        other.commit()
    db_session.refresh(ticket)
    assert ticket.owner == "wang"
    assert [e.kind for e in ticket.events].count("status_changed") == 1


def test_of_two_dispatchers_taking_an_unowned_ticket_at_once_the_second_is_refused(db_session: Session) -> None:
    """Attacker's finding: wang and zhao pressing "take ownership" at the same moment were both
    told they owned the ticket, and the second silently took it from the first."""
    ticket = ticket_in(db_session, S.NEW)
    db_session.commit()
    with Session(db_session.get_bind()) as other:
        same = other.get_one(Ticket, ticket.id)  # both read it as nobody's
        assert same.owner is None and ticket.owner is None
        take_ownership(db_session, ticket, "wang", LATER, is_admin=False)
        db_session.commit()
        with pytest.raises(WorkError):
            take_ownership(other, same, "zhao", LATER, is_admin=False)
        other.commit()
    db_session.refresh(ticket)
    assert ticket.owner == "wang"
    assert [e.kind for e in ticket.events].count("owner_changed") == 1
