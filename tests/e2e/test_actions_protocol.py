"""The action server speaks Rasa's JSON action protocol (rasa-sdk's version line differs from Rasa's)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.stack


def user_event(text: str, intent: str, ranking: list[tuple[str, float]] | None = None) -> dict:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.3 if intent == "nlu_fallback" else 1.0},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or []],
        "entities": [],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def call_action(
    stack,
    name: str,
    text: str,
    ranking: list[tuple[str, float]],
    slots: dict | None = None,
    events: list[dict] | None = None,
) -> dict:  # type: ignore[no-untyped-def]
    latest = events[-1]["parse_data"] if events else user_event(text, "nlu_fallback", ranking)["parse_data"]
    body = {
        "next_action": name,
        "sender_id": "web:protocol-test",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "web:protocol-test",
            "slots": slots or {},
            "latest_message": latest,
            "events": events or [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    response = httpx.post(
        f"http://127.0.0.1:{stack.action_port}/webhook", json=body, timeout=10, params={"token": stack.action_token}
    )  # as Rasa sends it (endpoints.yml)
    assert response.status_code == 200, response.text
    return response.json()


def test_unsure_between_leak_and_repair_asks_which(stack) -> None:  # type: ignore[no-untyped-def]
    result = call_action(
        stack,
        "action_clarify",
        "暖气片那儿不对劲",
        [("report_leak", 0.41), ("report_repair", 0.38), ("complaint", 0.1)],
    )
    reply = result["responses"][0]
    assert reply["text"] == "请问是漏水,还是暖气不热?"
    assert [b["payload"] for b in reply["buttons"]][:2] == ["/report_leak", "/report_repair"]


def test_unsure_in_english_offers_every_category(stack) -> None:  # type: ignore[no-untyped-def]
    result = call_action(
        stack, "action_clarify", "something about my flat", [("billing_query", 0.3), ("complaint", 0.28)]
    )
    reply = result["responses"][0]
    assert reply["text"] == "Which of these is your problem about?"
    assert {b["payload"] for b in reply["buttons"]} == {
        "/report_leak",
        "/report_repair",
        "/billing_query",
        "/complaint",
    }
    assert {"event": "slot", "name": "language", "value": "en", "timestamp": None} in result["events"]


def slot_values(result: dict) -> dict:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def test_category_button_after_an_unsure_message_keeps_the_residents_words(stack) -> None:  # type: ignore[no-untyped-def]
    events = [user_event("暖气那边有点情况想反映", "nlu_fallback"), user_event("/report_leak", "report_leak")]
    result = call_action(stack, "action_start_intake", "/report_leak", [], events=events)
    slots = slot_values(result)
    assert slots["category"] == "report_leak" and slots["description"] == "暖气那边有点情况想反映"
    assert "阀门" in result["responses"][0]["text"]


def test_category_button_alone_asks_for_the_details(stack) -> None:  # type: ignore[no-untyped-def]
    events = [user_event("你好", "greet"), user_event("/report_repair", "report_repair")]
    result = call_action(stack, "action_start_intake", "/report_repair", [], events=events)
    assert "description" not in slot_values(result) or slot_values(result)["description"] is None


def test_a_replayed_confirmation_finds_its_ticket_instead_of_making_a_second(stack) -> None:  # type: ignore[no-untyped-def]
    """Rasa ran the confirmation, the ticket was committed, then the turn timed out (or Rasa died
    before saving the conversation): the relay replays the same stored message, and Rasa gives it
    a new message id. The application's own id (metadata) makes it the same report."""
    import uuid

    from sqlalchemy import func, select

    from bot.core.db import session_scope
    from bot.core.models import Ticket

    ref = f"replay-{uuid.uuid4().hex[:8]}"
    slots = {"category": "report_repair", "description": "暖气不热", "address": "阳光花园3号楼2单元301室",
             "address_parts": {"estate": "阳光花园", "building": "3", "unit": "2", "room": "301", "raw": "阳光花园3号楼2单元301"},
             "phone": "+8613812345678", "callback_time": "随时", "confirmation": "yes", "anonymous": False}  # fmt: skip
    for attempt in range(2):
        event = user_event("确认提交", "affirm")
        event["parse_data"]["message_id"] = f"rasa-{attempt}-{uuid.uuid4().hex[:6]}"  # new on every replay
        event["parse_data"]["metadata"] = {"message_ref": ref}
        call_action(stack, "action_finish_intake", "确认提交", [], slots=slots, events=[event])
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Ticket).where(Ticket.intake_ref == ref)) == 1
