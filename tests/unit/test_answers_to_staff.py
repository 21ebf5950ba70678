"""Which words in a chat answer a dispatcher's message (bot/core/tickets/additions.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.models import Ticket, TicketEvent
from bot.core.tickets.additions import ANSWER_WITHIN, awaits_answer_to_staff
from bot.core.tickets.intake import utcnow


def ticket_with(*events: tuple[str, timedelta]) -> Ticket:
    now = utcnow()
    return Ticket(events=[TicketEvent(at=now - ago, actor="x", kind=kind, detail={}) for kind, ago in events])


def test_the_first_words_after_a_dispatchers_message_answer_it() -> None:
    now = utcnow()
    assert awaits_answer_to_staff(
        ticket_with(("created", timedelta(hours=2)), ("reply_sent", timedelta(minutes=5))), now
    )
    # An SLA alert or a note logged after the message changes nothing.
    assert awaits_answer_to_staff(
        ticket_with(("reply_sent", timedelta(minutes=5)), ("alert", timedelta(minutes=1))), now
    )


def test_nothing_awaits_an_answer_once_answered_too_late_or_never_written() -> None:
    now = utcnow()
    assert not awaits_answer_to_staff(
        ticket_with(("reply_sent", timedelta(minutes=5)), ("resident_added", timedelta(0))), now
    )
    assert not awaits_answer_to_staff(ticket_with(("reply_sent", ANSWER_WITHIN + timedelta(minutes=1))), now)
    assert not awaits_answer_to_staff(ticket_with(("created", timedelta(minutes=5))), now)
