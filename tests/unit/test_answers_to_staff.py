"""Which words in a chat answer a dispatcher's message (bot/core/tickets/additions.py), and how
a filed ticket is named when asked after."""

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


def test_a_gas_tickets_status_names_gas_not_water() -> None:
    """A tester's gas ticket was answered "(漏水)" when asked after."""
    from zoneinfo import ZoneInfo

    from actions.status import status_line
    from bot.core.models import Category, TicketStatus

    gas = Ticket(code="HL-GAS222", category=Category.REPORT_LEAK, subcategory="gas", status=TicketStatus.NEW,
                 created_at=utcnow())  # fmt: skip
    line = status_line(gas, "zh", ZoneInfo("Asia/Shanghai"), utcnow())
    assert "燃气" in line and "漏水" not in line, line
