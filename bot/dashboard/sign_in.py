"""Signing in and out: the sign-in form (itself CSRF-protected by a double-submit token), the
brake on password guessing, and the session cookie."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.tickets.intake import utcnow
from bot.dashboard import auth
from bot.dashboard.guard import SESSION_COOKIE, STAFF, Guard, Visit, in_unit_of_work, same_token
from bot.dashboard.pages import Pages

LOGIN_COOKIE = "hl_login"  # double-submit token: the login form itself is CSRF-protected


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_https(request: Request, settings: Settings) -> bool:
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def sign_in_routes(settings: Settings, pages: Pages, guard: Guard) -> list[Route]:
    idle = timedelta(minutes=settings.dashboard_idle_minutes)
    lockout = timedelta(minutes=settings.login_lockout_minutes)

    def login_page(request: Request, error: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        response = pages.render("login.html", status, error=error, login_token=token,
                                next=request.query_params.get("next", ""))  # fmt: skip
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                            secure=is_https(request, settings), path="/dashboard")  # fmt: skip
        return response

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return login_page(request)
        form = await request.form()
        if not same_token(form.get("login_token"), request.cookies.get(LOGIN_COOKIE, "")):
            return login_page(request, pages.text("dashboard.login_expired"), 403)
        username = str(form.get("username", "")).strip()[: auth.MAX_USERNAME_CHARS]
        password = str(form.get("password", ""))
        client = client_of(request)

        def attempt(session: Session) -> tuple[str | None, str]:
            now = utcnow()
            if auth.locked_out(session, username, client, now, settings.login_max_failures, lockout):
                return None, "locked"
            user = auth.check_password(session, username, password)
            if user is None:
                auth.record_failure(session, username, client, now, lockout)
                return None, "wrong"
            auth.clear_failures(session, username, client)
            auth.end_idle_sessions(session, now, idle)
            return auth.start_session(session, user, now, request.cookies.get(SESSION_COOKIE)), "ok"

        token, outcome = await in_unit_of_work(attempt)
        if outcome == "locked":
            minutes = settings.login_lockout_minutes
            return login_page(request, pages.text("dashboard.locked_out", minutes=minutes), 429)
        if token is None:
            return login_page(request, pages.text("dashboard.wrong_password"), 401)
        target = str(form.get("next") or "")
        if not target.startswith("/dashboard") or target.startswith("//"):
            target = "/dashboard"
        response = RedirectResponse(target, 303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                            secure=is_https(request, settings), path="/")  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/dashboard")
        return response

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", guard(STAFF, logout), methods=["POST"]),
    ]


def logout(visit: Visit) -> Response:
    auth.end_session(visit.session, visit.request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/dashboard/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
