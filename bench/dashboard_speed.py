"""Dashboard speed on a busy database: seeds 15 000 tickets, then times the queue, a filtered
search, a ticket page and the statistics page in the server (in-process ASGI calls, no network),
and counts the SQL statements each page runs.

    .venv/bin/python bench/dashboard_speed.py [--tickets 15000] [--rounds 20] [--database-url URL]

Target: under 300 ms server time per page, with a small constant number of queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hotline-dash-bench-"))
    os.environ["HOTLINE_DATABASE_URL"] = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    os.environ["HOTLINE_DATA_DIR"] = str(folder)

    from sqlalchemy import event
    from starlette.testclient import TestClient

    from bot.config import get_settings
    from bot.core.db import get_engine, session_scope
    from bot.core.models import Base
    from bot.core.process_setup import set_up_process
    from bot.core.tickets.intake import utcnow
    from bot.dashboard.auth import add_user
    from bot.migrate import upgrade
    from bot.runtime import create_app

    set_up_process(get_settings())

    if args.database_url:  # a server database: start from empty tables
        Base.metadata.drop_all(get_engine())
        with get_engine().begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
    started = time.perf_counter()
    sample_code = seed(args.tickets)
    print(f"Seeded {args.tickets} tickets in {time.perf_counter() - started:.1f} s")
    with session_scope() as session:
        add_user(session, "bench", "bench-password-1", "dispatcher", utcnow())

    statements = {"count": 0}
    event.listen(
        get_engine(), "before_cursor_execute", lambda *a: statements.__setitem__("count", statements["count"] + 1)
    )
    client = TestClient(create_app(get_settings()), base_url="http://testserver")
    login = client.get("/dashboard/login")
    token = login.text.split('name="login_token" value="')[1].split('"')[0]
    client.post("/dashboard/login", data={"username": "bench", "password": "bench-password-1", "login_token": token})
    month = utcnow().astimezone(get_settings().tz).strftime("%Y-%m")
    pages = {
        "queue (open tickets, SLA order)": "/dashboard/",
        "queue filtered + search": "/dashboard/?category=report_repair&priority=high&q=阳光",
        "queue page 20": "/dashboard/?page=20",
        "ticket page": f"/dashboard/tickets/{sample_code}",
        "statistics (month)": f"/dashboard/stats?month={month}",
        "queue refresh check": "/dashboard/queue/version",
    }
    print("\n| page | p50 ms | p95 ms | max ms | SQL statements |\n|---|---:|---:|---:|---:|")
    for title, path in pages.items():
        timings, counts = [], []
        for _ in range(args.rounds):
            statements["count"] = 0
            began = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
            counts.append(statements["count"])
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(
            f"| {title} | {statistics.median(timings):.0f} | {p95:.0f} | {timings[-1]:.0f} | {min(counts)}–{max(counts)} |"
        )
    return 0


def seed(how_many: int) -> str:
    """Tickets spread over the last year, of every category and status, as the bot makes them."""
    from bot.config import get_settings
    from bot.core.db import session_scope
    from bot.core.models import Category, FollowupState, Ticket, TicketStatus
    from bot.core.tickets.intake import new_code, priority_for, utcnow
    from bot.core.tickets.milestones import refresh_next_due
    from bot.core.tickets.sla import deadlines_for

    rng = random.Random(7)
    tz = get_settings().tz
    now = utcnow()
    estates = ["阳光花园", "幸福家园", "金色港湾", "东方明珠苑", "Sunshine Garden", "青年公寓"]
    statuses = list(TicketStatus)
    categories = list(Category)
    code = ""
    with session_scope() as session:
        for n in range(how_many):
            category = rng.choice(categories)
            created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            deadlines = deadlines_for(category, None, created, tz)
            estate = rng.choice(estates)
            ticket = Ticket(
                code=new_code(), category=category, priority=priority_for(category, None),
                status=rng.choice(statuses), description=f"第{n}号:暖气不热,家里只有十五度,请尽快处理",
                address_raw=f"{estate}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 1802)}",
                estate=estate, building="1", unit="1", room="101", phone="+8613812345678",
                callback_window="随时", anonymous=False, channel=rng.choice(["web", "telegram"]),
                sender_ref=f"web:{n}", language="zh", created_at=created, updated_at=created,
                followup_due_at=created + timedelta(hours=48), followup_state=FollowupState.SCHEDULED,
                satisfaction=rng.choice([None, None, 3, 4, 5]), **vars(deadlines),
            )  # fmt: skip
            refresh_next_due(ticket)
            session.add(ticket)
            if n % 2000 == 0:
                session.flush()
        session.flush()
        code = ticket.code
    return code


if __name__ == "__main__":
    sys.exit(main())
