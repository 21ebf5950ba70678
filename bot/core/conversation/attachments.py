"""Photos and shared locations residents send with a report, kept for the dispatchers.

They arrive before the ticket exists, so they are kept under the sender's pseudonym and linked
to the ticket the conversation creates next. Files are named by the hash of their content:
nothing in a name leads back to the chat, and the same photo sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.db import rows_changed
from bot.core.models import Attachment

PHOTO = "photo"
LOCATION = "location"
# Attachments sent this long before the ticket still belong to it; older ones were about
# something else (a conversation that was cancelled, or an earlier report).
LINK_WINDOW = timedelta(hours=24)
_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG": ("image/png", ".png"),
    b"RIFF": ("image/webp", ".webp"),
}


def image_type(data: bytes) -> tuple[str, str]:
    """Content type and file suffix from the first bytes (Telegram's photos are JPEG)."""
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            return kind
    return "application/octet-stream", ".bin"


def save_photo_file(directory: Path, data: bytes) -> str:
    """Write the bytes under `directory` and return the path relative to it."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(digest[:2]) / (digest + image_type(data)[1])
    target = directory / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, then rename: a crash never leaves half a photo under the final name.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    return relative.as_posix()


def add_photo(
    session: Session,
    channel: str,
    sender: str,
    now: datetime,
    *,
    storage_path: str | None,
    size_bytes: int | None,
    content_type: str | None = None,
    caption: str | None = None,
) -> Attachment:
    """Record a photo; `storage_path` None means it was sent but could not be kept."""
    attachment = Attachment(
        channel=channel,
        sender=sender,
        kind=PHOTO,
        storage_path=storage_path,
        size_bytes=size_bytes,
        content_type=content_type,
        caption=caption,
        created_at=now,
    )
    session.add(attachment)
    return attachment


def add_location(
    session: Session, channel: str, sender: str, latitude: float, longitude: float, now: datetime
) -> Attachment:
    attachment = Attachment(
        channel=channel, sender=sender, kind=LOCATION, latitude=latitude, longitude=longitude, created_at=now
    )
    session.add(attachment)
    return attachment


def link_to_ticket(
    session: Session, ticket_id: int, channel: str, sender: str, *, anonymous: bool, now: datetime
) -> int:
    """Give the sender's recent unlinked attachments to the ticket; return how many.

    For an anonymous ticket the pseudonym is dropped from them too (R7)."""
    values: dict[str, object] = {"ticket_id": ticket_id}
    if anonymous:
        values["sender"] = None
    result = session.execute(
        update(Attachment)
        .where(
            Attachment.channel == channel,
            Attachment.sender == sender,
            Attachment.ticket_id.is_(None),
            Attachment.created_at >= now - LINK_WINDOW,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) or 0


def attachments_of(session: Session, ticket_id: int) -> list[Attachment]:
    """A ticket's photos and locations, oldest first."""
    query = select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    return list(session.scalars(query))


def photo_path(attachment: Attachment, directory: Path) -> Path:
    """Where a kept photo's file lies under `directory` (Settings.attachments_path); FileNotFoundError if it was never kept (too big, failed)."""
    if attachment.kind != PHOTO or not attachment.storage_path:
        raise FileNotFoundError(f"Attachment {attachment.id} has no stored photo.")
    root = directory.resolve()
    path = (root / attachment.storage_path).resolve()
    if not path.is_relative_to(root):  # the row names a file outside the directory: never serve it
        raise FileNotFoundError(f"Attachment {attachment.id} points outside the attachments directory.")
    return path
