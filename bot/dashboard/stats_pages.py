"""The statistics page (R14) and the CSV exports of the tickets and of a month's figures."""

from __future__ import annotations

from datetime import date

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.tickets.intake import utcnow
from bot.dashboard import charts, stats
from bot.dashboard.exports import csv_response, export_rows, stats_rows
from bot.dashboard.guard import STAFF, Guard, Visit
from bot.dashboard.queue import FilterError, QueueFilter


def stats_routes(guard: Guard) -> list[Route]:
    return [
        Route("/stats", guard(STAFF, statistics)),
        Route("/export/tickets.csv", guard(STAFF, export_tickets)),
        Route("/export/statistics.csv", guard(STAFF, export_stats)),
    ]


def month_of(visit: Visit) -> date | str:
    """The month asked for (this month by default), or what is wrong with it."""
    text = visit.params.get("month", "").strip()
    if not text:
        return utcnow().astimezone(visit.settings.tz).date().replace(day=1)
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        return visit.text("dashboard.bad_month")
    # Month 1 and month 9999 have no month before or after them to count to (and no tickets).
    if not date(2000, 1, 1) <= month <= date(2999, 12, 1):
        return visit.text("dashboard.bad_month")
    return month


def figures_of(visit: Visit, month: date) -> stats.Statistics:
    return stats.compute(visit.session, month, utcnow(), visit.settings.tz)


def statistics(visit: Visit) -> Response:
    month = month_of(visit)
    if isinstance(month, str):
        return visit.refuse(400, month)
    figures = figures_of(visit, month)
    return visit.render("stats.html", stats=figures, daily=charts.stacked(figures.daily, "%d"),
                        weekly=charts.stacked(figures.weekly, "%m-%d"),
                        monthly=charts.stacked(figures.monthly, "%Y-%m"))  # fmt: skip


def export_tickets(visit: Visit) -> Response:
    try:
        f = QueueFilter.from_query(dict(visit.params) | {"status": visit.params.get("status") or "all"})
    except FilterError as problem:
        return JSONResponse({"error": problem.text(visit.pages.language)}, 400)
    return csv_response(export_rows(visit.session, f, visit.settings.tz), "tickets.csv")


def export_stats(visit: Visit) -> Response:
    month = month_of(visit)
    if isinstance(month, str):
        return JSONResponse({"error": month}, 400)
    return csv_response(stats_rows(figures_of(visit, month)), f"statistics-{month:%Y-%m}.csv")
