"""Posting to the dispatchers' Telegram group: new tickets, alerts and suspected outages.

A notice is recorded as posted only after Telegram accepted it, so a post that failed is tried
again by the next run. While one process posts a notice it holds that notice's lease: with any
number of processes, each notice is posted once (a process killed between Telegram's answer and
the record is the one case that can post it twice).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.channels.worker_thread import in_transaction
from bot.config import Settings
from bot.core import claims
from bot.core.models import Alert, OutageSuspicion, Ticket
from bot.core.outages.detection import suspicion_text, unposted_suspicions
from bot.core.tickets.intake import utcnow
from bot.core.tickets.notices import (
    ACTION_TITLES,
    alert_notice,
    is_unposted,
    mark_posted,
    notice_lease,
    ticket_notice,
    unposted_alerts,  # fmt: skip
    unposted_tickets,
)

log = logging.getLogger(__name__)
# Longer than one post takes, rate limits' waits included; a process that dies while posting
# leaves the notice to another after this long.
POSTING_LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class Notice:
    model: type[Ticket] | type[Alert] | type[OutageSuspicion]
    row_id: int
    text: str

    @property
    def buttons(self) -> InlineKeyboardMarkup | None:
        """A new ticket's notice carries the dispatchers' buttons (受理 / 已到场 / 已解决)."""
        if self.model is not Ticket:
            return None
        row = [
            InlineKeyboardButton(title, callback_data=f"t:{action}:{self.row_id}")
            for action, title in ACTION_TITLES.items()
        ]
        return InlineKeyboardMarkup([row])


class DispatcherNotices:
    def __init__(self, settings: Settings, bot: Bot) -> None:
        self.settings = settings
        self.bot = bot

    async def post(self) -> int:
        """Post every notice the group has not had yet; return how many this process posted."""
        group = self.settings.telegram_dispatcher_chat_id
        if group is None:
            return 0
        posted = 0
        for notice in await in_transaction(unposted_notices, self.settings):
            holder = uuid.uuid4().hex
            if not await in_transaction(take_notice, notice, holder):
                continue  # another process is posting it, or has just done so
            try:
                await self.bot.send_message(group, notice.text, reply_markup=notice.buttons)
            except TelegramError as problem:  # network, flood limits, the group away: next run
                log.warning("A notice for the dispatchers' group waits for the next run: %s", type(problem).__name__)
                await in_transaction(give_back_notice, notice, holder, posted=False)
                break  # the others would fail alike; they keep their order for the next run
            await in_transaction(give_back_notice, notice, holder, posted=True)
            posted += 1
        return posted


# -- the steps, each one transaction (bot/channels/worker_thread.py) -------------------------------


def unposted_notices(session: Session, settings: Settings) -> list[Notice]:
    tz, window = settings.tz, settings.outage_suspect_window
    notices = [Notice(Ticket, t.id, ticket_notice(t, tz)) for t in unposted_tickets(session)]
    notices += [Notice(Alert, a.id, alert_notice(a, tz)) for a in unposted_alerts(session)]
    notices += [Notice(OutageSuspicion, s.id, suspicion_text(s, window)) for s in unposted_suspicions(session)]
    return notices


def take_notice(session: Session, notice: Notice, holder: str) -> bool:
    """This notice's lease, if it is still to be posted."""
    lease = notice_lease(notice.model, notice.row_id)
    if not claims.take(session, lease, holder, utcnow(), POSTING_LEASE):
        return False
    if is_unposted(session, notice.model, notice.row_id):
        return True
    claims.give_back(session, lease, holder)
    return False


def give_back_notice(session: Session, notice: Notice, holder: str, *, posted: bool) -> None:
    if posted:
        mark_posted(session, notice.model, notice.row_id, utcnow())
    claims.give_back(session, notice_lease(notice.model, notice.row_id), holder)
