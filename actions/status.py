"""A resident asks how a ticket is going, by its code (anonymous tickets too)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from actions.common import HotlineAction, resident_text, say
from bot.core.conversation.messages import CATEGORY_NAMES, STATUS_NAMES, name_of
from bot.core.text.ticket_codes import find_ticket_code
from bot.core.tickets.intake import get_ticket_by_code, tickets_of_sender


def status_line(ticket, language: str, tz: ZoneInfo) -> str:  # type: ignore[no-untyped-def]
    created = ticket.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return say(
        "status_line",
        language,
        code=ticket.code,
        category=name_of(CATEGORY_NAMES, ticket.category.value, language),
        status=name_of(STATUS_NAMES, ticket.status.value, language),
        created=created,
    )


class ActionCheckStatus(HotlineAction):
    def name(self) -> str:
        return "action_check_status"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        code = find_ticket_code(resident_text(tracker))
        tz = call.settings.tz
        if code:
            ticket = get_ticket_by_code(call.session, code)
            if ticket is None:
                dispatcher.utter_message(text=say("status_not_found", language, code=code))
            else:
                dispatcher.utter_message(text=status_line(ticket, language, tz))
            return []
        own = tickets_of_sender(call.session, tracker.sender_id)
        if own:
            lines = [say("your_tickets", language)] + [status_line(t, language, tz) for t in own]
            dispatcher.utter_message(text="\n".join(lines))
        else:
            dispatcher.utter_message(text=say("status_ask_code", language))
        return []
