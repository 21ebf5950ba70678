"""Follow-up bookkeeping (R3) on SQLite and PostgreSQL: due times, quiet hours, claims, answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import Alert, FollowupState, Priority, TicketStatus
from bot.core.tickets.followups import (
    Window,
    claim,
    due_for_sending,
    expire_unanswered,
    mark_sent,
    record_answer,
    release,
)
from bot.core.tickets.intake import create_ticket
from tests.unit.test_tickets import draft

TZ = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2025, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 local
DAY = timedelta(hours=24)


def test_window_and_quiet_hours() -> None:
    window = Window.parse("08:00-21:00")
    assert window.contains(datetime(2025, 12, 3, 10, tzinfo=TZ), TZ)
    assert not window.contains(datetime(2025, 12, 3, 22, tzinfo=TZ), TZ)
    night = datetime(2025, 12, 3, 23, 30, tzinfo=TZ)
    assert window.next_open(night, TZ) == datetime(2025, 12, 4, 8, 0, tzinfo=TZ)
    early = datetime(2025, 12, 4, 6, 0, tzinfo=TZ)
    assert window.next_open(early, TZ) == datetime(2025, 12, 4, 8, 0, tzinfo=TZ)
    overnight = Window.parse("22:00-02:00")
    assert overnight.contains(datetime(2025, 12, 3, 23, tzinfo=TZ), TZ)
    assert overnight.contains(datetime(2025, 12, 4, 1, tzinfo=TZ), TZ)
    assert overnight.next_open(datetime(2025, 12, 4, 3, tzinfo=TZ), TZ) == datetime(2025, 12, 4, 22, tzinfo=TZ)
    with pytest.raises(ValueError, match="08:00-21:00"):
        Window.parse("morning")


def test_due_only_after_48_hours(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    db_session.commit()
    assert ticket.followup_state is FollowupState.SCHEDULED
    assert due_for_sending(db_session, CREATED + timedelta(hours=47, minutes=59), DAY) == []
    assert [t.id for t in due_for_sending(db_session, CREATED + timedelta(hours=48), DAY)] == [ticket.id]


def test_anonymous_ticket_is_never_pushed(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(anonymous=True), get_settings(), now=CREATED)
    db_session.commit()
    assert ticket.followup_state is FollowupState.SKIPPED
    assert due_for_sending(db_session, CREATED + 10 * DAY, DAY) == []


def test_only_one_claim_wins(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    db_session.commit()
    now = CREATED + 3 * DAY
    other = Session(db_session.get_bind(), expire_on_commit=False)
    assert [t.id for t in due_for_sending(other, now, DAY)] == [ticket.id]  # B saw it due too
    other.commit()
    assert claim(db_session, ticket.id, "worker-a", now, DAY)
    db_session.commit()
    assert not claim(other, ticket.id, "worker-b", now, DAY)  # A's claim: B's UPDATE matches nothing
    other.commit()
    other.close()
    assert not mark_sent(db_session, ticket.id, "worker-b", now)
    assert mark_sent(db_session, ticket.id, "worker-a", now)
    db_session.commit()
    assert ticket.followup_state is FollowupState.SENT and ticket.followup_sent_at == now


def test_a_dead_workers_claim_is_taken_over_after_the_lease(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    now = CREATED + 3 * DAY
    assert claim(db_session, ticket.id, "dead-worker", now, DAY)
    db_session.commit()
    assert due_for_sending(db_session, now + timedelta(minutes=5), DAY) == []
    stale = due_for_sending(db_session, now + timedelta(minutes=11), DAY)
    assert [t.id for t in stale] == [ticket.id]
    assert claim(db_session, stale[0].id, "new-worker", now + timedelta(minutes=11), DAY)
    assert not claim(db_session, ticket.id, "third-worker", now + timedelta(minutes=11), DAY)


def test_failed_send_is_released_for_the_next_run(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    now = CREATED + 3 * DAY
    assert claim(db_session, ticket.id, "w", now, DAY)
    release(db_session, ticket.id, "w")
    db_session.commit()
    assert ticket.followup_state is FollowupState.SCHEDULED
    assert [t.id for t in due_for_sending(db_session, now, DAY)] == [ticket.id]


def test_silence_gets_one_reminder_then_no_response(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    sent_at = CREATED + 2 * DAY
    assert claim(db_session, ticket.id, "w", sent_at, DAY) and mark_sent(db_session, ticket.id, "w", sent_at)
    db_session.commit()
    assert due_for_sending(db_session, sent_at + timedelta(hours=23), DAY) == []
    reminder_due = due_for_sending(db_session, sent_at + DAY, DAY)
    assert [t.id for t in reminder_due] == [ticket.id]
    assert not claim(db_session, ticket.id, "w", sent_at + timedelta(hours=23), DAY)  # not yet due
    assert claim(db_session, reminder_due[0].id, "w", sent_at + DAY, DAY)
    assert mark_sent(db_session, ticket.id, "w", sent_at + DAY)
    db_session.commit()
    assert ticket.followup_state is FollowupState.REMINDED
    assert (
        expire_unanswered(db_session, sent_at + DAY + timedelta(hours=23), DAY, get_settings().resolved_secret_key())
        == []
    )
    assert expire_unanswered(db_session, sent_at + 2 * DAY, DAY, get_settings().resolved_secret_key()) == [ticket]
    db_session.commit()
    assert ticket.followup_state is FollowupState.NO_RESPONSE
    assert [e.kind for e in ticket.events][-1] == "followup_no_response"
    assert due_for_sending(db_session, sent_at + 5 * DAY, DAY) == []


def test_solved_answer_closes_with_rating(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=CREATED)
    record_answer(
        db_session, ticket, get_settings(), solved=True, satisfaction=5, comment="师傅很好", now=CREATED + 2 * DAY
    )
    db_session.commit()
    assert ticket.status is TicketStatus.CLOSED and ticket.followup_state is FollowupState.SOLVED
    assert (ticket.satisfaction, ticket.satisfaction_comment) == (5, "师傅很好")


def test_not_solved_reopens_with_higher_priority_and_an_alert(db_session: Session) -> None:
    from bot.core.models import Category

    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=CREATED)
    record_answer(
        db_session, ticket, get_settings(), solved=False, satisfaction=None, comment=None, now=CREATED + 2 * DAY
    )
    db_session.commit()
    assert ticket.status is TicketStatus.REOPENED and ticket.priority is Priority.HIGH
    alerts = db_session.scalars(select(Alert).where(Alert.ticket_id == ticket.id)).all()
    assert [(a.rule, a.kind) for a in alerts] == [("R3", "not_solved")]


def test_a_burst_of_due_follow_ups_is_handed_out_batch_by_batch_in_the_order_they_fell_due(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outage's hundreds of tickets fall due together: the sender goes on from one batch to
    the next (after=) instead of stopping at the first hundred."""
    import bot.core.tickets.followups as followups

    monkeypatch.setattr(followups, "BATCH", 2)
    ids = [create_ticket(db_session, draft(), get_settings(), now=CREATED + timedelta(minutes=i)).id for i in range(5)]
    db_session.commit()
    now, handed_out, after = CREATED + 3 * DAY, [], None
    while batch := due_for_sending(db_session, now, DAY, after):
        handed_out += [ticket.id for ticket in batch]
        after = (batch[-1].followup_due_at, batch[-1].id)
    assert handed_out == ids
