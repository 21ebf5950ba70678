"""Two application processes on one PostgreSQL database send each follow-up exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.db import make_engine
from bot.core.models import Category, ChatMessage, FollowupState, Ticket, TicketEvent
from bot.core.tickets.intake import TicketDraft, create_ticket, utcnow
from bot.engine.processes import Stack
from bot.migrate import upgrade
from tests.conftest import POSTGRES_URL, _reset_postgres
from tests.harness import free_port

pytestmark = [pytest.mark.stack, pytest.mark.postgres]
TICKETS = 40


@pytest.fixture(scope="module")
def postgres_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A second Rasa and action server whose actions use the PostgreSQL database."""
    _reset_postgres(POSTGRES_URL)
    upgrade(POSTGRES_URL)
    stack = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=tmp_path_factory.mktemp("pg-logs"),
        env={"HOTLINE_DATABASE_URL": POSTGRES_URL},
    )
    stack.start()
    yield stack
    stack.stop()


def test_each_followup_is_sent_once_by_two_processes(postgres_stack: Stack) -> None:
    engine = make_engine(POSTGRES_URL)
    created = utcnow() - timedelta(days=3)
    with Session(engine) as session:
        for number in range(TICKETS):
            create_ticket(
                session,
                TicketDraft(
                    category=Category.REPORT_REPAIR,
                    description="暖气不热",
                    channel="web",
                    language="zh",
                    phone="+8613812345678",
                    sender_ref=f"web:pg-{number}",
                ),  # fmt: skip
                get_settings(),
                now=created,
            )
        session.commit()
    moment = created + timedelta(days=2, minutes=1)  # just past the 48 hours
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": POSTGRES_URL,
        "HOTLINE_RASA_URL": f"http://127.0.0.1:{postgres_stack.rasa_port}",
        "HOTLINE_TIMEZONE": "UTC",
        # Daytime around that moment, whenever the test runs.
        "HOTLINE_FOLLOWUP_WINDOW": f"{moment - timedelta(hours=1):%H:%M}-{moment + timedelta(hours=1):%H:%M}",
    }
    at = moment.isoformat()
    command = [sys.executable, "-m", "bot.cli", "followups", "run", "--at", at]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    sent = [int(output.split()[1]) for output in outputs]
    assert sum(sent) == TICKETS, outputs

    with Session(engine) as session:
        states = session.scalars(select(Ticket.followup_state)).all()
        assert Counter(states) == {FollowupState.SENT: TICKETS}
        sent_events = session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "followup_sent")).all()
        assert len(sent_events) == len(set(sent_events)) == TICKETS
        asks = session.scalars(select(ChatMessage.sender).where(ChatMessage.direction == "out")).all()
        assert Counter(asks) == {f"web:pg-{n}": 1 for n in range(TICKETS)}
        first = session.scalars(select(ChatMessage.text).where(ChatMessage.sender == "web:pg-0")).one()
        assert first.startswith("您好,打扰了")
    engine.dispose()
