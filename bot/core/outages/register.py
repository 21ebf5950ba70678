"""Outages (R10): declaring a stop of heating over an area, finding the outage a resident is in,
linking their no-heat report to it, and restoring it.

Dispatchers declare outages from the dashboard or the CLI; both call `declare`, `move_end` and
`restore`, which check everything before writing (a refused declaration leaves nothing behind).
What residents are told lives in bot/core/outages/announcer.py. Callers own the session and commit,
and give what the settings say: the time zone, when linked residents are asked again, and the
estates' variants (estates.alias_table(Settings.estates_file)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.conversation.messages import join_names, say
from bot.core.models import FollowupState, Outage, Ticket, TicketEvent, TicketStatus
from bot.core.outages import estates
from bot.core.text.address import parse_address
from bot.core.tickets.milestones import refresh_next_due
from bot.core.tickets.sla import deadlines_for
from bot.core.tickets.workflow import TransitionRefused, change_status

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings

# R10: a planned stop longer than this must be announced ANNOUNCE_AHEAD before it starts.
LONG_PLANNED_STOP = timedelta(hours=24)
ANNOUNCE_AHEAD = timedelta(days=2)
# The actor of what the outage does to tickets, in their event log.
OUTAGE_ACTOR = "outage"
# The subcategory of a repair report that says the heating is cold (actions/intake.py).
NO_HEAT = "no_heat"


class OutageRefused(ValueError):
    """A declaration or change that cannot be made; `key` and `values` give the message."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(say(key, "zh", **values))

    def text(self, language: str) -> str:
        return say(self.key, language, **self.values)


@dataclass
class OutageRequest:
    """What a dispatcher fills in to declare an outage."""

    estates: list[str]
    start_at: datetime
    end_at: datetime
    reason: str
    planned: bool = False
    buildings: list[str] | None = None
    late_reason: str | None = None  # why R10's two days' notice cannot be kept
    notice_zh: str | None = None  # edited notices; drafted from the templates when None
    notice_en: str | None = None
    warnings: list[str] = field(default_factory=list)


def split_names(text: str | None) -> list[str]:
    """'阳光花园, 幸福家园,' -> ['阳光花园', '幸福家园'] (Chinese and Latin commas alike)."""
    if not text:
        return []
    return [part.strip() for part in text.replace(",", ",").replace("、", ",").split(",") if part.strip()]


