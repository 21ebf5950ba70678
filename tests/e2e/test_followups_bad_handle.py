"""A follow-up whose way back cannot be opened (a handle sealed with another key, or damaged) is
skipped and reported; every other due follow-up is still sent, by the real Rasa and actions."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.followup_sender import FollowupSender
from bot.config import Settings, get_settings
from bot.core.db import session_scope
from bot.core.models import Category, ChatMessage, FollowupState, Ticket
from bot.core.tickets.intake import TicketDraft, create_ticket, utcnow
from bot.engine.client import RasaClient

pytestmark = pytest.mark.stack


def due_ticket(sender: str, *, anonymous: bool = False) -> int:
    draft = TicketDraft(category=Category.REPORT_REPAIR, description="暖气不热", channel="web", language="zh",
                        phone=None if anonymous else "+8613812345678", sender_ref=sender,
                        anonymous=anonymous, followup_optin=anonymous)  # fmt: skip
    with session_scope() as session:
        ticket = create_ticket(session, draft, get_settings(), now=utcnow() - timedelta(days=3))
        return ticket.id


def test_an_undecryptable_handle_is_skipped_and_the_others_are_sent(stack, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    broken = due_ticket("web:bad-handle-owner", anonymous=True)
    healthy = due_ticket("web:bad-handle-neighbour")
    with session_scope() as session:
        ticket = session.get_one(Ticket, broken)
        assert ticket.followup_handle is not None and ticket.sender_ref is None
        ticket.followup_handle = "sealed-with-another-key"  # cannot be opened with this one
    now = utcnow()
    settings = Settings(rasa_url=f"http://127.0.0.1:{stack.rasa_port}", timezone="UTC",
                        followup_window=f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}")  # fmt: skip
    rasa = RasaClient(settings.rasa_servers, settings.rasa_timeout_seconds)

    async def run() -> int:
        try:
            return await FollowupSender(settings, rasa).run_due(now=now)
        finally:
            await rasa.close()

    with caplog.at_level(logging.WARNING):
        sent = asyncio.run(run())

    assert sent >= 1
    with session_scope() as session:
        assert session.get_one(Ticket, healthy).followup_state is FollowupState.SENT
        ask = session.scalars(select(ChatMessage.text).where(ChatMessage.sender == "web:bad-handle-neighbour",
                                                             ChatMessage.direction == "out")).all()  # fmt: skip
        assert len(ask) == 1 and ask[0].startswith("您好,打扰了")
        skipped = session.get_one(Ticket, broken)
        # Not sent, not claimed: still due, for a worker that holds the right key.
        assert skipped.followup_state is FollowupState.SCHEDULED and skipped.followup_claim is None
        code = skipped.code
    assert any(code in record.getMessage() and record.levelno >= logging.WARNING for record in caplog.records)
