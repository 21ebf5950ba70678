"""Telegram through python-telegram-bot's real HTTP stack, against a local Bot API stand-in,
with the real Rasa model, actions and database behind it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import httpx
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from bot.channels.relay import Relay
from bot.config import get_settings
from bot.core.conversation.attachments import attachments_of, photo_path
from bot.core.conversation.buttons import is_button_id
from bot.core.conversation.updates import store_update, unhandled_updates
from bot.core.db import get_engine, session_scope
from bot.core.models import Attachment, ChannelUpdate, ChatMessage, Ticket
from bot.core.tickets.intake import get_ticket_by_code, utcnow
from tests.harness import RunningApp
from tests.telegram_standin import BotApiStandIn

pytestmark = pytest.mark.stack
CODE = re.compile(r"HL-[0-9A-Z]{6}")
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400  # 100 kB that start like a JPEG


def telegram_app(stack, bot_api: BotApiStandIn, **extra: object) -> RunningApp:  # type: ignore[no-untyped-def]
    return RunningApp(f"http://127.0.0.1:{stack.rasa_port}", **bot_api.app_settings(**extra))


@pytest.fixture(scope="module")
def polling_app(stack, bot_api: BotApiStandIn) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    app = telegram_app(stack, bot_api)
    yield app
    app.stop()


def deliver(bot_api: BotApiStandIn, chat_id: int, update: dict, timeout: float = 30,
            send: Callable[[dict], object] | None = None) -> list[dict]:  # fmt: skip
    """Push an update (to getUpdates, or by `send`, e.g. a webhook post) and wait until the
    application has handled it and Telegram took every reply (none waits in an outbox): returns
    the messages it sent to the chat meanwhile."""
    before = len(bot_api.texts_to(chat_id))
    (send or bot_api.push)(update)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as session:
            stored = session.scalar(select(ChannelUpdate).where(ChannelUpdate.update_id == update["update_id"]))
            if (
                stored is not None
                and stored.processed_at is not None
                and not replies_waiting(session, stored.received_at)
            ):
                return [m for m in bot_api.sent if str(m["chat_id"]) == str(chat_id)][before:]
        time.sleep(0.05)
    raise AssertionError(f"Update {update['update_id']} not handled; chat saw {bot_api.texts_to(chat_id)}")


def replies_waiting(session: Session, since: datetime) -> bool:
    """Whether a Telegram reply written since then is still waiting to be sent."""
    query = select(ChatMessage.id).where(ChatMessage.channel == "telegram", ChatMessage.direction == "out",
                                         ChatMessage.processed_at.is_(None), ChatMessage.created_at >= since)  # fmt: skip
    return session.scalar(query.limit(1)) is not None


def say(bot_api: BotApiStandIn, chat_id: int, text: str | None, **extra: object) -> list[dict]:
    return deliver(bot_api, chat_id, bot_api.message_update(chat_id, text, **extra))


def press(bot_api: BotApiStandIn, chat_id: int, title: str) -> list[dict]:
    """Press the newest button titled `title` in the chat."""
    callback_data = newest_button(bot_api, chat_id, title)
    if callback_data is None:
        raise AssertionError(f"No button {title!r} sent to {chat_id}: {bot_api.texts_to(chat_id)}")
    return deliver(bot_api, chat_id, bot_api.callback_update(chat_id, callback_data))


def newest_button(bot_api: BotApiStandIn, chat_id: int, title: str) -> str | None:
    for message in reversed([m for m in bot_api.sent if str(m["chat_id"]) == str(chat_id)]):
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in keyboard:
            for button in row:
                if title in button["text"]:
                    return str(button["callback_data"])
    return None


def test_leak_report_by_polling_with_buttons_and_shared_contact(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9001
    greeting = say(bot_api, chat, "/start")
    assert "工号" in greeting[0]["text"]
    asked = say(bot_api, chat, "阳光花园3号楼2单元301暖气片漏水了")  # safety advice, phone question
    phone_question = next(m for m in asked if "电话" in m["text"])
    keyboard = phone_question["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    contact = {"phone_number": "+8613812345678", "first_name": "Resident", "user_id": chat}
    callback_question = say(bot_api, chat, None, contact=contact)[-1]
    assert "什么时间" in callback_question["text"]
    # The button carries an id issued to this chat, not the payload Rasa gave it.
    assert is_button_id(callback_question["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    summary = press(bot_api, chat, "随时都可以")
    assert "+8613812345678" in summary[-1]["text"]
    receipt = press(bot_api, chat, "确认提交")
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
    assert len(bot_api.answered_callbacks) >= 2  # every button's spinner was stopped

    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.channel == "telegram"
        assert ticket.phone == "+8613812345678"
        assert ticket.sender_ref and str(chat) not in ticket.sender_ref  # a keyed pseudonym


def test_duplicate_update_is_handled_once(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9002
    update = bot_api.message_update(chat, "你好")
    bot_api.push(update)
    bot_api.push(update)  # Telegram delivered it twice
    bot_api.wait_for(chat, 1)
    say(bot_api, chat, "谢谢")  # a later message: by now both copies were seen
    assert sum("工号" in t for t in bot_api.texts_to(chat)) == 1


def test_voice_and_stickers_get_a_please_write_answer(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9003
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
    reply = say(bot_api, chat, None, voice=voice)
    assert "文字" in reply[0]["text"]


def test_a_429_is_waited_out_and_the_message_still_sent(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9004
    bot_api.throttle_next = 2
    reply = say(bot_api, chat, "你好")
    assert "工号" in reply[0]["text"] and bot_api.throttle_next == 0


def test_anonymous_report_leaves_no_telegram_identifier_in_the_database(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 777123456
    say(bot_api, chat, "我要匿名举报")
    say(bot_api, chat, "收费员收了现金不给收据")
    say(bot_api, chat, "阳光花园3号楼2单元301")
    press(bot_api, chat, "不需要")
    receipt = press(bot_api, chat, "确认提交")
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
    with session_scope() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.code == code))
        assert ticket is not None and ticket.anonymous and ticket.sender_ref is None
    wait_until_all_handled()
    dump = dump_database()
    assert str(chat) not in dump and "Resident" not in dump


def wait_until_all_handled(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as session:
            if not unhandled_updates(session, "telegram"):
                return
        time.sleep(0.05)
    raise AssertionError("Telegram updates left unhandled")


def dump_database() -> str:
    engine = get_engine()
    parts = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_update_stored_before_a_crash_is_handled_once_after_restart(stack, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9005
    update = bot_api.message_update(chat, "你好")
    # The process stored this update and was killed before handling it.
    with session_scope() as session:
        store_update(session, "telegram", update["update_id"], update, utcnow())
    app = telegram_app(stack, bot_api)
    try:
        bot_api.wait_for(chat, 1)
    finally:
        app.stop()
    again = telegram_app(stack, bot_api)  # another restart: nothing is handled twice
    again.stop()
    assert sum("工号" in t for t in bot_api.texts_to(chat)) == 1
    with session_scope() as session:
        stored = session.scalar(select(ChannelUpdate).where(ChannelUpdate.update_id == update["update_id"]))
        assert stored is not None and stored.processed_at is not None and stored.payload == {}


def test_webhook_requires_the_secret_token(stack, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    app = telegram_app(stack, bot_api, telegram_webhook_url="https://hotline.example/telegram/webhook",
                       telegram_webhook_secret="s3cret-token")  # fmt: skip
    try:
        url = f"{app.base_url}/telegram/webhook"
        update = bot_api.message_update(9006, "你好")
        wrong = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert wrong.status_code == 403
        missing = httpx.post(url, json=update)
        assert missing.status_code == 403
        right = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
        assert right.status_code == 200
        assert "工号" in bot_api.wait_for(9006, 1)[0]["text"]
        assert "setWebhook" in bot_api.calls
    finally:
        app.stop()


def test_followup_reaches_the_telegram_chat_and_is_answered(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.test_followup_conversation import daytime, run_followups

    chat = 9007
    say(bot_api, chat, "阳光花园3号楼2单元301暖气不热")
    say(bot_api, chat, "13812345678")
    press(bot_api, chat, "随时都可以")
    receipt = press(bot_api, chat, "确认提交")
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
    with session_scope() as session:
        due = get_ticket_by_code(session, code).followup_due_at  # type: ignore[union-attr]
    before = len(bot_api.texts_to(chat))
    run_followups(polling_app, daytime(due))
    asked = bot_api.wait_for(chat, before + 1, timeout=20)[-1]  # pushed by the application's job
    assert asked["text"].startswith("您好,打扰了") and code in asked["text"]
    press(bot_api, chat, "已解决")
    say(bot_api, chat, "5")
    assert "已结案" in say(bot_api, chat, "没有")[-1]["text"]
    with session_scope() as session:
        assert get_ticket_by_code(session, code).satisfaction == 5  # type: ignore[union-attr]


def sender_ref(chat: int) -> str:
    return Relay(get_settings()).sender_ref("telegram", str(chat))


def attachments_from(chat: int) -> list[Attachment]:
    with session_scope() as session:
        return list(
            session.scalars(select(Attachment).where(Attachment.sender == sender_ref(chat)).order_by(Attachment.id))
        )


def test_photo_and_location_are_kept_and_attached_to_the_ticket(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    chat = 9010
    photo = bot_api.photo(JPEG)
    replies = say(bot_api, chat, None, photo=photo, caption="阳光花园3号楼2单元301暖气片漏水了")
    assert replies[0]["text"] == "照片已收到,会附在您的工单上。"
    assert any("阀门" in m["text"] for m in replies) and "电话" in replies[-1]["text"]  # the caption went on
    assert f"photos/{photo[-1]['file_id']}.jpg" in bot_api.downloads  # the largest size, only
    assert f"photos/{photo[0]['file_id']}.jpg" not in bot_api.downloads
    location = {"latitude": 36.81, "longitude": 118.05}
    assert "附在工单上" in say(bot_api, chat, None, location=location)[0]["text"]
    say(bot_api, chat, "13812345678")
    press(bot_api, chat, "随时都可以")
    receipt = press(bot_api, chat, "确认提交")
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]

    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        kept = attachments_of(session, ticket.id)  # type: ignore[union-attr]
    assert [a.kind for a in kept] == ["photo", "location"]
    assert all(a.sender == sender_ref(chat) for a in kept)
    stored = kept[0]
    assert photo_path(stored, get_settings().attachments_path).read_bytes() == JPEG and stored.size_bytes == len(JPEG)
    assert stored.content_type == "image/jpeg" and stored.caption and "301" in stored.caption
    assert str(chat) not in stored.storage_path  # type: ignore[operator]
    assert (kept[1].latitude, kept[1].longitude) == (36.81, 118.05)


def test_a_photo_too_big_or_not_downloadable_is_recorded_and_the_resident_told(
    polling_app, bot_api: BotApiStandIn
) -> None:  # type: ignore[no-untyped-def]
    chat = 9011
    too_big = bot_api.photo(JPEG, declared_size=25 * 1024 * 1024)
    english = bot_api.message_update(chat, None, photo=too_big)
    english["message"]["from"]["language_code"] = "en"
    assert deliver(bot_api, chat, english)[0]["text"].startswith("Sorry, the photo is too large (over 10 MB)")
    broken = bot_api.photo(JPEG[:1000])
    bot_api.broken_downloads.add(broken[-1]["file_id"])
    assert "没有保存成功" in say(bot_api, chat, None, photo=broken)[0]["text"]
    unknown = [{"file_id": "gone", "file_unique_id": "gone", "width": 1, "height": 1}]  # getFile fails
    assert "没有保存成功" in say(bot_api, chat, None, photo=unknown)[0]["text"]
    fine = say(bot_api, chat, None, photo=bot_api.photo(JPEG[:2000]))  # no caption: only the receipt
    assert [m["text"] for m in fine] == ["照片已收到,会附在您的工单上。"]

    kept = attachments_from(chat)
    assert [a.storage_path is None for a in kept] == [True, True, True, False]
    assert kept[0].size_bytes == 25 * 1024 * 1024  # dispatchers see a photo was sent, and why it is missing
    assert f"photos/{too_big[-1]['file_id']}.jpg" not in bot_api.downloads  # never fetched


def test_replies_to_one_chat_keep_the_per_chat_interval(stack) -> None:  # type: ignore[no-untyped-def]
    interval = 0.3
    own_api = BotApiStandIn()  # this app alone polls it, so this app's limiter sends every reply
    app = telegram_app(stack, own_api, telegram_chat_interval_seconds=interval)
    try:
        chat = 9012
        burst = say(own_api, chat, None, photo=own_api.photo(JPEG[:500]), caption="阳光花园3号楼2单元301暖气片漏水了")
        burst += say(own_api, chat, "13812345678")
        assert len(burst) >= 4
        times = [m["at"] for m in burst]
        # The stand-in stamps arrival; 20 ms allow for the jitter between two HTTP requests.
        assert all(later - earlier >= interval - 0.02 for earlier, later in zip(times, times[1:])), times
    finally:
        app.stop()
        own_api.stop()


def test_payload_sent_on_telegram_is_escaped_on_the_dashboard(polling_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    from markupsafe import escape

    from tests.staff import Staff, new_account

    chat = 9020
    # Markup of the common tags never reaches the dashboard (bot/core/text/markup.py drops it);
    # a tag outside that list does, and must show as text.
    payload = '"><marquee onstart=window.__xss=1>'
    say(bot_api, chat, "阳光花园3号楼2单元301暖气不热")
    say(bot_api, chat, "13812345678")
    say(bot_api, chat, f"下午 {payload}")  # the callback time is taken as written
    receipt = press(bot_api, chat, "确认提交")
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
    page = Staff(polling_app.base_url, new_account()).get(f"/dashboard/tickets/{code}").text
    shown = page[page.index('id="contact"') :]
    assert payload not in page and str(escape(payload)) in shown, shown[:300]


def test_full_leak_report_by_webhook(stack, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    secret = "another-s3cret"
    app = telegram_app(stack, bot_api, telegram_webhook_url="https://hotline.example/telegram/webhook",
                       telegram_webhook_secret=secret)  # fmt: skip

    def post(update: dict) -> None:
        response = httpx.post(f"{app.base_url}/telegram/webhook", json=update,
                              headers={"X-Telegram-Bot-Api-Secret-Token": secret})  # fmt: skip
        assert response.status_code == 200, response.text

    def button(chat: int, title: str) -> dict:
        data = newest_button(bot_api, chat, title)
        assert data is not None, bot_api.texts_to(chat)
        return bot_api.callback_update(chat, data)

    chat = 9030
    try:
        asked = deliver(bot_api, chat, bot_api.message_update(chat, "阳光花园3号楼2单元301暖气片漏水了"), send=post)
        assert any("阀门" in m["text"] for m in asked) and "电话" in asked[-1]["text"]
        deliver(bot_api, chat, bot_api.message_update(chat, "13812345678"), send=post)
        deliver(bot_api, chat, button(chat, "随时都可以"), send=post)
        receipt = deliver(bot_api, chat, button(chat, "确认提交"), send=post)
    finally:
        app.stop()
    code = CODE.search("\n".join(m["text"] for m in receipt)).group(0)  # type: ignore[union-attr]
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.channel == "telegram" and ticket.category.value == "report_leak"
        assert ticket.phone == "+8613812345678"
