"""The ticket core: create, find, list and change tickets. Callers own the session and commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.conversation.attachments import link_to_ticket
from bot.core.conversation.handles import seal
from bot.core.models import Category, FollowupState, Priority, Ticket, TicketEvent, TicketStatus
from bot.core.outages.estates import alias_table, listed_estate
from bot.core.text.address import Address
from bot.core.text.redaction import anonymous_words
from bot.core.tickets.followups import initial_state
from bot.core.tickets.milestones import refresh_next_due
from bot.core.tickets.sla import deadlines_for
from bot.core.tickets.workflow import change_status  # noqa: F401  # status changes live in the workflow; kept importable here

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings

# No 0/O, 1/I/L or U: codes are read out on the phone and typed from memory.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "HL-"
CODE_LENGTH = 6


def new_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class TicketDraft:
    """What the intake conversation collected."""

    category: Category
    description: str
    channel: str
    language: str
    subcategory: str | None = None
    address_raw: str | None = None
    address: Address = Address()
    phone: str | None = None
    callback_window: str | None = None
    anonymous: bool = False
    sender_ref: str | None = None
    intake_ref: str | None = None
    followup_optin: bool = False  # anonymous reports only: the resident wants the follow-up


def priority_for(category: Category, subcategory: str | None) -> Priority:
    """Leaks and gas are urgent (R1), and so is a complaint that says something still escapes;
    whistle-blowing is handled before ordinary complaints."""
    if category is Category.REPORT_LEAK or subcategory == "escaping":
        return Priority.URGENT
    if subcategory in {"whistleblowing", "no_heat"}:
        return Priority.HIGH
    return Priority.NORMAL


def as_kept(draft: TicketDraft) -> TicketDraft:
    """The draft as its ticket keeps it (and as the summary shows it to the resident first).

    R7: an anonymous ticket keeps nothing that leads back to the resident; an anonymous
    complaint not even the flat, which would name the one who complained (a leak or a repair
    keeps it: the crew must go there)."""
    if not draft.anonymous:
        return draft
    address = draft.address
    if draft.category is Category.COMPLAINT:
        address = replace(address, unit=None, room=None)
    complaint = draft.category is Category.COMPLAINT
    description = anonymous_words(draft.description, draft.language, complaint=complaint)
    address_raw = anonymous_words(draft.address_raw, draft.language, complaint=complaint) if draft.address_raw else None
    return replace(draft, description=description, address_raw=address_raw, address=address)


def draft_of(ticket: Ticket) -> TicketDraft:
    """A filed ticket as the draft it was made from: its reporter, place and words."""
    address = Address(estate=ticket.estate, building=ticket.building, unit=ticket.unit, room=ticket.room)
    return TicketDraft(category=ticket.category, subcategory=ticket.subcategory, description=ticket.description,
                       channel=ticket.channel, language=ticket.language, address_raw=ticket.address_raw,
                       address=address, phone=ticket.phone, callback_window=ticket.callback_window,
                       anonymous=ticket.anonymous, sender_ref=ticket.sender_ref)  # fmt: skip


def make_filed_anonymous(ticket: Ticket, now: datetime) -> None:
    """R7 after the fact ("我刚才那个投诉能不能改成匿名的"): the filed ticket keeps from now on
    only what an anonymous one keeps (as_kept); no follow-up, having no way back to the chat.
    The chat's messages of the report go with bot/core/conversation/privacy.forget_sender."""
    kept = as_kept(replace(draft_of(ticket), anonymous=True))
    ticket.description, ticket.address_raw = kept.description, kept.address_raw
    ticket.unit, ticket.room = kept.address.unit, kept.address.room
    ticket.phone = ticket.callback_window = ticket.sender_ref = ticket.followup_handle = None
    ticket.anonymous, ticket.updated_at = True, now
    if ticket.followup_state is FollowupState.SCHEDULED:
        ticket.followup_state = initial_state(ticket)
    ticket.events.append(TicketEvent(at=now, actor="resident", kind="made_anonymous", detail={}))


