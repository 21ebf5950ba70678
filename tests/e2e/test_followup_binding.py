"""A follow-up is answered only in the chat it was sent to, and only while it is open.

The application alone starts a follow-up, and residents cannot type intents; these tests play a
request that got past both (or a tracker that carries a stale code) straight into the action
server's real /webhook, and check in the database that the ticket did not move.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.config import get_settings
from bot.core.conversation.messages import TEXTS
from bot.core.db import session_scope
from bot.core.models import Category, FollowupState, Ticket, TicketEvent, TicketStatus
from bot.core.tickets.intake import TicketDraft, create_ticket, get_ticket_by_code, utcnow
from bot.engine.client import RasaClient
from tests.e2e.test_actions_protocol import user_event
from tests.e2e.test_followup_conversation import daytime, report_leak, run_followups, updates

pytestmark = pytest.mark.stack

HELP = {TEXTS["help"]["zh"], TEXTS["help"]["en"]}


def chat() -> str:
    return f"web:binding-{uuid.uuid4().hex[:10]}"


def ticket_asked_in(sender: str, state: FollowupState = FollowupState.SENT) -> str:
    """A repair ticket of `sender` whose follow-up is in `state` (SENT: asked, awaiting the answer)."""
    with session_scope() as session:
        draft = TicketDraft(category=Category.REPORT_REPAIR, description="暖气不热,卧室只有15度", channel="web",
                            language="zh", phone="+8613812345678", sender_ref=sender)  # fmt: skip
        ticket = create_ticket(session, draft, get_settings(), now=utcnow() - timedelta(hours=49))
        ticket.followup_state = state
        if state is not FollowupState.SCHEDULED:
            ticket.followup_sent_at = utcnow() - timedelta(hours=1)
        return ticket.code


def snapshot(code: str) -> tuple:  # type: ignore[type-arg]
    """What an answer would change: status, priority, rating, follow-up state, the event log."""
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None
        events = session.scalar(select(func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id))
        return (ticket.status, ticket.priority, ticket.satisfaction, ticket.satisfaction_comment,
                ticket.followup_state, ticket.updated_at, events)  # fmt: skip


def run_action(stack, name: str, sender: str, slots: dict, latest: dict) -> dict:  # type: ignore[no-untyped-def]
    """Call one action as Rasa does: POST /webhook with the tracker, and the action server's secret."""
    body = {
        "next_action": name,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"language": "zh", **slots},
            "latest_message": latest["parse_data"],
            "events": [latest],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    response = httpx.post(
        f"http://127.0.0.1:{stack.action_port}/webhook", json=body, timeout=10, params={"token": stack.action_token}
    )  # as in tests/test_actions_protocol.py
    assert response.status_code == 200, response.text
    return response.json()


def finish(stack, sender: str, code: str) -> dict:  # type: ignore[no-untyped-def]
    """The last step of the follow-up form: "solved, 5 stars, no comment"."""
    slots = {"followup_code": code, "followup_kind": "first", "followup_solved": "yes",
             "satisfaction": "5", "followup_comment": ""}  # fmt: skip
    return run_action(stack, "action_finish_followup", sender, slots, user_event("没有", "deny"))


def start(stack, sender: str, code: str) -> dict:  # type: ignore[no-untyped-def]
    trigger = user_event("EXTERNAL: EXTERNAL_followup", "EXTERNAL_followup")
    return run_action(
        stack, "action_start_followup", sender, {"followup_code": code, "followup_kind": "first"}, trigger
    )


def texts(result: dict) -> str:
    return "\n".join(r.get("text") or "" for r in result["responses"])


def test_the_right_chat_closes_an_open_followup(stack) -> None:  # type: ignore[no-untyped-def]
    """The control: the same request from the asked chat does what a follow-up answer does."""
    owner = chat()
    code = ticket_asked_in(owner)
    result = finish(stack, owner, code)
    assert "已结案" in texts(result)
    status, _, satisfaction, _, state, _, _ = snapshot(code)
    assert (status, satisfaction, state) == (TicketStatus.CLOSED, 5, FollowupState.SOLVED)


def test_another_chat_cannot_answer_someone_elses_followup(stack) -> None:  # type: ignore[no-untyped-def]
    code = ticket_asked_in(chat())
    before = snapshot(code)
    result = finish(stack, chat(), code)
    assert snapshot(code) == before
    said = texts(result)
    assert said in HELP and code not in said


@pytest.mark.parametrize("state", [FollowupState.SCHEDULED, FollowupState.SOLVED, FollowupState.NO_RESPONSE])
def test_a_followup_that_is_not_open_takes_no_answer(stack, state: FollowupState) -> None:  # type: ignore[no-untyped-def]
    owner = chat()
    code = ticket_asked_in(owner, state)
    before = snapshot(code)
    result = finish(stack, owner, code)
    assert snapshot(code) == before
    assert texts(result) in HELP


def test_another_chat_cannot_start_someone_elses_followup(stack) -> None:  # type: ignore[no-untyped-def]
    code = ticket_asked_in(chat(), FollowupState.SENDING)  # the application is asking its own chat
    before = snapshot(code)
    result = start(stack, chat(), code)
    assert snapshot(code) == before
    assert texts(result) in HELP
    events = result["events"]
    assert {"event": "slot", "name": "followup_code", "value": None, "timestamp": None} in events
    assert any(e["event"] == "followup" and e["name"] == "action_listen" for e in events)  # no form


def test_a_trigger_into_another_chat_asks_nothing_about_the_ticket(stack) -> None:  # type: ignore[no-untyped-def]
    """End to end through Rasa: EXTERNAL_followup sent to the wrong chat gets the help text."""
    code = ticket_asked_in(chat(), FollowupState.SENDING)
    before = snapshot(code)

    async def trigger() -> list:  # type: ignore[type-arg]
        rasa = RasaClient(stack.rasa_url, 10, token=stack.rasa_token)
        try:
            return await rasa.trigger(chat(), "EXTERNAL_followup", {"ticket_code": code, "followup_kind": "first"})
        finally:
            await rasa.close()

    replies = asyncio.run(trigger())
    assert [r.text for r in replies] and all(r.text in HELP for r in replies)
    assert snapshot(code) == before
    with session_scope() as session:
        assert session.scalar(select(Ticket.followup_state).where(Ticket.code == code)) is FollowupState.SENDING


def test_an_answer_after_the_followup_expired_changes_nothing(resident, app) -> None:  # type: ignore[no-untyped-def]
    """Through the web chat: the follow-up was asked, then expired unanswered; a late (and first
    unclear) answer gets the help text and the form lets go, instead of closing the ticket."""
    code = report_leak(resident)
    with session_scope() as session:
        due = get_ticket_by_code(session, code).followup_due_at  # type: ignore[union-attr]
    run_followups(app, daytime(due))
    assert code in updates(resident)[0]["text"]
    with session_scope() as session:  # as expire_unanswered leaves it after the reminder's silence
        get_ticket_by_code(session, code).followup_state = FollowupState.NO_RESPONSE  # type: ignore[union-attr]
    before = snapshot(code)
    unclear = resident.say_text("嗯?什么")  # the form would ask again, naming the ticket
    assert unclear.splitlines()[-1] in HELP and code not in unclear
    late = resident.say_text("已解决")
    assert "已结案" not in late and code not in late
    assert snapshot(code) == before
