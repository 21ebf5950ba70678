"""Bad input and abuse of the web chat and the sign-in (issue 11, point 6).

- A chat's id is issued by the server and cannot be picked or guessed: whoever knew or guessed
  another resident's chosen id could read that chat's replies and write in its name.
- A body over the limit is refused before it is read whole, and JSON only comes as JSON.
- A chat or a client writing too fast is slowed down, and nothing it sent is lost.
- Failed sign-ins from one address do not lock a dispatcher out who signs in from another.

These run against a stand-in for Rasa that echoes each message, so they need no model.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.chat_ids import ChatIds
from bot.channels.chat_rate_limits import HOLD_FACTOR, Admission, ChatRateLimits, Pace
from bot.channels.relay import Relay
from bot.channels.request_body import MAX_BODY_BYTES
from bot.channels.web import create_app
from bot.config import get_settings
from bot.dashboard import auth
from bot.db import session_scope
from bot.messages import say
from bot.models import ChatMessage, MessageStatus
from bot.tickets import utcnow
from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import Resident
from tests.harness import RunningApp
from tests.staff import Staff, new_account


class EchoRasa:
    """Rasa's REST channel as far as the relay needs it: every message is answered "echo: …"."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = json.dumps([{"text": f"echo: {body['message']}"}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoRasa]:
    rasa = EchoRasa()
    yield rasa
    rasa.stop()


@pytest.fixture(scope="module")
def web(echo: EchoRasa) -> Iterator[RunningApp]:
    """The application in front of the echoing stand-in, limits as in the other tests (off)."""
    running = RunningApp(echo.url)
    yield running
    running.stop()


def stored_messages(chat_id: str) -> list[ChatMessage]:
    sender = Relay(get_settings()).sender_ref("web", chat_id)
    with session_scope() as session:
        query = select(ChatMessage).where(ChatMessage.sender == sender, ChatMessage.direction == "in")
        return list(session.scalars(query.order_by(ChatMessage.id)))


# -- 1. the chat's id is issued by the server ------------------------------------------------


def test_a_sender_the_server_did_not_issue_is_refused(web: RunningApp) -> None:
    # Before: any string was a chat, so knowing or guessing one meant reading its replies.
    victim = "resident-1234"
    post = httpx.post(f"{web.base_url}/api/chat", json={"sender": victim, "message": "你好"})
    read = httpx.get(f"{web.base_url}/api/chat/updates", params={"sender": victim})
    for response in (post, read):
        assert response.status_code == 403, response.text
        assert "/api/chat/session" in response.json()["error"]
    assert stored_messages(victim) == []  # nothing was stored in that name


