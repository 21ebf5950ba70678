"""One action call, one unit of work: the one place the actions' synchronous work leaves the
action server's event loop, with one database session for the whole call.

rasa-sdk serves every call on one event loop, and the actions are synchronous (SQLAlchemy, the
core's rules): run on the loop, one slow query would hold up every other conversation. So
HotlineAction and the form validations (actions/common.py) hand their work to `run_in_worker`,
which runs it in a worker thread inside a session that is committed once at the end of the call
and rolled back if anything in it fails. The action code gets that session (and the settings)
as an ActionCall and opens none of its own.

The database and the settings are the action server's, built once at its start-up
(actions/server.py, `install_action_server`); rasa-sdk creates the action objects itself, with
no arguments, which is why they are installed here rather than given to each action.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.core.db import Database

T = TypeVar("T")


@dataclass(frozen=True)
class ActionCall:
    """What one action call works with: its session (the call's one transaction) and the
    action server's settings."""

    session: Session
    settings: Settings


@dataclass(frozen=True)
class _ActionServer:
    settings: Settings
    database: Database


_server: _ActionServer | None = None


def install_action_server(settings: Settings, database: Database) -> None:
    """Give the actions the action server's settings and database (once, at its start-up)."""
    global _server
    _server = _ActionServer(settings, database)


def _installed() -> _ActionServer:
    if _server is None:
        raise RuntimeError("The actions have no database: actions/server.py installs it at start-up.")
    return _server


async def run_in_worker(work: Callable[[ActionCall], T]) -> T:
    """Run `work` in a worker thread, in one unit of work: committed when it returns, rolled
    back when it raises."""
    server = _installed()

    def in_thread() -> T:
        with server.database.unit_of_work() as session:
            return work(ActionCall(session, server.settings))

    return await asyncio.to_thread(in_thread)


# rasa-sdk calls a form's `validate_<slot>` methods with its own arguments, so inside a form
# validation the call's ActionCall is reached through this variable, set for that call alone
# (a context variable: each call, in its own thread, sees its own).
_current: ContextVar[ActionCall] = ContextVar("action_call")


@contextmanager
def current(call: ActionCall) -> Iterator[None]:
    token = _current.set(call)
    try:
        yield
    finally:
        _current.reset(token)


def current_call() -> ActionCall:
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("No action call is running: only a form validation's own call has one.") from None


_thread_loops = threading.local()


def run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run rasa-sdk's (asynchronous) form validation to its end inside a worker thread, on that
    thread's own event loop: it awaits nothing but the validators, which run right here."""
    loop = getattr(_thread_loops, "loop", None)
    if loop is None:
        loop = _thread_loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)
