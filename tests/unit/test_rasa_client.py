"""bot/engine/client.py's call of Rasa's REST channel, against a scripted HTTP server: answers are
read whole (Content-Length or chunked), connections are kept and reused, one the server closed
is not, and no message is ever sent twice: every failure reaches the caller as RasaUnavailable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from bot.engine.client import RasaClient, RasaUnavailable

ANSWER = [
    {"recipient_id": "web:a", "text": "请留下您的联系电话。"},
    {"recipient_id": "web:a", "custom": {"request": "phone"}},
]


def with_length(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def chunked(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    middle = len(body) // 2
    parts = [body[:middle], body[middle:]]
    return head + b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in parts) + b"0\r\n\r\n"


@dataclass
class Scripted:
    """An HTTP/1.1 server answering each request with what `respond` makes of its body (None:
    close the connection without an answer); it records every request and connection."""

    respond: Callable[[dict], bytes | None]
    requests: list[dict] = field(default_factory=list)
    heads: list[bytes] = field(default_factory=list)
    connections: int = 0
    close_after_answer: bool = False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                body = json.loads(await reader.readexactly(length))
                self.heads.append(head)
                self.requests.append(body)
                answer = self.respond(body)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[Scripted, str]]:
    scripted = Scripted(lambda body: with_length(json.dumps(ANSWER).encode()))
    listening = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield scripted, f"http://127.0.0.1:{port}"


async def test_the_message_reaches_rasa_and_the_answer_comes_back(server: tuple[Scripted, str]) -> None:
    scripted, url = server
    client = RasaClient(url, 5, token="t")
    replies = await client.send("web:a", "阳光花园3号楼 暖气不热", 42)
    assert [(reply.text, reply.custom) for reply in replies] == [("请留下您的联系电话。", {"request": "phone"})]
    assert scripted.requests == [
        {"sender": "web:a", "message": "阳光花园3号楼 暖气不热", "metadata": {"message_ref": "msg-42"}}
    ]
    assert scripted.heads[0].startswith(b"POST /webhooks/rest/webhook HTTP/1.1\r\n")
    await client.close()


async def test_one_connection_serves_turn_after_turn(server: tuple[Scripted, str]) -> None:
    scripted, url = server
    client = RasaClient(url, 5, token="t")
    for turn in range(3):
        await client.send("web:a", f"turn {turn}", turn)
    assert scripted.connections == 1 and len(scripted.requests) == 3
    await client.close()


async def test_a_chunked_answer_is_read_whole(server: tuple[Scripted, str]) -> None:
    scripted, url = server
    scripted.respond = lambda body: chunked(json.dumps(ANSWER).encode())
    client = RasaClient(url, 5, token="t")
    for _ in range(2):
        assert [reply.text for reply in await client.send("web:a", "x", 1)] == ["请留下您的联系电话。"]
    assert scripted.connections == 1
    await client.close()


async def test_a_connection_the_server_closed_is_not_used_again(server: tuple[Scripted, str]) -> None:
    scripted, url = server
    scripted.close_after_answer = True  # as a server does after its keep-alive timeout
    client = RasaClient(url, 5, token="t")
    await client.send("web:a", "first", 1)
    await asyncio.sleep(0.05)  # the server's close arrives
    assert [reply.text for reply in await client.send("web:a", "second", 2)] == ["请留下您的联系电话。"]
    assert [request["message"] for request in scripted.requests] == ["first", "second"]
    assert scripted.connections == 2
    await client.close()


async def test_a_server_that_closes_without_answering_is_unavailable_and_gets_the_message_once(
    server: tuple[Scripted, str],
) -> None:
    scripted, url = server
    scripted.respond = lambda body: None
    client = RasaClient(url, 5, token="t")
    with pytest.raises(RasaUnavailable):
        await client.send("web:a", "漏水了", 7)
    assert len(scripted.requests) == 1  # never sent again
    scripted.respond = lambda body: with_length(json.dumps(ANSWER).encode())
    assert await client.send("web:a", "漏水了", 7)  # a new connection for the next turn
    await client.close()


@pytest.mark.parametrize(
    "answer",
    [
        with_length(b'{"error": "down"}', status="500 Internal Server Error"),
        with_length(b"[]"),  # silence: an action failed
        with_length(b"not json"),
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[]",  # cut short, then the connection closes
        b"garbage\r\n\r\n",
    ],
)
async def test_a_bad_answer_is_unavailable(server: tuple[Scripted, str], answer: bytes) -> None:
    scripted, url = server
    scripted.respond = lambda body: answer
    scripted.close_after_answer = True
    client = RasaClient(url, 5, token="t")
    with pytest.raises(RasaUnavailable):
        await client.send("web:a", "x", 1)
    await client.close()


async def test_a_server_that_does_not_answer_in_time_is_unavailable(server: tuple[Scripted, str]) -> None:
    scripted, url = server
    never = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await never.wait()

    listening = await asyncio.start_server(slow, "127.0.0.1", 0)
    async with listening:
        client = RasaClient(f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}", 0.3, token="t")
        with pytest.raises(RasaUnavailable):
            await client.send("web:a", "x", 1)
        await client.close()
        never.set()


async def test_no_server_is_unavailable() -> None:
    listening = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    client = RasaClient(f"http://127.0.0.1:{port}", 2, token="t")
    with pytest.raises(RasaUnavailable):
        await client.send("web:a", "x", 1)
    await client.close()
