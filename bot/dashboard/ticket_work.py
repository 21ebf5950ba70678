"""What dispatchers do to a ticket from the dashboard. Each step is checked, applied and written
to the ticket's event log with who and when; a refusal raises WorkError with a clear message
(a text of the catalogs, "work.*", in the dashboard's language)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.conversation.inbox import collect
from bot.core.conversation.messages import say
from bot.core.conversation.outbox import store_replies
from bot.core.conversation.replies import Reply
from bot.core.models import Alert, Category, Priority, StaffUser, Ticket, TicketEvent, TicketStatus
from bot.core.text.address import parse_address
from bot.core.text.phone import check_phone
from bot.core.tickets import workflow
from bot.core.tickets.additions import STAFF_REPLY
from bot.core.tickets.corrections import set_address, set_phone
from bot.core.tickets.intake import get_ticket_by_code, priority_for
from bot.core.tickets.milestones import FINISHED, refresh_next_due
from bot.core.tickets.sla import deadlines_for
from bot.core.tickets.workflow import ReasonRequired, Step, TransitionRefused, change_status
from bot.dashboard.texts import Explained, TextKey, dashboard_text

MAX_NOTE_CHARS = 2000
MAX_REPLY_CHARS = 1000
MAX_CREW_CHARS = 100
MAX_ADDRESS_CHARS = 200
MAX_PHONE_CHARS = 40
# Channels the bot can write to later; the terminal chat has no one to deliver to.
REPLY_CHANNELS = {"web", "telegram"}

PRIORITY_RANK = {Priority.NORMAL: 0, Priority.HIGH: 1, Priority.URGENT: 2}


class WorkError(Explained, ValueError):
    """The step cannot be done; the message tells the dispatcher why (str() gives it in the
    dashboard's default language, text() in another)."""


def _log(ticket: Ticket, actor: str, kind: str, now: datetime, **detail: object) -> None:
    ticket.events.append(TicketEvent(at=now, actor=actor, kind=kind, detail=detail))
    ticket.updated_at = now


def _text(value: str, limit: int, what: str) -> str:
    """`what`: "crew", "note", "reply", "phone" or "address" (the texts work.empty_<what> and
    work.too_long_<what>)."""
    value = (value or "").strip()
    if not value:
        raise WorkError(f"work.empty_{what}")
    if len(value) > limit:
        raise WorkError(f"work.too_long_{what}", limit=limit)
    return value


# The steps anyone on the staff may take on a ticket another owns: taking an unowned one has its
# own refusal (take_ownership), and handing over is an admin's.
OPEN_TO_ALL = frozenset({"own", "hand_over"})


def refuse_unless_owner(ticket: Ticket, actor: str, *, is_admin: bool) -> None:
    """R13, as the workflow keeps it, for every other step on a ticket (a reply in the hotline's
    name, the callback number, the address, the category, an alert dismissed): another
    dispatcher changing any of it would work the owner's case behind their back."""
    try:
        workflow.refuse_unless_owner(ticket, actor, is_admin=is_admin)
    except workflow.OwnedByAnother as refused:
        raise WorkError("work.owned_by", owner=refused.owner) from None


def move(session: Session, ticket: Ticket, target: str, actor: str, now: datetime, note: str = "") -> None:
    """Change the status along the workflow (bot/core/tickets/workflow.py holds the table)."""
    _move(session, ticket, target, actor, now, note)


def _move(session: Session, ticket: Ticket, target: str, actor: str, now: datetime, note: str = "") -> None:
    try:
        status = TicketStatus(target)
    except ValueError:
        raise WorkError("work.unknown_status", target=repr(target)) from None
    try:
        change_status(session, ticket, status, actor, now, note.strip()[:MAX_NOTE_CHARS] or None)
    except ReasonRequired:
        raise WorkError("work.close_needs_note") from None
    except TransitionRefused as refused:
        raise WorkError(
            "work.refused",
            current=refused.current.value,
            allowed=", ".join(s.value for s in refused.allowed) or TextKey("work.refused_nothing"),
        ) from None


def acknowledge(session: Session, ticket: Ticket, actor: str, now: datetime) -> None:
    """受理: the handling opinion (R4); the workflow makes whoever acknowledges an unowned ticket its owner (R13)."""
    _move(session, ticket, TicketStatus.ACKNOWLEDGED.value, actor, now)


def take_ownership(session: Session, ticket: Ticket, actor: str, now: datetime, *, is_admin: bool) -> None:
    """R13: one owner from first contact to closure; only an admin hands a ticket over."""
    if ticket.owner == actor:
        raise WorkError("work.already_owner")
    if ticket.owner is not None and not is_admin:
        raise WorkError("work.owned_by", owner=ticket.owner)
    _change_owner(session, ticket, actor, actor, now)


def hand_over(session: Session, ticket: Ticket, to: str, actor: str, now: datetime, *, is_admin: bool) -> None:
    """R13: an admin hands a ticket to a named dispatcher (or admin) with an active account."""
    if not is_admin:
        raise WorkError("work.only_admin_hands_over")
    to = (to or "").strip()
    staff = session.scalar(select(StaffUser).where(StaffUser.username == to)) if to else None
    if staff is None or not staff.active:
        raise WorkError("work.unknown_staff", name=to[:64] or "-")
    if ticket.owner == to:
        raise WorkError("work.already_theirs", owner=to)
    _change_owner(session, ticket, to, actor, now)


def _change_owner(session: Session, ticket: Ticket, to: str, actor: str, now: datetime) -> None:
    previous = ticket.owner
    if not workflow.claim_owner(session, ticket, to):  # changed by someone else since it was read
        raise WorkError("work.owned_by", owner=ticket.owner or "-")
    _log(ticket, actor, "owner_changed", now, **{"from": previous, "to": to})


def assign_crew(session: Session, ticket: Ticket, crew: str, actor: str, now: datetime) -> None:
    crew = _text(crew, MAX_CREW_CHARS, "crew")
    _log(ticket, actor, "crew_assigned", now, **{"from": ticket.crew, "to": crew})
    ticket.crew = crew


def add_note(session: Session, ticket: Ticket, note: str, actor: str, now: datetime) -> None:
    _log(ticket, actor, "note", now, note=_text(note, MAX_NOTE_CHARS, "note"))


def can_reply(ticket: Ticket) -> bool:
    return not ticket.anonymous and ticket.sender_ref is not None and ticket.channel in REPLY_CHANNELS


def reply_to_resident(session: Session, ticket: Ticket, text: str, actor: str, now: datetime) -> None:
    """Write to the resident in the chat they used: the message goes to that channel's outbox
    (the web chat picks it up on its next poll, Telegram's push job sends it)."""
    text = _text(text, MAX_REPLY_CHARS, "reply")
    if not can_reply(ticket):
        raise WorkError("work.cannot_reply")
    prefix = say("dispatcher_reply_prefix", "en" if ticket.language == "en" else "zh", code=ticket.code)
    store_replies(session, ticket.channel, ticket.sender_ref, [Reply(prefix + text)], now)  # type: ignore[arg-type]
    _log(ticket, actor, STAFF_REPLY, now, text=text)


def correct_phone(session: Session, ticket: Ticket, phone: str, actor: str, now: datetime) -> None:
    """The number the resident gave a dispatcher, or the one the bot took down wrong: checked as
    the bot checks one. An anonymous report never gets one (R7)."""
    if ticket.anonymous:
        raise WorkError("work.anonymous_no_phone")
    typed = _text(phone, MAX_PHONE_CHARS, "phone")
    checked = check_phone(typed)
    if not checked.ok:
        raise WorkError("work.bad_phone", phone=repr(typed))
    set_phone(ticket, checked.e164, actor, now)  # type: ignore[arg-type]


def correct_address(session: Session, ticket: Ticket, address: str, actor: str, now: datetime) -> None:
    """Where the crew must go, as the dispatcher learned it: the words as typed, and the parts
    read from them (the estate stays when they name none: "5号楼2单元502")."""
    typed = _text(address, MAX_ADDRESS_CHARS, "address")
    set_address(ticket, typed, parse_address(typed), actor, now)


def correct_category(session: Session, ticket: Ticket, target: str, actor: str, now: datetime, tz: ZoneInfo) -> None:
    """Fix what the bot misfiled. The deadlines follow the new category (counted in `tz`, the
    dashboard's settings' zone); the priority never drops; the event is what the NLU inbox offers
    admins for retraining."""
    try:
        category = Category(target)
    except ValueError:
        raise WorkError("work.unknown_category", target=repr(target)) from None
    if category is ticket.category:
        raise WorkError("work.already_filed", category=category.value)
    _log(ticket, actor, "category_corrected", now, **{"from": ticket.category.value, "to": category.value})
    # What the bot misfiled is what it must learn: the resident's words go to the NLU inbox; an
    # anonymous report's never do (R7: the inbox feeds versioned training data).
    if not ticket.anonymous:
        collect(session, ticket.description, "category_corrected", now, predicted=ticket.category.value,
                suggested=category.value, ticket_id=ticket.id)  # fmt: skip
    ticket.category = category
    deadlines = deadlines_for(category, ticket.subcategory, ticket.created_at, tz)
    for item in fields(deadlines):
        setattr(ticket, item.name, getattr(deadlines, item.name))
    new_priority = priority_for(category, ticket.subcategory)
    if PRIORITY_RANK[new_priority] > PRIORITY_RANK[ticket.priority]:
        ticket.priority = new_priority
    refresh_next_due(ticket)


def _kind_of_case(ticket: Ticket) -> str:
    """A fault (leak or repair: one incident may be reported as either), a complaint or a bill."""
    return "fault" if ticket.category in (Category.REPORT_LEAK, Category.REPORT_REPAIR) else ticket.category.value


def link_duplicate(session: Session, ticket: Ticket, original_code: str, actor: str, now: datetime) -> Ticket:
    """Mark this ticket as a duplicate of another report of the same incident and close it;
    the work goes on in the original."""
    original = get_ticket_by_code(session, original_code or "")
    if original is None:
        raise WorkError("work.no_original", code=repr(original_code.strip()))
    if original.id == ticket.id:
        raise WorkError("work.self_duplicate")
    if original.duplicate_of_id == ticket.id:
        raise WorkError("work.already_duplicate", code=original.code)
    if ticket.duplicate_of_id is not None:
        raise WorkError("work.linked_already")  # reopen it first: one original at a time
    if _kind_of_case(original) != _kind_of_case(ticket):
        # A bribery complaint is no duplicate of a repair: closed so, it would never be answered (R5).
        raise WorkError("work.duplicate_other_kind", code=original.code)
    if original.anonymous or ticket.anonymous:
        # A link would tie an anonymous report to a named one, and so to its reporter (R7).
        raise WorkError("work.duplicate_anonymous")
    if original.status in FINISHED:
        # Closed into a finished ticket, this report of the fault (still cold, still dripping) would
        # be worked by nobody: the original is reopened first if the fault is back.
        raise WorkError("work.original_finished", code=original.code)
    if not _same_place(original, ticket):
        # A gas report closed as the duplicate of one at another estate: nobody goes to this one.
        raise WorkError("work.duplicate_elsewhere", code=original.code, address=original.address_raw or "-")
    ticket.duplicate_of_id = original.id
    _log(ticket, actor, "duplicate_linked", now, original=original.code)
    _log(original, actor, "duplicate_received", now, duplicate=ticket.code)
    if ticket.status is not TicketStatus.CLOSED:
        note = dashboard_text("work.duplicate_note", code=original.code)
        change_status(session, ticket, TicketStatus.CLOSED, actor, now, note, step=Step.DUPLICATE)
    return original


def _same_place(one: Ticket, other: Ticket) -> bool:
    """Whether two reports may be of one incident: the same estate and building where both name
    them (neighbours in one building see the same leak; another estate's is another incident)."""
    return all(
        mine is None or theirs is None or mine == theirs
        for mine, theirs in ((one.estate, other.estate), (one.building, other.building))
    )


def acknowledge_alert(session: Session, alert_id: int, actor: str, now: datetime, *, is_admin: bool) -> Alert:
    """An alert dismissed: by the ticket's owner (or an admin), who must act on it (R13)."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise WorkError("work.no_alert")
    refuse_unless_owner(alert.ticket, actor, is_admin=is_admin)
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = actor, now
        _log(alert.ticket, actor, "alert_acknowledged", now, rule=alert.rule, alert=alert.kind)
    return alert


def duplicates_of(session: Session, ticket: Ticket) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.duplicate_of_id == ticket.id).order_by(Ticket.id)))
