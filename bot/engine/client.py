"""Rasa's REST channel over HTTP: the one way the application talks to the conversation engine."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
import httpx

from bot.config import get_settings
from bot.core.conversation.replies import Reply


class RasaUnavailable(Exception):
    """The Rasa server or its action server did not answer in time."""


def pick_server(sender: str, count: int) -> int:
    """Index of the Rasa server for this conversation.

    A stable hash (Python's hash() is salted per process), so every application process sends
    a resident to the same server. Correctness does not depend on it, as servers sharing a
    Redis tracker and lock store may answer any turn; it spreads the load by resident.
    """
    if count <= 1:
        return 0
    return int.from_bytes(hashlib.sha256(sender.encode()).digest()[:8], "big") % count


class RasaClient:
    """One pooled HTTP client per Rasa server; a conversation always goes to the same one."""

    def __init__(self, base_url: str | Sequence[str], timeout: float, token: str | None = None) -> None:
        """`token`: of Rasa's HTTP API (`--auth-token`); by default this process's configured one."""
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        if not urls:
            raise ValueError("RasaClient needs at least one Rasa server URL.")
        self.urls = urls
        self._api_params = {"token": token or get_settings().resolved_rasa_token()}
        self._clients = [httpx.AsyncClient(base_url=url, timeout=timeout, transport=KeptAliveTransport()) for url in urls]

    def _client_for(self, sender: str) -> httpx.AsyncClient:
        return self._clients[pick_server(sender, len(self._clients))]

    async def send(self, sender: str, text: str, message_ref: int | None = None) -> list[Reply]:
        """Send one message and return the bot's replies. `message_ref`: the stored message's id,
        the same when it is replayed, so the actions know a replay (actions.common.message_ref)."""
        # Rasa's channel routes take no token (--auth-token guards only its HTTP API): they are
        # safe because Rasa listens on loopback (HOTLINE_RASA_INTERFACE) by default.
        try:
            response = await self._client_for(sender).post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": text, **_metadata(message_ref)}
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa did not answer: {error!r}") from error
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        replies = parse_replies(response.json())
        if not replies:
            # Every turn of this bot says something; silence means a custom action failed,
            # usually because the action server is down.
            raise RasaUnavailable("Rasa answered nothing (is the action server running?)")
        return replies

    async def trigger(self, sender: str, intent: str, entities: dict[str, str]) -> list[Reply]:
        """Start a turn the resident did not ask for (a follow-up) and return what the bot says."""
        try:
            response = await self._client_for(sender).post(
                f"/conversations/{sender}/trigger_intent",
                json={"name": intent, "entities": entities},
                params=self._api_params,
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa did not answer: {error!r}") from error
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}: {response.text[:200]}")
        replies = parse_replies(response.json().get("messages", []))
        if not replies:
            raise RasaUnavailable("Rasa answered nothing (is the action server running?)")
        return replies

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


def parse_replies(items: list[dict]) -> list[Reply]:
    """Rasa's messages as replies; a custom message is a hint for the text before it."""
    replies: list[Reply] = []
    for item in items:
        if item.get("text"):
            replies.append(Reply(item["text"], list(item.get("buttons") or [])))
        elif isinstance(item.get("custom"), dict) and replies:
            last = replies.pop()
            replies.append(Reply(last.text, last.buttons, {**last.custom, **item["custom"]}))
    return replies


def _metadata(message_ref: int | None) -> dict[str, object]:
    return {"metadata": {"message_ref": f"msg-{message_ref}"}} if message_ref is not None else {}


class KeptAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 on kept-alive connections over asyncio streams: all the application needs to talk
    to Rasa (a small JSON request, an answer with a Content-Length, on a trusted network).

    httpx's own transport (httpcore over anyio) took 1.2 ms of CPU and 3 ms in all per request on
    the 2-core test machine, this one 0.3 ms and 1 ms: a tenth of the application's CPU per turn
    (bench/stack_speed.py). httpx's client stays on top: its timeouts, errors, test transports.
    """

    IDLE_SECONDS = 5.0  # an idle connection is closed after this long, as httpx does

    def __init__(self) -> None:
        self._idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def _connection(self, url: httpx.URL, timeout: float | None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            since, reader, writer = self._idle.pop()
            if time.monotonic() - since < self.IDLE_SECONDS and not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()  # closed by Rasa, or idle too long
        async with asyncio.timeout(timeout):
            return await asyncio.open_connection(url.host, url.port or 80)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        head = b"%s %s HTTP/1.1\r\n" % (request.method.encode(), request.url.raw_path)
        head += b"".join(b"%s: %s\r\n" % header for header in request.headers.raw)
        body = await request.aread()
        try:
            reader, writer = await self._connection(request.url, timeout.get("connect"))
        except TimeoutError as error:
            raise httpx.ConnectTimeout("Timed out connecting to Rasa", request=request) from error
        except OSError as error:
            raise httpx.ConnectError(repr(error), request=request) from error
        try:
            async with asyncio.timeout(timeout.get("read")):
                writer.write(head + b"\r\n" + body)
                status_line, *lines = (await reader.readuntil(b"\r\n\r\n"))[:-4].split(b"\r\n")
                headers = [(name.strip(), value.strip()) for name, _, value in (line.partition(b":") for line in lines)]
                fields = {name.lower(): value for name, value in headers}
                if b"content-length" not in fields:
                    raise httpx.RemoteProtocolError("Rasa answered without a Content-Length", request=request)
                content = await reader.readexactly(int(fields[b"content-length"]))
        except BaseException as error:
            writer.close()  # never reuse a connection whose answer was not read to its end
            if isinstance(error, TimeoutError):
                raise httpx.ReadTimeout("Timed out waiting for Rasa", request=request) from error
            if isinstance(error, (OSError, ValueError, IndexError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)):
                raise httpx.ReadError(repr(error), request=request) from error
            raise
        if fields.get(b"connection", b"").lower() == b"close":
            writer.close()
        else:
            self._idle.append((time.monotonic(), reader, writer))
        return httpx.Response(int(status_line.split()[1]), headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        for _, _, writer in self._idle:
            writer.close()
        self._idle.clear()
