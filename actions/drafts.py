"""The ticket a conversation has collected so far, from its slots."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.common import channel_of, language_of, message_ref
from actions.unit_of_work import ActionCall
from bot.core.models import Category
from bot.core.text.address import address_from_parts
from bot.core.tickets.intake import TicketDraft, utcnow
from bot.core.tickets.unfinished import drop_unfiled, remember_unfinished


def draft_from_slots(tracker: Tracker, language: str) -> TicketDraft:
    """The ticket the conversation collected."""
    anonymous = bool(tracker.get_slot("anonymous"))
    parts = tracker.get_slot("address_parts") or {}
    return TicketDraft(
        category=Category(tracker.get_slot("category")),
        subcategory=tracker.get_slot("subcategory"),
        description=tracker.get_slot("description") or "",
        channel=channel_of(tracker.sender_id),
        language=language,
        address_raw=parts.get("raw") or tracker.get_slot("address"),
        address=address_from_parts(parts),
        phone=tracker.get_slot("phone"),
        callback_window=tracker.get_slot("callback_time"),
        anonymous=anonymous,
        sender_ref=tracker.sender_id,
        intake_ref=message_ref(tracker),  # a replayed confirmation finds its ticket (create_ticket)
        followup_optin=tracker.get_slot("followup_optin") == "yes",
    )


def keep_unfinished(tracker: Tracker, call: ActionCall) -> None:
    """After each answer of a report (its form or its summary): a leak that names its place is
    kept as it now stands (anonymous, corrected...), to be filed if the resident stops answering
    (bot/core/tickets/unfinished.py, R1)."""
    category = tracker.get_slot("category")
    if category == "report_leak" and tracker.get_slot("address"):
        draft = draft_from_slots(tracker, language_of(tracker))
        remember_unfinished(call.session, draft, utcnow(), set_aside=tracker.get_slot("set_aside"))
    elif category is not None:  # a leak taken back: a repair is not filed without its resident
        drop_unfiled(call.session, tracker.sender_id)
