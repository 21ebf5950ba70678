"""The one composition root: from settings to the running application.

It builds the relay to Rasa, the channels, the dashboard and the scheduler's jobs, and wires them
into one Starlette application. Nothing below it builds another part on its own: a part that
needs another gets it here, so a test or a second process can build the same thing from other
settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route

from bot.channels.followup_sender import FollowupSender
from bot.channels.relay import Relay
from bot.channels.request_body import BodyLimit, BodyTooLarge, answer_too_large
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.web import chat_routes
from bot.config import Settings
from bot.core.db import session_scope
from bot.core.outages.jobs import check_outages
from bot.core.process_setup import set_up_process
from bot.core.tickets.alerts import check_deadlines
from bot.core.tickets.intake import utcnow
from bot.core.tickets.unfinished import file_unfinished
from bot.dashboard.app import create_dashboard
from bot.engine.health import health_report

if TYPE_CHECKING:  # uvicorn is imported where the application is served
    import uvicorn

log = logging.getLogger(__name__)


async def check_sla() -> None:
    """Raise due SLA alerts (a short transaction in a worker thread)."""

    def run() -> None:
        with session_scope() as session:
            for alert in check_deadlines(session, utcnow()):
                log.warning("SLA %s %s of ticket %s", alert.rule, alert.kind, alert.ticket_id)

    await asyncio.to_thread(run)


async def file_unfinished_reports(settings: Settings) -> None:
    """File the leak reports whose residents stopped answering (a short transaction in a worker thread)."""

    def run() -> None:
        with session_scope() as session:
            for ticket in file_unfinished(session, settings, utcnow()):
                log.warning("Unfinished leak report filed as %s", ticket.code)

    await asyncio.to_thread(run)


def create_app(settings: Settings, relay: Relay | None = None) -> Starlette:
    """Build the web application (one relay and one scheduler per process)."""
    set_up_process(settings)  # the database and the Branding of these settings, for every part below
    relay = relay or Relay(settings)
    followups = FollowupSender(settings, relay.rasa)
    telegram = TelegramChannel(settings, relay) if settings.telegram_bot_token else None

    async def health(request: Request) -> JSONResponse:
        status, report = await health_report(settings)
        return JSONResponse(report, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        scheduler = AsyncIOScheduler(timezone=settings.tz)

        def every(seconds: float, job: Callable[[], Awaitable[object]], *, at_start: bool = False) -> None:
            # One run at a time per job; runs missed while busy collapse into one.
            start = {"next_run_time": datetime.now(settings.tz)} if at_start else {}
            scheduler.add_job(job, "interval", seconds=seconds, max_instances=1, coalesce=True, **start)

        # Messages Rasa could not answer are retried until it can (nothing a resident wrote is lost).
        every(settings.retry_pending_every_seconds, relay.retry_pending)
        # Follow-ups: the due time lives on each ticket, so this job only looks; missed ones
        # (the application was down) are found on the first run after start.
        every(settings.followup_check_every_seconds, followups.run_due, at_start=True)
        every(settings.sla_check_every_seconds, check_sla, at_start=True)
        every(settings.sla_check_every_seconds, partial(file_unfinished_reports, settings), at_start=True)
        # Outages: planned works announced two days ahead, undeclared outages suspected (R10).
        every(settings.outage_check_every_seconds, partial(check_outages, settings), at_start=True)
        if telegram is not None:
            every(settings.telegram_push_every_seconds, telegram.push_outbox)
            every(settings.telegram_push_every_seconds, telegram.post_to_dispatchers)
        scheduler.start()
        if telegram is not None:
            await telegram.start()
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            if telegram is not None:
                await telegram.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(relay.rasa.close(), 2)

    return Starlette(
        routes=[
            *chat_routes(settings, relay, telegram),
            Route("/health", health),
            Route("/dashboard", lambda request: RedirectResponse("/dashboard/", 307)),
            Mount("/dashboard", create_dashboard(settings)),
        ],
        middleware=[Middleware(BodyLimit, limit=settings.max_request_bytes)],
        exception_handlers={BodyTooLarge: answer_too_large},
        lifespan=lifespan,
    )


def run_server(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop's event loop where it is installed: the application's CPU per
    chat turn went from 6.6 to 5.2 ms with it (bench/stack_speed.py reports CPU per turn)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def server_config(app: Starlette, settings: Settings) -> uvicorn.Config:
    """How uvicorn serves the application. uvicorn believes forwarded headers from 127.0.0.1 by
    default, so anyone on this machine could pose as any address: only the configured proxies are."""
    import uvicorn

    trusted = settings.trusted_proxies.strip()
    return uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                          proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)  # fmt: skip


async def serve(app: Starlette, settings: Settings, banner: str = "") -> None:
    """Serve the application; print the banner only once it really listens."""
    import uvicorn

    server = uvicorn.Server(server_config(app, settings))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.1)
    if server.started and banner:
        print(banner, flush=True)
    await task
