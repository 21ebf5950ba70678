"""Send due follow-ups through Rasa into the resident's channel, each exactly once."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.channels.worker_thread import in_transaction
from bot.config import Settings
from bot.core.conversation.outbox import store_replies
from bot.core.conversation.replies import Reply
from bot.core.models import ChatMessage, Ticket
from bot.core.tickets.followups import (
    HandleUnreadable,
    Window,
    another_awaits_answer,
    claim,
    conversation_of,
    due_for_sending,
    expire_unanswered,
    mark_sent,  # fmt: skip
    release,
)
from bot.core.tickets.intake import utcnow
from bot.engine.client import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)
QUIET_AFTER_CHAT = timedelta(minutes=10)  # at most; a short HOTLINE_FOLLOWUP_AFTER shortens it
# A report in progress holds a follow-up back this long after its last turn: Rasa's session
# (domain.yml's session_expiration_time, 60 minutes) drops a half-way report after as long.
REPORT_IDLE = timedelta(minutes=60)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class FollowupSender:
    def __init__(self, settings: Settings, rasa: RasaClient, worker: str | None = None) -> None:
        self.settings = settings
        self.rasa = rasa
        self.worker = worker or worker_name()
        self.window = Window.parse(settings.followup_window)

    async def run_due(self, now: datetime | None = None) -> int:
        """Send every follow-up and reminder that is due; return how many this worker sent."""
        now = now or utcnow()
        reminder_after = self.settings.followup_reminder_after
        await in_transaction(expire_unanswered_reporting, now, reminder_after, self.settings.resolved_secret_key())
        if not self.window.contains(now, self.settings.tz):
            return 0  # quiet hours: nobody is written to at night
        sent, after = 0, None
        while due := await in_transaction(due_tickets, now, reminder_after, after):
            for ticket_id, _ in due:
                try:
                    sent += await self._send_one(ticket_id, now)
                except Exception:  # one bad ticket is reported and never stops the others' follow-ups
                    log.exception("The follow-up of ticket %s failed; the others go on", ticket_id)
            after = due[-1][1]  # a burst (an outage's hundreds of tickets) is sent batch by batch
        return sent

    async def _send_one(self, ticket_id: int, now: datetime) -> int:
        quiet = min(QUIET_AFTER_CHAT, self.settings.followup_after / 4)
        claimed = await in_transaction(
            claim_due,
            ticket_id,
            self.worker,
            now,
            quiet,
            self.settings.followup_reminder_after,
            self.settings.resolved_secret_key(),
        )
        if claimed is None:
            return 0
        sender, code, channel, kind = claimed
        try:
            if await self.rasa.report_in_progress(sender or "", REPORT_IDLE.total_seconds()):
                # Asked now, the follow-up would take the place of the report half-way (a
                # relative's cold flat, its phone being typed): it waits for the next run.
                log.info("Follow-up of %s waits: the resident is in the middle of a report", code)
                await in_transaction(release, ticket_id, self.worker)
                return 0
            replies = await self.rasa.trigger(
                sender or "", "EXTERNAL_followup", {"ticket_code": code, "followup_kind": kind}
            )
        except RasaUnavailable as error:
            log.warning("Follow-up of %s postponed: %s", code, error)
            await in_transaction(release, ticket_id, self.worker)
            return 0
        return await in_transaction(record_sent, ticket_id, self.worker, now, channel, sender or "", replies)


# -- the steps, each one transaction (bot/channels/worker_thread.py) -------------------------------


def expire_unanswered_reporting(session: Session, now: datetime, reminder_after: timedelta, secret_key: str) -> None:
    for ticket in expire_unanswered(session, now, reminder_after, secret_key):
        log.info("Follow-up of %s: no response", ticket.code)


def due_tickets(
    session: Session, now: datetime, reminder_after: timedelta, after: tuple[datetime, int] | None
) -> list[tuple[int, tuple[datetime, int]]]:
    """A batch of due follow-ups: each ticket's id, and where the next batch starts after it."""
    return [
        (ticket.id, (ticket.followup_due_at, ticket.id))
        for ticket in due_for_sending(session, now, reminder_after, after)
    ]


def claim_due(
    session: Session,
    ticket_id: int,
    worker: str,
    now: datetime,
    quiet: timedelta,
    reminder_after: timedelta,
    secret_key: str,
) -> tuple[str | None, str, str, str] | None:
    """Claim a due follow-up for this worker: its conversation, ticket code, channel and kind
    ("first" or "reminder"); None when it is left for later or for another worker."""
    ticket = session.get_one(Ticket, ticket_id)
    try:
        sender = conversation_of(ticket, secret_key)
    except HandleUnreadable as problem:  # left due, for a process with the right key
        log.warning("%s: its follow-up is skipped, the others go on", problem)
        return None
    if in_conversation(session, ticket.channel, sender, now, quiet):
        return None  # don't cut into a conversation; the next run asks
    first_ask = ticket.followup_sent_at is None  # a reminder goes to a chat that was asked already
    if first_ask and sender is not None and another_awaits_answer(session, ticket, sender, secret_key):
        return None  # one follow-up at a time in a chat; this one is asked once the other is over
    if not claim(session, ticket_id, worker, now, reminder_after):
        return None  # another worker has it
    kind = "reminder" if ticket.followup_sent_at is not None else "first"
    return sender, ticket.code, ticket.channel, kind


def record_sent(session: Session, ticket_id: int, worker: str, now: datetime, channel: str, sender: str,
                replies: list[Reply]) -> int:  # fmt: skip
    """The ask reaches the resident's outbox in the same transaction that records it as sent;
    its buttons ("solved" / "not solved") get ids issued to that chat, like any answer's."""
    if not mark_sent(session, ticket_id, worker, now):
        return 0
    store_replies(session, channel, sender, replies, now)
    return 1


def in_conversation(session: Session, channel: str, sender: str | None, now: datetime, quiet: timedelta) -> bool:
    """Whether the resident wrote in the last few minutes (maybe in the middle of a new report)."""
    last = session.scalar(
        select(func.max(ChatMessage.created_at)).where(
            ChatMessage.channel == channel,
            ChatMessage.sender == sender,
            ChatMessage.direction == "in",
        )
    )
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)  # SQLite's max() loses the type decorator
    return last is not None and now - quiet < last <= now
