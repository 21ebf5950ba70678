"""Bad input gets a clear answer and breaks nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import ChatMessage
from tests.conftest import Resident, RunningApp
from tests.e2e.test_conversations import ticket_count
from tests.harness import issued_chat_id

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    "message",
    ["😀😀😀", "<script>alert('x')</script>", "'; DROP TABLE tickets; --", "\u200b\u200b", "？？？"],
)
def test_odd_messages_get_an_answer_and_no_ticket(resident: Resident, message: str) -> None:
    before = ticket_count()
    replies = resident.say(message)
    assert replies and all(r["text"] for r in replies)
    assert ticket_count() == before
    resident.say("取消")  # whatever the bot made of it, the resident can start over
    assert "工号" in resident.say_text("你好")


def test_control_characters_are_dropped_before_understanding(resident: Resident) -> None:
    assert "地址" in resident.say_text("暖气\x00不热\x1b")
    with session_scope() as session:
        texts = session.scalars(select(ChatMessage.text).where(ChatMessage.text.like("暖气%不热%"))).all()
    assert "暖气不热" in texts


@pytest.mark.parametrize("message", ["", "   ", "\x00\x01"])
def test_empty_message(resident: Resident, message: str) -> None:
    assert "没有输入" in resident.say_text(message)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"message": "hi"}', "'sender'"),
        (b'{"sender": "", "message": "hi"}', "'sender'"),
        (b'{"sender": "ISSUED"}', "Field 'message' is missing"),
        (b'{"sender": "ISSUED", "message": 5}', "Field 'message' must be a string, not a number"),
        (b'{"sender": "ISSUED", "message": null}', "must be a string, not null"),
        (b'{"sender": "ISSUED", "message": ["hi"]}', "must be a string, not an array"),
    ],
)
def test_malformed_requests_are_refused_clearly(app: RunningApp, body: bytes, error: str) -> None:
    with httpx.Client(base_url=app.base_url) as client:
        body = body.replace(b"ISSUED", issued_chat_id(client).encode())
        response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert error in response.json()["error"]


def test_chat_page_is_served(app: RunningApp) -> None:
    page = httpx.get(app.base_url + "/")
    assert page.status_code == 200 and "/api/chat" in page.text and "textContent" in page.text


@pytest.mark.parametrize("junk", ["asdfgh", "。。。。", "qwerty 123abc"])
def test_junk_where_the_address_is_asked_is_told_so_and_asked_again(resident: Resident, junk: str) -> None:
    assert "地址" in resident.say_text("暖气片不热,麻烦派人来修")
    answer = resident.say_text(junk)
    assert "没有找到地址" in answer and "例如" in answer, answer
    assert "电话" in resident.say_text("阳光花园3号楼2单元301")  # the report goes on
