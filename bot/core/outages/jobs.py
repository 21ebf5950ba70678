"""The outages' background work, run by the application every minute: announce planned works
when their two days' notice begins, and raise suspicions of undeclared outages (R10)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.core.db import session_scope
from bot.core.outages.announcer import announce_due
from bot.core.outages.detection import raise_suspicions
from bot.core.outages.estates import alias_table
from bot.core.tickets.intake import utcnow

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings

log = logging.getLogger(__name__)


async def check_outages(settings: Settings) -> None:
    def run() -> None:
        now = utcnow()
        aliases = alias_table(settings.estates_file)
        with session_scope() as session:
            told = announce_due(session, now, aliases)
            if told:
                log.info("Outage announced to %d chats", told)
        with session_scope() as session:
            for suspicion in raise_suspicions(
                session, now, settings.outage_suspect_reports, settings.outage_suspect_window, aliases
            ):
                log.warning("Possible outage at %s: %d no-heat reports", suspicion.estate, suspicion.reports)

    await asyncio.to_thread(run)
