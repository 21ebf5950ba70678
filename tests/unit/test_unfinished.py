"""A leak report that names its place is filed even if its resident stops answering (R1), once,
and completed, not doubled, when they come back (bot/core/tickets/unfinished.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.conversation.outbox import take_undelivered
from bot.core.models import Category, Priority, Ticket, UnfinishedReport
from bot.core.tickets.intake import create_ticket, report_beside
from bot.core.tickets.unfinished import (
    complete_filed,
    file_unfinished,
    filed_ref,
    filed_ticket_of,
    remember_unfinished,
)
from tests.unit.test_tickets import draft

REPORTED = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
WAIT = timedelta(minutes=get_settings().unfinished_leak_minutes)


def tickets(session: Session) -> int:
    return session.scalar(select(func.count(Ticket.id))) or 0


def test_a_leak_left_unanswered_is_filed_once_after_the_wait_and_completed_later(db_session: Session) -> None:
    settings = get_settings()
    so_far = draft(phone=None, callback_window=None, sender_ref="web:left")
    remember_unfinished(db_session, so_far, REPORTED)
    assert file_unfinished(db_session, settings, REPORTED + WAIT - timedelta(seconds=1)) == []
    [filed] = file_unfinished(db_session, settings, REPORTED + WAIT)
    db_session.commit()
    assert filed.priority is Priority.URGENT and filed.onsite_due_at is not None and filed.phone is None
    assert filed.estate == "阳光花园" and filed.room == "301" and "暖气片漏水了" in filed.description
    assert file_unfinished(db_session, settings, REPORTED + 3 * WAIT) == []  # once
    # A resident's finding: the chat was never told, so the resident had no code to ask after.
    [told] = take_undelivered(db_session, "web", "web:left")
    assert filed.code in told.text, told.text

    # The resident comes back, answers and confirms: the same ticket, completed.
    assert filed_ticket_of(db_session, "web:left", so_far) is filed
    # A later report of another kind or place from the chat is a ticket of its own.
    assert filed_ticket_of(db_session, "web:left", replace(so_far, address=replace(so_far.address, room="302"))) is None
    complete_filed(
        db_session, filed, replace(so_far, phone="+8613812345678", callback_window="下午"), REPORTED + 2 * WAIT
    )
    db_session.commit()
    assert tickets(db_session) == 1 and filed.phone == "+8613812345678" and filed.callback_window == "下午"
    assert db_session.get(UnfinishedReport, "web:left") is None


def test_a_complaint_told_beside_an_unanswered_leak_is_filed_with_it_and_not_doubled_later(
    db_session: Session,
) -> None:
    """Nothing a resident reported is lost: the complaint set aside in the middle of the leak
    report is filed beside it; the resident's later confirmation finds both again."""
    settings = get_settings()
    so_far = draft(phone=None, callback_window=None, sender_ref="web:bribe")
    bribe = {"subcategory": "whistleblowing", "description": "维修工要了200块红包"}
    remember_unfinished(db_session, so_far, REPORTED, set_aside=bribe)
    leak, complaint = file_unfinished(db_session, settings, REPORTED + WAIT)
    db_session.commit()
    assert leak.category is Category.REPORT_LEAK and complaint.category is Category.COMPLAINT
    assert complaint.subcategory == "whistleblowing" and "红包" in complaint.description
    assert complaint.estate == "阳光花园" and complaint.intake_ref == f"{filed_ref(leak)}+complaint"

    # They come back and confirm: create_from_slots (actions/confirmation.py) stands the draft for
    # the filed ticket, so the complaint beside it is the one filed, not a second.
    assert filed_ticket_of(db_session, "web:bribe", so_far) is leak
    again = report_beside(replace(so_far, intake_ref=filed_ref(leak)), **bribe)
    assert create_ticket(db_session, again, settings) is complaint and tickets(db_session) == 2


def test_a_disputed_bill_told_before_an_unanswered_leak_is_filed_for_the_billing_officers(db_session: Session) -> None:
    bill = {"category": "billing_query", "subcategory": "dispute", "description": "这个月多收了我好几百"}
    remember_unfinished(db_session, draft(phone=None, callback_window=None, sender_ref="web:bill"), REPORTED,
                        set_aside=bill)  # fmt: skip
    leak, billing = file_unfinished(db_session, get_settings(), REPORTED + WAIT)
    db_session.commit()
    assert leak.category is Category.REPORT_LEAK and "多收了" not in leak.description
    assert billing.category is Category.BILLING_QUERY and billing.subcategory == "dispute"
    assert billing.intake_ref == f"{filed_ref(leak)}+billing"


def test_an_anonymous_leak_left_unanswered_keeps_nothing_that_ties_it_to_the_chat(db_session: Session) -> None:
    remember_unfinished(db_session, draft(phone=None, anonymous=True, sender_ref="web:anon"), REPORTED)
    [filed] = file_unfinished(db_session, get_settings(), REPORTED + WAIT)
    db_session.commit()
    assert filed.anonymous and filed.sender_ref is None and filed.phone is None
    # Only that something was filed: no words, no ticket; and it is never filed again.
    kept = db_session.get_one(UnfinishedReport, "web:anon")
    assert (kept.draft, kept.ticket_id, kept.filed_anonymously) == ({}, None, True)
    assert file_unfinished(db_session, get_settings(), REPORTED + 2 * WAIT) == []
    remember_unfinished(db_session, draft(phone=None, anonymous=True, sender_ref="web:anon"), REPORTED + 2 * WAIT)
    assert db_session.get_one(UnfinishedReport, "web:anon").draft == {}  # what is said after it is not kept
    file_unfinished(db_session, get_settings(), REPORTED + WAIT + timedelta(hours=25))
    assert db_session.get(UnfinishedReport, "web:anon") is None  # gone after a day


def test_an_answer_puts_the_wait_back_and_a_process_that_read_it_late_files_nothing(db_session: Session) -> None:
    settings = get_settings()
    remember_unfinished(db_session, draft(phone=None, sender_ref="web:slow"), REPORTED)
    remember_unfinished(db_session, draft(sender_ref="web:slow"), REPORTED + WAIT)  # answered the phone question
    db_session.commit()
    assert file_unfinished(db_session, settings, REPORTED + WAIT + timedelta(minutes=1)) == []
    filed = file_unfinished(db_session, settings, REPORTED + 2 * WAIT)
    db_session.commit()
    # Another process that had read the row before it was filed claims it with the old time: nothing.
    stale = db_session.execute(
        update(UnfinishedReport)
        .where(UnfinishedReport.sender == "web:slow", UnfinishedReport.updated_at == REPORTED + WAIT)
        .values(updated_at=REPORTED + 2 * WAIT)
    )
    assert len(filed) == 1 and stale.rowcount == 0 and tickets(db_session) == 1  # type: ignore[attr-defined]


def test_a_draft_that_cannot_be_filed_does_not_keep_the_others_from_it(db_session: Session) -> None:
    remember_unfinished(db_session, draft(phone=None, sender_ref="web:broken"), REPORTED)
    remember_unfinished(db_session, draft(phone=None, sender_ref="web:fine"), REPORTED)
    broken = db_session.get_one(UnfinishedReport, "web:broken")
    broken.draft = broken.draft | {"category": "no such category"}
    db_session.commit()
    [filed] = file_unfinished(db_session, get_settings(), REPORTED + WAIT)
    assert filed.estate == "阳光花园"
