"""What the dispatchers' group is told: new tickets, alerts and suspected outages, each once; and
what their buttons do. A notice is recorded as posted only after it was posted (see
bot/channels/telegram/group_notices.py), under a lease so that two processes never both post it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.core.conversation.disclosure import hides_address, shown_address_parts, shown_address_raw, shown_description
from bot.core.conversation.messages import STATUS_NAMES, name_of, say
from bot.core.models import Alert, OutageSuspicion, Priority, Ticket, TicketStatus
from bot.core.tickets.workflow import TransitionRefused, change_status

CATEGORY = {"report_leak": "漏水", "report_repair": "报修", "billing_query": "缴费", "complaint": "投诉"}
PRIORITY = {Priority.URGENT: "紧急", Priority.HIGH: "高", Priority.NORMAL: "普通"}
DEADLINE = {"response_due_at": "处理意见", "contact_due_at": "电话联系", "onsite_due_at": "到场",
            "resolve_due_at": "修复/答复", "followup": "回访"}  # fmt: skip
ACTIONS = {"ack": TicketStatus.ACKNOWLEDGED, "onsite": TicketStatus.IN_PROGRESS, "resolved": TicketStatus.RESOLVED}
ACTION_TITLES = {"ack": "受理", "onsite": "已到场", "resolved": "已解决"}


# Where each kind of notice records that the group was told.
POSTED_AT: dict[type, InstrumentedAttribute] = {  # type: ignore[type-arg]
    Ticket: Ticket.group_posted_at,
    Alert: Alert.posted_at,
    OutageSuspicion: OutageSuspicion.posted_at,
}


def _unposted(session: Session, model: type[Ticket] | type[Alert], limit: int) -> list:  # type: ignore[type-arg]
    posted = POSTED_AT[model]
    return list(session.scalars(select(model).where(posted.is_(None)).order_by(model.id).limit(limit)))


def unposted_tickets(session: Session, limit: int = 20) -> list[Ticket]:
    return _unposted(session, Ticket, limit)


def unposted_alerts(session: Session, limit: int = 20) -> list[Alert]:
    return _unposted(session, Alert, limit)


def is_unposted(session: Session, model: type, row_id: int) -> bool:
    posted = POSTED_AT[model]
    return session.scalar(select(model.id).where(model.id == row_id, posted.is_(None))) is not None


def mark_posted(session: Session, model: type, row_id: int, now: datetime) -> bool:
    """Record that the group was told (after Telegram accepted the post); False if it was already."""
    posted = POSTED_AT[model]
    return (
        session.execute(
            update(model)
            .where(model.id == row_id, posted.is_(None))
            .values({posted.key: now})
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def notice_lease(model: type, row_id: int) -> str:
    """The lease a process holds while it posts this notice: no two processes post it both."""
    return f"notice:{model.__tablename__}:{row_id}"


def ticket_notice(ticket: Ticket, tz: ZoneInfo) -> str:
    """A new ticket as the group sees it; an anonymous one shows no contact, no address below the
    estate and no identifier in its words (R7: a group is read by many, on many phones)."""
    local = lambda moment: moment.astimezone(tz).strftime("%m-%d %H:%M")  # noqa: E731
    estate, building, unit, room = shown_address_parts(ticket)
    where = " ".join(filter(None, [estate, building and f"{building}号楼", unit and f"{unit}单元", room and f"{room}室"]))
    where = where or shown_address_raw(ticket) or "-"
    if hides_address(ticket):
        where += "(匿名,详细地址见工单页)"
    lines = [
        f"新工单 {ticket.code}({CATEGORY[ticket.category.value]},{PRIORITY[ticket.priority]})",
        f"地址:{where}",
        f"情况:{shown_description(ticket)[:300]}",
        "联系:匿名,无联系方式" if ticket.anonymous else f"联系:{ticket.phone or '-'}({ticket.callback_window or '随时'})",
    ]
    for field in ("onsite_due_at", "contact_due_at", "resolve_due_at"):
        due = getattr(ticket, field)
        if due is not None:
            lines.append(f"期限:{DEADLINE[field]} {local(due)}")
            break
    return "\n".join(lines)


def alert_notice(alert: Alert, tz: ZoneInfo) -> str:
    kind = {"warning": "即将超时", "breach": "已超时", "not_solved": "回访未解决,已重新打开"}[alert.kind]
    due = f",期限 {alert.due_at.astimezone(tz):%m-%d %H:%M}" if alert.due_at else ""
    return f"⚠ {alert.ticket.code} {alert.rule} {DEADLINE.get(alert.deadline, alert.deadline)}{kind}{due}"


def apply_dispatcher_action(session: Session, ticket_id: int, action: str, actor: str, now: datetime) -> Ticket:
    """A dispatcher's button: acknowledge, crew on site, resolved (logged with who and when).

    The workflow decides: a step it does not allow (已解决 on a closed ticket, 受理 twice) raises
    TransitionRefused and changes nothing; 受理 makes the dispatcher the owner of an unowned ticket (R13).
    """
    ticket = session.get_one(Ticket, ticket_id)
    change_status(session, ticket, ACTIONS[action], actor, now)
    return ticket


def refusal_text(refused: TransitionRefused, action: str) -> str:
    """Why a button did nothing, in the group's language: the ticket's status and the step asked."""
    current = name_of(STATUS_NAMES, refused.current.value, "zh")
    return say("dispatcher_refused", "zh", code=refused.code, current=current, action=ACTION_TITLES[action])
