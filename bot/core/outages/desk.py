"""What a dispatcher does to an outage, with everything that follows: the one place the CLI and
the dashboard call, so both link reports, close suspicions and tell residents the same way.

Each function runs in the caller's session; the caller commits (all of it, or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.core.models import Outage
from bot.core.outages import estates
from bot.core.outages.announcer import announce_due, tell_end_moved, tell_restored
from bot.core.outages.detection import open_suspicions, resolve_suspicion
from bot.core.outages.register import OutageRequest, declare, link_earlier_reports, move_end, restore

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings


@dataclass
class DeskResult:
    outage: Outage
    linked: int = 0  # reports linked to the outage by this step
    told: int = 0  # chats whose outbox got a message
    warnings: tuple[str, ...] = ()


def declare_outage(session: Session, request: OutageRequest, actor: str, now: datetime,
                   settings: Settings) -> DeskResult:  # fmt: skip
    """Record the outage, link the no-heat reports it explains, close the suspicions it answers,
    and announce it if its time has come (a fault: now; planned works: two days ahead)."""
    outage = declare(session, request, actor, now, settings)
    aliases = estates.alias_table(settings.estates_file)
    linked = 0
    for suspicion in open_suspicions(session):
        if any(estates.same_estate(suspicion.estate, name, aliases) for name in outage.estates):
            linked += len(resolve_suspicion(session, suspicion, outage, now, settings))
    if outage.start_at <= now:
        linked += len(link_earlier_reports(session, outage, outage.start_at, now, settings))
    told = announce_due(session, now, aliases)
    return DeskResult(outage, linked=linked, told=told, warnings=tuple(request.warnings))


def change_end(session: Session, outage_id: int, end_at: datetime, actor: str, now: datetime,
               settings: Settings) -> DeskResult:  # fmt: skip
    outage = move_end(session, outage_id, end_at, actor, now, settings)
    return DeskResult(outage, told=tell_end_moved(session, outage, now, settings))


def restore_outage(session: Session, outage_id: int, actor: str, now: datetime, settings: Settings) -> DeskResult:
    outage = restore(session, outage_id, actor, now, settings)
    return DeskResult(outage, told=tell_restored(session, outage, now, settings))
