"""Two application processes on one PostgreSQL database deliver each waiting Telegram message
exactly once, also when one of them is killed with kill -9 in the middle; a chat whose handle no
longer opens is skipped and reported, and holds up nobody else."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core import claims
from bot.core.conversation.chat_links import remember_chat
from bot.core.models import ChatLink, ChatMessage
from bot.core.tickets.intake import utcnow
from tests.conftest import POSTGRES_URL
from tests.harness import AppProcess, free_port, wait_until
from tests.telegram_standin import BotApiStandIn

pytestmark = [pytest.mark.postgres]
CHATS = 30
PER_CHAT = 2
BROKEN_CHAT = "telegram:broken-handle"


def fill_outbox(session: Session) -> None:
    now = utcnow()
    for chat in range(CHATS):
        sender = f"telegram:chat-{chat}"
        remember_chat(session, "telegram", sender, str(700_000 + chat), now, get_settings().resolved_secret_key())
        for number in range(PER_CHAT):
            session.add(ChatMessage(channel="telegram", sender=sender, direction="out",
                                    text=f"message {number} to chat {chat}", created_at=now))  # fmt: skip
    # A link sealed with another key (or damaged): it cannot be opened.
    session.add(ChatLink(sender=BROKEN_CHAT, channel="telegram", sealed_address="not-a-sealed-handle", updated_at=now))
    session.add(ChatMessage(channel="telegram", sender=BROKEN_CHAT, direction="out", text="lost?", created_at=now))
    session.commit()


def worker(bot_api: BotApiStandIn, log: Path) -> AppProcess:
    return AppProcess(f"http://127.0.0.1:{free_port()}", log, database_url=POSTGRES_URL,
                      **bot_api.app_settings(telegram_push_every_seconds=0.3))  # fmt: skip


def test_two_processes_deliver_each_message_once_through_a_kill(postgres: Session, own_bot_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fill_outbox(postgres)
    bot_api = own_bot_api
    first, second = worker(bot_api, tmp_path / "first.log"), worker(bot_api, tmp_path / "second.log")
    try:
        wait_until(lambda: len(bot_api.sent) >= 10, 60, "some messages to go out")
        # Telegram answers 429 for a while: whatever the first process is sending now is not
        # accepted, so the kill lands while it holds chats' leases and nothing is in flight.
        bot_api.throttle_next = 10_000
        time.sleep(1)
        first.kill()
        bot_api.throttle_next = 0
        wait_until(lambda: len(bot_api.sent) >= CHATS * PER_CHAT, 120, "every message to be delivered")
        time.sleep(2)  # more push runs: none may send anything again
    finally:
        first.stop()
        second.stop()

    delivered = Counter((m["chat_id"], m["text"]) for m in bot_api.sent)
    expected = {(str(700_000 + c), f"message {n} to chat {c}") for c in range(CHATS) for n in range(PER_CHAT)}
    assert {(str(chat), text) for chat, text in delivered} == expected
    assert set(delivered.values()) == {1}, [item for item, count in delivered.items() if count > 1]
    for chat in range(CHATS):  # in the order they were written
        texts = bot_api.texts_to(700_000 + chat)
        assert texts == [f"message {n} to chat {chat}" for n in range(PER_CHAT)]

    postgres.expire_all()
    waiting = postgres.scalars(
        select(ChatMessage.sender).where(ChatMessage.direction == "out", ChatMessage.processed_at.is_(None))
    ).all()
    assert waiting == [BROKEN_CHAT]  # skipped, not marked as sent, and reported:
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Could not deliver the waiting messages of one Telegram chat" in logs
    # Only one process polled Telegram at a time: the lease names one holder.
    polling = text("SELECT count(*) FROM claims WHERE name LIKE 'poll:telegram:%'")
    assert postgres.scalar(polling) <= 1


def test_a_lease_goes_to_one_holder_until_it_expires(postgres: Session) -> None:
    now = utcnow()
    lease = timedelta(seconds=30)
    assert claims.take(postgres, "outbox:telegram:x", "a", now, lease)
    assert not claims.take(postgres, "outbox:telegram:x", "b", now, lease)
    assert claims.take(postgres, "outbox:telegram:x", "a", now + timedelta(seconds=10), lease)  # renewed
    assert not claims.take(postgres, "outbox:telegram:x", "b", now + timedelta(seconds=35), lease)
    assert claims.take(postgres, "outbox:telegram:x", "b", now + timedelta(seconds=41), lease)  # a died
    claims.give_back(postgres, "outbox:telegram:x", "a")  # no longer a's: nothing happens
    assert not claims.take(postgres, "outbox:telegram:x", "a", now + timedelta(seconds=42), lease)
    claims.give_back(postgres, "outbox:telegram:x", "b")
    assert claims.take(postgres, "outbox:telegram:x", "a", now + timedelta(seconds=42), lease)
