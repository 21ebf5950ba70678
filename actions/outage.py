"""A no-heat report from inside a declared outage (R10): answer at once with the notice, ask
whether the problem is something else, and either link the report to the outage or go on with
the normal intake. Leaks are never swallowed by an outage.

The ticket form (actions/intake.py) calls these: when the report's address is known,
`outage_slots` finds the outage; `with_outage_question` puts the question first among the
form's slots; `read_outage_choice` validates the answer; the summary is skipped for a linked
report and `create_linked` files it.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button, latest_intent, safety_advice, say
from actions.unit_of_work import ActionCall
from bot.core.models import Category, Outage
from bot.core.outages.estates import alias_table
from bot.core.outages.register import link_ticket, notice_of, outage_at
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, tickets_of_sender, utcnow

LINKED, OTHER = "linked", "other"
# "No, just the heating" / "yes, something else" in words, for residents who type.
_JUST_NO_HEAT = re.compile(r"^(不是|没有|没别的|就是|只是|就是暖气|no|nope|just)", re.IGNORECASE)
_SOMETHING_ELSE = re.compile(r"^(是|是的|有|还有|别的|其他|yes|yeah|something else)", re.IGNORECASE)


def outage_slots(category: str | None, subcategory: str | None, address: Address, call: ActionCall) -> dict[str, Any]:
    """{'outage_id': id} when a no-heat repair's address lies in an active outage, else {}."""
    if category != Category.REPORT_REPAIR.value or subcategory != "no_heat" or not address.estate:
        return {}
    aliases = alias_table(call.settings.estates_file)
    outage = outage_at(call.session, address.estate, address.building, utcnow(), aliases)
    return {"outage_id": outage.id} if outage is not None else {}


def earlier_address(sender: str, call: ActionCall) -> Address | None:
    """The address of this chat's latest named report, for a resident who does not repeat it."""
    for ticket in tickets_of_sender(call.session, sender):
        if ticket.estate and not ticket.anonymous:
            return Address(ticket.estate, ticket.building, ticket.unit, ticket.room)
    return None


def with_outage_question(slots: list[str], tracker: Tracker) -> list[str]:
    """The form's slots: the outage question first while it is open (only when the report lies
    in an outage); none once the report is linked."""
    rest = [slot for slot in slots if slot != "outage_choice"]
    if not tracker.get_slot("outage_id"):
        return rest
    choice = tracker.get_slot("outage_choice")
    if choice == LINKED:
        return []
    return rest if choice == OTHER else ["outage_choice", *rest]


def read_outage_choice(text: str, tracker: Tracker, dispatcher: CollectingDispatcher, language: str) -> dict[str, Any]:
    """The answer to "is your problem something else?". A leak (or anything the resident
    describes at length) is something else: the normal intake goes on with it."""
    intent = latest_intent(tracker)
    if intent == "report_leak":
        dispatcher.utter_message(text=safety_advice(text, language))
        return {"outage_choice": OTHER, "category": Category.REPORT_LEAK.value, "subcategory": None,
                "description": text}  # fmt: skip
    if (
        intent == "deny"
        or text in (say("outage_just_no_heat", "zh"), say("outage_just_no_heat", "en"))
        or _JUST_NO_HEAT.match(text)
    ):
        return {"outage_choice": LINKED}
    if (
        intent == "affirm"
        or text in (say("outage_something_else", "zh"), say("outage_something_else", "en"))
        or _SOMETHING_ELSE.match(text)
    ):
        dispatcher.utter_message(text=say("outage_other_problem", language))
        return {"outage_choice": OTHER, "subcategory": None, "description": None}
    if len(text) >= 6:  # a description of another problem
        return {"outage_choice": OTHER, "subcategory": None, "description": text}
    dispatcher.utter_message(text=say("outage_ask_other", language), buttons=outage_buttons(language))
    return {"outage_choice": None}


def outage_buttons(language: str) -> list[dict[str, str]]:
    return [
        button(say("outage_just_no_heat", language), "deny"),
        button(say("outage_something_else", language), "affirm"),
    ]


def ask_outage_choice(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    """The outage's notice (reason, expected restoration, apology), then the question (asked by
    the ticket form's validation action, actions/intake.py)."""
    outage = call.session.get(Outage, int(tracker.get_slot("outage_id")))
    notice = notice_of(outage, language) if outage is not None else ""
    if notice:
        dispatcher.utter_message(text=notice)
    dispatcher.utter_message(text=say("outage_ask_other", language), buttons=outage_buttons(language))


def create_linked(tracker: Tracker, draft: TicketDraft, language: str, call: ActionCall) -> list[str]:
    """File the report under the outage: no clock of its own, no dispatch; what the resident hears."""
    now = utcnow()
    ticket = create_ticket(call.session, draft, call.settings, now=now)
    outage = call.session.get(Outage, int(tracker.get_slot("outage_id")))
    if outage is not None and ticket.outage_id is None and outage.restored_at is None:
        link_ticket(ticket, outage, now, call.settings.outage_recheck_after)
    return [say("outage_linked", language, code=ticket.code)]
