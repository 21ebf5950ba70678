"""Keep child servers running: one that dies is started again, waiting longer after each crash.

Without this, a Rasa server killed by the OOM killer or `kill -9` stays dead and every resident
hears "system busy" until someone restarts everything by hand. The messages kept meanwhile are
replayed by the application once Rasa answers again (Relay.retry_pending).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """How long to wait before the next restart: doubling from `first` up to `longest`, and
    back to `first` once a server has stayed up for `stable` seconds (a crash, not a crash loop)."""

    first: float = 1.0
    longest: float = 60.0
    stable: float = 300.0
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._next = self.first

    def after_crash(self, uptime: float) -> float:
        if uptime >= self.stable:
            self._next = self.first
        wait = self._next
        self._next = min(self._next * 2, self.longest)
        return wait


@dataclass
class Child:
    """One supervised server: how to tell it died, and how to start it again."""

    name: str
    exit_code: Callable[[], int | None]  # None while it runs
    restart: Callable[[], None]  # starts it and waits until it answers; raises if it cannot
    backoff: Backoff = field(default_factory=Backoff)
    started_at: float = field(default_factory=time.monotonic)
    restarts: int = 0


class Supervisor:
    """A daemon thread that checks its children every `interval` seconds."""

    def __init__(self, children: Callable[[], list[Child]], interval: float = 1.0) -> None:
        """`children`: asked at every check, so a server stopped on purpose (no longer listed)
        is left alone."""
        self._children = children
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            for child in self._children():
                code = child.exit_code()
                if code is not None and not self._stopping.is_set():
                    self._revive(child, code)

    def _revive(self, child: Child, code: int) -> None:
        wait = child.backoff.after_crash(time.monotonic() - child.started_at)
        log.error("%s exited with code %s; starting it again in %.0f s", child.name, code, wait)
        if self._stopping.wait(wait):
            return
        child.started_at = time.monotonic()  # a failed start counts as a crash right away
        try:
            child.restart()
        except Exception:  # (it is tried again after a longer wait)
            log.exception("%s could not be started again", child.name)
            return
        child.restarts += 1
        log.warning("%s is running again (restart %d)", child.name, child.restarts)
