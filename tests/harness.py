"""Running the application on a real port (tests and benchmarks): in a thread of the test
process, or as a real child process that can be killed."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from bot.engine.processes import Stack

# Test defaults: no periodic job gets in a test's way, replies to one chat are spaced only
# 50 ms apart, and the web chat has no pace limits, as every test chats from one address
# (tests that check the spacing or the pace set them themselves).
TEST_DEFAULTS: dict[str, object] = {"retry_pending_every_seconds": 3600, "followup_check_every_seconds": 3600,
                                    "sla_check_every_seconds": 3600, "telegram_chat_interval_seconds": 0.05,
                                    "chat_messages_per_minute": 0, "chat_client_messages_per_minute": 0}  # fmt: skip


def worker_number() -> int | None:
    """pytest-xdist's worker of this process (gw0 is 0), or None when the tests run in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


# Ports for the servers the tests start, from a block of this process's own below Linux's
# ephemeral range (32768-60999): there the kernel hands none to another worker's bind(0) or
# to an outgoing connection in the seconds before Rasa (or the application) binds the one it
# was given. A random start within the block keeps another checkout's test run clear of it too.
_PORT_BLOCK = 1000
_FIRST_PORT = 20_000 + _PORT_BLOCK * (0 if worker_number() is None else 1 + (worker_number() or 0))
_ports = itertools.count(random.randrange(_PORT_BLOCK))
_ports_lock = threading.Lock()


def free_port() -> int:
    """A port nobody listens on, from this process's block (see above), never the same twice
    until the block has gone round."""
    if _FIRST_PORT + _PORT_BLOCK > 32768:
        raise RuntimeError("Too many pytest-xdist workers for the test ports: use -n 11 or fewer.")
    with _ports_lock:
        for _ in range(_PORT_BLOCK):
            port = _FIRST_PORT + next(_ports) % _PORT_BLOCK
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:  # in use, or its connections still in TIME_WAIT
                    continue
                return port
    raise RuntimeError(f"No free port in {_FIRST_PORT}-{_FIRST_PORT + _PORT_BLOCK - 1}.")


def issued_chat_id(client: httpx.Client, chat_url: str = "/api/chat") -> str:
    """A new web-chat id from the application, as the chat page gets one: POST /api/chat
    refuses ids it did not issue. `chat_url` is relative to the client's base URL, or whole."""
    response = client.post(f"{chat_url}/session")
    response.raise_for_status()
    return response.json()["sender"]


class RunningApp:
    """The application served by uvicorn on a real port, in a thread of the test process."""

    def __init__(self, rasa_url: str, **settings: object) -> None:
        import uvicorn

        from bot.config import Settings
        from bot.runtime import create_app, server_config

        self.settings = Settings(rasa_url=rasa_url, port=free_port(), **{**TEST_DEFAULTS, **settings})
        self.base_url = f"http://127.0.0.1:{self.settings.port}"
        self.server = uvicorn.Server(server_config(create_app(self.settings), self.settings))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The application did not start.")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class AppProcess:
    """The application as a child process (`python -m bot.cli serve`), its output in `log_file`.

    Settings are given by name as to RunningApp and passed as environment variables."""

    def __init__(self, rasa_url: str, log_file: Path, **settings: object) -> None:
        from bot.config import PROJECT_ROOT, Settings

        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        env = dict(os.environ)
        for name, value in {**TEST_DEFAULTS, "rasa_url": rasa_url, "port": self.port, **settings}.items():
            alias = Settings.model_fields[name].validation_alias
            env[alias if isinstance(alias, str) else f"HOTLINE_{name.upper()}"] = str(value)
        with open(log_file, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The application did not start; see {log_file}:\n{log_file.read_text()}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class SilentServer:
    """A server that accepts connections and never answers: a hung Rasa."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)  # kept open, never answered

    def stop(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()


def wait_until(
    condition: Callable[[], object], timeout: float = 30, what: str = "condition", every: float = 0.1
) -> object:
    """Poll `condition` until it gives something true, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")


def start_rasa_at_once(stacks: Iterable[Stack]) -> None:
    """Start the Rasa servers of `stacks` together (they load their models at once: half the
    waiting for two). One that does not get ready fails here, in the fixture, and not later as
    a refused connection in a test."""
    stacks = list(stacks)
    with ThreadPoolExecutor(len(stacks)) as pool:
        for started in [pool.submit(stack.start_rasa) for stack in stacks]:
            started.result()


def in_rasas_python(script: str) -> object:
    """Run `script` in Rasa's environment (Python 3.10, where the nlu/ components live) and return
    what it printed as JSON after the marker RESULT (Rasa and TensorFlow print before it)."""
    from bot.teaching.evaluation import PROJECT_ROOT, RASA_PYTHON

    run = subprocess.run([str(RASA_PYTHON), "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.split("RESULT", 1)[1])
