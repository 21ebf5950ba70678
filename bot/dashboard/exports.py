"""The CSV files staff download: the tickets as filtered on the queue, and a month's statistics.
A file leaves the dashboard and its sign-in behind, so it shows no more than it must (R7)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from bot.core.conversation.disclosure import shown_address_parts, shown_address_raw, shown_description
from bot.core.models import Ticket
from bot.dashboard import stats
from bot.dashboard.pages import SECURITY_HEADERS
from bot.dashboard.queue import QueueFilter, filtered

EXPORT_FIELDS = ["code", "category", "priority", "status", "created_at", "estate", "building", "unit", "room",
                 "address_raw", "description", "phone", "callback_window", "anonymous", "channel", "owner", "crew",
                 "next_due_rule", "next_due_at", "acknowledged_at", "onsite_at", "resolved_at", "satisfaction"]  # fmt: skip


def export_rows(session: Session, f: QueueFilter, tz: ZoneInfo) -> list[list[object]]:
    """The tickets as exported: an anonymous one down to its estate, its words redacted."""
    query = filtered(select(Ticket), f, tz).order_by(Ticket.id)
    rows: list[list[object]] = [[*EXPORT_FIELDS]]
    for ticket in session.scalars(query).yield_per(1000):
        shown = dict(zip(("estate", "building", "unit", "room"), shown_address_parts(ticket)))
        shown |= {"address_raw": shown_address_raw(ticket), "description": shown_description(ticket)}
        rows.append([_cell(shown[name] if name in shown else getattr(ticket, name)) for name in EXPORT_FIELDS])
    return rows


def stats_rows(figures: stats.Statistics) -> list[list[object]]:
    rows: list[list[object]] = [["section", "period", *stats.CATEGORIES, "value"]]
    for section, series in (("daily", figures.daily), ("weekly", figures.weekly), ("monthly", figures.monthly)):
        for start, counts in series:
            rows.append([section, start.isoformat(), *[counts[c] for c in stats.CATEGORIES], ""])
    for row in figures.sla:
        rows.append(
            [f"sla {row.rule} met/judged", figures.month.isoformat(), "", "", "", "", f"{row.met}/{row.judged}"]
        )
    rows.append(
        ["satisfaction average", figures.month.isoformat(), "", "", "", "", _cell(figures.satisfaction_average)]
    )
    rows.append(["not solved rate", figures.month.isoformat(), "", "", "", "", _cell(figures.not_solved_rate)])
    rows.append(
        ["complaint closure rate", figures.month.isoformat(), "", "", "", "", _cell(figures.complaint_closure_rate)]
    )
    return rows


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    text = value.value if hasattr(value, "value") else value
    # A cell starting with =, +, - or @ would run as a formula in a spreadsheet: defuse it.
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return "" if text is None else text


def csv_response(rows: list[list[object]], filename: str) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read the Chinese text as UTF-8
    csv.writer(buffer).writerows(rows)
    headers = SECURITY_HEADERS | {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers)
