"""The dashboard's pages and form posts. Every route below the login checks the signed-in
user's role; every state-changing request carries the session's CSRF token."""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.core.conversation.attachments import attachments_of, photo_path
from bot.core.db import session_scope
from bot.core.models import Alert, Attachment, Category, ChatMessage, Priority, StaffUser, Ticket, TicketStatus
from bot.core.text.catalog import labels
from bot.core.tickets.intake import get_ticket_by_code, utcnow
from bot.core.tickets.workflow import next_statuses
from bot.dashboard import auth, charts, stats, ticket_work
from bot.dashboard.nlu_pages import nlu_routes
from bot.dashboard.outage_pages import outage_routes
from bot.dashboard.queue import FilterError, QueueFilter, filtered, load_queue, queue_version
from bot.dashboard.texts import HTML_LANG, LANGUAGE, dashboard_text, install, titles

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "hl_session"
LOGIN_COOKIE = "hl_login"  # double-submit token: the login form itself is CSRF-protected
STAFF = ("dispatcher", "admin")
MAX_FORM_BYTES = 32 * 1024
SECURITY_HEADERS = {
    # No inline script or style, nothing from elsewhere: residents' text can never run here.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
Handler = Callable[..., Awaitable[Response]]


class Pages:
    """Renders templates with the values every page needs, in the dashboard's language: the
    templates' words and the names below come from the catalogs (bot/locale/)."""

    def __init__(self, settings: Settings, language: str = LANGUAGE) -> None:
        self.settings = settings
        self.language = language
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        install(self.env, language)
        self.env.filters["local"] = self.local_time
        self.env.globals.update(
            STATUS_TITLES=titles("status", language), CATEGORY_TITLES=titles("category", language),
            PRIORITY_TITLES=titles("priority", language), EVENT_TITLES=labels("event", language),
            DEADLINE_TITLES=labels("deadline", language), RULE_TITLES=labels("rule", language),
            html_lang=HTML_LANG[language], COLOURS=charts.COLOURS, company=settings.company_name, heatmap=charts.heatmap,
        )  # fmt: skip

    def text(self, key: str, **values: object) -> str:
        """A text of the catalogs in the dashboard's language (bot/dashboard/texts.py)."""
        return dashboard_text(key, self.language, **values)

    def local_time(self, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(self.settings.tz).strftime(fmt) if value else ""

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def is_https(request: Request, settings: Settings) -> bool:
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def same_token(given: object, expected: str) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def create_dashboard(settings: Settings, language: str = LANGUAGE) -> Starlette:
    pages = Pages(settings, language)
    idle = timedelta(minutes=settings.dashboard_idle_minutes)
    lockout = timedelta(minutes=settings.login_lockout_minutes)

    def signed_in(request: Request) -> auth.SignedIn | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        with session_scope() as session:
            return auth.resume_session(session, token, utcnow(), idle)

    def guarded(roles: tuple[str, ...]) -> Callable[[Handler], Handler]:
        """Only these roles get in; a state-changing request must also carry the CSRF token."""

        def wrap(handler: Handler) -> Handler:
            async def route(request: Request) -> Response:
                user = await asyncio.to_thread(signed_in, request)
                if user is None:
                    if request.method == "GET" and "application/json" not in request.headers.get("accept", ""):
                        return RedirectResponse(f"/dashboard/login?{urlencode({'next': request.url.path})}", 303)
                    return JSONResponse({"error": pages.text("dashboard.sign_in_first")}, 401)
                if user.role not in roles:
                    return pages.render("error.html", 403, user=user, message=pages.text("dashboard.role_refused"))
                form: dict[str, str] = {}
                if request.method == "POST":
                    length = request.headers.get("content-length") or "0"
                    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
                        return pages.render(
                            "error.html", 413, user=user, message=pages.text("dashboard.form_too_large")
                        )
                    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
                    given = form.get("csrf") or request.headers.get("x-csrf-token")
                    if not same_token(given, user.csrf_token):
                        return pages.render(
                            "error.html", 403, user=user, message=pages.text("dashboard.form_out_of_date")
                        )
                return await handler(request, user, form)

            return route

        return wrap

    # -- sign in and out --------------------------------------------------------------------

    async def login_page(request: Request, error: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        response = pages.render("login.html", status, error=error, login_token=token,
                                next=request.query_params.get("next", ""))  # fmt: skip
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                            secure=is_https(request, settings), path="/dashboard")  # fmt: skip
        return response

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return await login_page(request)
        form = await request.form()
        if not same_token(form.get("login_token"), request.cookies.get(LOGIN_COOKIE, "")):
            return await login_page(request, pages.text("dashboard.login_expired"), 403)
        username = str(form.get("username", "")).strip()[: auth.MAX_USERNAME_CHARS]
        password = str(form.get("password", ""))
        client = client_of(request)

        def attempt() -> tuple[str | None, str]:
            now = utcnow()
            with session_scope() as session:
                if auth.locked_out(session, username, client, now, settings.login_max_failures, lockout):
                    return None, "locked"
                user = auth.check_password(session, username, password)
                if user is None:
                    auth.record_failure(session, username, client, now, lockout)
                    return None, "wrong"
                auth.clear_failures(session, username, client)
                auth.end_idle_sessions(session, now, idle)
                return auth.start_session(session, user, now, request.cookies.get(SESSION_COOKIE)), "ok"

        token, outcome = await asyncio.to_thread(attempt)
        if outcome == "locked":
            minutes = settings.login_lockout_minutes
            return await login_page(request, pages.text("dashboard.locked_out", minutes=minutes), 429)
        if token is None:
            return await login_page(request, pages.text("dashboard.wrong_password"), 401)
        target = str(form.get("next") or "")
        if not target.startswith("/dashboard") or target.startswith("//"):
            target = "/dashboard"
        response = RedirectResponse(target, 303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                            secure=is_https(request, settings), path="/")  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/dashboard")
        return response

    @guarded(STAFF)
    async def logout(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        token = request.cookies.get(SESSION_COOKIE, "")

        def end() -> None:
            with session_scope() as session:
                auth.end_session(session, token)

        await asyncio.to_thread(end)
        response = RedirectResponse("/dashboard/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- the queue --------------------------------------------------------------------------

    def queue_values(request: Request) -> dict[str, Any] | str:
        try:
            f = QueueFilter.from_query(dict(request.query_params))
        except FilterError as problem:
            return problem.text(pages.language)
        with session_scope() as session:
            page = load_queue(session, f, settings.tz)
            alerts = list(
                session.scalars(
                    select(Alert)
                    .options(joinedload(Alert.ticket))  # read by the template after the session
                    .where(Alert.acknowledged_at.is_(None))
                    .order_by(Alert.id.desc())
                    .limit(20)
                )
            )
            values = {
                "page": page, "alerts": alerts, "now": utcnow(), "version": queue_version(session),
                "query": urlencode(f.as_query()), "categories": [c.value for c in Category],
                "statuses": [s.value for s in TicketStatus], "priorities": [p.value for p in Priority],
            }  # fmt: skip
            # Render inside the session: the rows' attributes are read by the template.
            return values | {"rows": pages.env.get_template("_rows.html").render(**values)}

    @guarded(STAFF)
    async def queue(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        values = await asyncio.to_thread(queue_values, request)
        if isinstance(values, str):
            return pages.render("error.html", 400, user=user, message=values)
        return pages.render("queue.html", user=user, **values)

    @guarded(STAFF)
    async def queue_rows(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        values = await asyncio.to_thread(queue_values, request)
        if isinstance(values, str):
            return JSONResponse({"error": values}, 400)
        return JSONResponse({"rows": values["rows"], "version": values["version"]}, headers=SECURITY_HEADERS)

    @guarded(STAFF)
    async def version(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def read() -> str:
            with session_scope() as session:
                return queue_version(session)

        return JSONResponse({"version": await asyncio.to_thread(read)}, headers=SECURITY_HEADERS)

    @guarded(STAFF)
    async def ack_alert(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def run() -> str | None:
            with session_scope() as session:
                try:
                    ticket_work.acknowledge_alert(
                        session, int(request.path_params["alert_id"]), user.username, utcnow()
                    )
                except ticket_work.WorkError as problem:
                    return problem.text(pages.language)
            return None

        problem = await asyncio.to_thread(run)
        if problem:
            return pages.render("error.html", 404, user=user, message=problem)
        back = str(form.get("back", ""))
        return RedirectResponse(back if back.startswith("/dashboard") else "/dashboard", 303)

    # -- one ticket -------------------------------------------------------------------------

    def ticket_values(session: Session, ticket: Ticket) -> dict[str, Any]:
        transcript: list[ChatMessage] = []
        if not ticket.anonymous and ticket.sender_ref:  # R7: never for an anonymous ticket
            transcript = list(
                session.scalars(
                    select(ChatMessage)
                    .where(ChatMessage.channel == ticket.channel, ChatMessage.sender == ticket.sender_ref)
                    .order_by(ChatMessage.id)
                    .limit(500)
                )
            )
        original = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
        return {
            "ticket": ticket, "events": list(ticket.events), "transcript": transcript,
            "next_statuses": [s.value for s in next_statuses(ticket.status)],
            "can_reply": ticket_work.can_reply(ticket), "duplicates": ticket_work.duplicates_of(session, ticket),
            "original": original, "alerts": [a for a in session.scalars(select(Alert).where(
                Alert.ticket_id == ticket.id, Alert.acknowledged_at.is_(None)))],
            "categories": [c.value for c in Category], "now": utcnow(),
            "attachments": attachments_of(session, ticket.id),
        }  # fmt: skip

    def render_ticket(code: str, user: auth.SignedIn, error: str = "", done: str = "", status: int = 200) -> Response:
        with session_scope() as session:
            ticket = get_ticket_by_code(session, code)
            if ticket is None:
                return pages.render(
                    "error.html", 404, user=user, message=pages.text("dashboard.no_ticket", code=repr(code))
                )
            return pages.render("ticket.html", status, user=user, error=error, done=done,
                                **ticket_values(session, ticket))  # fmt: skip

    @guarded(STAFF)
    async def ticket_page(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        done = request.query_params.get("done", "")
        return await asyncio.to_thread(render_ticket, request.path_params["code"], user, "", done[:100])

    @guarded(STAFF)
    async def photo(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def find() -> tuple[Path, str] | None:
            with session_scope() as session:
                ticket = get_ticket_by_code(session, request.path_params["code"])
                attachment = session.get(Attachment, request.path_params["attachment_id"])
                if ticket is None or attachment is None or attachment.ticket_id != ticket.id:
                    return None
                try:
                    return photo_path(attachment), attachment.content_type or "application/octet-stream"
                except FileNotFoundError:
                    return None

        found = await asyncio.to_thread(find)
        if found is None or not found[0].is_file():
            return pages.render("error.html", 404, user=user, message=pages.text("dashboard.no_photo"))
        # Served as an image with sniffing off: a file that is not one cannot become a page.
        return FileResponse(found[0], media_type=found[1], headers=SECURITY_HEADERS)

    STEPS: dict[str, Callable[[Session, Ticket, dict[str, str], auth.SignedIn, datetime], object]] = {
        "acknowledge": lambda s, t, f, u, now: ticket_work.acknowledge(s, t, u.username, now),
        "own": lambda s, t, f, u, now: ticket_work.take_ownership(s, t, u.username, now, is_admin=u.is_admin),
        "crew": lambda s, t, f, u, now: ticket_work.assign_crew(s, t, f.get("crew", ""), u.username, now),
        "status": lambda s, t, f, u, now: ticket_work.move(s, t, f.get("status", ""), u.username, now, f.get("note", "")),
        "note": lambda s, t, f, u, now: ticket_work.add_note(s, t, f.get("note", ""), u.username, now),
        "reply": lambda s, t, f, u, now: ticket_work.reply_to_resident(s, t, f.get("text", ""), u.username, now),
        "category": lambda s, t, f, u, now: ticket_work.correct_category(s, t, f.get("category", ""), u.username, now,
                                                                        settings.tz),
        "duplicate": lambda s, t, f, u, now: ticket_work.link_duplicate(s, t, f.get("original", ""), u.username, now),
    }  # fmt: skip

    @guarded(STAFF)
    async def ticket_step(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        code, step = request.path_params["code"], request.path_params["step"]
        if step not in STEPS:
            return pages.render(
                "error.html", 404, user=user, message=pages.text("dashboard.unknown_action", step=repr(step))
            )

        def run() -> Response | None:
            with session_scope() as session:
                ticket = get_ticket_by_code(session, code)
                if ticket is None:
                    return pages.render(
                        "error.html", 404, user=user, message=pages.text("dashboard.no_ticket", code=repr(code))
                    )
                try:
                    STEPS[step](session, ticket, form, user, utcnow())
                except ticket_work.WorkError as problem:
                    session.rollback()
                    return render_ticket(code, user, error=problem.text(pages.language), status=400)
            return None

        refused = await asyncio.to_thread(run)
        if refused is not None:
            return refused
        done = pages.text(f"done.{step}")
        return RedirectResponse(f"/dashboard/tickets/{code}?{urlencode({'done': done})}", 303)

    # -- statistics and exports -------------------------------------------------------------

    def month_of(request: Request) -> date | str:
        text = request.query_params.get("month", "").strip()
        if not text:
            return utcnow().astimezone(settings.tz).date().replace(day=1)
        try:
            return date.fromisoformat(f"{text}-01")
        except ValueError:
            return pages.text("dashboard.bad_month")

    @guarded(STAFF)
    async def statistics(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        month = month_of(request)
        if isinstance(month, str):
            return pages.render("error.html", 400, user=user, message=month)

        def build() -> dict[str, Any]:
            with session_scope() as session:
                figures = stats.compute(session, month, utcnow(), settings.tz)
            return {
                "stats": figures, "daily": charts.stacked(figures.daily, "%d"),
                "weekly": charts.stacked(figures.weekly, "%m-%d"), "monthly": charts.stacked(figures.monthly, "%Y-%m"),
            }  # fmt: skip

        return pages.render("stats.html", user=user, **await asyncio.to_thread(build))

    @guarded(STAFF)
    async def export_tickets(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        try:
            f = QueueFilter.from_query(
                dict(request.query_params) | {"status": request.query_params.get("status") or "all"}
            )
        except FilterError as problem:
            return JSONResponse({"error": problem.text(pages.language)}, 400)
        rows = await asyncio.to_thread(export_rows, f, settings)
        return csv_response(rows, "tickets.csv")

    @guarded(STAFF)
    async def export_stats(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        month = month_of(request)
        if isinstance(month, str):
            return JSONResponse({"error": month}, 400)

        def build() -> list[list[object]]:
            with session_scope() as session:
                return stats_rows(stats.compute(session, month, utcnow(), settings.tz))

        return csv_response(await asyncio.to_thread(build), f"statistics-{month:%Y-%m}.csv")

    @guarded(("admin",))
    async def users(request: Request, user: auth.SignedIn, form: dict[str, str]) -> Response:
        def read() -> list[StaffUser]:
            with session_scope() as session:
                accounts = list(session.scalars(select(StaffUser).order_by(StaffUser.username)))
                session.expunge_all()
                return accounts

        return pages.render("users.html", user=user, accounts=await asyncio.to_thread(read))

    routes = [
        *nlu_routes(settings, pages, guarded),
        *outage_routes(settings, pages, guarded),
        Route("/users", users),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", queue),
        Route("/queue/rows", queue_rows),
        Route("/queue/version", version),
        Route("/alerts/{alert_id:int}/ack", ack_alert, methods=["POST"]),
        Route("/tickets/{code}", ticket_page),
        Route("/tickets/{code}/photos/{attachment_id:int}", photo),
        Route("/tickets/{code}/{step}", ticket_step, methods=["POST"]),
        Route("/stats", statistics),
        Route("/export/tickets.csv", export_tickets),
        Route("/export/statistics.csv", export_stats),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes)


EXPORT_FIELDS = ["code", "category", "priority", "status", "created_at", "estate", "building", "unit", "room",
                 "address_raw", "description", "phone", "callback_window", "anonymous", "channel", "owner", "crew",
                 "next_due_rule", "next_due_at", "acknowledged_at", "onsite_at", "resolved_at", "satisfaction"]  # fmt: skip


def export_rows(f: QueueFilter, settings: Settings) -> list[list[object]]:
    """The tickets as exported: an anonymous one down to its estate, its words redacted (R7: a
    file leaves the dashboard and its sign-in behind)."""
    from bot.core.conversation.disclosure import shown_address_parts, shown_address_raw, shown_description

    with session_scope() as session:
        query = filtered(select(Ticket), f, settings.tz).order_by(Ticket.id)
        rows: list[list[object]] = [[*EXPORT_FIELDS]]
        for ticket in session.scalars(query).yield_per(1000):
            shown = dict(zip(("estate", "building", "unit", "room"), shown_address_parts(ticket)))
            shown |= {"address_raw": shown_address_raw(ticket), "description": shown_description(ticket)}
            rows.append([_cell(shown[name] if name in shown else getattr(ticket, name)) for name in EXPORT_FIELDS])
        return rows


def stats_rows(figures: stats.Statistics) -> list[list[object]]:
    rows: list[list[object]] = [["section", "period", *stats.CATEGORIES, "value"]]
    for section, series in (("daily", figures.daily), ("weekly", figures.weekly), ("monthly", figures.monthly)):
        for start, counts in series:
            rows.append([section, start.isoformat(), *[counts[c] for c in stats.CATEGORIES], ""])
    for row in figures.sla:
        rows.append(
            [f"sla {row.rule} met/judged", figures.month.isoformat(), "", "", "", "", f"{row.met}/{row.judged}"]
        )
    rows.append(
        ["satisfaction average", figures.month.isoformat(), "", "", "", "", _cell(figures.satisfaction_average)]
    )
    rows.append(["not solved rate", figures.month.isoformat(), "", "", "", "", _cell(figures.not_solved_rate)])
    rows.append(
        ["complaint closure rate", figures.month.isoformat(), "", "", "", "", _cell(figures.complaint_closure_rate)]
    )
    return rows


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    text = value.value if hasattr(value, "value") else value
    # A cell starting with =, +, - or @ would run as a formula in a spreadsheet: defuse it.
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return "" if text is None else text


def csv_response(rows: list[list[object]], filename: str) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read the Chinese text as UTF-8
    csv.writer(buffer).writerows(rows)
    headers = SECURITY_HEADERS | {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers)
