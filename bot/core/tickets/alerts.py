"""The SLA clock: alert dispatchers shortly before and at a breach of R1, R2, R4 and R5."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.models import Alert, Ticket, TicketEvent
from bot.core.tickets.milestones import DEADLINES, FINISHED, LONG_LEAD, Deadline


def lead_for(deadline: Deadline, ticket: Ticket) -> timedelta:
    return LONG_LEAD if deadline.rule(ticket) == "R5" else deadline.lead


def check_deadlines(session: Session, now: datetime) -> list[Alert]:
    """Raise the warnings and breaches that are due now; each one only once."""
    open_tickets = session.scalars(select(Ticket).where(Ticket.status.not_in(FINISHED)).order_by(Ticket.id)).all()
    raised: list[Alert] = []
    for ticket in open_tickets:
        for deadline in DEADLINES:
            due = getattr(ticket, deadline.field)
            if due is None or ticket.status in deadline.met_in:
                continue
            if now >= due:
                kind = "breach"
            elif now >= due - lead_for(deadline, ticket):
                kind = "warning"
            else:
                continue
            alert = raise_alert(session, ticket, deadline.rule(ticket), deadline.field, kind, due, now)
            if alert is not None:
                raised.append(alert)
    return raised


def raise_alert(
    session: Session,
    ticket: Ticket,
    rule: str,
    deadline: str,
    kind: str,
    due_at: datetime | None,
    now: datetime,
) -> Alert | None:
    """Store an alert unless the same one exists (the unique key settles races between workers)."""
    exists = session.scalar(
        select(Alert.id).where(Alert.ticket_id == ticket.id, Alert.deadline == deadline, Alert.kind == kind)
    )
    if exists is not None:
        return None
    alert = Alert(ticket_id=ticket.id, rule=rule, deadline=deadline, kind=kind, due_at=due_at, created_at=now)
    try:
        with session.begin_nested():
            session.add(alert)
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    at=now,
                    actor="bot",
                    kind="alert",
                    detail={"rule": rule, "deadline": deadline, "alert": kind},
                )
            )
    except IntegrityError:
        return None
    return alert


def open_alerts(session: Session) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.acknowledged_at.is_(None)).order_by(Alert.id.desc())))
