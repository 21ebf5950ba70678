"""The statistics page's outages (R10, R14): how many, how many residents, how long, and
whether each was announced in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.models import Outage, OutageMessage, Ticket
from bot.core.outages.register import ANNOUNCE_AHEAD, LONG_PLANNED_STOP

# A fault is announced in time when residents are told within this long of its declaration.
FAULT_ANNOUNCE_WITHIN = timedelta(minutes=15)


@dataclass
class OutageFigures:
    outages: int = 0
    faults: int = 0
    planned: int = 0
    residents_told: int = 0  # chats that got the announcement
    reports_linked: int = 0
    hours: float = 0.0  # summed duration (restored, or expected end when not restored yet)
    r10_judged: int = 0
    r10_met: int = 0
    lead_hours: list[float] = field(default_factory=list)  # announcement lead time of planned works

    @property
    def r10_rate(self) -> float | None:
        return self.r10_met / self.r10_judged if self.r10_judged else None

    @property
    def average_lead_hours(self) -> float | None:
        return sum(self.lead_hours) / len(self.lead_hours) if self.lead_hours else None


def announced_in_time(outage: Outage) -> bool | None:
    """R10: planned works over 24 h announced 2 days ahead; a fault announced at once.
    None: not judged (planned works of 24 h or less, or not announced yet and not started)."""
    if outage.planned:
        if outage.end_at - outage.start_at <= LONG_PLANNED_STOP:
            return None
        if outage.announced_at is None:
            return None if outage.late_reason is None else False
        return outage.start_at - outage.announced_at >= ANNOUNCE_AHEAD - timedelta(minutes=1)
    if outage.announced_at is None:
        return None
    return outage.announced_at - outage.created_at <= FAULT_ANNOUNCE_WITHIN


def figures_for(session: Session, start: datetime, end: datetime) -> OutageFigures:
    """Outages that began in [start, end)."""
    outages = list(session.scalars(select(Outage).where(Outage.start_at >= start, Outage.start_at < end)))
    figures = OutageFigures(outages=len(outages))
    ids = [o.id for o in outages]
    if not ids:
        return figures
    figures.residents_told = (
        session.scalar(
            select(func.count(func.distinct(OutageMessage.sender))).where(
                OutageMessage.outage_id.in_(ids), OutageMessage.kind == "announce"
            )
        )
        or 0
    )
    figures.reports_linked = (
        session.scalar(select(func.count()).select_from(Ticket).where(Ticket.outage_id.in_(ids))) or 0
    )
    for outage in outages:
        figures.planned += outage.planned
        figures.faults += not outage.planned
        figures.hours += max(0.0, ((outage.restored_at or outage.end_at) - outage.start_at).total_seconds() / 3600)
        verdict = announced_in_time(outage)
        if verdict is not None:
            figures.r10_judged += 1
            figures.r10_met += verdict
        if outage.planned and outage.announced_at is not None:
            figures.lead_hours.append((outage.start_at - outage.announced_at).total_seconds() / 3600)
    return figures
