"""The dispatchers' queue: open tickets, nearest SLA deadline first, with filters and counts.

Each page costs a fixed number of queries whatever the number of tickets: one for the rows,
one for the counts per category, one for the total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from bot.core.models import Alert, Category, Priority, Ticket, TicketStatus
from bot.dashboard.texts import Explained
from bot.dashboard.views import TicketView, plain_all

OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.ACKNOWLEDGED, TicketStatus.IN_PROGRESS, TicketStatus.REOPENED)
PAGE_SIZE = 50
MAX_SEARCH_CHARS = 100


class FilterError(Explained, ValueError):
    """A filter value the queue cannot use; the message names it (a "queue.*" text of the
    catalogs: str() in the dashboard's default language, text() in another)."""


@dataclass(frozen=True)
class QueueFilter:
    category: str = ""
    status: str = ""  # "" = every open status; "all" = open and finished
    priority: str = ""
    estate: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    page: int = 1
    only_mine: str = ""  # a username: tickets owned by that dispatcher

    @classmethod
    def from_query(cls, params: dict[str, str]) -> QueueFilter:
        """Read the filters from a query string, refusing values that name nothing."""

        def choice(name: str, allowed: list[str]) -> str:
            value = params.get(name, "").strip()
            if value and value not in allowed:
                raise FilterError("queue.unknown_value", name=name, value=repr(value), allowed=", ".join(allowed))
            return value

        def day(name: str) -> date | None:
            value = params.get(name, "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise FilterError("queue.bad_date", name=name) from None

        page_text = params.get("page", "1").strip() or "1"
        if not page_text.isdigit() or int(page_text) < 1:
            raise FilterError("queue.bad_page")
        return cls(
            category=choice("category", [c.value for c in Category]),
            status=choice("status", [s.value for s in TicketStatus] + ["all"]),
            priority=choice("priority", [p.value for p in Priority]),
            estate=params.get("estate", "").strip()[:100],
            channel=choice("channel", ["web", "telegram", "terminal"]),
            date_from=day("from"),
            date_to=day("to"),
            search=params.get("q", "").strip()[:MAX_SEARCH_CHARS],
            page=int(page_text),
            only_mine=params.get("mine", "").strip()[:64],
        )

    def as_query(self, **changes: object) -> dict[str, str]:
        """The filter as query parameters (for links that keep it, e.g. the next page)."""
        current = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "category": current.category,
            "status": current.status,
            "priority": current.priority,
            "estate": current.estate,
            "channel": current.channel,
            "from": current.date_from.isoformat() if current.date_from else "",
            "to": current.date_to.isoformat() if current.date_to else "",
            "q": current.search,
            "mine": current.only_mine,
            "page": str(current.page) if current.page > 1 else "",
        }
        return {key: value for key, value in pairs.items() if value}


@dataclass(frozen=True)
class QueuePage:
    tickets: list[TicketView]
    total: int
    counts: dict[str, int]  # per category, under every filter but the category one
    filter: QueueFilter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(query: Select, f: QueueFilter, tz: ZoneInfo, *, with_category: bool = True) -> Select:
    if f.status == "all":
        pass
    elif f.status:
        query = query.where(Ticket.status == TicketStatus(f.status))
    else:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    if f.category and with_category:
        query = query.where(Ticket.category == Category(f.category))
    if f.priority:
        query = query.where(Ticket.priority == Priority(f.priority))
    if f.channel:
        query = query.where(Ticket.channel == f.channel)
    if f.estate:
        query = query.where(Ticket.estate.like(f"%{_escape_like(f.estate)}%", escape="\\"))
    if f.only_mine:
        query = query.where(Ticket.owner == f.only_mine)
    if f.date_from:
        query = query.where(Ticket.created_at >= datetime.combine(f.date_from, time(), tz))
    if f.date_to:
        query = query.where(Ticket.created_at < datetime.combine(f.date_to + timedelta(days=1), time(), tz))
    if f.search:
        pattern = f"%{_escape_like(f.search)}%"
        matches = [
            Ticket.code.like(pattern.upper(), escape="\\"),
            Ticket.description.like(pattern, escape="\\"),
            Ticket.address_raw.like(pattern, escape="\\"),
            Ticket.estate.like(pattern, escape="\\"),
            Ticket.phone.like(pattern, escape="\\"),
        ]
        if digits := _digits_of_a_number(f.search):
            matches.append(Ticket.phone.like(f"%{digits}%"))
        query = query.where(or_(*matches))
    return query


def _digits_of_a_number(search: str) -> str | None:
    """A phone number as a caller reads it ("139-1234-5678", "139 1234 5678", "+86 139…") in the
    digits it is kept with; None for a search that is no number of 7 digits or more."""
    digits = re.sub(r"[\s\-()（）]", "", search).removeprefix("+86").removeprefix("0086")
    if not re.fullmatch(r"\d{7,15}", digits):
        return None
    return digits.removeprefix("0")  # a landline's trunk 0 ("0533-1234567") is not kept: +865331234567


def load_queue(session: Session, f: QueueFilter, tz: ZoneInfo) -> QueuePage:
    # Nearest deadline first, so breaches (deadlines already past) are on top; tickets with no
    # deadline left go last, the most urgent and the oldest first among them.
    rows = filtered(select(Ticket), f, tz).order_by(
        Ticket.next_due_at.is_(None), Ticket.next_due_at, Ticket.priority == Priority.NORMAL, Ticket.id
    )
    tickets = plain_all(TicketView, session.scalars(rows.limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE)))
    total = session.scalar(filtered(select(func.count(Ticket.id)), f, tz)) or 0
    per_category = filtered(select(Ticket.category, func.count(Ticket.id)), f, tz, with_category=False)
    counts = {c.value: 0 for c in Category}
    for category, count in session.execute(per_category.group_by(Ticket.category)):
        counts[category.value] = count
    return QueuePage(tickets, total, counts, f)


def queue_version(session: Session) -> str:
    """Changes whenever a ticket is created or changed, or an alert is raised or acknowledged:
    the page polls it and reloads its rows only then."""
    latest, count = session.execute(select(func.max(Ticket.updated_at), func.count(Ticket.id))).one()
    alerts, acknowledged = session.execute(select(func.count(Alert.id), func.count(Alert.acknowledged_at))).one()
    return f"{latest.isoformat() if latest else '-'}/{count}/{alerts}/{acknowledged}"
