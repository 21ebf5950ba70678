"""How fast the web chat takes messages: per chat, and per client address.

Over its limit a chat (or an address) is slowed down, never silently dropped: its message is
stored like any other and answered a little later (Pace.LATER). Only a flood far over the limit
is refused (Pace.REFUSED) with the time to wait, so it cannot fill the database or keep Rasa busy
for hours; the chat page keeps such a message and sends it again by itself after that time.

A leak or a smell of gas is never slowed nor refused (R1): its safety advice cannot wait, and
the chat that told it is spared its address's limit for the next minutes, so its report goes on
at once even while others flood that address (a carrier's shared address, or an attacker's).
The chat's own limit still holds.

The counts live in memory, per application process: cheap, forgotten at a restart, and with
several processes each counts on its own, so the limits then hold per process. That keeps one
page or script from drowning the bot; it is no quota.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

WINDOW_SECONDS = 60.0
# Over its limit a chat or an address may still have up to this many times the limit stored
# per window (answered later); beyond that nothing more is stored until the window moves on.
HOLD_FACTOR = 3
# How long a chat that told of a leak or gas is spared its address's limit: long enough to give
# the address, the number and the time.
URGENT_REPORT_SECONDS = 600.0


class Pace(Enum):
    NOW = "now"  # answer it now
    LATER = "later"  # store it; the retry job (or the chat's next answered turn) answers it
    REFUSED = "refused"  # not stored: to be sent again after `retry_after` seconds


@dataclass(frozen=True)
class Admission:
    pace: Pace
    retry_after: int = 0  # seconds, for Pace.REFUSED


class RecentTimes:
    """When each key sent, over the last window."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._times: dict[str, deque[float]] = {}

    def count(self, key: str, now: float) -> int:
        times = self._times.get(key)
        while times and times[0] <= now - self.window:
            times.popleft()
        return len(times) if times else 0

    def add(self, key: str, now: float) -> None:
        self._times.setdefault(key, deque()).append(now)

    def seconds_until_one_leaves(self, key: str, now: float) -> float:
        times = self._times.get(key)
        return times[0] + self.window - now if times else 0.0

    def forget_quiet(self, now: float) -> None:
        """Drop keys with nothing in the window, so chats and addresses seen once do not pile up."""
        quiet = [key for key, times in self._times.items() if not times or times[-1] <= now - self.window]
        for key in quiet:
            del self._times[key]


class ChatRateLimits:
    """Per-chat and per-address limits in messages a minute; a limit of 0 is no limit."""

    def __init__(self, per_chat: int, per_client: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = {"chat": per_chat, "client": per_client}
        self._recent = {kind: RecentTimes(WINDOW_SECONDS) for kind in self._limits}
        self._clock = clock
        self._last_sweep = clock()
        self._urgent_since: dict[str, float] = {}  # chat -> when it last told of a leak or gas

    def admit(self, chat: str, client: str, *, urgent: bool = False) -> Admission:
        """Whether this chat's message from this address is answered now, later, or refused.
        A message that is stored (now or later) counts against both limits. `urgent`: it tells
        of a leak or gas (answered now, whatever the counts)."""
        now = self._clock()
        if now - self._last_sweep > WINDOW_SECONDS:
            for recent in self._recent.values():
                recent.forget_quiet(now)
            self._urgent_since = {c: t for c, t in self._urgent_since.items() if t > now - URGENT_REPORT_SECONDS}
            self._last_sweep = now
        keys = {"chat": chat, "client": client}
        if urgent:
            self._urgent_since[chat] = now
            for kind, recent in self._recent.items():
                recent.add(keys[kind], now)
            return Admission(Pace.NOW)
        reporting = self._urgent_since.get(chat, -math.inf) > now - URGENT_REPORT_SECONDS
        active = [kind for kind, limit in self._limits.items() if limit > 0 and not (reporting and kind == "client")]
        counts = {kind: self._recent[kind].count(keys[kind], now) for kind in active}
        flooded = [kind for kind in active if counts[kind] >= self._limits[kind] * HOLD_FACTOR]
        if flooded:
            wait = max(self._recent[kind].seconds_until_one_leaves(keys[kind], now) for kind in flooded)
            return Admission(Pace.REFUSED, retry_after=max(1, math.ceil(wait)))
        for kind in active:
            self._recent[kind].add(keys[kind], now)
        over = any(counts[kind] >= self._limits[kind] for kind in active)
        return Admission(Pace.LATER if over else Pace.NOW)
