"""The dashboard's edge: every page below the sign-in goes through the guard, which
- checks the signed-in user and their role, the form's size and, on a state-changing request,
  the session's CSRF token;
- runs the page's handler, a plain function, in a worker thread inside one unit of work (one
  `session_scope()`): the one place where the dashboard's blocking database work leaves the
  event loop, so no page opens a session of its own or hops threads by hand.

A handler gets a `Visit` (the request's values, the user, the form, the session) and returns a
response; what it renders it builds from plain values inside that unit of work (views.py)."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.config import Settings
from bot.core.db import session_scope
from bot.core.tickets.intake import utcnow
from bot.dashboard import auth
from bot.dashboard.pages import Pages

STAFF = ("dispatcher", "admin")
ADMINS = ("admin",)
SESSION_COOKIE = "hl_session"
MAX_FORM_BYTES = 32 * 1024

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]


async def in_unit_of_work(work: Callable[[Session], T]) -> T:
    """Run `work` in a worker thread with one session: committed when it returns, rolled back
    when it raises. The event loop never waits on the database."""

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(run)


def same_token(given: object, expected: str) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Visit:
    """One guarded request as its handler sees it, inside its unit of work."""

    request: Request
    user: auth.SignedIn
    form: dict[str, str]
    session: Session
    settings: Settings
    pages: Pages

    @property
    def params(self) -> QueryParams:
        return self.request.query_params

    @property
    def path(self) -> dict[str, Any]:
        return self.request.path_params

    def text(self, key: str, **values: object) -> str:
        return self.pages.text(key, **values)

    def done_message(self, limit: int) -> str:
        """What the last step did ("Note added."), as our own redirect carried it: only with our
        signature, so that a link from elsewhere cannot put its words on a dashboard page."""
        text = self.params.get("done", "")
        signature = self.params.get("sig", "").encode()
        if not text or not hmac.compare_digest(signature, _done_signature(self.settings, text).encode()):
            return ""
        return text[:limit]

    def done_params(self, text: str) -> dict[str, str]:
        """The query that carries `text` to the page a step redirects to (see done_message)."""
        return {"done": text, "sig": _done_signature(self.settings, text)}

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        return self.pages.render(template, status, user=self.user, **values)

    def refuse(self, status: int, message: str) -> Response:
        """The error page, with the message in the dashboard's language."""
        return self.render("error.html", status, message=message)


def _done_signature(settings: Settings, text: str) -> str:
    key = settings.resolved_secret_key().encode()
    return hmac.new(key, b"dashboard-done:" + text.encode(), "sha256").hexdigest()[:32]


Handler = Callable[[Visit], Response]


class Guard:
    """Wraps the handlers of the pages below the sign-in (see the module's docstring)."""

    def __init__(self, settings: Settings, pages: Pages) -> None:
        self.settings, self.pages = settings, pages
        self.idle = timedelta(minutes=settings.dashboard_idle_minutes)

    def __call__(self, roles: tuple[str, ...], handler: Handler) -> Endpoint:
        """Only these roles get in; a state-changing request must also carry the CSRF token."""

        async def endpoint(request: Request) -> Response:
            form: dict[str, str] = {}
            too_large, unreadable = False, None
            if request.method == "POST":  # read here, on the event loop; judged after the sign-in
                length = request.headers.get("content-length") or "0"
                too_large = not length.isdigit() or int(length) > MAX_FORM_BYTES
                if not too_large:
                    try:
                        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
                    except HTTPException as problem:  # a malformed body: refused after the checks below
                        unreadable = problem
            return await in_unit_of_work(
                lambda session: self.visit(session, request, roles, handler, form, too_large, unreadable)
            )

        return endpoint

    def visit(self, session: Session, request: Request, roles: tuple[str, ...], handler: Handler,
              form: dict[str, str], too_large: bool, unreadable: HTTPException | None) -> Response:  # fmt: skip
        token = request.cookies.get(SESSION_COOKIE)
        user = auth.resume_session(session, token, utcnow(), self.idle) if token else None
        # Kept whatever the page does next, and no lock on the staff session held while it works
        # (activating a model takes minutes; the same user's other tab must not wait).
        session.commit()
        if user is None:
            if request.method == "GET" and "application/json" not in request.headers.get("accept", ""):
                return RedirectResponse(f"/dashboard/login?{urlencode({'next': request.url.path})}", 303)
            return JSONResponse({"error": self.pages.text("dashboard.sign_in_first")}, 401)
        if user.role not in roles:
            return self.pages.render("error.html", 403, user=user, message=self.pages.text("dashboard.role_refused"))
        if request.method == "POST":
            if too_large:
                return self.pages.render(
                    "error.html", 413, user=user, message=self.pages.text("dashboard.form_too_large")
                )
            if unreadable is not None:
                raise unreadable
            if not same_token(form.get("csrf") or request.headers.get("x-csrf-token"), user.csrf_token):
                return self.pages.render(
                    "error.html", 403, user=user, message=self.pages.text("dashboard.form_out_of_date")
                )
        return handler(Visit(request, user, form, session, self.settings, self.pages))
