"""Photos and locations residents send: kept for their ticket, and the resident told so."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session
from telegram import PhotoSize, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.resident_turns import ResidentTurns, language_of
from bot.channels.worker_thread import in_transaction
from bot.config import Settings
from bot.core.conversation import attachments
from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply
from bot.core.tickets.intake import utcnow

log = logging.getLogger(__name__)


class PhotosAndLocations:
    def __init__(self, settings: Settings, turns: ResidentTurns) -> None:
        self.settings = settings
        self.turns = turns
        self.relay = turns.relay

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep a shared location; it goes on the ticket with the typed address."""
        chat, location = update.effective_chat, update.effective_message.location  # type: ignore[union-attr]
        sender = self.relay.sender_ref(CHANNEL, str(chat.id))  # type: ignore[union-attr]
        await in_transaction(record_location, sender, location.latitude, location.longitude)  # type: ignore[union-attr]
        language = language_of(update)
        await self.turns.send(chat.id, [Reply(say("location_kept", language))])  # type: ignore[union-attr]

    async def on_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep the photo for the ticket, say so, then go on with the caption as a message."""
        message, chat = update.effective_message, update.effective_chat
        language = language_of(update)
        sender = self.relay.sender_ref(CHANNEL, str(chat.id))  # type: ignore[union-attr]
        largest = message.photo[-1]  # type: ignore[union-attr]  # Telegram lists the sizes smallest first
        data, problem = await self.download_photo(largest)
        # A photo that could not be kept is still recorded (without a file), so the dispatchers
        # see that one was sent; the resident is asked to send it again.
        folder = self.settings.attachments_path
        await in_transaction(record_photo, folder, sender, data, largest.file_size, message.caption)  # type: ignore[union-attr]
        limit_mb = self.settings.attachment_max_bytes // (1024 * 1024)
        kept = [Reply(say(problem or "photo_kept", language, limit_mb=limit_mb))]
        await self.turns.send(chat.id, kept, more_follows=bool(message.caption))  # type: ignore[union-attr]
        if message.caption:  # type: ignore[union-attr]
            await self.turns.converse(update, message.caption)  # type: ignore[union-attr]

    async def download_photo(self, photo: PhotoSize) -> tuple[bytes | None, str | None]:
        """The photo's bytes, or None and the message key that says why not."""
        limit = self.settings.attachment_max_bytes
        if (photo.file_size or 0) > limit:  # Telegram tells the size: no need to fetch it
            return None, "photo_too_big"
        try:
            file = await photo.get_file()
            if (file.file_size or 0) > limit:
                return None, "photo_too_big"
            data = bytes(await file.download_as_bytearray())
        except TelegramError as problem:
            log.warning("Could not download a photo: %s", type(problem).__name__)
            return None, "photo_failed"
        if len(data) > limit:
            return None, "photo_too_big"
        return data, None


# -- the steps, each one transaction (bot/channels/worker_thread.py) -------------------------------


def record_photo(session: Session, folder: Path, sender: str, data: bytes | None, declared_size: int | None,
                 caption: str | None) -> None:  # fmt: skip
    """Keep the photo's file under `folder` and record it; `data` None: it could not be kept."""
    stored = None
    if data is not None:
        stored = attachments.save_photo_file(folder, data)
    attachments.add_photo(
        session, CHANNEL, sender, utcnow(),
        storage_path=stored,
        size_bytes=len(data) if data is not None else declared_size,
        content_type=attachments.image_type(data)[0] if data is not None else None,
        caption=caption,
    )  # fmt: skip


def record_location(session: Session, sender: str, latitude: float, longitude: float) -> None:
    attachments.add_location(session, CHANNEL, sender, latitude, longitude, utcnow())
