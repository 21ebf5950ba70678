"""Telegram, exactly once: a reply Telegram did not take is sent again later, once; a stored
update is answered by one of two application processes, never by both; a dispatchers' notice
that could not be posted is posted later, once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.conversation.updates import store_update
from bot.core.db import session_scope
from bot.core.models import ChannelUpdate, Ticket
from bot.core.tickets.intake import utcnow
from tests.conftest import POSTGRES_URL
from tests.e2e.test_telegram_dispatchers import new_ticket
from tests.harness import AppProcess, RunningApp, wait_until
from tests.telegram_standin import BotApiStandIn, group_app

pytestmark = pytest.mark.stack
GROUP = -100888


@pytest.fixture(scope="module")
def telegram(stack, bot_api: BotApiStandIn) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    app = group_app(f"http://127.0.0.1:{stack.rasa_port}", bot_api, GROUP)
    yield app
    app.stop()


def test_a_reply_telegram_did_not_take_is_delivered_later_exactly_once(telegram, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9401
    bot_api.fail_next = 1  # the greeting's first send fails (502), as a network fault would
    bot_api.push(bot_api.message_update(chat, "你好"))
    wait_until(lambda: any("工号" in t for t in bot_api.texts_to(chat)), 30, "the greeting to arrive")
    time.sleep(2)  # several push runs later: nothing is sent again
    assert sum("工号" in t for t in bot_api.texts_to(chat)) == 1, bot_api.texts_to(chat)


def test_a_notice_the_group_did_not_get_is_posted_later_exactly_once(telegram, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    bot_api.fail_next = 1  # the next post fails
    code = new_ticket()
    wait_until(lambda: any(code in t for t in bot_api.texts_to(GROUP)), 30, "the notice to reach the group")
    time.sleep(2)
    assert sum(code in t for t in bot_api.texts_to(GROUP)) == 1
    with session_scope() as session:
        posted = session.scalar(select(Ticket.group_posted_at).where(Ticket.code == code))
    assert posted is not None


# -- two application processes on PostgreSQL -------------------------------------------------

STORED_CHATS = 12


@pytest.mark.postgres
def test_two_processes_never_answer_one_stored_update_twice(stack, postgres: Session, own_bot_api: BotApiStandIn,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:  # fmt: skip
    """Updates stored by a process that died before handling them; two processes start at once
    and both find them waiting."""
    chats = [9500 + n for n in range(STORED_CHATS)]
    for chat in chats:
        payload = own_bot_api.message_update(chat, "你好")
        store_update(postgres, "telegram", payload["update_id"], payload, utcnow())
    postgres.commit()

    processes: list[AppProcess] = []

    def start(name: str) -> None:
        processes.append(AppProcess(f"http://127.0.0.1:{stack.rasa_port}", tmp_path / f"{name}.log",
                                    database_url=POSTGRES_URL,
                                    **own_bot_api.app_settings(telegram_push_every_seconds=0.5)))  # fmt: skip

    starters = [threading.Thread(target=start, args=(name,)) for name in ("first", "second")]
    try:
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join(60)
        assert len(processes) == 2
        wait_until(lambda: all(any("工号" in t for t in own_bot_api.texts_to(c)) for c in chats), 120,
                   "every stored update to be answered")  # fmt: skip
        time.sleep(3)  # both processes go on running: nothing may be answered again
    finally:
        for process in processes:
            process.stop()

    greetings = Counter(str(m["chat_id"]) for m in own_bot_api.sent if "工号" in m["text"])
    assert greetings == {str(chat): 1 for chat in chats}
    postgres.expire_all()
    assert postgres.scalars(select(ChannelUpdate.processed_at)).all().count(None) == 0
