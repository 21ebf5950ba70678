"""What the dispatchers' group is told: new tickets, alerts and suspected outages, each once; and
what their buttons do. A notice is recorded as posted only after it was posted (see
bot/channels/telegram/group_notices.py), under a lease so that two processes never both post it."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.core.conversation.disclosure import hides_address, shown_address_parts, shown_address_raw, shown_description
from bot.core.conversation.messages import STATUS_NAMES, name_of, say
from bot.core.db import rows_changed
from bot.core.models import Alert, OutageSuspicion, Ticket, TicketStatus
from bot.core.text.catalog import label, labels
from bot.core.tickets.workflow import TransitionRefused, change_status, refuse_unless_owner

# The group's language: its texts are in the catalogs (bot/locale/), under "notice.*" and the
# enum names ("category.*", "priority.*", "deadline.*", "action.*", "alert.*").
GROUP_LANGUAGE = "zh"
ACTIONS = {"ack": TicketStatus.ACKNOWLEDGED, "onsite": TicketStatus.IN_PROGRESS, "resolved": TicketStatus.RESOLVED}
# The buttons under a new ticket (受理 / 已到场 / 已解决), in the group's language.
ACTION_TITLES = {action: label("action", action, GROUP_LANGUAGE) for action in ACTIONS}


NoticeModel: TypeAlias = type[Ticket] | type[Alert] | type[OutageSuspicion]
_Listed = TypeVar("_Listed", Ticket, Alert)

# Where each kind of notice records that the group was told.
POSTED_AT: dict[NoticeModel, InstrumentedAttribute[datetime | None]] = {
    Ticket: Ticket.group_posted_at,
    Alert: Alert.posted_at,
    OutageSuspicion: OutageSuspicion.posted_at,
}


def _unposted(session: Session, model: type[_Listed], limit: int) -> list[_Listed]:
    posted = POSTED_AT[model]
    return list(session.scalars(select(model).where(posted.is_(None)).order_by(model.id).limit(limit)))


def unposted_tickets(session: Session, limit: int = 20) -> list[Ticket]:
    return _unposted(session, Ticket, limit)


def unposted_alerts(session: Session, limit: int = 20) -> list[Alert]:
    return _unposted(session, Alert, limit)


def is_unposted(session: Session, model: NoticeModel, row_id: int) -> bool:
    posted = POSTED_AT[model]
    return session.scalar(select(model.id).where(model.id == row_id, posted.is_(None))) is not None


def mark_posted(session: Session, model: NoticeModel, row_id: int, now: datetime) -> bool:
    """Record that the group was told (after Telegram accepted the post); False if it was already."""
    posted = POSTED_AT[model]
    return (
        rows_changed(
            session.execute(
                update(model)
                .where(model.id == row_id, posted.is_(None))
                .values({posted.key: now})
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def notice_lease(model: NoticeModel, row_id: int) -> str:
    """The lease a process holds while it posts this notice: no two processes post it both."""
    return f"notice:{model.__tablename__}:{row_id}"


def ticket_notice(ticket: Ticket, tz: ZoneInfo, language: str = GROUP_LANGUAGE) -> str:
    """A new ticket as the group sees it; an anonymous one shows no contact, no address below the
    estate and no identifier in its words (R7: a group is read by many, on many phones)."""

    def local(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%m-%d %H:%M")

    estate, building, unit, room = shown_address_parts(ticket)
    parts = [estate, building and say("notice.building", language, building=building),
             unit and say("notice.unit", language, unit=unit), room and say("notice.room", language, room=room)]  # fmt: skip
    where = " ".join(filter(None, parts)) or shown_address_raw(ticket) or "-"
    if hides_address(ticket):
        where += say("notice.address_hidden", language)
    if ticket.anonymous:
        contact = say("notice.contact_anonymous", language)
    else:
        callback = ticket.callback_window or say("notice.callback_anytime", language)
        contact = say("notice.contact", language, phone=ticket.phone or "-", callback=callback)
    lines = [
        say("notice.new_ticket", language, code=ticket.code, category=label("category", ticket.category.value, language),
            priority=label("priority", ticket.priority.value, language)),
        say("notice.address", language, where=where),
        say("notice.description", language, description=shown_description(ticket)[:300]),
        contact,
    ]  # fmt: skip
    for field in ("onsite_due_at", "contact_due_at", "resolve_due_at"):
        due = getattr(ticket, field)
        if due is not None:
            lines.append(say("notice.deadline", language, deadline=label("deadline", field, language), due=local(due)))
            break
    return "\n".join(lines)


def alert_notice(alert: Alert, tz: ZoneInfo, language: str = GROUP_LANGUAGE) -> str:
    kind = label("alert", alert.kind, language)
    due = say("notice.alert_due", language, due=f"{alert.due_at.astimezone(tz):%m-%d %H:%M}") if alert.due_at else ""
    # A deadline the catalog does not name is shown by its field's name; "resident#2" (the
    # resident's second addition, bot/core/tickets/additions.py) by the name of "resident".
    deadline = labels("deadline", language).get(alert.deadline.partition("#")[0], alert.deadline)
    return say("notice.alert", language, code=alert.ticket.code, rule=alert.rule, deadline=deadline, kind=kind, due=due)


def apply_dispatcher_action(session: Session, ticket_id: int, action: str, actor: str, now: datetime) -> Ticket:
    """A dispatcher's button: acknowledge, crew on site, resolved (logged with who and when).

    The workflow decides: a step it does not allow (已解决 on a closed ticket, 受理 twice) raises
    TransitionRefused and changes nothing; 受理 makes the dispatcher the owner of an unowned ticket,
    and a ticket another owns is refused (OwnedByAnother), R13.
    """
    ticket = session.get_one(Ticket, ticket_id)
    refuse_unless_owner(ticket, actor)  # R13: another's case is theirs to move (OwnedByAnother)
    change_status(session, ticket, ACTIONS[action], actor, now)
    return ticket


def refusal_text(refused: TransitionRefused, action: str, language: str = GROUP_LANGUAGE) -> str:
    """Why a button did nothing, in the group's language: the ticket's status and the step asked."""
    current = name_of(STATUS_NAMES, refused.current.value, language)
    return say("dispatcher_refused", language, code=refused.code, current=current,
               action=label("action", action, language))  # fmt: skip
