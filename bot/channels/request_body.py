"""Request bodies: never buffered past a limit, and read as JSON only when sent as JSON.

The limit is kept by an ASGI middleware around the whole application (chat API, Telegram
webhook, dashboard forms): a declared Content-Length over it is answered 413 before a byte of
the body is read; a body without one (chunked) is counted as it arrives and refused as soon as
it passes the limit, so no client can make the server hold more than the limit in memory.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def error(message: str, status: int = 400, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def too_large_message(limit: int) -> str:
    return f"Request body is larger than {limit} bytes."


class BodyTooLarge(HTTPException):
    """Raised while the body is read, past the limit. An HTTPException, so that every
    Starlette application on the way (also the mounted dashboard) answers it with a 413
    instead of an internal error; the chat application's handler answers it in JSON."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


async def answer_too_large(request: Request, problem: Exception) -> JSONResponse:
    assert isinstance(problem, HTTPException)
    return error(problem.detail, 413)


class BodyLimit:
    """ASGI middleware: refuse bodies over `limit` bytes before they are buffered."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            await error(too_large_message(self.limit), 413, {"Connection": "close"})(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, receive_within_limit, send)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed Content-Length before we see it
    return None


def is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


async def read_json(request: Request) -> dict | JSONResponse:
    """The request's JSON object, or the error response that says what is wrong with it."""
    if not is_json(request):
        return error("Send the request body as JSON, with the header Content-Type: application/json.", 415)
    body = await request.body()  # within the limit: BodyLimit stops it otherwise
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return error("Request body is not valid JSON.")
    if not isinstance(data, dict):
        return error('Request body must be a JSON object like {"sender": "...", "message": "..."}.')
    return data
