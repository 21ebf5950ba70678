"""The dispatchers' queue: the page, its rows and version as the page polls them, and the SLA
alerts listed above it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.core.models import Alert, Category, Priority, TicketStatus
from bot.core.tickets.intake import utcnow
from bot.dashboard import ticket_work
from bot.dashboard.guard import STAFF, Guard, Visit
from bot.dashboard.pages import SECURITY_HEADERS
from bot.dashboard.queue import FilterError, QueueFilter, load_queue, queue_version
from bot.dashboard.views import AlertView

ALERTS_SHOWN = 20


def queue_routes(guard: Guard) -> list[Route]:
    return [
        Route("/", guard(STAFF, queue)),
        Route("/queue/rows", guard(STAFF, queue_rows)),
        Route("/queue/version", guard(STAFF, version)),
        Route("/alerts/{alert_id:int}/ack", guard(STAFF, ack_alert), methods=["POST"]),
    ]


def queue_values(visit: Visit) -> dict[str, Any]:
    """The page's values, its rows rendered; FilterError names a filter it cannot use."""
    f = QueueFilter.from_query(dict(visit.params))
    session = visit.session
    # Breaches and residents' news (a leak got worse, "不用来了") first, then warnings, then the
    # rest; the oldest first within each: a stream of new
    # warnings never pushes a passed deadline out of view. The count is of all, not of those shown.
    open_ones = Alert.acknowledged_at.is_(None)
    first = case((Alert.kind.in_(("breach", "resident_added")), 0), (Alert.kind == "warning", 1), else_=2)
    unacknowledged = (
        select(Alert)
        .options(joinedload(Alert.ticket))
        .where(open_ones)
        .order_by(first, Alert.due_at.is_(None), Alert.due_at, Alert.id)
        .limit(ALERTS_SHOWN)
    )
    values = {
        "page": load_queue(session, f, visit.settings.tz), "alerts": [AlertView.of(a) for a in session.scalars(unacknowledged)],
        "alerts_open": session.scalar(select(func.count(Alert.id)).where(open_ones)) or 0,
        "now": utcnow(), "version": queue_version(session), "query": urlencode(f.as_query()),
        "categories": [c.value for c in Category], "statuses": [s.value for s in TicketStatus],
        "priorities": [p.value for p in Priority],
    }  # fmt: skip
    return values | {"rows": visit.pages.fragment("_rows.html", **values)}


def queue(visit: Visit) -> Response:
    try:
        values = queue_values(visit)
    except FilterError as problem:
        return visit.refuse(400, problem.text(visit.pages.language))
    return visit.render("queue.html", **values)


def queue_rows(visit: Visit) -> Response:
    try:
        values = queue_values(visit)
    except FilterError as problem:
        return JSONResponse({"error": problem.text(visit.pages.language)}, 400)
    return JSONResponse({"rows": values["rows"], "version": values["version"]}, headers=SECURITY_HEADERS)


def version(visit: Visit) -> Response:
    return JSONResponse({"version": queue_version(visit.session)}, headers=SECURITY_HEADERS)


def ack_alert(visit: Visit) -> Response:
    try:
        ticket_work.acknowledge_alert(visit.session, int(visit.path["alert_id"]), visit.user.username, utcnow(),
                                      is_admin=visit.user.is_admin)  # fmt: skip
    except ticket_work.WorkError as problem:
        return visit.refuse(404 if problem.key == "work.no_alert" else 400, problem.text(visit.pages.language))
    back = str(visit.form.get("back", ""))
    return RedirectResponse(back if back.startswith("/dashboard") else "/dashboard", 303)
