"""Bad input and abuse of the web chat and the sign-in, against the real running application
(real Rasa and action server): each test is the attack, and shows that it fails."""

from __future__ import annotations

import socket

import httpx
import pytest
from sqlalchemy import select

from bot.channels.relay import Relay
from bot.config import get_settings
from bot.core.db import session_scope
from bot.core.models import ChatMessage
from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import RunningApp
from tests.harness import issued_chat_id
from tests.staff import PASSWORD, hidden, new_account

ANSWER_SECONDS = 5  # a refusal that does not wait for the body comes at once; buffering never ends


def stored_in(chat_id: str) -> list[ChatMessage]:
    """What the database keeps of a web chat's incoming messages, oldest first."""
    sender = Relay(get_settings()).sender_ref("web", chat_id)
    with session_scope() as session:
        return list(
            session.scalars(
                select(ChatMessage)
                .where(ChatMessage.sender == sender, ChatMessage.direction == "in")
                .order_by(ChatMessage.id)
            )
        )


# -- bodies: refused before they are buffered --------------------------------------------------


def raw_exchange(app: RunningApp, head: str, parts: list[bytes]) -> tuple[int, bytes]:
    """Send a request's head and then `parts` over a plain socket, never finishing the body,
    and return the status and body of the answer: only a server that refuses the body
    without waiting for all of it answers at all."""
    with socket.create_connection(("127.0.0.1", app.settings.port), timeout=ANSWER_SECONDS) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        for part in parts:
            try:
                connection.sendall(part)
            except (BrokenPipeError, ConnectionResetError):  # refused already: the answer waits
                break
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < content_length(answer):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def content_length(answer: bytes) -> int:
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


@pytest.mark.parametrize("path", ["/api/chat", "/dashboard/login"])
def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(app: RunningApp, path: str) -> None:
    head = f"POST {path} HTTP/1.1\nHost: hotline\nContent-Type: application/json\nContent-Length: 50000000\n"
    status, body = raw_exchange(app, head, [])  # not one byte of the 50 MB follows
    assert status == 413 and b"larger than" in body


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(app: RunningApp) -> None:
    limit = app.settings.max_request_bytes
    piece = b"x" * 8192
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * (limit // len(piece) + 2)  # just past it, no end
    head = "POST /api/chat HTTP/1.1\nHost: hotline\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    status, body = raw_exchange(app, head, chunks)
    assert status == 413 and f"larger than {limit} bytes".encode() in body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_json_endpoints_refuse_other_content_types(app: RunningApp, content_type: str | None) -> None:
    with httpx.Client(base_url=app.base_url) as client:
        chat_id = issued_chat_id(client)
        body = f'{{"sender": "{chat_id}", "message": "你好"}}'
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.post("/api/chat", content=body, headers=headers)
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["error"]
    assert stored_in(chat_id) == []


# -- the chat's identity: issued by the server ---------------------------------------------------


def test_issued_ids_are_unguessable_and_never_repeat(app: RunningApp) -> None:
    with httpx.Client(base_url=app.base_url) as client:
        ids = {issued_chat_id(client) for _ in range(50)}
    assert len(ids) == 50 and all(len(chat_id) >= 40 for chat_id in ids)


# -- pace: slowed down, nothing lost -------------------------------------------------------------


# -- sign-in: a stranger cannot lock a dispatcher out ---------------------------------------------


def sign_in_from(app: RunningApp, address: str, username: str, password: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=app.base_url, timeout=30, transport=transport) as client:
        page = client.get("/dashboard/login")
        form = {"username": username, "password": password, "login_token": hidden(page.text, "login_token")}
        return client.post("/dashboard/login", data=form)


def test_a_strangers_failed_sign_ins_do_not_lock_the_dispatcher_out_elsewhere(app: RunningApp) -> None:
    username = new_account()
    stranger, dispatcher = "127.0.0.2", "127.0.0.3"  # addresses no other test signs in from
    for _ in range(app.settings.login_max_failures + 3):
        sign_in_from(app, stranger, username, "a-wrong-guess")
    assert sign_in_from(app, stranger, username, PASSWORD).status_code == 429  # the stranger waits
    assert sign_in_from(app, dispatcher, username, PASSWORD).status_code == 303  # the dispatcher does not
