"""Reading a JSON request body without trusting its size or its type.

A body is read piece by piece and reading stops as soon as it passes the limit, so a client
cannot make the application hold megabytes (or an endless chunked stream) in memory only to be
refused afterwards; a declared Content-Length over the limit is refused before anything is read.
JSON must say it is JSON: a page on another site can make a browser post text/plain or a form
to us without asking first, but not application/json.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_BODY_BYTES = 64 * 1024


def error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def too_large(limit: int) -> JSONResponse:
    return error(f"Request body is larger than {limit} bytes.", 413)


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | JSONResponse:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            return error("Content-Length is not a number.")
        if int(declared) > limit:
            return too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> dict | JSONResponse:
    """The request's JSON object, or the error response that says what is wrong with it."""
    if not is_json(request):
        return error("Send the request body as JSON with the header Content-Type: application/json.", 415)
    body = await read_body(request, limit)
    if isinstance(body, JSONResponse):
        return body
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return error("Request body is not valid JSON.")
    if not isinstance(data, dict):
        return error('Request body must be a JSON object like {"sender": "...", "message": "..."}.')
    return data