def test_issued_ids_are_unguessable_and_each_is_its_own_chat(web: RunningApp) -> None:
    first, second = Resident(web.base_url), Resident(web.base_url)
    assert first.sender != second.sender and len(first.sender) >= 40
    assert first.say_text("暖气不热") == "echo: 暖气不热"
    assert [m.text for m in stored_messages(first.sender)] == ["暖气不热"] and stored_messages(second.sender) == []
    assert first.client.get("/api/chat/updates", params={"sender": first.sender}).json() == []

    # An id changed by one character, or glued together from two, is nobody's.
    flipped = first.sender[:-1] + ("A" if first.sender[-1] != "A" else "B")
    glued = first.sender.split(".")[0] + "." + second.sender.split(".")[1]
    for forged in (flipped, glued, first.sender + "x", "\ud800." + first.sender):
        body = json.dumps({"sender": forged, "message": "hi"})  # ASCII-escaped: a lone surrogate too
        response = httpx.post(f"{web.base_url}/api/chat", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 403, forged


def test_an_id_works_after_a_restart_and_in_another_process(web: RunningApp, echo: EchoRasa) -> None:
    resident = Resident(web.base_url)
    other = RunningApp(echo.url)  # another application process sharing the secret key
    try:
        answer = httpx.post(f"{other.base_url}/api/chat", json={"sender": resident.sender, "message": "还在吗"})
        assert answer.status_code == 200 and answer.json()[0]["text"] == "echo: 还在吗"
    finally:
        other.stop()


def test_the_chat_page_asks_the_server_for_its_id(web: RunningApp, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    chat_ids = ChatIds(get_settings().resolved_secret_key())
    page = browser.new_context().new_page()
    page.goto(web.base_url)
    page.wait_for_selector(".msg.bot")
    assert page.locator(".msg.bot").first.inner_text() == "echo: 你好"  # the greeting went through
    kept = page.evaluate("localStorage.getItem('hotline-chat-id')")
    assert chat_ids.is_issued(kept)
    # An id the page made up (as it did before), or one no longer accepted, is replaced.
    page.evaluate("localStorage.setItem('hotline-chat-id', 'web-made-up')")
    page.reload()
    page.wait_for_selector(".msg.bot")
    assert page.locator(".msg.bot").first.inner_text() == "echo: 你好"
    renewed = page.evaluate("localStorage.getItem('hotline-chat-id')")
    assert renewed != kept and chat_ids.is_issued(renewed)
    page.reload()  # and kept across visits
    page.wait_for_selector(".msg.bot")
    assert page.evaluate("localStorage.getItem('hotline-chat-id')") == renewed


# -- 2. bodies over the limit, and JSON that does not say so ----------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_any_body_arrives(web: RunningApp) -> None:
    # Before: the whole body was awaited (here: forever) and only then measured.
    port = int(web.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(
            b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\n\r\n"
        )
        answer, chunk = "", b"-"
        while chunk and not answer.endswith("}"):  # the status line, the headers, the JSON error
            chunk = connection.recv(4096)
            answer += chunk.decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    assert f"{MAX_BODY_BYTES} bytes" in answer


def test_a_chunked_body_is_read_only_up_to_the_limit() -> None:
    # A body without a declared length (chunked) is read piece by piece, and reading stops as
    # soon as it passes the limit. Before: all of it was buffered, then refused.
    app = create_app(get_settings().model_copy(update={"rasa_url": "http://127.0.0.1:9"}))
    pieces, piece = 1000, b"x" * 16 * 1024  # 16 MB in all
    given = 0

    async def receive() -> dict:
        nonlocal given
        given += 1
        return {"type": "http.request", "body": piece, "more_body": given < pieces}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/chat", "raw_path": b"/api/chat", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80), "root_path": "", "state": {}}  # fmt: skip
    # In a thread of its own: the browser tests' Playwright holds this thread's event loop.
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, app(scope, receive, send)).result()
    assert sent[0]["status"] == 413
    assert given * len(piece) <= MAX_BODY_BYTES + len(piece)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_json_under_another_content_type_is_refused(web: RunningApp, content_type: str | None) -> None:
    # A page on another site may post text/plain to us without asking the browser first.
    resident = Resident(web.base_url)
    body = json.dumps({"sender": resident.sender, "message": "你好"})
    headers = {"Content-Type": content_type} if content_type else {}
    response = httpx.post(f"{web.base_url}/api/chat", content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["error"]
    assert stored_messages(resident.sender) == []
    charset = httpx.post(f"{web.base_url}/api/chat", content=body.encode(),
                         headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    assert charset.status_code == 200


def test_a_message_over_the_limit_is_kept_only_as_a_prefix(web: RunningApp) -> None:
    resident = Resident(web.base_url)
    limit = get_settings().max_message_chars
    reply = resident.say_text("漏" * 20_000)
    assert "20000" in reply and str(limit) in reply
    [kept] = stored_messages(resident.sender)
    assert kept.status is MessageStatus.REJECTED
    assert kept.text == "漏" * limit + "…"  # the first `limit` characters, marked as cut


# -- 3. writing too fast ----------------------------------------------------------------------


@pytest.fixture
def slow_web(echo: EchoRasa) -> Iterator[RunningApp]:
    """Two messages a minute per chat, five per client address; the retry job every 0.2 s."""
    running = RunningApp(echo.url, chat_rate_per_minute=2, chat_client_rate_per_minute=5,
                         retry_pending_every_seconds=0.2)  # fmt: skip
    yield running
    running.stop()


def poll_updates(resident: Resident, until: str, seconds: float = 10) -> list[str]:
    texts: list[str] = []
    deadline = time.monotonic() + seconds
    while until not in texts and time.monotonic() < deadline:
        texts += [r["text"] for r in resident.client.get("/api/chat/updates", params={"sender": resident.sender}).json()]
        time.sleep(0.1)
    return texts


def test_a_chat_over_its_limit_is_asked_to_wait_and_answered_later(slow_web: RunningApp) -> None:
    resident = Resident(slow_web.base_url)
    assert resident.say_text("一楼") == "echo: 一楼"
    assert resident.say_text("二楼") == "echo: 二楼"
    held = resident.say_text("三楼")  # before: answered at once, however fast the chat wrote
    [third] = [m for m in stored_messages(resident.sender) if m.text == "三楼"]
    assert held == say("answer_later", "zh", message_id=third.id)
    assert "稍后" in held and "不用重发" in held
    # Kept like any message; the retry job answers it into the chat's outbox, in order.
    assert "echo: 三楼" in poll_updates(resident, "echo: 三楼")
    english = Resident(slow_web.base_url)
    english.say("one")
    english.say("two")
    assert "shortly" in english.say_text("three, please")


def test_a_flooding_chat_is_told_to_resend_and_nothing_more_is_stored(slow_web: RunningApp) -> None:
    resident = Resident(slow_web.base_url)
    pasted = [resident.client.post("/api/chat", json={"sender": resident.sender, "message": f"第{n}条"})
              for n in range(8)]  # fmt: skip
    statuses = [response.status_code for response in pasted]
    assert statuses == [200] * 6 + [429] * 2  # two answered, four held, then refused
    refused = pasted[-1]
    assert int(refused.headers["Retry-After"]) >= 1 and "重新发送" in refused.json()["error"]
    assert [m.text for m in stored_messages(resident.sender)] == [f"第{n}条" for n in range(6)]


def test_the_pace_is_a_sliding_minute_per_chat_and_per_address() -> None:
    now = [1000.0]
    limits = ChatRateLimits(per_chat=2, per_client=0, clock=lambda: now[0])  # 0: no limit per address
    paces = [limits.admit("chat", "10.0.0.1").pace for _ in range(7)]
    assert paces == [Pace.NOW] * 2 + [Pace.LATER] * (2 * HOLD_FACTOR - 2) + [Pace.REFUSED]
    assert limits.admit("other chat", "10.0.0.1").pace is Pace.NOW
    now[0] += 30
    assert limits.admit("chat", "10.0.0.1") == Admission(Pace.REFUSED, retry_after=30)
    now[0] += 30.5  # the first six have left the minute
    assert limits.admit("chat", "10.0.0.1").pace is Pace.NOW
    now[0] += 61
    assert limits.admit("chat", "10.0.0.1").pace is Pace.NOW
    assert list(limits._recent["chat"]._times) == ["chat"]  # the quiet chat was forgotten


def test_an_id_from_another_key_is_nobodys() -> None:
    mine, theirs = ChatIds("one secret key"), ChatIds("another secret key")
    assert mine.is_issued(mine.issue()) and not mine.is_issued(theirs.issue())


def test_the_chat_page_puts_a_refused_message_back_to_resend(slow_web: RunningApp, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser.new_context().new_page()
    page.goto(slow_web.base_url)
    page.wait_for_selector(".msg.bot")  # the greeting: one message of the chat's six a minute
    for n in range(6):
        before = page.locator(".msg.bot").count()
        page.fill("#text", f"第{n}条")
        page.click("#send")
        page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {before}")
    assert "重新发送" in page.locator(".msg.bot").last.inner_text()
    assert page.input_value("#text") == "第5条"  # not kept by the server: back in the box


def test_a_client_over_its_limit_is_slowed_whatever_chat_it_uses(slow_web: RunningApp) -> None:
    crowd = {"X-Forwarded-For": "203.0.113.9"}  # one address (uvicorn trusts the header from loopback)
    answers = []
    for _ in range(6):  # six chats, one message each: no chat is over its own limit
        chat_id = httpx.post(f"{slow_web.base_url}/api/chat/session").json()["sender"]
        response = httpx.post(f"{slow_web.base_url}/api/chat", json={"sender": chat_id, "message": "hello"},
                              headers=crowd)  # fmt: skip
        answers.append(response.json()[0]["text"])
    assert answers[:5] == ["echo: hello"] * 5 and "shortly" in answers[5]
    elsewhere = Resident(slow_web.base_url)  # another address is not slowed down
    assert elsewhere.say_text("hello") == "echo: hello"


# -- 4. sign-in: one address cannot lock a dispatcher out -------------------------------------


def test_failures_from_one_address_do_not_lock_the_account_for_another(web: RunningApp) -> None:
    username = new_account()
    stranger = {"X-Forwarded-For": "203.0.113.7"}
    attacker = Staff(web.base_url, username, password="guess-0000", **stranger)
    for n in range(1, 8):
        attacker.sign_in(f"guess-{n:04d}")
    # The stranger waits, even with the right password...
    assert Staff(web.base_url, username, **stranger).login_response.status_code == 429
    # ...but the dispatcher at their own desk gets in (before: the account itself was locked).
    dispatcher = Staff(web.base_url, username, **{"X-Forwarded-For": "198.51.100.20"})
    assert dispatcher.login_response.status_code == 303


@pytest.fixture
def window() -> timedelta:
    return timedelta(minutes=15)


def test_many_addresses_together_reach_the_accounts_ceiling(db_session: Session, window: timedelta) -> None:
    now, limit = utcnow(), 5
    for address in range(auth.ACCOUNT_FACTOR - 1):  # each address stops at its own limit
        for _ in range(limit):
            auth.record_failure(db_session, "wang", f"10.0.0.{address}", now, window)
    assert auth.locked_out(db_session, "wang", "10.0.0.0", now, limit, window)  # that pair waits
    assert not auth.locked_out(db_session, "wang", "192.0.2.1", now, limit, window)  # others get in
    for _ in range(limit):
        auth.record_failure(db_session, "wang", "10.0.1.1", now, window)
    # A guessing botnet: the account as a whole now waits, from everywhere, for the window.
    assert auth.locked_out(db_session, "wang", "192.0.2.1", now, limit, window)
    later = now + window + timedelta(seconds=1)
    assert not auth.locked_out(db_session, "wang", "192.0.2.1", later, limit, window)


def test_one_address_trying_many_accounts_is_stopped(db_session: Session, window: timedelta) -> None:
    now, limit = utcnow(), 5
    for account in range(auth.CLIENT_FACTOR * limit):
        auth.record_failure(db_session, f"user{account}", "10.9.9.9", now, window)
    assert auth.locked_out(db_session, "somebody", "10.9.9.9", now, limit, window)
    assert not auth.locked_out(db_session, "somebody", "10.9.9.10", now, limit, window)

