"""Messages per second through the Telegram channel (PTB's HTTP stack, local Bot API stand-in).

Starts its own Rasa server, action server and application with Telegram polling a local
stand-in, pushes greetings from many chats at once and measures until every reply was sent.
Run: .venv/bin/python bench/telegram_throughput.py [--chats 50]
"""

from __future__ import annotations

import argparse
import time

from workspace import start_stack

from tests.harness import RunningApp
from tests.telegram_standin import TOKEN, BotApiStandIn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=50)
    args = parser.parse_args()
    stack = start_stack()
    bot_api = BotApiStandIn()
    app = RunningApp(f"http://127.0.0.1:{stack.rasa_port}", telegram_bot_token=TOKEN,
                     telegram_api_base_url=bot_api.base_url, telegram_poll_timeout=1,
                     telegram_chat_interval_seconds=1.0)  # Telegram's real per-chat spacing  # fmt: skip
    try:
        started = time.perf_counter()
        for chat in range(1, args.chats + 1):
            bot_api.push(bot_api.message_update(100_000 + chat, "你好"))
        deadline = time.monotonic() + 300
        while len(bot_api.sent) < args.chats and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        print(f"{len(bot_api.sent)} replies to {args.chats} chats in {elapsed:.2f} s: "
              f"{len(bot_api.sent) / elapsed:.1f} messages/s")  # fmt: skip
    finally:
        app.stop()
        bot_api.stop()
        stack.stop()


if __name__ == "__main__":
    main()
