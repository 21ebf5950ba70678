"""R14's statistics: tickets per category per day, week and month; SLA compliance per rule;
follow-up satisfaction; the month's complaint closure rate (R6).

A fixed handful of grouped queries, whatever the number of tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.core.models import Category, FollowupState, Ticket, TicketStatus
from bot.core.outages.stats import OutageFigures
from bot.core.outages.stats import figures_for as outage_figures
from bot.core.tickets.milestones import DEADLINES, rule_for

CATEGORIES = [c.value for c in Category]
# The deadline rules the page reports on; their titles are the catalog's "rule.*" texts.
RULES = ("R1", "R2", "R4", "R5")


@dataclass(frozen=True)
class SlaRow:
    rule: str
    judged: int  # deadlines that were met, or have passed unmet
    met: int

    @property
    def rate(self) -> float | None:
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class Statistics:
    month: date  # the first day of the month the figures are for
    daily: list[tuple[date, dict[str, int]]]
    weekly: list[tuple[date, dict[str, int]]]  # keyed by each week's Monday
    monthly: list[tuple[date, dict[str, int]]]
    sla: list[SlaRow]
    satisfaction_average: float | None
    satisfaction_counts: dict[int, int]
    followups_answered: int
    not_solved: int
    complaints: int
    complaints_closed: int
    outages: OutageFigures  # outages that began this month (R10)

    @property
    def not_solved_rate(self) -> float | None:
        return self.not_solved / self.followups_answered if self.followups_answered else None

    @property
    def complaint_closure_rate(self) -> float | None:
        return self.complaints_closed / self.complaints if self.complaints else None


def month_bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(), tz), datetime.combine(following, time(), tz)


def local_day(
    column: ColumnElement[datetime] | InstrumentedAttribute[datetime], dialect: str, tz: ZoneInfo
) -> ColumnElement[str]:
    """The local calendar day of a stored UTC time, as 'YYYY-MM-DD', computed by the database."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(str(tz), column), "YYYY-MM-DD")
    # SQLite has no time zones: shift by the zone's current offset (exact for zones without
    # daylight saving time, such as the default Asia/Shanghai).
    offset = datetime.now(tz).utcoffset() or timedelta()
    return func.strftime("%Y-%m-%d", column, f"{int(offset.total_seconds())} seconds")


def compute(session: Session, month: date, now: datetime, tz: ZoneInfo) -> Statistics:
    start, end = month_bounds(month, tz)
    dialect = session.get_bind().dialect.name
    today = now.astimezone(tz).date()
    daily_counts = _counts_per_day(session, now, tz, dialect)
    return Statistics(
        month=start.date(),
        daily=_days_of_month(daily_counts, start.date(), end.date()),
        weekly=_bucket(daily_counts, _week_starts(today, 12), lambda d: d - timedelta(days=d.weekday())),
        monthly=_bucket(daily_counts, _month_starts(today, 12), lambda d: d.replace(day=1)),
        sla=_sla(session, start, end, now),
        **_followups(session, start, end),
        **_complaints(session, start, end),
        outages=outage_figures(session, start, end),
    )


def _counts_per_day(session: Session, now: datetime, tz: ZoneInfo, dialect: str) -> dict[date, dict[str, int]]:
    since = datetime.combine(now.astimezone(tz).date().replace(day=1) - timedelta(days=366), time(), tz)
    day = local_day(Ticket.created_at, dialect, tz).label("day")
    query = (
        select(day, Ticket.category, func.count(Ticket.id))
        .where(Ticket.created_at >= since)
        .group_by(day, Ticket.category)
    )
    counts: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
    for day_text, category, count in session.execute(query):
        counts[date.fromisoformat(day_text)][category.value] += count
    return counts


def _days_of_month(
    counts: dict[date, dict[str, int]], first: date, following: date
) -> list[tuple[date, dict[str, int]]]:
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    return [(d, dict(counts.get(d, dict.fromkeys(CATEGORIES, 0)))) for d in days]


def _week_starts(today: date, how_many: int) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in reversed(range(how_many))]


def _month_starts(today: date, how_many: int) -> list[date]:
    starts = [today.replace(day=1)]
    while len(starts) < how_many:
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    return starts


def _bucket(
    counts: dict[date, dict[str, int]], starts: list[date], start_of: Callable[[date], date]
) -> list[tuple[date, dict[str, int]]]:
    """Sum the daily counts into the periods beginning at `starts` (`start_of` maps a day to its period)."""
    totals = {s: dict.fromkeys(CATEGORIES, 0) for s in starts}
    for day, per_category in counts.items():
        bucket = totals.get(start_of(day))
        if bucket is not None:
            for category, count in per_category.items():
                bucket[category] += count
    return list(totals.items())


def _sla(session: Session, start: datetime, end: datetime, now: datetime) -> list[SlaRow]:
    """For tickets of the month: each deadline that was met or has passed, and how many were met."""
    judged: dict[str, int] = defaultdict(int)
    met: dict[str, int] = defaultdict(int)
    for deadline in DEADLINES:
        field = deadline.field
        due = getattr(Ticket, field)
        milestone = getattr(Ticket, deadline.milestone)
        kept = case((and_(milestone.is_not(None), milestone <= due), 1), else_=0)
        query = (
            select(Ticket.category, func.count(Ticket.id), func.sum(kept))
            .where(Ticket.created_at >= start, Ticket.created_at < end, due.is_not(None))
            .where(Ticket.duplicate_of_id.is_(None))  # the original is the case that is judged
            .where(or_(milestone.is_not(None), due < now))
            .group_by(Ticket.category)
        )
        for category, count, kept_count in session.execute(query):
            rule = rule_for(field, category)
            judged[rule] += count
            met[rule] += int(kept_count or 0)
    return [SlaRow(rule, judged[rule], met[rule]) for rule in RULES]


def _followups(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    in_month = (Ticket.created_at >= start, Ticket.created_at < end)
    distribution = dict.fromkeys(range(1, 6), 0)
    for score, count in session.execute(
        select(Ticket.satisfaction, func.count(Ticket.id))
        .where(*in_month, Ticket.satisfaction.is_not(None))
        .group_by(Ticket.satisfaction)
    ):
        if score in distribution:
            distribution[score] = count
    rated = sum(distribution.values())
    average = sum(score * count for score, count in distribution.items()) / rated if rated else None
    answered, not_solved = session.execute(
        select(
            func.count(Ticket.id),
            func.sum(case((Ticket.followup_state == FollowupState.NOT_SOLVED, 1), else_=0)),
        ).where(*in_month, Ticket.followup_state.in_([FollowupState.SOLVED, FollowupState.NOT_SOLVED]))
    ).one()
    return {
        "satisfaction_average": average,
        "satisfaction_counts": distribution,
        "followups_answered": answered or 0,
        "not_solved": int(not_solved or 0),
    }


def _complaints(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    finished = case((Ticket.status.in_([TicketStatus.RESOLVED, TicketStatus.CLOSED]), 1), else_=0)
    total, closed = session.execute(
        select(func.count(Ticket.id), func.sum(finished)).where(
            Ticket.category == Category.COMPLAINT, Ticket.created_at >= start, Ticket.created_at < end
        )
    ).one()
    return {"complaints": total or 0, "complaints_closed": int(closed or 0)}
