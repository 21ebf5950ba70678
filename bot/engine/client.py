"""Rasa's REST channel over HTTP: the one way the application talks to the conversation engine."""

from __future__ import annotations

import hashlib
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
        # Keep as many idle connections as may be open: with httpx's default of 20, fifty
        # residents at once would open a new connection to Rasa for most turns.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._clients = [httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) for url in urls]

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
