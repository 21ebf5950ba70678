"""The application as a real child process with Telegram polling a local Bot API stand-in:
killed with SIGKILL in the middle of an update, and what it writes to its log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.conversation.attachments import attachments_of
from bot.core.db import session_scope
from bot.core.models import ChannelUpdate, ChatMessage, MessageStatus
from bot.core.tickets.intake import get_ticket_by_code
from tests.e2e.test_telegram import CODE, JPEG, deliver, press, sender_ref
from tests.harness import AppProcess, SilentServer, wait_until
from tests.telegram_standin import TOKEN, BotApiStandIn

pytestmark = pytest.mark.stack


@pytest.fixture
def bot_api(own_bot_api: BotApiStandIn) -> BotApiStandIn:
    return own_bot_api  # one per test: only this test's process polls it


def app_process(rasa_url: str, bot_api: BotApiStandIn, log_file: Path, **extra: object) -> AppProcess:
    return AppProcess(rasa_url, log_file, **bot_api.app_settings(**extra))


def stored_update(update_id: int) -> ChannelUpdate | None:
    with session_scope() as session:
        return session.scalar(select(ChannelUpdate).where(ChannelUpdate.update_id == update_id))


def inbound(chat: int) -> list[ChatMessage]:
    with session_scope() as session:
        query = select(ChatMessage).where(ChatMessage.sender == sender_ref(chat), ChatMessage.direction == "in")
        return list(session.scalars(query))


def test_update_of_a_process_killed_mid_handling_is_answered_once_after_restart(stack, bot_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chat = 9100
    hung_rasa = SilentServer()  # the handler waits for it; nothing is answered before the kill
    first = app_process(hung_rasa.url, bot_api, tmp_path / "first.log", rasa_timeout_seconds=300)
    update = bot_api.message_update(chat, "你好")
    try:
        bot_api.push(update)
        # Stored, and the handler is inside the turn: the relay kept the message and asked Rasa.
        wait_until(lambda: stored_update(update["update_id"]) and inbound(chat), what="the update to be in handling")
        first.kill()
    finally:
        first.stop()
        hung_rasa.stop()
    assert stored_update(update["update_id"]).processed_at is None  # type: ignore[union-attr]
    assert bot_api.texts_to(chat) == []

    second = app_process(f"http://127.0.0.1:{stack.rasa_port}", bot_api, tmp_path / "second.log")
    try:
        wait_until(lambda: stored_update(update["update_id"]).processed_at, what="the update to be handled")  # type: ignore[union-attr]
        deliver(bot_api, chat, bot_api.message_update(chat, "谢谢"))  # a later message: all is sent by now
    finally:
        second.stop()
    texts = bot_api.texts_to(chat)
    assert sum("工号" in t for t in texts) == 1 and len(texts) == 2, texts  # the greeting once, then the thanks
    stored = stored_update(update["update_id"])
    assert stored is not None and stored.processed_at is not None and stored.payload == {}
    answered = [m for m in inbound(chat) if m.status is MessageStatus.PROCESSED]
    assert [m.text for m in answered] == ["你好", "谢谢"]  # the killed turn was answered once


def test_the_log_names_no_resident_of_an_anonymous_report(stack, bot_api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log_file = tmp_path / "app.log"
    app = app_process(f"http://127.0.0.1:{stack.rasa_port}", bot_api, log_file, log_level="DEBUG")
    chat, other = 777_555_123, 777_555_124
    username, phone = "zhang_from_301", "13912345678"

    def said(chat_id: int, text: str | None, **extra: object) -> list[dict]:
        update = bot_api.message_update(chat_id, text, **extra)
        update["message"]["from"].update(username=username, last_name="Zhang")
        return deliver(bot_api, chat_id, update)

    try:
        said(chat, "我要匿名举报")
        broken = bot_api.photo(JPEG)
        bot_api.broken_downloads.add(broken[-1]["file_id"])
        said(chat, None, photo=broken)  # logs a warning: proves the log is captured
        said(chat, "收费员收了现金不给收据")
        said(chat, "阳光花园3号楼2单元301")
        press(bot_api, chat, "不需要")
        receipt = press(bot_api, chat, "确认提交")
        code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
        # Someone else shares a phone number in the same process.
        said(other, "阳光花园3号楼2单元302暖气片漏水了")
        said(other, None, contact={"phone_number": f"+86{phone}", "first_name": "Resident", "user_id": other})
    finally:
        app.stop()

    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        kept = attachments_of(session, ticket.id)  # type: ignore[union-attr]
        assert ticket.anonymous and [(a.kind, a.sender) for a in kept] == [("photo", None)]  # type: ignore[union-attr]
    log = log_file.read_text()
    assert "Could not download a photo" in log
    for identifier in (str(chat), str(other), username, "Zhang", phone, "Resident", TOKEN):
        assert identifier not in log, f"{identifier!r} is in the application's log"