def parse_time(value: str, tz: ZoneInfo) -> datetime:
    """An ISO time typed by a dispatcher; without a zone it is the utility's local time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise OutageRefused("outage_bad_time", value=value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def declare(session: Session, request: OutageRequest, actor: str, now: datetime, settings: Settings) -> Outage:
    """Check and record an outage. Warnings (an estate never seen) go into request.warnings."""
    aliases, tz = estates.alias_table(settings.estates_file), settings.tz
    names = [estates.canonical(name, aliases) for name in request.estates if name.strip()]
    names = list(dict.fromkeys(names))
    if not names:
        raise OutageRefused("outage_no_area")
    if not request.reason.strip():
        raise OutageRefused("outage_no_reason")
    _check_times(request.start_at, request.end_at, now)
    buildings = building_numbers(request.buildings or [])
    _check_no_overlap(session, names, buildings, request.start_at, request.end_at, tz, exclude=None)
    if breaks_r10(request.planned, request.start_at, request.end_at, now) and not (request.late_reason or "").strip():
        raise OutageRefused("outage_r10_late")
    request.warnings.extend(_unknown_estate_warnings(session, names, aliases))
    outage = Outage(
        estates=names,
        buildings=buildings,
        start_at=request.start_at,
        end_at=request.end_at,
        reason=request.reason.strip(),
        planned=request.planned,
        late_reason=(request.late_reason or "").strip() or None,
        notice_zh="",
        notice_en="",
        created_by=actor,
        created_at=now,
    )
    outage.notice_zh = (request.notice_zh or "").strip() or draft_notice(outage, "zh", tz)
    outage.notice_en = (request.notice_en or "").strip() or draft_notice(outage, "en", tz)
    session.add(outage)
    session.flush()
    return outage


def breaks_r10(planned: bool, start_at: datetime, end_at: datetime, now: datetime) -> bool:
    """A planned stop over 24 hours declared less than two days before it starts."""
    return planned and end_at - start_at > LONG_PLANNED_STOP and start_at - now < ANNOUNCE_AHEAD


def get_outage(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise OutageRefused("outage_not_found", id=outage_id)
    return outage


def move_end(session: Session, outage_id: int, end_at: datetime, actor: str, now: datetime,
             settings: Settings) -> Outage:  # fmt: skip
    """The expected restoration changed: linked reports wait for the new time."""
    tz = settings.tz
    outage = get_outage(session, outage_id)
    _refuse_if_restored(outage, tz)
    if end_at <= outage.start_at:
        raise OutageRefused("outage_end_before_start")
    _check_no_overlap(session, outage.estates, outage.buildings, outage.start_at, end_at, tz, exclude=outage.id)
    outage.end_at = end_at
    outage.notice_zh, outage.notice_en = draft_notice(outage, "zh", tz), draft_notice(outage, "en", tz)
    for ticket in linked_tickets(session, outage.id):
        if ticket.followup_state is FollowupState.SCHEDULED:
            ticket.followup_due_at = end_at + settings.outage_recheck_after
        ticket.events.append(
            TicketEvent(at=now, actor=actor, kind="outage_end_moved", detail={"end": end_at.isoformat()})
        )
    return outage


def restore(session: Session, outage_id: int, actor: str, now: datetime, settings: Settings) -> Outage:
    """Heating is back: linked reports are resolved, and their follow-up asks a day later
    whether the heat really is back (a "no" reopens the report as a repair, R3)."""
    outage = get_outage(session, outage_id)
    _refuse_if_restored(outage, settings.tz)
    # Planned works called off before they start stopped no heat at all: no negative duration.
    outage.restored_at = max(now, outage.start_at)
    recheck_at = now + settings.outage_recheck_after
    for ticket in linked_tickets(session, outage.id):
        try:
            change_status(session, ticket, TicketStatus.RESOLVED, actor, now, note=f"outage #{outage.id} restored")
        except TransitionRefused:
            pass  # a dispatcher already finished it
        if ticket.followup_state is FollowupState.SCHEDULED:
            ticket.followup_due_at = recheck_at
    return outage


_BUILDING = re.compile(r"(?:building\s*)?(\d{1,3}|[一二两三四五六七八九十]{1,3})(?:号楼|号|栋|幢|楼)?", re.IGNORECASE)


def building_numbers(typed: list[str]) -> list[str] | None:
    """The buildings as the address parser stores them ("3", from "3", "3号楼", "三号楼"), each
    once; anything else is refused, never announced as "abc号楼" (None: the whole estate)."""
    numbers: list[str] = []
    for each in (b.strip() for b in typed if b.strip()):
        typed_number = _BUILDING.fullmatch(each)
        number = parse_address(f"{typed_number.group(1)}号楼").building if typed_number else None
        if number is None or not number.isdigit() or int(number) == 0:
            raise OutageRefused("outage_bad_building", building=each[:20])
        numbers.append(number)
    return list(dict.fromkeys(numbers)) or None


def _refuse_if_restored(outage: Outage, tz: ZoneInfo) -> None:
    if outage.restored_at is not None:
        raise OutageRefused(
            "outage_already_restored", id=outage.id, time=f"{outage.restored_at.astimezone(tz):%Y-%m-%d %H:%M}"
        )


def _check_times(start_at: datetime, end_at: datetime, now: datetime) -> None:
    if end_at <= start_at:
        raise OutageRefused("outage_end_before_start")
    if end_at <= now:
        raise OutageRefused("outage_ended")


def _check_no_overlap(
    session: Session, names: list[str], buildings: list[str] | None, start_at: datetime, end_at: datetime,
    tz: ZoneInfo, exclude: int | None,
) -> None:  # fmt: skip
    """One area, one outage at a time: a second one would tell residents two stories."""
    for other in open_outages(session):
        if other.id == exclude or not (other.start_at < end_at and start_at < other.end_at):
            continue
        shared = [name for name in names if name in other.estates]
        if shared and _buildings_meet(buildings, other.buildings):
            raise OutageRefused(
                "outage_overlaps", area=join_names(shared, "zh"), other=other.id,
                start=f"{other.start_at.astimezone(tz):%m-%d %H:%M}", end=f"{other.end_at.astimezone(tz):%m-%d %H:%M}",
            )  # fmt: skip


def _buildings_meet(a: list[str] | None, b: list[str] | None) -> bool:
    return a is None or b is None or bool(set(a) & set(b))


def _unknown_estate_warnings(session: Session, names: list[str], aliases: dict[str, str]) -> list[str]:
    known = estates.known_estates(session, aliases)
    warnings = []
    for name in names:
        if name in known:
            continue
        matches = estates.close_matches(name, known)
        hint = say("outage_close_matches", "zh", names="、".join(matches)) if matches else ""
        warnings.append(say("outage_unknown_estate", "zh", estate=name, hint=hint))
    return warnings


def open_outages(session: Session) -> list[Outage]:
    """Outages not restored yet: active, or coming."""
    return list(session.scalars(select(Outage).where(Outage.restored_at.is_(None)).order_by(Outage.start_at)))


def is_active(outage: Outage, now: datetime) -> bool:
    return outage.restored_at is None and outage.start_at <= now < outage.end_at


def covers(outage: Outage, estate: str | None, building: str | None, aliases: dict[str, str]) -> bool:
    """Whether an address lies in the outage's area (any variant of the estate's name)."""
    if not estate or not any(estates.same_estate(estate, name, aliases) for name in outage.estates):
        return False
    return outage.buildings is None or building is None or building in outage.buildings


def outage_at(
    session: Session, estate: str | None, building: str | None, now: datetime, aliases: dict[str, str]
) -> Outage | None:
    """The active outage covering this address, if any."""
    for outage in open_outages(session):
        if is_active(outage, now) and covers(outage, estate, building, aliases):
            return outage
    return None


def outages_for_area(session: Session, estate: str | None, now: datetime, aliases: dict[str, str]) -> list[Outage]:
    """Active and coming outages of an estate (the web chat's banner)."""
    return [o for o in open_outages(session) if o.end_at > now and covers(o, estate, None, aliases)]


def link_ticket(ticket: Ticket, outage: Outage, now: datetime, recheck_after: timedelta) -> None:
    """A no-heat report explained by the outage: no clock of its own (the outage has one), no
    dispatch, and its follow-up asks a day after restoration whether the heat is back."""
    ticket.outage_id = outage.id
    ticket.response_due_at = ticket.contact_due_at = ticket.onsite_due_at = ticket.resolve_due_at = None
    ticket.group_posted_at = now  # the dispatchers know the outage; one notice per resident would bury them
    ticket.followup_due_at = (outage.restored_at or outage.end_at) + recheck_after
    refresh_next_due(ticket)
    ticket.events.append(TicketEvent(at=now, actor=OUTAGE_ACTOR, kind="linked_to_outage", detail={"outage": outage.id}))


def linked_tickets(session: Session, outage_id: int) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.outage_id == outage_id).order_by(Ticket.id)))


