"""Telegram's updates, stored before Telegram is told they arrived and handled from the store.

Stored by update_id, so a crash loses none and a duplicate delivery is ignored. Exactly once,
with any number of processes: stored updates are handled by one process at a time (a lease), in
order; an update counts as handled in the transaction that puts its answer in the chat's outbox
(bot/channels/turn_commit.py), and that outbox is pushed right away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram import CHANNEL
from bot.channels.turn_commit import committing_with_turns
from bot.channels.worker_thread import in_transaction
from bot.core import claims
from bot.core.conversation.updates import is_unhandled, mark_handled, store_update, unhandled_updates
from bot.core.tickets.intake import utcnow

log = logging.getLogger(__name__)
# The lease is renewed before each update and every few seconds during one, so a process killed
# mid-update leaves its updates to another after at most this long.
HANDLING_LEASE = timedelta(seconds=15)
HANDLING_LEASE_NAME = "handle:telegram"
HANDLING_RENEW_SECONDS = 4
# How often stored updates nobody finished (their process died) are looked for.
HANDLING_RETRY_SECONDS = 5


@dataclass
class UpdateInHandling:
    """A stored update being handled: it counts as handled in the transaction that stores its
    answer (see bot/channels/turn_commit.py); the chats' outboxes that answer went to are pushed."""

    stored_id: int
    filed_under: set[str] = field(default_factory=set)
    # Set while a handler stores a note that more of the same update follows (a photo's caption).
    more_follows: bool = False

    def commit_with_turn(self, session: Session, filed_under: str) -> None:
        self.filed_under.add(filed_under)
        if not self.more_follows:
            mark_handled(session, self.stored_id, utcnow())


class StoredUpdates:
    """Stores updates, and handles the stored ones with the application's handlers."""

    def __init__(self, application: Application, holder: str, push_chat: Callable[[str], Awaitable[int]]) -> None:
        self.application = application
        self.holder = holder  # this process, as the handling lease's holder
        self.push_chat = push_chat  # sends what waits in one chat's outbox
        self._handling = asyncio.Lock()
        self.in_handling: UpdateInHandling | None = None

    async def store(self, update_id: int, payload: dict[str, Any]) -> None:
        await in_transaction(store_once, update_id, payload)

    async def handle_forever(self) -> None:
        """Stored before a crash, not yet handled; and later what a dead process left half-done."""
        while True:
            try:
                await self.handle()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment must not end this
                log.exception("Handling stored Telegram updates failed; retrying")
            await asyncio.sleep(HANDLING_RETRY_SECONDS)

    async def handle(self) -> None:
        """Handle every stored update not handled yet, in order, while this process holds the
        handling lease (another process handling them now has it: they are left to it)."""
        async with self._handling:
            waiting = await in_transaction(hold_handling_if_waiting, self.holder)
            if waiting is None:
                return
            try:
                for stored_id, payload in waiting:
                    # Renewed, and the update re-checked, before each: one never handled twice.
                    if not await in_transaction(hold_handling, self.holder, stored_id):
                        continue
                    await self._handle_one(stored_id, payload)
            finally:
                await in_transaction(release_handling, self.holder)

    async def _handle_one(self, stored_id: int, payload: dict[str, Any]) -> None:
        handling = UpdateInHandling(stored_id)
        keep_lease = asyncio.create_task(self._keep_lease())
        self.in_handling = handling
        try:
            with committing_with_turns(handling.commit_with_turn):
                await self.application.process_update(Update.de_json(payload, self.application.bot))
        finally:
            self.in_handling = None
            keep_lease.cancel()
        # Handled also when no turn marked it (a dispatcher's button) or a handler failed (PTB
        # reports it): an update that breaks its handler must not come back forever.
        await in_transaction(mark_handled_now, stored_id)
        for sender in sorted(handling.filed_under):  # the residents wait: no push interval
            await self.push_chat(sender)

    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(HANDLING_RENEW_SECONDS)
            with contextlib.suppress(Exception):  # the next renewal may succeed
                await in_transaction(hold_handling, self.holder, None)


# -- the steps, each one transaction (bot/channels/worker_thread.py) -------------------------------


def store_once(session: Session, update_id: int, payload: dict[str, Any]) -> None:
    if not store_update(session, CHANNEL, update_id, payload, utcnow()):
        log.info("Duplicate Telegram update %s ignored", update_id)


def unhandled(session: Session) -> list[tuple[int, dict[str, Any]]]:
    return [(u.id, u.payload) for u in unhandled_updates(session, CHANNEL)]


def hold_handling_if_waiting(session: Session, holder: str) -> list[tuple[int, dict[str, Any]]] | None:
    """The updates still to handle, in order, once this holder took the handling lease; None
    when nothing waited (the lease is not taken) or another process holds the lease."""
    if not unhandled(session) or not hold_handling(session, holder, None):
        return None
    return unhandled(session)  # as of holding the lease: what its last holder finished is left out


def hold_handling(session: Session, holder: str, stored_id: int | None) -> bool:
    """Take or renew the lease on handling stored updates; with `stored_id`, also check that
    update is still unhandled."""
    if not claims.take(session, HANDLING_LEASE_NAME, holder, utcnow(), HANDLING_LEASE):
        return False
    return stored_id is None or is_unhandled(session, stored_id)


def release_handling(session: Session, holder: str) -> None:
    claims.give_back(session, HANDLING_LEASE_NAME, holder)


def mark_handled_now(session: Session, stored_id: int) -> None:
    mark_handled(session, stored_id, utcnow())
