"""A local Bot API stand-in for tests: python-telegram-bot talks real HTTP to it.

It keeps a queue of updates for getUpdates (acknowledged by the next offset, as Telegram does),
records every message the bot sends (with the time it arrived), serves files through getFile
and the download path `/file/bot<token>/<file_path>`, and can answer 429 Too Many Requests or 502 Bad Gateway on demand.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from datetime import timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.harness import RunningApp, free_port

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Hotline", "username": "hotline_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}  # fmt: skip


_UPDATE_IDS = itertools.count(500_000)


class BotApiStandIn:
    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.pending: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.answered_callbacks: list[str] = []
        self.callback_answers: dict[str, str] = {}
        self.throttle_next = 0  # this many sendMessage calls answer 429 first
        self.fail_next = 0  # this many sendMessage calls answer 502 Bad Gateway (a failed send) first
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and the download
        self.broken_downloads: set[str] = set()  # file_ids whose download answers 500
        self.downloads: list[str] = []  # file paths the bot downloaded
        self._ids = itertools.count(1000)
        self._update_ids = _UPDATE_IDS  # shared: like Telegram's, they only ever grow
        self._lock = threading.Lock()
        app = Starlette(routes=[
            Route("/bot{token}/{method}", self.handle, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self.download),
        ])  # fmt: skip
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def app_settings(self, **overrides: object) -> dict[str, object]:
        """The application's settings (as RunningApp and AppProcess take them) for a Telegram
        channel that polls this stand-in, in polls of a second."""
        return {"telegram_bot_token": TOKEN, "telegram_api_base_url": self.base_url, "telegram_poll_timeout": 1,
                **overrides}  # fmt: skip

    # -- what the test does as Telegram's users ---------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def push(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.pending.append(update)

    def message_update(self, chat_id: int, text: str, **extra: Any) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "zh-hans"}
        message = {"message_id": next(self._ids), "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "from": user, **({"text": text} if text is not None else {}), **extra}  # fmt: skip
        if text and text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": self.next_update_id(), "message": message}

    def photo(self, data: bytes, declared_size: int | None = None) -> list[dict[str, Any]]:
        """A message's `photo` field: a thumbnail and the full size, whose bytes are `data`."""
        number = next(self._ids)
        self.files[f"full-{number}"] = data
        self.files[f"thumb-{number}"] = data[:100]
        return [{"file_id": f"thumb-{number}", "file_unique_id": f"t{number}", "width": 90, "height": 60, "file_size": 100},
                {"file_id": f"full-{number}", "file_unique_id": f"f{number}", "width": 1280, "height": 853,
                 "file_size": len(data) if declared_size is None else declared_size}]  # fmt: skip

    def callback_update(self, chat_id: int, data: str) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "zh-hans"}
        message = {"message_id": next(self._ids), "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "from": BOT_USER, "text": "..."}  # fmt: skip
        query = {"id": str(next(self._ids)), "from": user, "chat_instance": "1", "data": data, "message": message}
        return {"update_id": self.next_update_id(), "callback_query": query}

    def group_press(self, group_id: int, user_id: int, data: str) -> tuple[dict[str, Any], str]:
        """A group member presses a button of the bot's message; returns the update and query id."""
        user = {"id": user_id, "is_bot": False, "first_name": f"Staff{user_id}"}
        message = {"message_id": next(self._ids), "date": int(time.time()),
                   "chat": {"id": group_id, "type": "supergroup", "title": "Dispatch"}, "from": BOT_USER, "text": "..."}  # fmt: skip
        query_id = str(next(self._ids))
        query = {"id": query_id, "from": user, "chat_instance": "2", "data": data, "message": message}
        return {"update_id": self.next_update_id(), "callback_query": query}, query_id

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if str(m["chat_id"]) == str(chat_id)]

    def wait_for(self, chat_id: int, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = [m for m in self.sent if str(m["chat_id"]) == str(chat_id)]
            if len(messages) >= count:
                return messages
            time.sleep(0.05)
        raise AssertionError(f"Only {self.texts_to(chat_id)} reached chat {chat_id}")

    # -- the Bot API ---------------------------------------------------------------------------

    async def handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        self.calls.append(method)
        if method == "getMe":
            return self.ok(BOT_USER)
        if method in ("deleteWebhook", "setWebhook", "setMyCommands"):
            return self.ok(True)
        if method == "getUpdates":
            return await self.get_updates(params)
        if method == "answerCallbackQuery":
            self.answered_callbacks.append(params["callback_query_id"])
            self.callback_answers[params["callback_query_id"]] = params.get("text") or ""
            return self.ok(True)
        if method == "sendMessage":
            return self.send_message(params)
        if method == "getFile":
            file_id = params["file_id"]
            if file_id not in self.files:
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}, 400
                )
            return self.ok({"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                            "file_path": f"photos/{file_id}.jpg"})  # fmt: skip
        return JSONResponse({"ok": False, "error_code": 404, "description": f"Not Found: {method}"}, 404)

    async def download(self, request: Request) -> Response:
        file_path = request.path_params["file_path"]
        if request.path_params["token"] != TOKEN:
            return Response(status_code=401)
        file_id = file_path.removeprefix("photos/").removesuffix(".jpg")
        self.downloads.append(file_path)
        if file_id in self.broken_downloads:
            return Response("Internal Server Error", status_code=500)
        if file_id not in self.files:
            return Response(status_code=404)
        return Response(self.files[file_id], media_type="application/octet-stream")

    async def get_updates(self, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    self.pending = [u for u in self.pending if u["update_id"] >= offset]
                ready = list(self.pending)
            if ready or time.monotonic() >= deadline:
                return self.ok(ready)
            await asyncio.sleep(0.05)

    def send_message(self, params: dict[str, Any]) -> JSONResponse:
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502)
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },  # fmt: skip
                429,
            )
        markup = params.get("reply_markup")
        record = {"chat_id": params["chat_id"], "text": params["text"], "at": time.monotonic(),
                  "reply_markup": json.loads(markup) if isinstance(markup, str) else markup}  # fmt: skip
        self.sent.append(record)
        return self.ok({"message_id": next(self._ids), "date": int(time.time()),
                        "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params["text"]})  # fmt: skip

    @staticmethod
    def ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    async def _params(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            return await request.json()
        form = await request.form()
        return {key: value for key, value in form.items()}


# -- the dispatchers' group ---------------------------------------------------------------------


def group_app(rasa_url: str, bot_api: BotApiStandIn, group: int, **overrides: object) -> RunningApp:
    """The application with the dispatchers' group `group` on the stand-in, its outboxes pushed and
    its notices posted every half second; what earlier tests created counts as posted already."""
    mark_all_posted()
    return RunningApp(
        rasa_url,
        **bot_api.app_settings(telegram_push_every_seconds=0.5, telegram_dispatcher_chat_id=group, **overrides),
    )


def mark_all_posted() -> None:
    """What earlier tests created is not a dispatchers' group's business: their tickets, alerts
    (raised now) and outage suspicions count as posted, so a group test sees only its own."""
    from sqlalchemy import update

    from bot.core.db import session_scope
    from bot.core.models import Alert, OutageSuspicion, Ticket
    from bot.core.tickets.alerts import check_deadlines
    from bot.core.tickets.intake import utcnow

    with session_scope() as session:
        check_deadlines(session, utcnow() + timedelta(days=30))
        for model, posted in ((Ticket, "group_posted_at"), (Alert, "posted_at"), (OutageSuspicion, "posted_at")):
            session.execute(update(model).values({posted: utcnow()}))