def linked_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Ticket.outage_id, func.count()).where(Ticket.outage_id.is_not(None)).group_by(Ticket.outage_id)
    )
    return {outage_id: count for outage_id, count in rows if outage_id is not None}  # the query excludes None


def area_text(outage: Outage, language: str) -> str:
    names = join_names(list(outage.estates), language)
    if not outage.buildings:
        return names
    if language == "zh":
        return names + "、".join(f"{b}号楼" for b in outage.buildings)
    return f"{names} (building{'s' if len(outage.buildings) > 1 else ''} {', '.join(outage.buildings)})"


def local_time(moment: datetime, language: str, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日{local:%H:%M}" if language == "zh" else f"{local:%b %d %H:%M}"


def draft_notice(outage: Outage, language: str, tz: ZoneInfo) -> str:
    """The announcement in R12's words: what, where, why, until when, and an apology."""
    key = "outage_notice_planned" if outage.planned else "outage_notice_fault"
    return say(
        key, language, area=area_text(outage, language), reason=outage.reason,
        start=local_time(outage.start_at, language, tz), end=local_time(outage.end_at, language, tz),
    )  # fmt: skip


def notice_of(outage: Outage, language: str) -> str:
    return outage.notice_en if language == "en" else outage.notice_zh


def as_dict(outage: Outage, now: datetime, linked: int = 0) -> dict[str, object]:
    """The public view of an outage (CLI --json, GET /api/outages): no staff names, no residents."""
    state = (
        "restored"
        if outage.restored_at
        else ("active" if is_active(outage, now) else ("planned" if outage.start_at > now else "overdue"))
    )
    return {
        "id": outage.id,
        "state": state,
        "planned": outage.planned,
        "estates": list(outage.estates),
        "buildings": list(outage.buildings) if outage.buildings else None,
        "start": outage.start_at.isoformat(),
        "end": outage.end_at.isoformat(),
        "restored": outage.restored_at.isoformat() if outage.restored_at else None,
        "reason": outage.reason,
        "notice": {"zh": outage.notice_zh, "en": outage.notice_en},
        "linked_reports": linked,
    }


def link_earlier_reports(session: Session, outage: Outage, since: datetime, now: datetime,
                         settings: Settings) -> list[Ticket]:  # fmt: skip
    """No-heat reports from the area made since `since` and not yet worked on: the outage
    explains them, so they join it instead of each keeping its own clock and crew."""
    candidates = session.scalars(
        select(Ticket).where(
            Ticket.subcategory == NO_HEAT,
            Ticket.outage_id.is_(None),
            Ticket.status == TicketStatus.NEW,
            Ticket.created_at >= since,
        )
    ).all()
    aliases = estates.alias_table(settings.estates_file)
    linked = [ticket for ticket in candidates if covers(outage, ticket.estate, ticket.building, aliases)]
    for ticket in linked:
        link_ticket(ticket, outage, now, settings.outage_recheck_after)
    return linked


def reopen_as_repair(ticket: Ticket, now: datetime, tz: ZoneInfo) -> None:
    """The heat did not come back for this linked resident: from now on it is a repair like any
    other, with R2's clock and a notice to the dispatchers (R3, R6)."""
    deadlines = deadlines_for(ticket.category, ticket.subcategory, now, tz)
    ticket.response_due_at, ticket.contact_due_at = deadlines.response_due_at, deadlines.contact_due_at
    ticket.onsite_due_at, ticket.resolve_due_at = deadlines.onsite_due_at, deadlines.resolve_due_at
    ticket.group_posted_at = None
    refresh_next_due(ticket)
    ticket.events.append(
        TicketEvent(at=now, actor=OUTAGE_ACTOR, kind="outage_not_restored", detail={"outage": ticket.outage_id})
    )
