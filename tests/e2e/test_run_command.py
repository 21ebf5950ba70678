"""`hotline up` (what `make run` starts) serves the chat and stops every process on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.harness import issued_chat_id

pytestmark = pytest.mark.stack


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# Ctrl-C in a terminal; SIGTERM from systemd, docker stop or kill.
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_up_prints_where_to_chat_and_a_stop_signal_stops_all(tmp_path: Path, stop_signal: signal.Signals) -> None:
    ports = {"HOTLINE_PORT": free_port(), "HOTLINE_RASA_PORT": free_port(), "HOTLINE_ACTION_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    env["HOTLINE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'up.db'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "up", "--no-train"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    output = ""
    try:
        deadline = time.monotonic() + 240
        while "Press Ctrl-C" not in output:
            assert time.monotonic() < deadline, output
            assert process.poll() is None, output
            try:
                output += lines.get(timeout=1)
            except queue.Empty:
                pass
        assert f"http://127.0.0.1:{ports['HOTLINE_PORT']}/" in output
        with httpx.Client(base_url=f"http://127.0.0.1:{ports['HOTLINE_PORT']}", timeout=30) as client:
            reply = client.post("/api/chat", json={"sender": issued_chat_id(client), "message": "你好"})
        assert "工号" in reply.json()[0]["text"]
    finally:
        process.send_signal(stop_signal)
        process.wait(timeout=60)
    for port in ports.values():
        assert not port_open(port), f"port {port} still open after {stop_signal.name}"
