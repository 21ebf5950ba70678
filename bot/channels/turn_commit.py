"""Work a channel commits together with a turn's outcome.

A push channel (Telegram) handles a stored update; the update may count as handled only in the
transaction that records what the resident gets (the relay's answer waiting in the outbox, or the
message kept for later). Then a crash can neither lose the answer nor answer the update twice.
The channel sets a hook around its handlers; the relay calls it in that transaction. A context
variable carries it, as the relay runs its storage in worker threads (asyncio.to_thread copies
the context) and knows nothing of updates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from sqlalchemy.orm import Session

# Called with the session and the sender the turn's replies were filed under.
TurnHook = Callable[[Session, str], None]
_hook: ContextVar[TurnHook | None] = ContextVar("turn_commit_hook", default=None)


@contextlib.contextmanager
def committing_with_turns(hook: TurnHook) -> Iterator[None]:
    """Run `hook` in the transaction of every turn outcome recorded inside this block."""
    token = _hook.set(hook)
    try:
        yield
    finally:
        _hook.reset(token)


def run_hook(session: Session, filed_under: str) -> None:
    hook = _hook.get()
    if hook is not None:
        hook(session, filed_under)
