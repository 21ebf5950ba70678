"""Attachments in the core: kept by the sender's pseudonym, linked to the ticket it then opens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import get_settings
from bot.core.conversation.attachments import add_location, add_photo, attachments_of, photo_path, save_photo_file
from bot.core.conversation.privacy import forget_sender
from bot.core.models import Attachment, Category
from bot.core.tickets.intake import TicketDraft, create_ticket

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=timezone.utc)
SENDER = "telegram:0123456789abcdef01234567"
JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 50


def draft(anonymous: bool = False, sender: str = SENDER, intake_ref: str | None = None) -> TicketDraft:
    return TicketDraft(category=Category.REPORT_LEAK, description="暖气片漏水", channel="telegram",
                       language="zh", anonymous=anonymous, sender_ref=sender, intake_ref=intake_ref)  # fmt: skip


def test_a_ticket_takes_the_senders_recent_unlinked_attachments(db_session) -> None:  # type: ignore[no-untyped-def]
    photo = add_photo(
        db_session, "telegram", SENDER, NOW - timedelta(minutes=5), storage_path="ab/ab.jpg", size_bytes=10
    )
    place = add_location(db_session, "telegram", SENDER, 36.8, 118.05, NOW - timedelta(minutes=2))
    stale = add_photo(
        db_session, "telegram", SENDER, NOW - timedelta(hours=25), storage_path="cd/cd.jpg", size_bytes=10
    )
    other = add_location(db_session, "telegram", "telegram:someone-else", 1.0, 2.0, NOW)
    web = add_location(db_session, "web", SENDER, 1.0, 2.0, NOW)
    db_session.flush()

    ticket = create_ticket(db_session, draft(), get_settings(), now=NOW)
    db_session.commit()
    db_session.expire_all()

    assert [a.id for a in attachments_of(db_session, ticket.id)] == [photo.id, place.id]
    assert photo.sender == SENDER  # a ticket with a name keeps who sent it
    assert stale.ticket_id is None and other.ticket_id is None and web.ticket_id is None
    second = create_ticket(db_session, draft(), get_settings(), now=NOW + timedelta(minutes=1))
    assert attachments_of(db_session, second.id) == []  # each attachment belongs to one ticket


def test_an_anonymous_ticket_drops_the_pseudonym_from_its_attachments(db_session) -> None:  # type: ignore[no-untyped-def]
    add_photo(db_session, "telegram", SENDER, NOW, storage_path=None, size_bytes=20_000_000)
    add_location(db_session, "telegram", SENDER, 36.8, 118.05, NOW)
    ticket = create_ticket(db_session, draft(anonymous=True), get_settings(), now=NOW)
    db_session.commit()
    db_session.expire_all()
    linked = attachments_of(db_session, ticket.id)
    assert len(linked) == 2 and all(a.sender is None for a in linked)
    stale = add_location(db_session, "telegram", SENDER, 1.0, 2.0, NOW - timedelta(days=3))
    forget_sender(db_session, "telegram", SENDER)  # what the intake does after an anonymous report
    db_session.commit()
    assert db_session.query(Attachment).filter(Attachment.sender == SENDER).count() == 0
    db_session.refresh(stale)
    assert stale.sender is None and stale.ticket_id is None


def test_photos_are_stored_by_content_and_found_again(tmp_path: Path) -> None:
    relative = save_photo_file(tmp_path, JPEG)
    assert relative == save_photo_file(tmp_path, JPEG)  # the same photo twice: one file
    assert relative.endswith(".jpg") and len(list(tmp_path.rglob("*.jpg"))) == 1
    attachment = Attachment(id=1, kind="photo", storage_path=relative)
    assert photo_path(attachment, tmp_path).read_bytes() == JPEG
    with pytest.raises(FileNotFoundError):
        photo_path(Attachment(id=2, kind="photo", storage_path=None), tmp_path)  # sent but not kept
    with pytest.raises(FileNotFoundError):
        photo_path(Attachment(id=3, kind="photo", storage_path="../../etc/passwd"), tmp_path)
