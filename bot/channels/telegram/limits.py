"""Telegram's flood limits on what the bot sends.

PTB's AIORateLimiter keeps to the overall 30 messages/s and 20/min per group and waits out a
429, but it lets a burst of replies hit one private chat at once, where Telegram allows about
one per second. This adds the per-chat spacing in front of it, for every call with a chat_id.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import AIORateLimiter


class PerChatRateLimiter(AIORateLimiter):
    def __init__(self, chat_interval: float, overall_per_second: float = 30, **kwargs: Any) -> None:
        # PTB's default bucket (30 per second) lets a burst of 30 go at once and then 30 more
        # in the same second: a broadcast (an outage notice to thousands) would run at twice
        # Telegram's rate. A bucket of one refilled 30 times a second spaces them evenly.
        super().__init__(overall_max_rate=1, overall_time_period=1 / overall_per_second, **kwargs)
        self._interval = chat_interval
        self._next_slot: dict[str, float] = {}  # chat -> earliest time of its next message

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is not None and self._interval > 0:
            await self._wait_turn(str(chat_id))
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    async def _wait_turn(self, chat: str) -> None:
        # Reserve the slot before sleeping (no await in between): concurrent sends to one chat
        # queue up one interval apart, in the order they asked.
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_slot.get(chat, now))
        self._next_slot[chat] = slot + self._interval
        if len(self._next_slot) > 10_000:  # forget chats whose slot has passed
            self._next_slot = {c: t for c, t in self._next_slot.items() if t > now}
        if slot > now:
            await asyncio.sleep(slot - now)
