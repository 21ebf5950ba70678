"""Announcing an outage to thousands of Telegram residents within Telegram's limits (R10).

Creates N residents of one estate who reported over Telegram before, declares a fault there,
and lets the application's Telegram channel (PTB's HTTP stack and rate limiter) push the
announcement to a local Bot API stand-in. Reports the time until the last resident got it, the
highest number of messages in any one-second window (Telegram allows about 30/s overall) and
whether anyone got it twice.
Run: .venv/bin/python bench/outage_announce.py [--residents 5000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import timedelta

from workspace import TMP  # noqa: F401  (points the settings at a throw-away database first)

from bot.config import get_settings
from bot.core.conversation.chat_links import remember_chat
from bot.core.db import session_scope
from bot.core.models import Category
from bot.core.outages.desk import declare_outage
from bot.core.outages.register import OutageRequest
from bot.core.process_setup import set_up_process
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, utcnow
from bot.migrate import upgrade
from tests.harness import RunningApp, free_port
from tests.telegram_standin import TOKEN, BotApiStandIn

TELEGRAM_LIMIT_PER_SECOND = 30
settings = get_settings()
FIRST_CHAT = 500_000


def residents(count: int) -> None:
    now = utcnow() - timedelta(days=10)
    with session_scope() as session:
        for n in range(count):
            sender = f"tg-bench-{n}"
            remember_chat(session, "telegram", sender, str(FIRST_CHAT + n), now, settings.resolved_secret_key())
            draft = TicketDraft(category=Category.REPORT_REPAIR, description="阀门坏了", channel="telegram",
                                language="zh", address=Address("阳光花园", str(n % 40 + 1), "1", "101"),
                                phone="+8613812345678", sender_ref=sender)  # fmt: skip
            create_ticket(session, draft, settings, now=now)


def busiest_second(moments: list[float]) -> int:
    """The most messages sent in any one-second window (moments sorted)."""
    best, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=5000)
    args = parser.parse_args()
    upgrade()
    set_up_process(settings)
    residents(args.residents)
    bot_api = BotApiStandIn()
    # No resident writes during the benchmark, so no Rasa server is needed: only pushing is measured.
    app = RunningApp(f"http://127.0.0.1:{free_port()}", telegram_bot_token=TOKEN, telegram_api_base_url=bot_api.base_url,
                     telegram_poll_timeout=1, telegram_push_every_seconds=1.0, telegram_chat_interval_seconds=1.0)  # fmt: skip
    try:
        cpu_started, started = time.process_time(), time.perf_counter()
        now = utcnow()
        with session_scope() as session:
            request = OutageRequest(["阳光花园"], now - timedelta(minutes=5), now + timedelta(hours=8), "主管线爆裂")
            told = declare_outage(session, request, "bench", now, settings).told
        queued = time.perf_counter() - started
        deadline = time.monotonic() + 3600
        while len(bot_api.sent) < told and time.monotonic() < deadline:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        moments = sorted(m["at"] for m in bot_api.sent)
        repeats = sum(n - 1 for n in Counter(str(m["chat_id"]) for m in bot_api.sent).values() if n > 1)
        floor = told / TELEGRAM_LIMIT_PER_SECOND
        print(f"{told} residents told; queued in {queued:.2f} s; last delivered after {elapsed:.1f} s "
              f"(Telegram's 30/s allows no less than {floor:.1f} s)")  # fmt: skip
        print(f"busiest second: {busiest_second(moments)} messages; sent twice: {repeats}; "
              f"CPU of this process: {time.process_time() - cpu_started:.1f} s")  # fmt: skip
    finally:
        app.stop()
        bot_api.stop()


if __name__ == "__main__":
    main()
