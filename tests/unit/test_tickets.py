"""The ticket core on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import Category, Priority, Ticket, TicketEvent, TicketStatus
from bot.core.text.address import Address
from bot.core.tickets.intake import (
    TicketDraft,
    as_kept,
    change_status,
    create_ticket,
    get_ticket_by_code,
    list_tickets,
    ticket_as_dict,
)

NOW = datetime(2025, 12, 3, 2, 0, tzinfo=timezone.utc)  # 10:00 in Zibo


def draft(**overrides: object) -> TicketDraft:
    values: dict[str, object] = dict(
        category=Category.REPORT_LEAK,
        description="暖气片漏水了",
        channel="web",
        language="zh",
        address_raw="阳光花园3号楼2单元301",
        address=Address("阳光花园", "3", "2", "301"),
        phone="+8613812345678",
        callback_window="随时",
        sender_ref="web:abc",
    )
    values.update(overrides)
    return TicketDraft(**values)  # type: ignore[arg-type]


def test_create_stores_every_field_and_deadlines(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=NOW)
    db_session.commit()
    db_session.expunge_all()
    saved = get_ticket_by_code(db_session, ticket.code.lower())
    assert saved is not None
    assert re.fullmatch(r"HL-[2-9A-HJKMNP-TV-Z]{6}", saved.code)
    assert saved.category is Category.REPORT_LEAK and saved.priority is Priority.URGENT
    assert saved.status is TicketStatus.NEW
    assert (saved.estate, saved.building, saved.unit, saved.room) == ("阳光花园", "3", "2", "301")
    assert saved.phone == "+8613812345678" and saved.sender_ref == "web:abc"
    assert saved.created_at == NOW
    assert saved.onsite_due_at == NOW + timedelta(minutes=30)
    assert saved.followup_due_at == NOW + timedelta(hours=48)
    assert [e.kind for e in saved.events] == ["created"]


def test_anonymous_ticket_keeps_no_contact(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.COMPLAINT, anonymous=True), get_settings(), now=NOW)
    db_session.commit()
    assert ticket.anonymous
    assert ticket.phone is None and ticket.sender_ref is None and ticket.callback_window is None


def test_codes_are_unique(db_session: Session) -> None:
    codes = {create_ticket(db_session, draft(), get_settings(), now=NOW).code for _ in range(50)}
    db_session.commit()
    assert len(codes) == 50
    assert len(list_tickets(db_session)) == 50


def test_same_confirmation_creates_one_ticket(db_session: Session) -> None:
    first = create_ticket(db_session, draft(intake_ref="msg-1"), get_settings(), now=NOW)
    again = create_ticket(db_session, draft(intake_ref="msg-1"), get_settings(), now=NOW)
    db_session.commit()
    assert first.id == again.id
    assert len(db_session.scalars(select(Ticket)).all()) == 1


def test_status_change_is_logged(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(category=Category.REPORT_REPAIR), get_settings(), now=NOW)
    change_status(db_session, ticket, TicketStatus.ACKNOWLEDGED, actor="dispatcher:li", now=NOW)
    db_session.commit()
    events = db_session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    assert [(e.kind, e.actor) for e in events] == [
        ("created", "bot"),
        ("status_changed", "dispatcher:li"),
        ("owner_changed", "dispatcher:li"),
    ]  # R13
    assert events[1].detail == {"from": "new", "to": "acknowledged"}
    assert ticket.owner == "dispatcher:li"
    assert ticket.priority is Priority.NORMAL


def test_complaint_answer_due_in_working_days(db_session: Session) -> None:
    ticket = create_ticket(
        db_session, draft(category=Category.COMPLAINT, subcategory="whistleblowing"), get_settings(), now=NOW
    )
    assert ticket.priority is Priority.HIGH
    assert ticket.resolve_due_at is not None
    assert ticket.resolve_due_at - NOW >= timedelta(days=14)  # 10 working days span two weekends


def test_serialised_with_model_field_names(db_session: Session) -> None:
    ticket = create_ticket(db_session, draft(), get_settings(), now=NOW)
    data = ticket_as_dict(ticket)
    assert data["category"] == "report_leak" and data["status"] == "new"
    assert data["created_at"] == NOW.isoformat()
    assert set(data) >= {
        "code",
        "priority",
        "description",
        "address_raw",
        "estate",
        "phone",
        "anonymous",
        "followup_due_at",
    }


def test_an_anonymous_english_complaint_keeps_its_words_with_english_tags() -> None:
    """What the summary shows an English resident: "[name]", not "[姓名]"."""
    kept = as_kept(
        draft(
            category=Category.COMPLAINT, language="en", anonymous=True,
            description="My name is John, I live in room 301, call 13812345678. The meter reader took a bribe.",
        )
    )  # fmt: skip
    assert "[name]" in kept.description and "[phone]" in kept.description and "[flat]" in kept.description
    assert "John" not in kept.description and "13812345678" not in kept.description
    assert not any("\u4e00" <= character <= "\u9fff" for character in kept.description)
    chinese = as_kept(draft(category=Category.COMPLAINT, anonymous=True, description="我叫王明,电话13812345678"))
    assert "[姓名]" in chinese.description and "[电话]" in chinese.description
