"""Spotting an outage nobody declared: several no-heat reports from one estate in a short time.

A suspicion is raised once per estate while it is open (a unique key on `open_key`), shown on
the dashboard's outages page with a one-click declaration, and posted to the dispatchers' group.
Declaring the outage links the reports already made and closes the suspicion.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.conversation.messages import say
from bot.core.models import Outage, OutageSuspicion, Ticket
from bot.core.outages import estates
from bot.core.outages.register import NO_HEAT, link_earlier_reports, outage_at

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings


def raise_suspicions(
    session: Session, now: datetime, reports: int, window: timedelta, aliases: dict[str, str]
) -> list[OutageSuspicion]:
    """Raise a suspicion for each estate with at least `reports` unexplained no-heat reports
    within `window` before now, unless an outage already covers it or one is open."""
    recent = session.scalars(
        select(Ticket).where(
            Ticket.subcategory == NO_HEAT,
            Ticket.outage_id.is_(None),
            Ticket.estate.is_not(None),
            Ticket.created_at > now - window,
            Ticket.created_at <= now,
        )
    ).all()
    by_estate: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in recent:
        by_estate[estates.canonical(ticket.estate or "", aliases)].append(ticket)
    raised = []
    for estate, tickets in by_estate.items():
        if len(tickets) < reports or outage_at(session, estate, None, now, aliases) is not None:
            continue
        buildings = {t.building for t in tickets}
        building = buildings.pop() if len(buildings) == 1 else None  # one building: say which
        try:
            with session.begin_nested():
                suspicion = OutageSuspicion(
                    estate=estate, building=building, open_key=estates.normalise(estate), reports=len(tickets),
                    first_report_at=min(t.created_at for t in tickets), created_at=now,
                )  # fmt: skip
                session.add(suspicion)
                session.flush()
            raised.append(suspicion)
        except IntegrityError:
            _count_again(session, estate, len(tickets))  # already open: keep its count current
    return raised


def _count_again(session: Session, estate: str, reports: int) -> None:
    session.execute(
        update(OutageSuspicion)
        .where(OutageSuspicion.open_key == estates.normalise(estate), OutageSuspicion.reports < reports)
        .values(reports=reports)
        .execution_options(synchronize_session=False)
    )


def open_suspicions(session: Session) -> list[OutageSuspicion]:
    return list(
        session.scalars(
            select(OutageSuspicion).where(OutageSuspicion.open_key.is_not(None)).order_by(OutageSuspicion.id)
        )
    )


def resolve_suspicion(
    session: Session, suspicion: OutageSuspicion, outage: Outage | None, now: datetime, settings: Settings
) -> list[Ticket]:
    """Close the suspicion: declared as `outage` (its reports are linked), or dismissed (None)."""
    suspicion.open_key, suspicion.closed_at, suspicion.outage_id = None, now, outage.id if outage else None
    if outage is None:
        return []
    return link_earlier_reports(session, outage, suspicion.first_report_at, now, settings)


def unposted_suspicions(session: Session) -> list[OutageSuspicion]:
    """Open suspicions the dispatchers' group has not heard of (posted once: bot/core/tickets/notices.py)."""
    query = select(OutageSuspicion).where(OutageSuspicion.posted_at.is_(None), OutageSuspicion.open_key.is_not(None))
    return list(session.scalars(query.order_by(OutageSuspicion.id)))


def suspicion_text(suspicion: OutageSuspicion, window: timedelta, language: str = "zh") -> str:
    place = suspicion.estate + (f"{suspicion.building}号楼" if suspicion.building and language == "zh" else
                                f" building {suspicion.building}" if suspicion.building else "")  # fmt: skip
    return say(
        "outage_suspected", language, place=place, count=suspicion.reports, minutes=int(window.total_seconds() // 60)
    )
