"""Service deadlines from the company's rules (R1, R2, R4, R5) and the official work calendar."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.core.models import Category

log = logging.getLogger(__name__)

LEAK_ONSITE = timedelta(minutes=30)  # R1
REPAIR_CONTACT = timedelta(minutes=30)  # R2
REPAIR_ONSITE = timedelta(hours=2)  # R2
REPAIR_FIXED = timedelta(hours=24)  # R2
HANDLING_OPINION = timedelta(hours=1)  # R4
COMPLAINT_WORKING_DAYS = 5  # R5
WHISTLEBLOWING_WORKING_DAYS = 10  # R5


def is_working_day(day: date) -> bool:
    """Tell whether `day` is a working day by the official Chinese calendar (make-up days included)."""
    try:
        return bool(chinese_calendar.is_workday(day))  # the library is untyped
    except NotImplementedError:
        # The library only knows years the State Council has published; beyond them, weekdays.
        _warn_no_calendar(day.year)
        return day.weekday() < 5


@lru_cache
def _warn_no_calendar(year: int) -> None:
    log.warning("No official holiday calendar for %s; counting Monday-Friday", year)


def add_working_days(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """Return the same local time of day on the `days`-th working day after `start`'s date."""
    local = start.astimezone(tz)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)


@dataclass(frozen=True)
class Deadlines:
    response_due_at: datetime | None
    contact_due_at: datetime | None
    onsite_due_at: datetime | None
    resolve_due_at: datetime | None


def deadlines_for(category: Category, subcategory: str | None, created_at: datetime, tz: ZoneInfo) -> Deadlines:
    """Compute the due times a new ticket of this kind must meet."""
    opinion = created_at + HANDLING_OPINION
    if category is Category.REPORT_LEAK:
        return Deadlines(opinion, None, created_at + LEAK_ONSITE, None)
    if category is Category.REPORT_REPAIR:
        return Deadlines(
            opinion,
            created_at + REPAIR_CONTACT,
            created_at + REPAIR_ONSITE,
            created_at + REPAIR_FIXED,
        )
    days = WHISTLEBLOWING_WORKING_DAYS if subcategory == "whistleblowing" else COMPLAINT_WORKING_DAYS
    # Billing disputes (R15) are answered on the complaint clock: the rules set no other.
    return Deadlines(opinion, None, None, add_working_days(created_at, days, tz))
