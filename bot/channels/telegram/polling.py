"""Polling Telegram for updates (getUpdates) when no webhook is set.

Done here rather than by PTB's Updater because the Updater acknowledges updates before they are
handled: here the next getUpdates, whose offset acknowledges them, comes only once they are
stored. One process polls, however many run (Telegram allows one getUpdates per bot at a time):
the one holding the polling lease; another takes over when it dies.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import Bot, Update

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.stored_updates import StoredUpdates
from bot.channels.worker_thread import in_transaction
from bot.config import Settings
from bot.core import claims
from bot.core.conversation.updates import next_offset
from bot.core.tickets.intake import utcnow

log = logging.getLogger(__name__)
# The lease outlives one long poll by this much; a process killed while polling is replaced
# after at most that long.
POLLING_LEASE_MARGIN_SECONDS = 10
POLLING_RETRY_SECONDS = 5


def polling_lease_name(settings: Settings) -> str:
    """One lease per bot and Bot API server (Telegram serves one getUpdates per bot at a time);
    hashed, as the token is a secret."""
    bot = f"{settings.telegram_api_base_url}|{settings.telegram_bot_token}".encode()
    return f"poll:telegram:{hashlib.sha256(bot).hexdigest()[:24]}"


class Poller:
    def __init__(self, settings: Settings, bot: Bot, holder: str, updates: StoredUpdates) -> None:
        self.settings = settings
        self.bot = bot
        self.holder = holder  # this process, as the polling lease's holder
        self.updates = updates
        self.lease_name = polling_lease_name(settings)
        self.lease = timedelta(seconds=settings.telegram_poll_timeout + POLLING_LEASE_MARGIN_SECONDS)

    async def poll_forever(self) -> None:
        """Poll while this process holds the polling lease."""
        while True:
            try:
                if not await in_transaction(hold_polling, self.lease_name, self.holder, self.lease):
                    await asyncio.sleep(POLLING_RETRY_SECONDS)
                    continue
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a network hiccup must not end polling
                log.exception("Telegram polling failed; retrying")
                await asyncio.sleep(2)

    async def poll_once(self) -> None:
        offset = await in_transaction(next_offset, CHANNEL)
        updates = await self.bot.get_updates(
            offset=offset, timeout=self.settings.telegram_poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        for update in updates:
            await self.updates.store(update.update_id, update.to_dict())
        # The next getUpdates call, with the new offset, acknowledges only what is stored now.
        if updates:
            await self.updates.handle()

    async def release(self) -> None:
        """Give the polling lease back (on stopping): another process may poll at once."""
        await in_transaction(claims.give_back, self.lease_name, self.holder)


def hold_polling(session: Session, name: str, holder: str, lease: timedelta) -> bool:
    """Take or renew the polling lease (a step: bot/channels/worker_thread.py)."""
    return claims.take(session, name, holder, utcnow(), lease)
