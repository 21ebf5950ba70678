"""Telling residents about outages (R10): the announcement, a moved end, the restoration.

Messages go to the chats' outboxes (bot/core/conversation/outbox.py), and each channel delivers them at
the pace its network allows (Telegram: bot/channels/telegram/limits.py). Each kind of message
reaches a chat once: an OutageMessage row per (outage, chat, kind) is written in the same
transaction as the outbox row, and its unique key stops a second worker or a rerun.
Anonymous reporters are never written to (R7).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.conversation.messages import say
from bot.core.conversation.outbox import store_replies
from bot.core.conversation.replies import Reply
from bot.core.db import rows_changed
from bot.core.models import Outage, OutageMessage, Ticket
from bot.core.outages.estates import alias_table
from bot.core.outages.register import ANNOUNCE_AHEAD, area_text, covers, linked_tickets, local_time, notice_of

if TYPE_CHECKING:  # the core reads no settings: the caller gives them (tests/unit/test_core_settings.py)
    from bot.config import Settings

# Channels the bot can write to unasked. The web chat only hears what it asks for: its
# residents see the outage as a banner (GET /api/outages) instead.
PUSH_CHANNELS = ("telegram", "wechat")

Chat = tuple[str, str]  # (channel, sender pseudonym)


def residents_of_area(session: Session, outage: Outage, aliases: dict[str, str]) -> dict[Chat, str]:
    """Chats on a push channel whose reports give an address in the area, with their language."""
    rows = session.execute(
        select(Ticket.channel, Ticket.sender_ref, Ticket.estate, Ticket.building, Ticket.language)
        .where(Ticket.channel.in_(PUSH_CHANNELS), Ticket.sender_ref.is_not(None), Ticket.anonymous.is_(False))
        .order_by(Ticket.id)
    )
    chats: dict[Chat, str] = {}
    for channel, sender, estate, building, language in rows:
        if sender is not None and covers(outage, estate, building, aliases):  # never None: the query excludes it
            chats[(channel, sender)] = language  # the latest report's language wins
    return chats


def linked_residents(session: Session, outage: Outage) -> dict[Chat, str]:
    """Chats whose no-heat report is linked to the outage (any channel), never anonymous ones."""
    return {
        (ticket.channel, ticket.sender_ref): ticket.language
        for ticket in linked_tickets(session, outage.id)
        if ticket.sender_ref is not None and not ticket.anonymous
    }


def send_once(session: Session, outage: Outage, chats: dict[Chat, str], kind: str, texts: dict[str, str],
              now: datetime) -> int:  # fmt: skip
    """Put the text in each chat's outbox unless that chat already got this kind of message."""
    told = set(
        tuple(row)
        for row in session.execute(
            select(OutageMessage.channel, OutageMessage.sender).where(
                OutageMessage.outage_id == outage.id, OutageMessage.kind == kind
            )
        ).all()
    )
    sent = 0
    for (channel, sender), language in chats.items():
        if (channel, sender) in told:
            continue
        try:
            with session.begin_nested():  # the unique key decides if another worker got there first
                session.add(OutageMessage(outage_id=outage.id, channel=channel, sender=sender, kind=kind, at=now))
                session.flush()
                store_replies(session, channel, sender, [Reply(texts[language], [])], now)
        except IntegrityError:
            continue
        sent += 1
    return sent


def announce_due(session: Session, now: datetime, aliases: dict[str, str]) -> int:
    """Announce every outage whose time has come: a fault at once, planned works two days
    ahead (or at once, when declared later than that). Returns how many chats were told."""
    due = session.scalars(
        select(Outage).where(
            Outage.announced_at.is_(None),
            Outage.restored_at.is_(None),
            Outage.end_at > now,
        )
    ).all()
    told = 0
    for outage in due:
        if outage.planned and outage.start_at - ANNOUNCE_AHEAD > now:
            continue
        # One worker takes the announcement; the rows it writes are its proof.
        taken = rows_changed(
            session.execute(
                update(Outage)
                .where(Outage.id == outage.id, Outage.announced_at.is_(None))
                .values(announced_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if taken:
            outage.announced_at = now  # the UPDATE above bypassed the loaded object
            texts = {"zh": notice_of(outage, "zh"), "en": notice_of(outage, "en")}
            told += send_once(session, outage, residents_of_area(session, outage, aliases), "announce", texts, now)
    return told


def tell_restored(session: Session, outage: Outage, now: datetime, settings: Settings) -> int:
    """Everyone who was told of the outage or linked to it hears that heating is back."""
    texts = {
        lang: say("outage_restored", lang, area=area_text(outage, lang), time=local_time(now, lang, settings.tz))
        for lang in ("zh", "en")
    }
    return send_once(session, outage, _told_or_linked(session, outage, settings), "restored", texts, now)


def tell_end_moved(session: Session, outage: Outage, now: datetime, settings: Settings) -> int:
    """The expected restoration moved: the same people hear the new time (once per new time)."""
    texts = {
        lang: say(
            "outage_end_moved", lang, area=area_text(outage, lang), end=local_time(outage.end_at, lang, settings.tz)
        )
        for lang in ("zh", "en")
    }
    return send_once(
        session,
        outage,
        _told_or_linked(session, outage, settings),
        f"end_moved:{outage.end_at.isoformat()}",
        texts,
        now,
    )


def _told_or_linked(session: Session, outage: Outage, settings: Settings) -> dict[Chat, str]:
    chats = linked_residents(session, outage)
    if outage.announced_at is not None:
        for chat, language in residents_of_area(session, outage, alias_table(settings.estates_file)).items():
            chats.setdefault(chat, language)
    return chats
