"""A stand-in for the Rasa server, for the unit tests: the same HTTP API the application calls
(bot/engine/client.py), answering every message with a fixed text. It understands nothing; tests
that need the bot to understand a resident use the real stack (tests/e2e)."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from tests.harness import free_port

FAKE_REPLY = "fake engine: heard"


class FakeEngine:
    """Rasa's REST channel and trigger API on a real port, in a thread of the test process."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str]] = []  # (sender, message), in order
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(routes=[
            Route("/", lambda request: PlainTextResponse("Hello from the fake engine")),
            Route("/webhooks/rest/webhook", self._message, methods=["POST"]),
            Route("/conversations/{sender}/trigger_intent", self._trigger, methods=["POST"]),
        ])  # fmt: skip
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The fake engine did not start.")
            time.sleep(0.05)

    async def _message(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.heard.append((body["sender"], body["message"]))
        return JSONResponse([{"recipient_id": body["sender"], "text": f"{FAKE_REPLY} {body['message']}"}])

    async def _trigger(self, request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"messages": [{"text": f"{FAKE_REPLY} {body['name']}"}]})

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
