"""One ticket: its page (fields, history, conversation, photos), its photos themselves, and the
steps dispatchers take on it (bot/dashboard/ticket_work.py checks and applies each)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.core.conversation.attachments import attachments_of, photo_path
from bot.core.conversation.transcript import transcript_of
from bot.core.models import Alert, Attachment, Category, Ticket
from bot.core.tickets.intake import get_ticket_by_code, utcnow
from bot.core.tickets.workflow import next_statuses
from bot.dashboard import ticket_work
from bot.dashboard.guard import STAFF, Guard, Visit
from bot.dashboard.pages import SECURITY_HEADERS
from bot.dashboard.views import AlertView, AttachmentView, EventView, MessageView, TicketView, plain, plain_all

TRANSCRIPT_SHOWN = 500


def ticket_routes(guard: Guard) -> list[Route]:
    return [
        Route("/tickets/{code}", guard(STAFF, ticket_page)),
        Route("/tickets/{code}/photos/{attachment_id:int}", guard(STAFF, photo)),
        Route("/tickets/{code}/{step}", guard(STAFF, ticket_step), methods=["POST"]),
    ]


def ticket_values(visit: Visit, ticket: Ticket) -> dict[str, Any]:
    session = visit.session
    transcript = plain_all(MessageView, transcript_of(session, ticket, TRANSCRIPT_SHOWN))
    original = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
    alerts = session.scalars(select(Alert).where(Alert.ticket_id == ticket.id, Alert.acknowledged_at.is_(None)))
    try:  # R13: the steps are shown to whoever may take them; the others are told whose case it is
        ticket_work.refuse_unless_owner(ticket, visit.user.username, is_admin=visit.user.is_admin)
        owned_elsewhere = None
    except ticket_work.WorkError as owned:
        owned_elsewhere = owned.text(visit.pages.language)
    return {
        "owned_elsewhere": owned_elsewhere,
        "ticket": plain(TicketView, ticket), "events": plain_all(EventView, ticket.events), "transcript": transcript,
        "next_statuses": [s.value for s in next_statuses(ticket.status)],
        "can_reply": ticket_work.can_reply(ticket),
        "duplicates": plain_all(TicketView, ticket_work.duplicates_of(session, ticket)),
        "original": plain(TicketView, original) if original else None,
        "alerts": [AlertView.of(alert) for alert in alerts],
        "categories": [c.value for c in Category], "now": utcnow(),
        "attachments": plain_all(AttachmentView, attachments_of(session, ticket.id)),
    }  # fmt: skip


def render_ticket(visit: Visit, code: str, error: str = "", done: str = "", status: int = 200) -> Response:
    ticket = get_ticket_by_code(visit.session, code)
    if ticket is None:
        return visit.refuse(404, visit.text("dashboard.no_ticket", code=repr(code)))
    return visit.render("ticket.html", status, error=error, done=done, **ticket_values(visit, ticket))


def ticket_page(visit: Visit) -> Response:
    return render_ticket(visit, visit.path["code"], done=visit.done_message(100))


def photo(visit: Visit) -> Response:
    ticket = get_ticket_by_code(visit.session, visit.path["code"])
    attachment = visit.session.get(Attachment, visit.path["attachment_id"])
    try:
        if ticket is None or attachment is None or attachment.ticket_id != ticket.id:
            raise FileNotFoundError
        path = photo_path(attachment, visit.settings.attachments_path)
        if not path.is_file():
            raise FileNotFoundError
    except FileNotFoundError:
        return visit.refuse(404, visit.text("dashboard.no_photo"))
    # Served as an image with sniffing off: a file that is not one cannot become a page.
    return FileResponse(
        path, media_type=attachment.content_type or "application/octet-stream", headers=SECURITY_HEADERS
    )


# What each step does to the ticket, from the form it was posted with.
STEPS: dict[str, Callable[[Visit, Ticket, datetime], object]] = {
    "acknowledge": lambda v, t, now: ticket_work.acknowledge(v.session, t, v.user.username, now),
    "own": lambda v, t, now: ticket_work.take_ownership(v.session, t, v.user.username, now, is_admin=v.user.is_admin),
    "hand_over": lambda v, t, now: ticket_work.hand_over(v.session, t, v.form.get("to", ""), v.user.username, now,
                                                         is_admin=v.user.is_admin),
    "crew": lambda v, t, now: ticket_work.assign_crew(v.session, t, v.form.get("crew", ""), v.user.username, now),
    "status": lambda v, t, now: ticket_work.move(v.session, t, v.form.get("status", ""), v.user.username, now,
                                                 v.form.get("note", "")),
    "note": lambda v, t, now: ticket_work.add_note(v.session, t, v.form.get("note", ""), v.user.username, now),
    "reply": lambda v, t, now: ticket_work.reply_to_resident(v.session, t, v.form.get("text", ""), v.user.username, now),
    "phone": lambda v, t, now: ticket_work.correct_phone(v.session, t, v.form.get("phone", ""), v.user.username, now),
    "address": lambda v, t, now: ticket_work.correct_address(v.session, t, v.form.get("address", ""), v.user.username,
                                                             now),
    "category": lambda v, t, now: ticket_work.correct_category(v.session, t, v.form.get("category", ""),
                                                               v.user.username, now, v.settings.tz),
    "duplicate": lambda v, t, now: ticket_work.link_duplicate(v.session, t, v.form.get("original", ""),
                                                              v.user.username, now),
}  # fmt: skip


def ticket_step(visit: Visit) -> Response:
    code, step = visit.path["code"], visit.path["step"]
    if step not in STEPS:
        return visit.refuse(404, visit.text("dashboard.unknown_action", step=repr(step)))
    ticket = get_ticket_by_code(visit.session, code)
    if ticket is None:
        return visit.refuse(404, visit.text("dashboard.no_ticket", code=repr(code)))
    try:
        if step not in ticket_work.OPEN_TO_ALL:
            ticket_work.refuse_unless_owner(ticket, visit.user.username, is_admin=visit.user.is_admin)
        STEPS[step](visit, ticket, utcnow())
    except ticket_work.WorkError as problem:
        visit.session.rollback()  # nothing of a refused step is kept; the page shows the ticket as it was
        return render_ticket(visit, code, error=problem.text(visit.pages.language), status=400)
    done = visit.text(f"done.{step}")
    return RedirectResponse(f"/dashboard/tickets/{code}?{urlencode(visit.done_params(done))}", 303)
