"""The dashboard as one Starlette application: the pages' routes, each group in its module, every
one below the sign-in behind the guard (guard.py: sign-in, role, CSRF, form size, and the
request's one unit of work), every page with the security headers (pages.py)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.dashboard.guard import Guard
from bot.dashboard.nlu_pages import nlu_routes
from bot.dashboard.outage_pages import outage_routes
from bot.dashboard.pages import HERE, Pages
from bot.dashboard.queue_pages import queue_routes
from bot.dashboard.sign_in import sign_in_routes
from bot.dashboard.stats_pages import stats_routes
from bot.dashboard.texts import LANGUAGE
from bot.dashboard.ticket_pages import ticket_routes
from bot.dashboard.user_pages import user_routes


def create_dashboard(settings: Settings, language: str = LANGUAGE) -> Starlette:
    """The dashboard built from `settings`, its pages in `language`; mounted at /dashboard."""
    pages = Pages(settings, language)
    guard = Guard(settings, pages)
    return Starlette(
        routes=[
            *nlu_routes(guard),
            *outage_routes(guard),
            *user_routes(guard),
            *sign_in_routes(settings, pages, guard),
            *queue_routes(guard),
            *ticket_routes(guard),
            *stats_routes(guard),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]
    )
