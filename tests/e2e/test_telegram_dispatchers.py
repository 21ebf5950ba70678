"""The dispatchers' Telegram group: every new ticket and alert is posted once, with buttons only
dispatchers may press; an anonymous ticket shows no contact there either."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.config import get_settings
from bot.core.db import session_scope
from bot.core.models import Category, TicketStatus
from bot.core.tickets.alerts import check_deadlines
from bot.core.tickets.intake import TicketDraft, create_ticket, get_ticket_by_code
from tests.harness import RunningApp
from tests.telegram_standin import BotApiStandIn, group_app

pytestmark = pytest.mark.stack
GROUP = -100777
DISPATCHER = 4242
SECOND_DISPATCHER = 4343


@pytest.fixture(scope="module")
def dispatch_app(stack, bot_api: BotApiStandIn) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    app = group_app(
        f"http://127.0.0.1:{stack.rasa_port}",
        bot_api,
        GROUP,
        telegram_dispatcher_ids=f"{DISPATCHER},{SECOND_DISPATCHER}",
    )
    yield app
    app.stop()


def new_ticket(**overrides: object) -> str:
    values: dict[str, object] = dict(category=Category.REPORT_LEAK, description="楼道暖气管爆了", channel="web",
                                     language="zh", phone="+8613812345678", sender_ref="web:group-test")  # fmt: skip
    values.update(overrides)
    with session_scope() as session:
        return create_ticket(session, TicketDraft(**values), get_settings()).code  # type: ignore[arg-type]


def posts_about(bot_api: BotApiStandIn, code: str, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in bot_api.sent if str(m["chat_id"]) == str(GROUP) and code in m["text"]]
        if found:
            time.sleep(1)  # a second post would show up by now
            return [m for m in bot_api.sent if str(m["chat_id"]) == str(GROUP) and code in m["text"]]
        time.sleep(0.1)
    raise AssertionError(f"Nothing about {code} reached the group")


def test_new_ticket_is_posted_once_and_a_dispatcher_acknowledges_it(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    code = new_ticket()
    posts = posts_about(bot_api, code)
    assert len(posts) == 1
    text = posts[0]["text"]
    assert "漏水" in text and "紧急" in text and "+8613812345678" in text and "到场" in text
    buttons = posts[0]["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["受理", "已到场", "已解决"]

    stranger, query_id = bot_api.group_press(GROUP, 999, buttons[0]["callback_data"])
    bot_api.push(stranger)
    deadline = time.monotonic() + 15
    while query_id not in bot_api.callback_answers and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "不是调度员" in bot_api.callback_answers[query_id]
    with session_scope() as session:
        assert get_ticket_by_code(session, code).status is TicketStatus.NEW  # type: ignore[union-attr]

    press, query_id = bot_api.group_press(GROUP, DISPATCHER, buttons[1]["callback_data"])
    bot_api.push(press)
    deadline = time.monotonic() + 15
    while query_id not in bot_api.callback_answers and time.monotonic() < deadline:
        time.sleep(0.1)
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.status is TicketStatus.IN_PROGRESS
        assert ticket.events[-1].actor == f"telegram-dispatcher:{DISPATCHER}"


def test_anonymous_ticket_shows_no_contact_in_the_group(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    code = new_ticket(category=Category.COMPLAINT, subcategory="whistleblowing", anonymous=True)
    text = posts_about(bot_api, code)[0]["text"]
    assert "匿名" in text and "+86" not in text and "138" not in text


def test_sla_breach_alert_is_posted_once(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    code = new_ticket()
    posts_about(bot_api, code)
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert check_deadlines(session, ticket.created_at + timedelta(minutes=31))  # type: ignore[union-attr]
    alerts = [m for m in posts_about(bot_api, f"{code} R1") if "已超时" in m["text"]]
    assert len(alerts) == 1 and "到场" in alerts[0]["text"]


def press(bot_api: BotApiStandIn, user_id: int, callback_data: str) -> str:
    """A group member presses a ticket button; returns what the bot answered the press with."""
    update, query_id = bot_api.group_press(GROUP, user_id, callback_data)
    bot_api.push(update)
    deadline = time.monotonic() + 15
    while query_id not in bot_api.callback_answers and time.monotonic() < deadline:
        time.sleep(0.1)
    assert query_id in bot_api.callback_answers, "the press was not answered"
    return bot_api.callback_answers[query_id]


def ticket_buttons(bot_api: BotApiStandIn, code: str) -> dict[str, str]:
    """The new-ticket post's buttons: title -> callback data."""
    keyboard = posts_about(bot_api, code)[0]["reply_markup"]["inline_keyboard"][0]
    return {b["text"]: b["callback_data"] for b in keyboard}


def test_acknowledging_makes_the_dispatcher_the_owner(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    code = new_ticket()
    answer = press(bot_api, DISPATCHER, ticket_buttons(bot_api, code)["受理"])
    assert code in answer and "受理" in answer
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.status is TicketStatus.ACKNOWLEDGED
        assert ticket.owner == f"telegram-dispatcher:{DISPATCHER}"  # R13: the first to acknowledge
        assert ticket.acknowledged_at is not None
        assert ("owner_changed", f"telegram-dispatcher:{DISPATCHER}") in [(e.kind, e.actor) for e in ticket.events]


def test_a_button_the_workflow_forbids_is_refused_and_changes_nothing(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    code = new_ticket()
    buttons = ticket_buttons(bot_api, code)
    with session_scope() as session:  # closed meanwhile, e.g. as a duplicate on the dashboard
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None
        ticket.status, ticket.next_due_at = TicketStatus.CLOSED, None
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        before = (ticket.status, ticket.owner, ticket.resolved_at, ticket.updated_at, len(ticket.events))  # type: ignore[union-attr]
    answer = press(bot_api, DISPATCHER, buttons["已解决"])
    assert code in answer and "不能" in answer and "已结案" in answer
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        after = (ticket.status, ticket.owner, ticket.resolved_at, ticket.updated_at, len(ticket.events))  # type: ignore[union-attr]
    assert after == before
    time.sleep(0.5)
    assert not any(f"{code} 已解决" in text for text in bot_api.texts_to(GROUP))  # no "done" post either


def test_only_the_owner_moves_a_ticket_another_dispatcher_acknowledged(dispatch_app, bot_api: BotApiStandIn) -> None:  # type: ignore[no-untyped-def]
    """R13: a second dispatcher in the group cannot mark another's case solved behind their back."""
    code = new_ticket()
    buttons = ticket_buttons(bot_api, code)
    press(bot_api, DISPATCHER, buttons["受理"])
    for title in ("已到场", "已解决"):
        answer = press(bot_api, SECOND_DISPATCHER, buttons[title])
        assert code in answer and "负责" in answer
        with session_scope() as session:
            ticket = get_ticket_by_code(session, code)
            assert ticket is not None and ticket.status is TicketStatus.ACKNOWLEDGED
            assert ticket.owner == f"telegram-dispatcher:{DISPATCHER}"
    time.sleep(0.5)
    assert not any(f"{code} 已解决" in text for text in bot_api.texts_to(GROUP))
    assert code in press(bot_api, DISPATCHER, buttons["已解决"])  # the owner still can
    with session_scope() as session:
        assert get_ticket_by_code(session, code).status is TicketStatus.RESOLVED  # type: ignore[union-attr]
