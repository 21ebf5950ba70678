"""A resident asks how a ticket is going, by its code (anonymous tickets too), or adds news to
their own open ticket by its code ("HL-4F7K2P 补充一下,楼下也渗水了")."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.common import HotlineAction, resident_text, say
from bot.core.conversation.messages import CATEGORY_NAMES, STATUS_NAMES, name_of
from bot.core.models import Ticket
from bot.core.text.ticket_codes import find_ticket_code
from bot.core.tickets.additions import add_to_ticket, can_add_to
from bot.core.tickets.intake import get_ticket_by_code, tickets_of_sender, utcnow
from bot.core.tickets.milestones import DEADLINES
from nlu.leak_words import says_something_escapes

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


# A status question that brings news ("HL-4F7K2P 补充一下,楼下也渗水了", "… it got worse"): the
# model calls it a status question, yet the words are for the ticket, not a question.
_BRINGS_NEWS = re.compile(
    r"补充|追加|另外|又[漏坏冒滴渗]|越来越|更[大严厉]|加重|蔓延|also|in addition|got worse|getting worse|spread|update:",
    re.IGNORECASE,
)


def own_open_ticket_named(text: str, tracker, call) -> Ticket | None:  # type: ignore[no-untyped-def]
    """The open ticket this chat filed whose code the message names, if any."""
    code = find_ticket_code(text)
    ticket = get_ticket_by_code(call.session, code) if code else None
    return ticket if ticket is not None and can_add_to(ticket, tracker.sender_id) else None


def note_addition(ticket: Ticket, text: str, dispatcher, language: str, call) -> None:  # type: ignore[no-untyped-def]
    """Keep the resident's words on their ticket (dispatchers alerted) and say so, with its status."""
    now = utcnow()
    add_to_ticket(call.session, ticket, text, now)
    dispatcher.utter_message(text=say("addition_noted", language, code=ticket.code))
    dispatcher.utter_message(text=status_line(ticket, language, call.settings.tz, now))


class ActionCheckStatus(HotlineAction):
    def name(self) -> str:
        return "action_check_status"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = resident_text(tracker)
        news = _BRINGS_NEWS.search(text) or says_something_escapes(text)
        if news and (ticket := own_open_ticket_named(text, tracker, call)) is not None:
            note_addition(ticket, text, dispatcher, language, call)
            return []
        code = find_ticket_code(text)
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
