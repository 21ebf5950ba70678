"""`hotline outages …`: declare, list, change and restore outages (R10) from a terminal."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import cast

from bot.config import get_settings


def cmd_outages_add(args: argparse.Namespace) -> int:
    from bot.core.outages.desk import declare_outage
    from bot.core.outages.register import OutageRequest, parse_time, split_names

    tz = get_settings().tz
    request = OutageRequest(
        estates=split_names(args.area),
        buildings=split_names(args.buildings) or None,
        start_at=parse_time(args.start, tz),
        end_at=parse_time(args.end, tz),
        reason=args.reason,
        planned=args.planned,
        late_reason=args.late_reason,
        notice_zh=args.notice_zh,
        notice_en=args.notice_en,
    )
    with _session() as session:
        result = declare_outage(session, request, args.by or getpass.getuser(), _now(), get_settings())
        outage_id, told, linked = result.outage.id, result.told, result.linked
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    print(outage_id)
    print(f"Outage {outage_id} recorded: {told} resident(s) told now, {linked} report(s) linked.", file=sys.stderr)
    return 0


def cmd_outages_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.core.models import Outage
    from bot.core.outages.register import as_dict, linked_counts

    now, tz = _now(), get_settings().tz
    with _session() as session:
        counts = linked_counts(session)
        outages = [
            as_dict(o, now, counts.get(o.id, 0)) for o in session.scalars(select(Outage).order_by(Outage.start_at))
        ]
    if args.json:
        json.dump(outages, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not outages:
        print("No outages.")
    from datetime import datetime

    local = lambda iso: f"{datetime.fromisoformat(iso).astimezone(tz):%Y-%m-%d %H:%M}"  # noqa: E731
    for o in outages:
        buildings = cast(list[str], o["buildings"])
        area = "、".join(cast(list[str], o["estates"])) + (f" ({','.join(buildings)}号楼)" if buildings else "")
        kind = "planned" if o["planned"] else "fault"
        print(f"#{o['id']:<4} {o['state']:<9} {kind:<7} {local(o['start'])} → {local(o['end'])}  {area}  "
              f"{o['reason']}  linked: {o['linked_reports']}")  # fmt: skip
    return 0


def cmd_outages_update(args: argparse.Namespace) -> int:
    from bot.core.outages.desk import change_end
    from bot.core.outages.register import parse_time

    with _session() as session:
        settings = get_settings()
        result = change_end(
            session, args.id, parse_time(args.end, settings.tz), args.by or getpass.getuser(), _now(), settings
        )
        told = result.told
    print(f"Outage {args.id}: new end recorded, {told} resident(s) told.")
    return 0


def cmd_outages_restore(args: argparse.Namespace) -> int:
    from bot.core.outages.desk import restore_outage

    with _session() as session:
        told = restore_outage(session, args.id, args.by or getpass.getuser(), _now(), get_settings()).told
    print(f"Outage {args.id} restored: {told} resident(s) told.")
    return 0


def _session():
    from bot.core.db import session_scope
    from bot.migrate import upgrade

    upgrade()  # the CLI may be the first thing run against a new database
    return session_scope()


def _now():
    from bot.core.tickets.intake import utcnow

    return utcnow()


def refusals(func):
    """A refused declaration or change prints its reason and exits 2; nothing was written."""

    def run(args: argparse.Namespace) -> int:
        from bot.core.outages.register import OutageRefused

        try:
            return func(args)
        except OutageRefused as refused:
            print(f"{refused.text('zh')}\n{refused.text('en')}", file=sys.stderr)
            return 2

    return run


def add_commands(commands: argparse._SubParsersAction) -> None:
    outages = commands.add_parser("outages", help="outages of heating (R10)").add_subparsers(
        dest="action", required=True
    )
    add = outages.add_parser("add", help="declare an outage; prints its id")
    add.add_argument("--area", required=True, help="estate(s), comma-separated (any known variant of the name)")
    add.add_argument("--buildings", help="only these buildings, comma-separated (default: the whole estate)")
    add.add_argument("--start", required=True, help="ISO time, local unless a zone is given (2026-12-01T08:00)")
    add.add_argument("--end", required=True, help="expected restoration, ISO time")
    add.add_argument("--reason", required=True, help="why the heating stops (told to residents)")
    add.add_argument("--planned", action="store_true", help="planned works (announced 2 days ahead); default: a fault")
    add.add_argument("--late-reason", help="why a planned stop over 24 h is announced less than 2 days ahead (R10)")
    add.add_argument("--notice-zh", help="the Chinese notice (default: drafted from the template)")
    add.add_argument("--notice-en", help="the English notice (default: drafted from the template)")
    add.add_argument("--by", help="who declares it (default: your login name)")
    add.set_defaults(func=refusals(cmd_outages_add))
    listing = outages.add_parser("list", help="every outage, by start")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=refusals(cmd_outages_list))
    update = outages.add_parser("update", help="change the expected restoration")
    update.add_argument("id", type=int)
    update.add_argument("--end", required=True, help="new expected restoration, ISO time")
    update.add_argument("--by", help="who changes it (default: your login name)")
    update.set_defaults(func=refusals(cmd_outages_update))
    restore = outages.add_parser("restore", help="heating is back")
    restore.add_argument("id", type=int)
    restore.add_argument("--by", help="who restores it (default: your login name)")
    restore.set_defaults(func=refusals(cmd_outages_restore))
