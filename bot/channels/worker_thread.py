"""The channels' blocking work, off the event loop, in one place.

One event loop serves every chat, so nothing that blocks may run on it: the database, a file,
the terminal. Database work goes in steps: `in_transaction` runs one step in a worker thread
with a session of its own, committed when the step returns and rolled back when it raises
(bot.core.db.session_scope). A step never waits on the network (Rasa's answer, Telegram's
accepting a message come between steps), so its transaction stays short; and each step is one
thread hop, which on a busy machine costs a wakeup: a turn takes as few as it can.

The worker thread gets a copy of the caller's context (asyncio.to_thread copies it), so what a
channel commits together with a turn (bot/channels/turn_commit.py) reaches the step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from bot.core.db import session_scope

P = ParamSpec("P")
T = TypeVar("T")


async def in_transaction(step: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`step(session, *args, **kwargs)` in a worker thread, as one transaction; its result."""

    def run() -> T:
        with session_scope() as session:
            return step(session, *args, **kwargs)

    return await asyncio.to_thread(run)


async def off_the_loop(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Blocking work that is no step of ours (a file, the terminal, Rasa's own tracker store) in
    a worker thread; its result."""
    return await asyncio.to_thread(work, *args, **kwargs)
