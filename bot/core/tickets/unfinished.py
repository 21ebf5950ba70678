"""Leak reports whose residents stopped answering: filed anyway, completed if they come back.

A leak's safety advice promises a crew (R1). Once the report names its place, the crew can go,
whether or not the resident then gives a phone number and confirms the summary: after
`Settings.unfinished_leak_minutes` without an answer, the report as collected so far becomes an
urgent ticket (and the dispatchers are told, as for any ticket). If the resident comes back and
confirms, their answers complete that ticket instead of opening a second one.

A filed draft is kept under the chat's pseudonym for a day at most, to be completed; an
anonymous report's words are deleted as it is filed, and the chat forgotten (R7: nothing then ties
the ticket to the chat). Only the fact that it was filed is kept, for as long: a confirmation that
still comes is told so and files nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.core.conversation.messages import say
from bot.core.conversation.outbox import store_replies
from bot.core.conversation.privacy import forget_sender
from bot.core.conversation.replies import Reply
from bot.core.models import Category, Ticket, TicketEvent, UnfinishedReport
from bot.core.text.address import Address
from bot.core.text.redaction import redact_identifiers, tags_in
from bot.core.tickets.intake import TicketDraft, create_ticket, report_beside
from bot.core.tickets.milestones import FINISHED

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# The key of the kept draft's JSON under which the complaint told beside the report waits.
SET_ASIDE = "set_aside"


def as_json(draft: TicketDraft) -> dict[str, Any]:
    return asdict(draft) | {"category": draft.category.value}


def from_json(data: dict[str, Any]) -> TicketDraft:
    fields = {key: value for key, value in data.items() if key != SET_ASIDE}
    return TicketDraft(**(fields | {"category": Category(data["category"]), "address": Address(**data["address"])}))


def filed_ref(ticket: Ticket) -> str:
    """The intake reference a report filed without its resident stands for when they come back:
    the complaint told beside it, filed with it, is found again under it (report_beside)."""
    return f"unfinished:{ticket.code}"


def remember_unfinished(
    session: Session, draft: TicketDraft, now: datetime, set_aside: dict[str, Any] | None = None
) -> None:
    """Keep (or bring up to date) the chat's report as collected so far, with the complaint told
    beside it (`set_aside`: its subcategory and description), which is filed with it."""
    assert draft.sender_ref is not None
    data = as_json(draft) | ({SET_ASIDE: set_aside} if set_aside else {})
    kept = session.get(UnfinishedReport, draft.sender_ref)
    if kept is None:
        session.add(UnfinishedReport(sender=draft.sender_ref, draft=data, updated_at=now))
    elif kept.filed_anonymously:
        return  # filed anonymously already: what is said after it is not kept (R7)
    elif kept.ticket_id is None:
        kept.draft, kept.updated_at = data, now
    else:
        kept.draft = data  # filed already: kept to complete that ticket, not to file again


# How long a filed draft waits for its resident to come back and complete it.
KEPT_AFTER_FILING = timedelta(hours=24)


def filed_ticket_of(session: Session, sender: str, draft: TicketDraft) -> Ticket | None:
    """The ticket the chat's unfinished report was filed as while the resident was away, if
    `draft` is that same report (same kind, same place) and the ticket is still open; a later,
    other report of the chat is a ticket of its own."""
    kept = session.get(UnfinishedReport, sender)
    ticket = session.get(Ticket, kept.ticket_id) if kept is not None and kept.ticket_id is not None else None
    if ticket is None or ticket.status in FINISHED or ticket.category is not draft.category:
        return None
    place = (ticket.estate, ticket.building, ticket.unit, ticket.room)
    address = draft.address
    return ticket if place == (address.estate, address.building, address.unit, address.room) else None


def filed_anonymously_while_away(session: Session, sender: str) -> bool:
    """Whether the chat's anonymous report was filed while the resident was away (see _file)."""
    kept = session.get(UnfinishedReport, sender)
    return kept is not None and kept.filed_anonymously


def forget_unfinished(session: Session, sender: str) -> None:
    """The report was confirmed, cancelled or made anonymous: nothing is to be filed for it."""
    session.execute(delete(UnfinishedReport).where(UnfinishedReport.sender == sender))


