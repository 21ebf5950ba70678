"""The SLA clock raises each warning and breach once, at the right moment (R1, R2, R4, R5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import Category, TicketStatus
from bot.core.tickets.alerts import check_deadlines, open_alerts
from bot.core.tickets.intake import change_status, create_ticket
from tests.unit.test_tickets import draft

CREATED = datetime(2025, 12, 1, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Zibo


def kinds(alerts) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(a.rule, a.deadline, a.kind) for a in alerts}


def test_leak_crew_warning_then_breach_r1(db_session: Session) -> None:
    create_ticket(db_session, draft(), get_settings(), now=CREATED)
    assert check_deadlines(db_session, CREATED + timedelta(minutes=19)) == []
    assert kinds(check_deadlines(db_session, CREATED + timedelta(minutes=20))) == {("R1", "onsite_due_at", "warning")}
    assert check_deadlines(db_session, CREATED + timedelta(minutes=25)) == []  # raised once only
    assert kinds(check_deadlines(db_session, CREATED + timedelta(minutes=30))) == {("R1", "onsite_due_at", "breach")}
    assert kinds(check_deadlines(db_session, CREATED + timedelta(minutes=50))) == {("R4", "response_due_at", "warning")}
    db_session.commit()
    assert len(open_alerts(db_session)) == 3


def test_kept_deadlines_raise_nothing(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    change_status(db_session, ticket, TicketStatus.IN_PROGRESS, actor="dispatcher", now=CREATED + timedelta(minutes=5))
    # Contact, handling opinion and crew on site were kept; only the 24-hour fix is still open.
    assert kinds(check_deadlines(db_session, CREATED + timedelta(hours=3))) == set()
    assert kinds(check_deadlines(db_session, CREATED + timedelta(hours=24))) == {("R2", "resolve_due_at", "breach")}
    change_status(db_session, ticket, TicketStatus.RESOLVED, actor="dispatcher", now=CREATED + timedelta(hours=25))
    assert check_deadlines(db_session, CREATED + timedelta(days=5)) == []


def test_complaint_answer_r5_warns_a_day_before_over_working_days(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.COMPLAINT), get_settings(), now=CREATED)
    change_status(db_session, ticket, TicketStatus.ACKNOWLEDGED, actor="dispatcher", now=CREATED)
    due = ticket.resolve_due_at
    assert due == CREATED + timedelta(days=7)  # Mon + 5 working days = next Mon
    assert check_deadlines(db_session, due - timedelta(hours=25)) == []
    assert kinds(check_deadlines(db_session, due - timedelta(hours=24))) == {("R5", "resolve_due_at", "warning")}
    assert kinds(check_deadlines(db_session, due)) == {("R5", "resolve_due_at", "breach")}
