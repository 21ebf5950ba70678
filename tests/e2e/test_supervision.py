"""`hotline up` supervises what it starts: a Rasa server or action server killed with kill -9 is
started again, the message kept meanwhile is answered once, and /health says what was down."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.channels.relay import Relay
from bot.core.db import session_scope
from bot.core.models import ChatMessage, MessageStatus
from bot.engine.health import health_report
from bot.engine.processes import MODEL_FILE, Stack
from bot.engine.supervisor import Backoff
from tests.conftest import Resident
from tests.harness import RunningApp, free_port, wait_until

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own, started as `hotline up` starts it: killing it disturbs no other test.
    The first restart waits 3 s, time enough for a resident to write while a server is down."""
    assert MODEL_FILE.exists(), "No trained model: run `make test` (it trains)."
    stack = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=tmp_path_factory.mktemp("supervised"),
                  backoff=(3.0, 30.0))  # fmt: skip
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def app(supervised: Stack) -> Iterator[RunningApp]:
    # Kept messages are retried every second, so the test sees the replay soon after the restart.
    running = RunningApp(supervised.rasa_url, action_port=supervised.action_port, retry_pending_every_seconds=1)
    yield running
    running.stop()


def health(app: RunningApp) -> tuple[int, dict]:
    return asyncio.run(health_report(app.settings))


def kill_hard(stack: Stack, name: str) -> int:
    pid = stack.pid(name)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: stack.processes[name].poll() is not None, 10, f"{name} to die")
    return pid


def rows_of(app: RunningApp, resident: Resident) -> list[ChatMessage]:
    sender = Relay(app.settings).sender_ref("web", resident.sender)
    with session_scope() as session:
        return list(session.scalars(select(ChatMessage).where(ChatMessage.sender == sender).order_by(ChatMessage.id)))


def user_turns_in_rasa(stack: Stack, app: RunningApp, resident: Resident, text: str) -> int:
    sender = Relay(app.settings).sender_ref("web", resident.sender)
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.rasa_token},
                        timeout=10).json()  # fmt: skip
    return sum(1 for event in tracker["events"] if event["event"] == "user" and event.get("text") == text)


def collect_answers(resident: Resident, timeout: float) -> list[dict]:
    def fetched() -> list[dict]:
        return resident.client.get("/api/chat/updates", params={"sender": resident.sender}).json()

    return wait_until(fetched, timeout, "the kept message to be answered")  # type: ignore[return-value]


def test_backoff_doubles_and_starts_over_after_a_stable_run() -> None:
    backoff = Backoff(first=1, longest=8, stable=300)
    assert [backoff.after_crash(uptime=2) for _ in range(5)] == [1, 2, 4, 8, 8]
    assert backoff.after_crash(uptime=600) == 1  # it had run for ten minutes: a new crash


def test_killed_rasa_is_restarted_and_the_kept_message_answered_once(supervised: Stack, app: RunningApp) -> None:
    assert health(app)[0] == 200 and health(app)[1]["status"] == "ok"
    resident = Resident(app.base_url)
    old_pid = kill_hard(supervised, "rasa")

    reply = resident.say_text("暖气不热")
    assert "已保存" in reply  # "busy, kept"
    status, report = health(app)
    assert status == 200 and report["status"] == "degraded" and report["down"] == ["rasa"]
    assert report["parts"]["database"]["kept_messages"] >= 1
    assert report["parts"]["action_server"]["status"] == "up"

    # Nobody restarts anything: the supervisor does, and the app replays the kept message.
    answers = collect_answers(resident, timeout=300)
    assert supervised.pid("rasa") != old_pid
    time.sleep(3)  # several more retry runs: none may answer it again
    assert resident.client.get("/api/chat/updates", params={"sender": resident.sender}).json() == []
    rows = rows_of(app, resident)
    assert [(m.direction, m.status) for m in rows if m.direction == "in"] == [("in", MessageStatus.PROCESSED)]
    assert len([m for m in rows if m.direction == "out"]) == len(answers)
    assert user_turns_in_rasa(supervised, app, resident, "暖气不热") == 1  # Rasa heard it once
    assert health(app)[1]["down"] == []
    assert "电话" in resident.say_text("阳光花园3号楼2单元301")  # the report goes on from there


def test_killed_action_server_is_restarted_and_the_kept_message_answered_once(
    supervised: Stack, app: RunningApp
) -> None:
    resident = Resident(app.base_url)
    old_pid = kill_hard(supervised, "actions")

    reply = resident.say_text("暖气不热")
    assert "已保存" in reply
    status, report = health(app)
    assert status == 200 and report["down"] == ["action_server"]

    answers = collect_answers(resident, timeout=120)
    assert supervised.pid("actions") != old_pid
    time.sleep(3)
    assert resident.client.get("/api/chat/updates", params={"sender": resident.sender}).json() == []
    rows = rows_of(app, resident)
    assert [m.status for m in rows if m.direction == "in"] == [MessageStatus.PROCESSED]
    assert len([m for m in rows if m.direction == "out"]) == len(answers)
    assert health(app)[1]["down"] == []


def test_a_server_stopped_on_purpose_stays_stopped(supervised: Stack, tmp_path: Path) -> None:
    supervised.stop("actions")
    time.sleep(6)  # longer than the first back-off
    assert "actions" not in supervised.processes
    supervised.start_actions()
    assert supervised.processes["actions"].poll() is None
