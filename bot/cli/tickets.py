"""`hotline tickets`, `followups`, `alerts` and `messages`: what the bot holds and owes."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime

from bot.config import get_settings


def cmd_tickets_list(args: argparse.Namespace) -> int:
    from bot.core.db import session_scope
    from bot.core.tickets.intake import list_tickets, ticket_as_dict

    with session_scope() as session:
        tickets = [ticket_as_dict(t) for t in list_tickets(session)]
    if args.json:
        json.dump(tickets, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not tickets:
        print("No tickets yet.")
    for t in tickets:
        where = " ".join(filter(None, [t["estate"], t["building"], t["unit"], t["room"]])) or "-"
        print(f"{t['code']}  {t['category']:<13} {t['priority']:<7} {t['status']:<12} {where}  {t['description'][:40]}")
    return 0


def cmd_messages_pending(args: argparse.Namespace) -> int:
    """Show residents' messages that are still waiting for the conversation engine."""
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import ChatMessage, MessageStatus

    with session_scope() as session:
        rows = session.scalars(
            select(ChatMessage).where(ChatMessage.status == MessageStatus.PENDING).order_by(ChatMessage.id)
        ).all()
        for m in rows:
            print(f"M{m.id}  {m.created_at:%Y-%m-%d %H:%M}  {m.channel:<9} tries={m.attempts}  {m.text[:60]}")
        if not rows:
            print("No message is waiting.")
    return 0


def cmd_followups_list(args: argparse.Namespace) -> int:
    """Show every follow-up still to come or waiting for an answer, with when it will be sent."""
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import FollowupState, Ticket
    from bot.core.tickets.followups import Window

    settings = get_settings()
    window = Window.parse(settings.followup_window)
    open_states = [FollowupState.SCHEDULED, FollowupState.SENDING, FollowupState.SENT, FollowupState.REMINDED]
    with session_scope() as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.followup_state.in_(open_states)).order_by(Ticket.followup_due_at)
        ).all()
        rows = []
        for t in tickets:
            send_at = window.next_open(t.followup_due_at, settings.tz).astimezone(settings.tz)
            rows.append({"code": t.code, "state": t.followup_state.value, "channel": t.channel,
                         "due_at": t.followup_due_at.isoformat(), "send_at": send_at.isoformat()})  # fmt: skip
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    elif not rows:
        print("No follow-up is pending.")
    for row in [] if args.json else rows:
        print(f"{row['code']}  {row['state']:<9} {row['channel']:<9} sends at {row['send_at'][:16]}")
    return 0


def cmd_followups_run(args: argparse.Namespace) -> int:
    """Send the follow-ups that are due now (also what the running application does every 30 s)."""
    from bot.channels.followup_sender import FollowupSender
    from bot.engine.client import RasaClient

    settings = get_settings()
    at = datetime.fromisoformat(args.at) if args.at else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=settings.tz)

    async def run() -> int:
        rasa = RasaClient(settings.rasa_servers, settings.rasa_timeout_seconds)
        try:
            return await FollowupSender(settings, rasa).run_due(now=at)
        finally:
            await rasa.close()

    print(f"Sent {asyncio.run(run())} follow-up(s).")
    return 0


def cmd_alerts_list(args: argparse.Namespace) -> int:
    """Show the alerts dispatchers have not acknowledged: SLA warnings and breaches, reopenings."""
    from bot.core.db import session_scope
    from bot.core.tickets.alerts import open_alerts

    tz = get_settings().tz
    with session_scope() as session:
        alerts = open_alerts(session)
        for a in alerts:
            due = f" due {a.due_at.astimezone(tz):%m-%d %H:%M}" if a.due_at else ""
            print(
                f"{a.created_at.astimezone(tz):%m-%d %H:%M}  {a.ticket.code}  {a.rule:<3} {a.kind:<10} {a.deadline}{due}"
            )
        if not alerts:
            print("No open alert.")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    tickets = commands.add_parser("tickets", help="tickets").add_subparsers(dest="action", required=True)
    listing = tickets.add_parser("list", help="list every ticket")
    listing.add_argument("--json", action="store_true", help="print JSON with the model's field names")
    listing.set_defaults(func=cmd_tickets_list)

    followups = commands.add_parser("followups", help="48-hour follow-ups").add_subparsers(dest="action", required=True)
    pending = followups.add_parser("list", help="what is due when")
    pending.add_argument("--json", action="store_true")
    pending.set_defaults(func=cmd_followups_list)
    run = followups.add_parser("run", help="send what is due now")
    run.add_argument("--at", help="act as if it were this local time (ISO 8601), to rehearse")
    run.set_defaults(func=cmd_followups_run)

    alerts = commands.add_parser("alerts", help="alerts for dispatchers").add_subparsers(dest="action", required=True)
    alerts.add_parser("list", help="open alerts").set_defaults(func=cmd_alerts_list)

    messages = commands.add_parser("messages", help="residents' messages").add_subparsers(dest="action", required=True)
    messages.add_parser("pending", help="messages waiting for the engine").set_defaults(func=cmd_messages_pending)
