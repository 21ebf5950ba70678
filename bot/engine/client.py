"""Rasa's REST channel over HTTP: the one way the application talks to the conversation engine."""

from __future__ import annotations

import asyncio
import hashlib
import json
import ssl
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

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


# The forms of a report in progress (domain.yml): a follow-up does not cut into them.
REPORT_FORMS = frozenset({"ticket_form", "confirm_form"})


class RasaClient:
    """One pooled HTTP client per Rasa server; a conversation always goes to the same one."""

    def __init__(self, base_url: str | Sequence[str], timeout: float, token: str | None = None) -> None:
        """`token`: of Rasa's HTTP API (`--auth-token`); by default this process's configured one."""
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        if not urls:
            raise ValueError("RasaClient needs at least one Rasa server URL.")
        self.urls = urls
        self._api_params = {"token": token or get_settings().resolved_rasa_token()}
        # Keep as many idle connections as may be open: with httpx's default of 20, fifty
        # residents at once would open a new connection to Rasa for most turns.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._clients = [httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) for url in urls]
        self._webhooks = [RestWebhook(url, timeout) for url in urls]

    def _client_for(self, sender: str) -> httpx.AsyncClient:
        return self._clients[pick_server(sender, len(self._clients))]

    async def send(self, sender: str, text: str, message_ref: int | None = None) -> list[Reply]:
        """Send one message and return the bot's replies. `message_ref`: the stored message's id,
        the same when it is replayed, so the actions know a replay (actions.common.message_ref)."""
        # Rasa's channel routes take no token (--auth-token guards only its HTTP API): they are
        # safe because Rasa listens on loopback (HOTLINE_RASA_INTERFACE) by default.
        webhook = self._webhooks[pick_server(sender, len(self._webhooks))]
        try:
            status, body = await webhook.post({"sender": sender, "message": text, **_metadata(message_ref)})
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.LimitOverrunError) as error:
            raise RasaUnavailable(f"Rasa did not answer: {error!r}") from error
        if status != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {status}")
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise RasaUnavailable(f"Rasa's answer is no JSON: {error}") from error
        replies = parse_replies(answer if isinstance(answer, list) else [])
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

    async def report_in_progress(self, sender: str, idle: float) -> bool:
        """Whether the conversation is in the middle of a report (its form active) and has had a
        turn in the last `idle` seconds; a half-way report older than that is Rasa's expired
        session, not the resident's current business."""
        try:
            response = await self._client_for(sender).get(
                f"/conversations/{sender}/tracker", params={**self._api_params, "include_events": "NONE"}
            )
        except httpx.HTTPError as error:
            raise RasaUnavailable(f"Rasa did not answer: {error!r}") from error
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}: {response.text[:200]}")
        state = response.json()
        form = (state.get("active_loop") or {}).get("name")
        latest = state.get("latest_event_time") or 0
        return form in REPORT_FORMS and time.time() - latest < idle

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
        for webhook in self._webhooks:
            webhook.close()


class RestWebhook:
    """POSTs to one Rasa server's REST channel (`/webhooks/rest/webhook`), over HTTP/1.1
    connections that are kept open and reused, one request at a time on each.

    Every turn makes this call, and httpx spent about 2.5 ms of CPU on each (its request and
    response models, the connection pool's locks, the headers and the body written in two
    packets): ten times what this costs. It speaks just what the call needs: one request in one
    write, a response with a Content-Length or chunked body. A request is never sent twice: a
    kept connection the server has closed meanwhile is dropped before it is used, and any error
    (refused, reset, timed out, a malformed answer) ends the connection and reaches the caller.
    """

    def __init__(self, base_url: str, timeout: float, max_idle: int = 100) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"Not an http(s) URL of a Rasa server: {base_url!r}")
        self.host, self.tls = url.hostname, url.scheme == "https"
        self.port = url.port or (443 if self.tls else 80)
        self.timeout, self.max_idle = timeout, max_idle
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._head = (
            f"POST {url.path.rstrip('/')}/webhooks/rest/webhook HTTP/1.1\r\nHost: {host}:{self.port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
        ).encode()
        # Connections not in use, with the event loop they belong to (a stream works in its own).
        self._idle: list[tuple[asyncio.AbstractEventLoop, asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, payload: object) -> tuple[int, bytes]:
        """The status and body of Rasa's answer to `payload` (as JSON)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        async with asyncio.timeout(self.timeout):
            reader, writer = await self._connection()
            try:
                writer.write(self._head + str(len(body)).encode() + b"\r\n\r\n" + body)
                status, answer, keep = await _read_response(reader)
            except BaseException:
                writer.close()
                raise
        if keep and len(self._idle) < self.max_idle:
            self._idle.append((asyncio.get_running_loop(), reader, writer))
        else:
            writer.close()
        return status, answer

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        loop = asyncio.get_running_loop()
        while self._idle:
            owner, reader, writer = self._idle.pop()
            if owner is loop and not owner.is_closed() and not reader.at_eof() and not writer.is_closing():
                return reader, writer
            if not owner.is_closed():
                writer.close()  # closed by the server meanwhile, or another loop's
        context = ssl.create_default_context() if self.tls else None
        return await asyncio.open_connection(self.host, self.port, ssl=context, limit=2**20)

    def close(self) -> None:
        while self._idle:
            owner, _, writer = self._idle.pop()
            if not owner.is_closed():
                writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection may be used again) of one HTTP/1.1 response."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    version, status = head[0].split(" ", 2)[:2]
    headers: dict[str, str] = {}
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if int(status) in (204, 304):
        return int(status), b"", keep
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        return int(status), b"".join(chunks), keep
    if "content-length" in headers:
        return int(status), await reader.readexactly(int(headers["content-length"])), keep
    return int(status), await reader.read(), False  # the body ends with the connection


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
