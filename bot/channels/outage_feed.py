"""GET /api/outages: the public feed of active and planned outages (R10), for the company's
website, a WeChat menu, and the web chat's banner.

Public on purpose: it says what the company announces anyway, and nothing about residents or
staff. Each outage lists its estates' names as `match` keys (bot.core.outages.estates.normalise: lower case,
no spaces, no 小区 suffix), so a page can find them in whatever a resident types.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.channels.worker_thread import in_transaction
from bot.core.outages import estates
from bot.core.outages.register import as_dict, open_outages
from bot.core.tickets.intake import utcnow


def current_outages(session: Session, estates_file: Path) -> list[dict[str, object]]:
    """Outages not restored whose end has not passed: active now, or coming."""
    now = utcnow()
    aliases = estates.alias_table(estates_file)
    feed = []
    for outage in open_outages(session):
        if outage.end_at <= now:
            continue
        entry = as_dict(outage, now)
        del entry["linked_reports"]  # the company's figure, not the public's
        keys = {estates.normalise(name) for name in outage.estates}
        keys |= {variant for variant, canonical in aliases.items() if canonical in outage.estates}
        entry["match"] = sorted(keys)
        feed.append(entry)
    return feed


async def outages_feed(estates_file: Path, request: Request) -> JSONResponse:
    feed = await in_transaction(current_outages, estates_file)
    return JSONResponse({"outages": feed}, headers={"Cache-Control": "public, max-age=60"})
