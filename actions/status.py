"""A resident asks how a ticket is going, by its code (anonymous tickets too)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions.common import HotlineAction, resident_text, say
from bot.core.conversation.messages import CATEGORY_NAMES, STATUS_NAMES, name_of
from bot.core.text.ticket_codes import find_ticket_code
from bot.core.tickets.intake import get_ticket_by_code, tickets_of_sender, utcnow
from bot.core.tickets.milestones import DEADLINES

# The promises a resident was given (R1, R2, R5), in the order they fall due; the station's own
# deadline for a handling opinion (R4, response_due_at) is the company's business, not theirs.
PROMISED = [deadline for deadline in DEADLINES if deadline.field != "response_due_at"]


def status_line(ticket, language: str, tz: ZoneInfo, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """Category, status and registration date; for a ticket still open, the next thing promised
    and by when ("还有多久能来人" is what most residents who ask want to know)."""
    created = ticket.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    line = say(
        "status_line",
        language,
        code=ticket.code,
        category=name_of(CATEGORY_NAMES, ticket.category.value, language),
        status=name_of(STATUS_NAMES, ticket.status.value, language),
        created=created,
    )
    return line + next_promise(ticket, language, tz, now)


def next_promise(ticket, language: str, tz: ZoneInfo, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """The first promise not yet kept ("" when all are, or the ticket is done): a complaint is
    promised an answer, a report a call, a crew on site and a fix."""
    for deadline in PROMISED:
        due = getattr(ticket, deadline.field)
        if due is None or ticket.status in deadline.met_in:
            continue
        key = f"status_promise.{deadline.field}"
        if deadline.field == "resolve_due_at" and ticket.category.value in ("complaint", "billing_query"):
            key = "status_promise.answer"
        when = due.astimezone(tz).strftime("%m-%d %H:%M")
        late = due <= now
        return say("status_promise_late" if late else "status_promise", language,
                   promise=say(key, language), due=when)  # fmt: skip
    return ""


class ActionCheckStatus(HotlineAction):
    def name(self) -> str:
        return "action_check_status"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        code = find_ticket_code(resident_text(tracker))
        tz, now = call.settings.tz, utcnow()
        if code:
            ticket = get_ticket_by_code(call.session, code)
            if ticket is None:
                dispatcher.utter_message(text=say("status_not_found", language, code=code))
            else:
                dispatcher.utter_message(text=status_line(ticket, language, tz, now))
            return []
        own = tickets_of_sender(call.session, tracker.sender_id)
        if own:
            lines = [say("your_tickets", language)] + [status_line(t, language, tz, now) for t in own]
            dispatcher.utter_message(text="\n".join(lines))
        else:
            dispatcher.utter_message(text=say("status_ask_code", language))
        return []
