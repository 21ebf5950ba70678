"""Deadlines of R1, R2, R4 and R5, with the official holidays and make-up working days."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.models import Category
from bot.core.tickets.sla import add_working_days, deadlines_for, is_working_day

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_national_day_holiday_and_make_up_saturday() -> None:
    assert not is_working_day(date(2025, 10, 1))  # National Day
    assert is_working_day(date(2025, 10, 11))  # a Saturday worked in exchange
    assert not is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_five_working_days_skip_the_golden_week() -> None:
    # 30 Sep 2025: 1-8 Oct are holidays, Sat 11 Oct is a working day.
    assert add_working_days(at(2025, 9, 30, 10), 5, TZ) == at(2025, 10, 14, 10)


def test_ordinary_week_and_weekend() -> None:
    assert add_working_days(at(2025, 11, 14, 16, 30), 5, TZ) == at(2025, 11, 21, 16, 30)
    assert add_working_days(at(2025, 11, 15, 9), 1, TZ) == at(2025, 11, 17, 9)  # Saturday report


def test_year_without_published_calendar_counts_weekdays() -> None:
    assert add_working_days(at(2031, 3, 7, 10), 1, TZ) == at(2031, 3, 10, 10)


def test_leak_deadlines_r1_r4() -> None:
    created = at(2025, 12, 1, 23, 50)
    due = deadlines_for(Category.REPORT_LEAK, None, created, TZ)
    assert due.onsite_due_at == created + timedelta(minutes=30)
    assert due.response_due_at == created + timedelta(hours=1)
    assert due.contact_due_at is None and due.resolve_due_at is None


def test_repair_deadlines_r2() -> None:
    created = at(2025, 12, 1, 8)
    due = deadlines_for(Category.REPORT_REPAIR, None, created, TZ)
    assert (due.contact_due_at, due.onsite_due_at, due.resolve_due_at) == (
        created + timedelta(minutes=30),
        created + timedelta(hours=2),
        created + timedelta(hours=24),
    )


@pytest.mark.parametrize(
    ("subcategory", "expected"), [(None, at(2025, 10, 14, 10)), ("whistleblowing", at(2025, 10, 21, 10))]
)
def test_complaint_answer_due_r5(subcategory: str | None, expected: datetime) -> None:
    due = deadlines_for(Category.COMPLAINT, subcategory, at(2025, 9, 30, 10), TZ)
    assert due.resolve_due_at == expected