def drop_unfiled(session: Session, sender: str) -> None:
    """The report is no leak any more ("不是漏水,是暖气不热"): nothing is to be filed for it if the
    resident stops answering; a ticket already filed for it stays, to be completed."""
    session.execute(
        delete(UnfinishedReport).where(
            UnfinishedReport.sender == sender,
            UnfinishedReport.ticket_id.is_(None),
            UnfinishedReport.filed_anonymously.is_(False),
        )
    )


def complete_filed(session: Session, ticket: Ticket, draft: TicketDraft, now: datetime) -> None:
    """The resident came back and confirmed: their answers complete the ticket filed without them."""
    if draft.anonymous:
        ticket.phone, ticket.callback_window, ticket.sender_ref = None, None, None
        ticket.anonymous = True
        ticket.description = tags_in(redact_identifiers(draft.description), draft.language)
    else:
        ticket.phone, ticket.callback_window = draft.phone, draft.callback_window
        ticket.description = draft.description
    ticket.updated_at = now
    ticket.intake_ref = ticket.intake_ref or draft.intake_ref  # a replayed confirmation finds it again
    ticket.events.append(TicketEvent(at=now, actor="resident", kind="completed", detail={}))
    forget_unfinished(session, draft.sender_ref or "")


def file_unfinished(session: Session, settings: Settings, now: datetime) -> list[Ticket]:
    """File every report left without an answer for `unfinished_leak_minutes`; each once, even
    with several application processes checking at the same time."""
    waited = now - timedelta(minutes=settings.unfinished_leak_minutes)
    due = session.execute(
        select(UnfinishedReport.sender, UnfinishedReport.updated_at).where(
            UnfinishedReport.ticket_id.is_(None),
            UnfinishedReport.filed_anonymously.is_(False),
            UnfinishedReport.updated_at <= waited,
        )
    ).all()
    # Filed drafts nobody came back to complete: their words and number are not kept longer.
    session.execute(
        delete(UnfinishedReport).where(
            or_(UnfinishedReport.ticket_id.is_not(None), UnfinishedReport.filed_anonymously.is_(True)),
            UnfinishedReport.updated_at <= now - KEPT_AFTER_FILING,
        )
    )
    filed: list[Ticket] = []
    for sender, seen_at in due:
        # Claimed by moving its time on: of two processes, the second finds it changed and skips it.
        claimed = session.execute(
            update(UnfinishedReport)
            .where(UnfinishedReport.sender == sender, UnfinishedReport.updated_at == seen_at)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        try:
            with session.begin_nested():  # one bad draft must not keep every other leak from being filed
                filed += _file(
                    session, session.get_one(UnfinishedReport, sender, populate_existing=True), settings, now
                )
        except Exception:  # noqa: BLE001  (logged; the others are filed)
            log.exception("Could not file the unfinished report of %s", sender)
    return filed


def _file(session: Session, kept: UnfinishedReport, settings: Settings, now: datetime) -> list[Ticket]:
    draft = from_json(kept.draft)
    note = say("unfinished_note", draft.language)
    unconfirmed = replace(draft, description=f"{draft.description} {note}".strip(), intake_ref=None)
    ticket = create_ticket(session, unconfirmed, settings, now=now)
    tickets = [ticket]
    if set_aside := kept.draft.get(SET_ASIDE):  # nothing a resident reported is lost (R5)
        complaint = report_beside(replace(draft, intake_ref=filed_ref(ticket)), **set_aside)
        tickets.append(
            create_ticket(session, replace(complaint, description=f"{complaint.description} {note}"), settings, now=now)
        )
    for filed in tickets:
        filed.events.append(TicketEvent(at=now, actor="bot", kind="filed_unfinished", detail={}))
    if draft.anonymous:
        # R7: nothing left that ties the ticket to the chat, only that something was filed.
        kept.draft, kept.filed_anonymously = {}, True
        forget_sender(session, draft.channel, kept.sender)
    else:
        kept.ticket_id = ticket.id
        # The resident, away from the leak, is told its code: to ask after it, and to know that
        # reporting it again is not needed.
        told = say("unfinished_filed", draft.language, code=ticket.code)
        store_replies(session, draft.channel, kept.sender, [Reply(told)], now)
    return tickets