def report_beside(
    draft: TicketDraft, subcategory: str | None, description: str, category: str = Category.COMPLAINT.value
) -> TicketDraft:
    """A complaint (or a disputed bill) told in the middle of the report `draft`, as a ticket of
    its own from the same reporter and place (R5, R15); a replayed confirmation finds it again by
    its intake reference."""
    intake_ref = f"{draft.intake_ref}+{category.replace('_query', '')}" if draft.intake_ref else None
    return replace(
        draft, category=Category(category), subcategory=subcategory, description=description, intake_ref=intake_ref
    )


def create_ticket(session: Session, draft: TicketDraft, settings: Settings, *, now: datetime | None = None) -> Ticket:
    """Create a ticket with its deadlines (in the settings' time zone), follow-up time and first event."""
    if draft.intake_ref:
        existing = session.scalar(select(Ticket).where(Ticket.intake_ref == draft.intake_ref))
        if existing is not None:
            return existing
    now = now or utcnow()
    deadlines = deadlines_for(draft.category, draft.subcategory, now, settings.tz)
    anonymous = draft.anonymous
    kept = as_kept(draft)
    ticket = Ticket(
        category=draft.category,
        subcategory=draft.subcategory,
        priority=priority_for(draft.category, draft.subcategory),
        status=TicketStatus.NEW,
        # Whatever else the resident typed into them (a phone, a name) is not kept either.
        description=kept.description,
        address_raw=kept.address_raw,
        estate=listed_estate(draft.address.estate, draft.address_raw, alias_table(settings.estates_file)),
        building=kept.address.building,
        unit=kept.address.unit,
        room=kept.address.room,
        phone=None if anonymous else draft.phone,
        callback_window=None if anonymous else draft.callback_window,
        anonymous=anonymous,
        channel=draft.channel,
        sender_ref=None if anonymous else draft.sender_ref,
        language=draft.language,
        created_at=now,
        updated_at=now,
        response_due_at=deadlines.response_due_at,
        contact_due_at=deadlines.contact_due_at,
        onsite_due_at=deadlines.onsite_due_at,
        resolve_due_at=deadlines.resolve_due_at,
        followup_due_at=now + settings.followup_after,
        intake_ref=draft.intake_ref,
        followup_handle=seal(draft.sender_ref, settings.resolved_secret_key())
        if anonymous and draft.followup_optin and draft.sender_ref
        else None,
    )
    ticket.followup_state = initial_state(ticket)
    refresh_next_due(ticket)
    ticket.events.append(TicketEvent(at=now, actor="bot", kind="created", detail={"channel": draft.channel}))
    for _ in range(10):
        ticket.code = new_code()
        try:
            with session.begin_nested():
                session.add(ticket)
                session.flush()
            if draft.sender_ref:  # photos and locations sent during the report (same transaction)
                link_to_ticket(session, ticket.id, draft.channel, draft.sender_ref, anonymous=anonymous, now=now)
            return ticket
        except IntegrityError:
            continue  # a code clash: 30**6 codes make this rare, so just draw again
    raise RuntimeError("Could not draw a free ticket code in 10 attempts.")


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def get_ticket_by_code(session: Session, code: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.code == normalise_code(code)))


def list_tickets(session: Session) -> list[Ticket]:
    return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def tickets_of_sender(session: Session, sender_ref: str, limit: int = 5) -> list[Ticket]:
    query = select(Ticket).where(Ticket.sender_ref == sender_ref).order_by(Ticket.id.desc()).limit(limit)
    return list(session.scalars(query))


TICKET_FIELDS = [column.key for column in Ticket.__table__.columns]


def ticket_as_dict(ticket: Ticket) -> dict[str, Any]:
    """Serialise a ticket with the model's own field names (for the CLI and the API)."""
    result: dict[str, Any] = {}
    for name in TICKET_FIELDS:
        value = getattr(ticket, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        result[name] = value
    return result
